"""``importwarden registry show|lint|export`` through the real console script.

The registry's meaning (statuses, replacements, golden JSON) is tested by the registry's own
tests; these test the command's plumbing: discovery and settings, format switches, output
streams, exit codes and one-line errors.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from importwarden import __version__

REGISTRIES = Path(__file__).resolve().parents[1] / "fixtures" / "registries"
SEED = REGISTRIES / "seed_2025-09-11_SSOT_IMPORT_REGISTRY.md"
NETRA = REGISTRIES / "netra_2025-09-17_SSOT_IMPORT_REGISTRY.md"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROBLEM_LINE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+): (?P<code>IWR\d{3}) \S.*$")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def expected_json(*paths: Path) -> dict:
    """What ``registry show --format json`` must print: the exporter's model, as JSON."""
    from importwarden.registry.export import to_json
    from importwarden.registry.load import load_registries

    return json.loads(json.dumps(to_json(load_registries([p.resolve() for p in paths]))))


def assert_one_line_error(result, message: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == "", result
    assert "Traceback" not in result.stderr, result
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result
    assert result.stderr == f"importwarden: {message}\n", result


# --- version and entry points ---------------------------------------------------------------


def test_version_console_script(cli, tmp_path: Path) -> None:
    result = cli("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"importwarden {__version__}\n"), result


def test_version_python_m(cli, tmp_path: Path) -> None:
    result = cli("--version", cwd=tmp_path, module=True)
    assert (result.returncode, result.stdout) == (0, f"importwarden {__version__}\n"), result


# --- show -------------------------------------------------------------------------------------


@pytest.mark.parametrize("registry", [SEED, NETRA], ids=["seed", "netra"])
def test_show_json_is_the_exported_model(cli, project: Path, registry: Path) -> None:
    result = cli("registry", "show", "--format", "json", "--registry", registry, cwd=project)
    assert result.returncode == 0, result
    data = json.loads(result.stdout)
    assert list(data) == ["entries", "mocks", "services", "problems"]
    assert data == expected_json(registry)
    assert data["entries"], "a real registry yields entries"
    # indent 2, non-ASCII kept as is (the registries quote emoji and em dashes in notes)
    assert result.stdout.startswith('{\n  "entries": [\n')
    assert "\\u" not in result.stdout


@pytest.mark.parametrize("registry", [SEED, NETRA], ids=["seed", "netra"])
def test_show_table_piped_is_plain_aligned_text(cli, project: Path, registry: Path) -> None:
    result = cli("registry", "show", "--registry", registry, cwd=project)
    assert result.returncode == 0, result
    assert not ANSI.search(result.stdout), "no colour codes when piped"
    lines = result.stdout.splitlines()
    header = lines[1]
    assert lines[0] == "# imports"
    assert header.split() == ["TARGET", "STATUS", "REPLACEMENT", "FIX", "WHERE"]
    data = expected_json(registry)
    rows = lines[2:2 + len(data["entries"])]
    status_col = header.index("STATUS")
    where_col = header.index("WHERE")
    for entry, row in zip(data["entries"], rows, strict=True):
        assert row.startswith(entry["target"] + " "), row
        assert row[status_col:].split()[0] == entry["status"], row
        # file:line relative to the current directory, or absolute outside it
        assert row[where_col:] == f"{entry['file']}:{entry['line']}", row
    assert re.search(rf"^{len(data['entries'])} import entries \(", result.stdout, re.M)


def test_show_table_on_a_terminal_uses_rich(cli, project: Path) -> None:
    result = cli("registry", "show", "--registry", NETRA, cwd=project, tty=True)
    assert result.returncode == 0, result
    assert ANSI.search(result.stdout), "colours on a terminal"
    plain = ANSI.sub("", result.stdout)
    assert "┃ target" in plain or "│ target" in plain, plain[:500]
    assert "Imports" in plain


def test_show_paths_are_relative_to_the_current_directory(cli, project: Path) -> None:
    shutil.copy(NETRA, project / "SSOT_IMPORT_REGISTRY.md")
    result = cli("registry", "show", cwd=project)
    assert result.returncode == 0, result
    assert re.search(r"  SSOT_IMPORT_REGISTRY\.md:\d+$", result.stdout, re.M), result


def test_zero_config_discovery_from_a_nested_directory(cli, project: Path) -> None:
    (project / "docs").mkdir()
    shutil.copy(NETRA, project / "docs" / NETRA.name)
    nested = project / "services" / "api"
    nested.mkdir(parents=True)
    result = cli("registry", "show", "--format", "json", cwd=nested)
    assert result.returncode == 0, result
    found = project.resolve() / "docs" / "netra_2025-09-17_SSOT_IMPORT_REGISTRY.md"
    assert json.loads(result.stdout) == expected_json(found)


def test_show_applies_the_services_setting(cli, project: Path) -> None:
    write(project / "pyproject.toml", f"""
        [tool.importwarden]
        registry = "{NETRA}"
        [tool.importwarden.services]
        members = ["alpha", "beta"]
    """)
    result = cli("registry", "show", "--format", "json", cwd=project)
    assert result.returncode == 0, result
    services = json.loads(result.stdout)["services"]
    assert services["members"] == ["alpha", "beta"]
    assert services["shared"] == expected_json(NETRA)["services"]["shared"]


def test_repeated_registry_options_merge(cli, project: Path) -> None:
    result = cli("registry", "show", "--format", "json", "--registry", SEED,
                 "--registry", NETRA, cwd=project)
    assert result.returncode == 0, result
    assert json.loads(result.stdout) == expected_json(SEED, NETRA)


# --- export -----------------------------------------------------------------------------------


def test_export_toml_to_stdout_and_to_a_file(cli, project: Path) -> None:
    shown = cli("registry", "show", "--format", "toml", "--registry", NETRA, cwd=project)
    exported = cli("registry", "export", "--registry", NETRA, cwd=project)
    assert exported.returncode == 0, exported
    assert exported.stdout == shown.stdout
    assert "[[import]]" in exported.stdout
    out = project / "registry.toml"
    to_file = cli("registry", "export", "--registry", NETRA, "-o", out, cwd=project)
    assert (to_file.returncode, to_file.stdout) == (0, ""), to_file
    assert out.read_text(encoding="utf-8") == exported.stdout


def test_export_json(cli, project: Path) -> None:
    result = cli("registry", "export", "--format", "json", "--registry", SEED, cwd=project)
    assert result.returncode == 0, result
    assert json.loads(result.stdout) == expected_json(SEED)


def test_export_refuses_table_format(cli, project: Path) -> None:
    result = cli("registry", "export", "--format", "table", "--registry", SEED, cwd=project)
    assert_one_line_error(result, "registry export does not support --format table "
                                  "(use toml or json)")


# --- lint -------------------------------------------------------------------------------------


@pytest.mark.parametrize("registry", [SEED, NETRA], ids=["seed", "netra"])
def test_lint_prints_problems_and_exits_1(cli, project: Path, registry: Path) -> None:
    shutil.copy(registry, project / registry.name)
    result = cli("registry", "lint", "--no-workspace", "--registry", registry.name, cwd=project)
    lines = result.stdout.splitlines()
    assert result.returncode == (1 if lines else 0), result
    for line in lines:
        m = PROBLEM_LINE.match(line)
        assert m, line
        assert m["file"] == registry.name
    summary = f"{len(lines)} registry problem{'s' if len(lines) > 1 else ''}" if lines \
        else "no problems"
    assert result.stderr == f"{summary} in {registry.name}\n", result
    as_json = cli("registry", "lint", "--no-workspace", "--format", "json",
                  "--registry", registry.name, cwd=project)
    assert as_json.returncode == result.returncode
    problems = json.loads(as_json.stdout)
    assert [f"{p['file']}:{p['line']}: {p['code']} {p['message']}" for p in problems] == \
        [line.replace(registry.name, str((project / registry.name).resolve()), 1)
         for line in lines]


def test_lint_problem_exits_1(cli, project: Path) -> None:
    write(project / "importwarden.toml", """
        [[import]]
        target = "app.core:Thing"
        status = "canonical"

        [[import]]
        target = "app.old:Thing"
        status = "brokne"
    """)
    result = cli("registry", "lint", "--no-workspace", cwd=project)
    assert result.returncode == 1, result
    assert re.fullmatch(r"importwarden\.toml:\d+: IWR009 .*brokne.*\n", result.stdout), result
    assert result.stderr == "1 registry problem in importwarden.toml\n"


def test_lint_clean_registry_exits_0(cli, project: Path) -> None:
    write(project / "importwarden.toml", """
        [[import]]
        target = "app.core:Thing"
        status = "canonical"
    """)
    result = cli("registry", "lint", "--no-workspace", cwd=project)
    assert (result.returncode, result.stdout) == (0, ""), result
    assert result.stderr == "no problems in importwarden.toml\n"


def test_lint_reports_stale_entries_from_the_workspace(cli, project: Path) -> None:
    """A broken entry whose target exists in the workspace is stale; needs the index."""
    pytest.importorskip("importwarden.workspace.index")
    write(project / "app" / "__init__.py", "")
    write(project / "app" / "core.py", "class Thing:\n    pass\n")
    write(project / "importwarden.toml", """
        [[import]]
        target = "app.core:Thing"
        status = "broken"
    """)
    offline = cli("registry", "lint", "--no-workspace", cwd=project)
    assert (offline.returncode, offline.stdout) == (0, ""), offline
    online = cli("registry", "lint", cwd=project)
    assert online.returncode == 1, online
    assert re.fullmatch(r"importwarden\.toml:\d+: IWR007 app\.core:Thing is listed as broken .*\n",
                        online.stdout), online


# --- errors: exit 2, one line on stderr -------------------------------------------------------


def test_missing_registry_file(cli, project: Path) -> None:
    result = cli("registry", "show", "--registry", "nope.md", cwd=project)
    assert_one_line_error(result, f"{project.resolve() / 'nope.md'}: registry file not found")


def test_no_registry_anywhere(cli, project: Path) -> None:
    result = cli("registry", "lint", cwd=project)
    assert result.returncode == 2, result
    assert result.stderr.startswith("importwarden: no import registry found: looked for ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_directory_given_as_registry(cli, project: Path) -> None:
    (project / "reg.md").mkdir()
    result = cli("registry", "show", "--registry", "reg.md", cwd=project)
    assert_one_line_error(result, f"{project.resolve() / 'reg.md'}: registry path is not a file")


def test_undecodable_registry_file(cli, project: Path) -> None:
    # A UTF-16 BOM followed by an odd number of bytes: not UTF-16. The loader reads registries
    # leniently (never failing on content), so the command says the file yielded nothing.
    (project / "SSOT_IMPORT_REGISTRY.md").write_bytes(b"\xff\xfe# \x00\x00\xd8x")
    result = cli("registry", "show", cwd=project)
    assert "Traceback" not in result.stderr, result
    if result.returncode == 2:
        assert result.stderr.startswith(f"importwarden: {project.resolve()}/SSOT_IMPORT_REGISTRY"
                                        ".md"), result
        assert result.stderr.count("\n") == 1
    else:
        assert result.returncode == 0, result
        assert result.stderr == ("importwarden: warning: SSOT_IMPORT_REGISTRY.md: no registry "
                                 "entries found\n"), result


def test_bad_config_unknown_key_with_line(cli, project: Path) -> None:
    path = write(project / "pyproject.toml", """
        [project]
        name = "demo"

        [tool.importwarden]
        selec = ["IW001"]
    """)
    shutil.copy(NETRA, project / "SSOT_IMPORT_REGISTRY.md")
    result = cli("registry", "show", cwd=project)
    assert_one_line_error(result, f"{path.resolve()}:5: unknown setting 'selec' "
                                  "(did you mean 'select'?)")


def test_bad_config_invalid_toml(cli, project: Path) -> None:
    path = write(project / "importwarden.toml", 'select = ["IW001"\nignore = []\n')
    result = cli("registry", "show", cwd=project)
    assert result.returncode == 2, result
    assert result.stderr.startswith(f"importwarden: {path.resolve()}:")
    assert "invalid TOML" in result.stderr and result.stderr.count("\n") == 1


def test_explicit_config_file(cli, project: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "ci" / "importwarden-ci.toml", f'registry = "{NETRA}"\n')
    result = cli("registry", "show", "--format", "json", "--config", config, cwd=project)
    assert result.returncode == 0, result
    assert json.loads(result.stdout) == expected_json(NETRA)
    missing = cli("registry", "show", "--config", "nope.toml", cwd=project)
    assert_one_line_error(missing, f"{project.resolve() / 'nope.toml'}: config file not found")


def test_unknown_action_is_a_usage_error(cli, project: Path) -> None:
    result = cli("registry", "frobnicate", cwd=project)
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr


# --- the dispatcher ---------------------------------------------------------------------------


def test_main_leaves_out_a_command_whose_module_is_missing(monkeypatch, capsys) -> None:
    import importwarden.cli as cli_main

    monkeypatch.setitem(cli_main.COMMANDS, "ghost", ("importwarden.cli.ghost", "not installed"))
    parser = cli_main.build_parser()
    assert "ghost" not in parser.format_help()
    assert "registry" in parser.format_help()


def test_main_does_not_hide_other_import_errors(monkeypatch, tmp_path: Path) -> None:
    import sys

    import importwarden.cli as cli_main

    (tmp_path / "iw_broken_cmd.py").write_text("import iw_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli_main.COMMANDS, "broken", ("iw_broken_cmd", "imports a missing dep"))
    with pytest.raises(ModuleNotFoundError, match="iw_no_such_dependency"):
        cli_main.build_parser()
    sys.modules.pop("iw_broken_cmd", None)


def test_main_prints_importwarden_errors_as_one_line(monkeypatch, capsys, tmp_path: Path) -> None:
    import importwarden.cli as cli_main

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    assert cli_main.main(["registry", "show", "--registry", "missing.md"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    missing = tmp_path.resolve() / "missing.md"
    assert captured.err == f"importwarden: {missing}: registry file not found\n"
