"""Settings loading, registry discovery and editor settings (importwarden.config)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from importwarden.analysis.findings import Severity
from importwarden.config import (
    Settings,
    discover_registries,
    find_config,
    load_settings,
    settings_from_editor,
)
from importwarden.errors import ConfigError, RegistryLoadError


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty repository (``.git`` bounds the upward search)."""
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    return root


def pyproject(root: Path, body: str) -> Path:
    return write(root / "pyproject.toml", '[project]\nname = "demo"\n\n[tool.importwarden]\n'
                 + textwrap.dedent(body).lstrip("\n"))


# --- finding the config file and the root -----------------------------------------------------


def test_nearest_pyproject_with_table_from_nested_start(project: Path) -> None:
    pyproject(project, 'select = ["IW001"]')
    nested = project / "pkg" / "sub"
    nested.mkdir(parents=True)
    write(nested / "mod.py", "x = 1\n")
    settings = load_settings(nested / "mod.py")
    assert settings.root == project.resolve()
    assert settings.config_file == project.resolve() / "pyproject.toml"
    assert settings.select == frozenset({"IW001"})


def test_pyproject_without_table_is_passed_over(project: Path) -> None:
    pyproject(project, 'ignore = ["IW004"]')
    inner = project / "services" / "api"
    write(inner / "pyproject.toml", '[project]\nname = "api"\n')
    settings = load_settings(inner)
    assert settings.root == project.resolve()
    assert settings.ignore == frozenset({"IW004"})


def test_importwarden_toml_top_level_keys_are_settings(project: Path) -> None:
    write(project / "importwarden.toml", """
        select = ["IW00"]
        [[import]]
        target = "a.b:C"
        status = "broken"
        [services]
        members = ["a", "b"]
    """)
    settings = load_settings(project)
    assert settings.config_file == project.resolve() / "importwarden.toml"
    assert settings.select == frozenset({"IW00"})
    # [services] in importwarden.toml is registry content, not the services override setting.
    assert settings.services_members is None
    assert discover_registries(settings) == [project.resolve() / "importwarden.toml"]


def test_importwarden_toml_with_settings_wins_over_plain_pyproject(project: Path) -> None:
    write(project / "pyproject.toml", '[project]\nname = "x"\n')
    write(project / "importwarden.toml", 'ignore = ["IW006"]\n')
    assert load_settings(project).config_file == project.resolve() / "importwarden.toml"


def test_registry_only_importwarden_toml_leaves_settings_to_pyproject(project: Path) -> None:
    pyproject(project, 'ignore = ["IW006"]')
    write(project / "importwarden.toml", '[[import]]\ntarget = "a.b"\nstatus = "broken"\n')
    settings = load_settings(project)
    assert settings.config_file == project.resolve() / "pyproject.toml"
    assert settings.ignore == frozenset({"IW006"})
    assert discover_registries(settings) == [project.resolve() / "importwarden.toml"]


def test_both_files_configuring_settings_is_an_error_with_line(project: Path) -> None:
    pyproject(project, 'ignore = ["IW006"]')
    write(project / "importwarden.toml", '# settings\n\nselect = ["IW001"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(project)
    assert str(info.value).startswith(f"{project.resolve() / 'importwarden.toml'}:3: both")


def test_nearer_config_wins_over_outer_one(project: Path) -> None:
    pyproject(project, 'ignore = ["IW006"]')
    inner = project / "services" / "api"
    write(inner / "importwarden.toml", 'ignore = ["IW001"]\n')
    assert load_settings(inner).ignore == frozenset({"IW001"})
    assert load_settings(project).ignore == frozenset({"IW006"})


def test_zero_config_root_is_the_directory_holding_the_registry(project: Path) -> None:
    write(project / "SSOT_IMPORT_REGISTRY.md", "# registry\n")
    nested = project / "app" / "core"
    nested.mkdir(parents=True)
    settings = load_settings(nested)
    assert settings.root == project.resolve()
    assert settings.config_file is None
    assert discover_registries(settings) == [project.resolve() / "SSOT_IMPORT_REGISTRY.md"]


def test_zero_config_registry_in_docs_sets_the_root(project: Path) -> None:
    write(project / "docs" / "IMPORT_REGISTRY.md", "# registry\n")
    (project / "app").mkdir()
    settings = load_settings(project / "app")
    assert settings.root == project.resolve()
    assert discover_registries(settings) == [project.resolve() / "docs" / "IMPORT_REGISTRY.md"]


def test_search_stops_at_the_repository_boundary(tmp_path: Path) -> None:
    write(tmp_path / "SSOT_IMPORT_REGISTRY.md", "# outside the repository\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg").mkdir()
    assert find_config(repo / "pkg") == (repo.resolve(), None)


def test_explicit_config_file(project: Path, tmp_path: Path) -> None:
    other = write(tmp_path / "elsewhere" / "ci.toml", 'select = ["IW001", "IW002"]\n')
    settings = load_settings(project, config_file=other)
    assert settings.root == other.parent.resolve()
    assert settings.config_file == other.resolve()
    assert settings.select == frozenset({"IW001", "IW002"})


def test_explicit_config_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: config file not found$"):
        load_settings(tmp_path, config_file=tmp_path / "nope.toml")


# --- every key --------------------------------------------------------------------------------


def test_every_key_kebab_case(project: Path) -> None:
    (project / "src").mkdir()
    (project / "lib").mkdir()
    write(project / "docs" / "a.md")
    write(project / "b.md")
    pyproject(project, """
        registry = ["docs/a.md", "b.md"]
        roots = ["lib"]
        select = ["iw00", "IWR"]
        ignore = "IW004"
        exclude = ["build/", "*.pyi"]
        extend-exclude = ["generated/"]

        [tool.importwarden.per-file-ignores]
        "tests/**/*.py" = ["IW005", "IW007"]
        "scripts/*" = "IW006"

        [tool.importwarden.services]
        members = ["netra_backend", "auth_service"]
        shared = ["shared"]

        [tool.importwarden.severity]
        IW003 = "hint"
        iw006 = "Error"
        IW002 = "info"  # the short names the VS Code client also accepts

        [tool.importwarden.completion]
        auto-import = false
    """)
    s = load_settings(project)
    root = project.resolve()
    assert s.registry == (root / "docs" / "a.md", root / "b.md")
    assert s.roots == (root / "lib",)
    assert s.select == frozenset({"IW00", "IWR"})
    assert s.ignore == frozenset({"IW004"})
    assert s.exclude == ("build/", "*.pyi", "generated/")
    assert s.per_file_ignores == (("tests/**/*.py", frozenset({"IW005", "IW007"})),
                                  ("scripts/*", frozenset({"IW006"})))
    assert s.services_members == ("netra_backend", "auth_service")
    assert s.services_shared == ("shared",)
    assert s.severity == {"IW003": Severity.HINT, "IW006": Severity.ERROR,
                          "IW002": Severity.INFORMATION}
    assert s.completion_auto_import is False
    assert s.rule_enabled("IW001") and not s.rule_enabled("IW004") and s.rule_enabled("IWR002")
    assert discover_registries(s) == [root / "docs" / "a.md", root / "b.md"]


def test_snake_case_and_inline_tables(project: Path) -> None:
    pyproject(project, """
        registry = "reg.md"
        per_file_ignores = { "t/*" = ["IW001"] }
        extend_exclude = ["x/"]
        completion = { auto_import = false }
        services = { shared = ["common"] }
    """)
    s = load_settings(project)
    assert s.registry == (project.resolve() / "reg.md",)
    assert s.per_file_ignores == (("t/*", frozenset({"IW001"})),)
    assert s.exclude == ("x/",)
    assert s.completion_auto_import is False
    assert s.services_members is None and s.services_shared == ("common",)


def test_defaults(project: Path) -> None:
    pyproject(project, "")
    s = load_settings(project)
    assert s == Settings(root=project.resolve(), roots=(project.resolve(),),
                         config_file=project.resolve() / "pyproject.toml")
    (project / "src").mkdir()
    assert load_settings(project).roots == (project.resolve(), project.resolve() / "src")


def test_select_all_means_every_rule(project: Path) -> None:
    pyproject(project, 'select = ["ALL"]')
    assert load_settings(project).select is None


# --- every error names the file and line ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('selec = ["IW001"]', 5, "unknown setting 'selec' (did you mean 'select'?)"),
        ('frobnicate = 1', 5, "unknown setting 'frobnicate' (known: registry, roots,"),
        ('select = 3', 5, "expected a string or an array of strings, found integer"),
        ('select = ["IW001", 2]', 5, "expected an array of strings, found integer item"),
        ('select = [\n  "IW001",\n  "XX9",\n]', 7, "unknown rule code 'XX9'"),
        ('ignore = ["IW9"]', 5, "unknown rule code 'IW9'"),
        ('registry = 7', 5, "expected a string or an array of strings, found integer"),
        ('roots = ["missing"]', 5, "not a directory: missing"),
        ('exclude = {a = 1}', 5, "expected a string or an array of strings, found table"),
        ('per-file-ignores = ["x"]', 5, "expected a table, found array"),
        ('\n[tool.importwarden.per-file-ignores]\n"a/*" = ["NOPE"]', 6, "unknown rule code 'NOPE'"),
        ('\n[tool.importwarden.services]\nmembers = ["a"]\nother = ["b"]', 7,
         "unknown key 'other' in services (expected members, shared)"),
        ('services = { members = ["not-a-package"] }', 5, "not a top-level package name"),
        ('\n[tool.importwarden.severity]\nIW001 = "fatal"', 6,
         "severity of IW001 must be one of error, warning, information, hint; found 'fatal'"),
        ('\n[tool.importwarden.severity]\nIW042 = "error"', 6,
         "unknown rule code 'IW042' in severity"),
        ('\n[tool.importwarden.completion]\nauto-import = "yes"', 6,
         "expected a boolean, found string"),
        ('\n[tool.importwarden.completion]\nautoimport = true', 6,
         "unknown key 'autoimport' in completion"),
        ('perFileIgnores = 3', 5, "expected a table, found integer"),  # camelCase accepted
        ('select = [', 5, "invalid TOML:"),
        ('select = ["IW001"]\nselect = ["IW002"]', 6, "invalid TOML: Cannot overwrite a value"),
    ],
)
def test_errors_name_file_and_line(project: Path, body: str, line: int, message: str) -> None:
    path = pyproject(project, body)
    with pytest.raises(ConfigError) as info:
        load_settings(project)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path.resolve()}:{line}: "), text
    assert message in text


def test_registry_table_is_rejected_in_importwarden_toml(project: Path) -> None:
    path = write(project / "importwarden.toml", '[registry]\nx = 1\n')
    with pytest.raises(ConfigError, match=r"importwarden\.toml:1: expected a path"):
        load_settings(project)
    assert path.exists()


def test_tool_importwarden_not_a_table(project: Path) -> None:
    write(project / "pyproject.toml", '[tool]\nimportwarden = "yes"\n')
    message = r"pyproject\.toml:2: \[tool\.importwarden\] must be a table"
    with pytest.raises(ConfigError, match=message):
        load_settings(project)


def test_config_file_not_utf8(project: Path) -> None:
    (project / "importwarden.toml").write_bytes(b'select = ["\xff"]\n')
    with pytest.raises(ConfigError, match=r"importwarden\.toml: config file is not UTF-8"):
        load_settings(project)


# --- CLI overrides ----------------------------------------------------------------------------


def test_overrides_win_and_use_the_same_names(project: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject(project, """
        select = ["IW001"]
        exclude = ["build/"]
        [tool.importwarden.severity]
        IW003 = "hint"
    """)
    write(project / "mine.md")
    monkeypatch.chdir(project)
    s = load_settings(project, overrides={
        "select": "IW002,IW003",  # comma-separated, as typed on a command line
        "registry": ["mine.md"],  # relative to the current directory
        "extend_exclude": ["tmp/"],
        "severity": {"IW002": "error"},
    })
    assert s.select == frozenset({"IW002", "IW003"})
    assert s.registry == (project.resolve() / "mine.md",)
    assert s.exclude == ("build/", "tmp/")
    assert s.severity == {"IW003": Severity.HINT, "IW002": Severity.ERROR}


def test_bad_override_names_the_option(project: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(project, overrides={"select": "IW001,BOGUS"})
    assert str(info.value) == ("option --select: unknown rule code 'BOGUS' (expected IW001…IW008, "
                               "IWR001…, or a prefix such as IW00)")


# --- registry discovery -----------------------------------------------------------------------


def test_discovery_order_and_names(project: Path) -> None:
    write(project / "SSOT_IMPORT_REGISTRY.md")
    write(project / "IMPORT_REGISTRY.md")
    write(project / "docs" / "SSOT_IMPORT_REGISTRY.md")  # root wins: docs/ is not searched
    s = load_settings(project)
    root = project.resolve()
    # The single-source-of-truth file is loaded last, so it wins entry by entry.
    assert discover_registries(s) == [root / "IMPORT_REGISTRY.md", root / "SSOT_IMPORT_REGISTRY.md"]


def test_discovery_of_dated_copies_takes_the_newest(project: Path) -> None:
    docs = project / "docs"
    write(docs / "seed_2025-09-11_SSOT_IMPORT_REGISTRY.md")
    write(docs / "netra_2025-09-17_SSOT_IMPORT_REGISTRY.md")
    write(docs / "AUTH_IMPORT_REGISTRY.md")  # undated: a registry of its own, loaded too
    write(docs / "notes_about_IMPORT_REGISTRY.txt")
    s = load_settings(project)
    assert discover_registries(s) == [docs.resolve() / "AUTH_IMPORT_REGISTRY.md",
                                      docs.resolve() / "netra_2025-09-17_SSOT_IMPORT_REGISTRY.md"]


def test_discovery_ignores_importwarden_toml_without_registry_tables(project: Path) -> None:
    write(project / "importwarden.toml", 'select = ["IW001"]\n')
    write(project / "docs" / "SSOT_IMPORT_REGISTRY.md")
    s = load_settings(project)
    assert discover_registries(s) == [project.resolve() / "docs" / "SSOT_IMPORT_REGISTRY.md"]


def test_pyproject_registry_table_counts_as_a_registry(project: Path) -> None:
    path = pyproject(project, """
        select = ["IW001"]
        [[tool.importwarden.registry.import]]
        target = "a.b:C"
        status = "broken"
    """)
    s = load_settings(project)
    assert s.registry == ()
    assert discover_registries(s) == [path.resolve()]
    write(project / "SSOT_IMPORT_REGISTRY.md")
    assert discover_registries(s) == [project.resolve() / "SSOT_IMPORT_REGISTRY.md", path.resolve()]


def test_importwarden_toml_listing_registries_and_holding_tables_loads_both(project: Path) -> None:
    write(project / "docs" / "REG.md")
    own = write(project / "importwarden.toml", """
        registry = "docs/REG.md"
        [[mock]]
        target = "a.b.C"
        status = "broken"
    """)
    s = load_settings(project)
    assert discover_registries(s) == [project.resolve() / "docs" / "REG.md", own.resolve()]


def test_explicit_registry_wins_over_discovery(project: Path) -> None:
    write(project / "SSOT_IMPORT_REGISTRY.md")
    write(project / "other.md")
    pyproject(project, 'registry = "other.md"')
    assert discover_registries(load_settings(project)) == [project.resolve() / "other.md"]


def test_missing_explicit_registry(project: Path) -> None:
    pyproject(project, 'registry = ["docs/gone.md"]')
    with pytest.raises(RegistryLoadError) as info:
        discover_registries(load_settings(project))
    assert str(info.value) == f"{project.resolve() / 'docs' / 'gone.md'}: registry file not found"


def test_directory_as_registry(project: Path) -> None:
    (project / "reg.md").mkdir()
    pyproject(project, 'registry = "reg.md"')
    with pytest.raises(RegistryLoadError, match=r"reg\.md: registry path is not a file$"):
        discover_registries(load_settings(project))


def test_no_registry_found_says_where_it_looked(project: Path) -> None:
    s = load_settings(project)
    with pytest.raises(RegistryLoadError) as info:
        discover_registries(s)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("no import registry found: looked for SSOT_IMPORT_REGISTRY.md, "
                           "IMPORT_REGISTRY.md")
    assert f"in {project.resolve()} and {project.resolve() / 'docs'};" in text
    assert "set [tool.importwarden] registry = " in text


# --- editor settings --------------------------------------------------------------------------


@pytest.fixture
def base(project: Path) -> Settings:
    pyproject(project, """
        select = ["IW001", "IW002"]
        exclude = ["build/"]
        [tool.importwarden.severity]
        IW003 = "hint"
    """)
    return load_settings(project)


def test_editor_settings_camel_case(base: Settings) -> None:
    write(base.root / "reg.md")
    (base.root / "lib").mkdir()
    s, warnings = settings_from_editor({
        "registry": ["${workspaceFolder}/reg.md"],
        "roots": ["lib"],
        "ignore": ["IW004"],
        "perFileIgnores": {"tests/*": ["IW005"]},
        "extendExclude": ["gen/"],
        "services": {"members": ["a", "b"], "shared": ["common"]},
        "severity": {"IW001": "warning"},
        "completion": {"autoImport": False},
        "path": ["/usr/bin/importwarden"],  # the client's own setting: not ours, no warning
        "trace": {"server": "verbose"},
    }, base)
    assert warnings == []
    root = base.root
    assert s.registry == (root / "reg.md",)
    assert s.roots == (root / "lib",)
    assert s.select == base.select and s.ignore == frozenset({"IW004"})
    assert s.per_file_ignores == (("tests/*", frozenset({"IW005"})),)
    assert s.exclude == ("build/", "gen/")
    assert (s.services_members, s.services_shared) == (("a", "b"), ("common",))
    assert s.severity == {"IW003": Severity.HINT, "IW001": Severity.WARNING}
    assert s.completion_auto_import is False


def test_editor_nulls_and_empty_values_keep_the_project_settings(base: Settings) -> None:
    s, warnings = settings_from_editor(
        {"importwarden": {"select": None, "exclude": [], "registry": [], "severity": {}}}, base)
    assert (s, warnings) == (base, [])


def test_editor_invalid_values_fall_back_with_one_warning_each(base: Settings) -> None:
    s, warnings = settings_from_editor({
        "select": ["IW001", "NOPE"],
        "perFileIgnores": "tests/*",
        "completion": {"autoImport": "yes"},
        "severity": {"IW001": "loud"},
        "registry": "missing.md",
        "roots": ["not/there"],
        "colour": "blue",
        "ignore": ["IW006"],  # the one valid value is applied
    }, base)
    assert s == Settings(**{**base.__dict__, "ignore": frozenset({"IW006"})})
    assert len(warnings) == 7, warnings
    assert "importwarden setting 'select': unknown rule code 'NOPE'" in warnings[0]
    assert all(w.endswith("using the project's value") for w in warnings[:5]), warnings
    assert "'perFileIgnores': expected a table, found string" in warnings[1]
    assert "'completion.autoImport': expected a boolean, found string" in warnings[2]
    assert "'severity.IW001': severity of IW001 must be one of" in warnings[3]
    assert "'roots': not a directory: not/there" in warnings[4]
    assert warnings[5].startswith("importwarden setting 'colour': unknown setting 'colour'")
    assert warnings[5].endswith("; ignored")
    assert "'registry': file not found:" in warnings[6] and "missing.md" in warnings[6]


def test_editor_settings_that_are_not_an_object(base: Settings) -> None:
    assert settings_from_editor(None, base) == (base, [])
    s, warnings = settings_from_editor(["select"], base)
    assert s == base
    assert warnings == ["importwarden settings: expected an object, found array; using the "
                        "project's settings"]


# --- property: editor settings never raise --------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
_keys = st.sampled_from(["registry", "roots", "select", "ignore", "perFileIgnores", "exclude",
                         "extendExclude", "services", "severity", "completion", "path", "x"])


@hsettings(max_examples=200, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=6) | _json)
def test_editor_settings_never_raise(value: object) -> None:
    root = Path("/nonexistent-importwarden-root")
    base = Settings(root=root, roots=(root,))
    settings, warnings = settings_from_editor(value, base)
    assert isinstance(settings, Settings)
    assert all(isinstance(w, str) and "\n" not in w for w in warnings)


def test_camel_case_keys_are_accepted_in_toml(project: Path) -> None:
    pyproject(project, """
        perFileIgnores = { "tests/*" = ["IW005"] }
        extendExclude = ["gen/"]
        failLevel = "hint"

        [tool.importwarden.completion]
        autoImport = false
    """)
    s = load_settings(project)
    assert s.per_file_ignores == (("tests/*", frozenset({"IW005"})),)
    assert s.exclude == ("gen/",)
    assert s.fail_level.value == "hint"
    assert s.completion_auto_import is False


def test_editor_settings_expand_vs_code_variables(base: Settings, monkeypatch,
                                                  tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "regs").mkdir(parents=True)
    write(home / "regs" / "team.md")
    write(base.root / "shared" / "reg.md")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("IW_TEST_REGISTRY_DIR", "shared")
    monkeypatch.delenv("IW_TEST_UNSET", raising=False)
    s, warnings = settings_from_editor({"registry": [
        "${userHome}/regs/team.md",
        "${workspaceFolder}/${env:IW_TEST_REGISTRY_DIR}/reg.md",
        "${env:IW_TEST_UNSET}shared/reg.md",  # unset: empty, as VS Code does
    ]}, base)
    assert warnings == []
    assert s.registry == (home / "regs" / "team.md", base.root / "shared" / "reg.md",
                          base.root / "shared" / "reg.md")
