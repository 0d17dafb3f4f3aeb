"""``importwarden check`` through the real console script, on a copy of the fixture workspace.

Golden outputs per format live in tests/fixtures/golden/check/; regenerate them after an
intended change with ``IMPORTWARDEN_UPDATE_GOLDEN=1 pytest tests/cli/test_check.py``
(and review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "fixtures" / "golden" / "check"
SCHEMA = REPO / "tests" / "fixtures" / "sarif-schema-2.1.0.json"
UPDATE = bool(os.environ.get("IMPORTWARDEN_UPDATE_GOLDEN"))

JSON_KEYS = ["code", "name", "severity", "message", "path", "line", "column", "end_line",
             "end_column", "target", "registry", "fix"]


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if ".importwarden_cache" not in p.parts and ".git" not in p.parts}


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (IMPORTWARDEN_UPDATE_GOLDEN=1 to update)"


@pytest.mark.parametrize(
    "fmt, extra, name",
    [
        ("text", [], "text.txt"),
        ("json", [], "json.json"),
        ("sarif", [], "sarif.json"),
        ("github", [], "github.txt"),
        ("text", ["--statistics"], "statistics.txt"),
        ("json", ["--statistics"], "statistics.json"),
    ],
)
def test_golden_outputs(cli, ws, fmt, extra, name):
    result = cli("check", "--output-format", fmt, *extra, "--no-cache", cwd=ws)
    assert result.returncode == 1, result
    assert result.stderr == "", result  # quiet when stderr is not a terminal
    golden(name, result.stdout)


def test_every_rule_fires_somewhere(cli, ws):
    result = cli("check", "--output-format", "json", "--no-cache", cwd=ws)
    codes = {f["code"] for f in json.loads(result.stdout)}
    assert codes == {f"IW00{i}" for i in range(1, 9)}, result


def test_json_shape_is_stable(cli, ws):
    data = json.loads(cli("check", "--output-format", "json", "--no-cache", cwd=ws).stdout)
    assert isinstance(data, list) and data
    for item in data:
        assert list(item) == JSON_KEYS
        assert item["line"] >= 1 and item["column"] >= 1
        assert set(item["target"]) == {"module", "name"}
        if item["registry"] is not None:
            assert set(item["registry"]) == {"file", "line"}
        if item["fix"] is not None:
            assert set(item["fix"]) == {"applicability", "message", "edits"}
            assert item["fix"]["applicability"] in ("safe", "unsafe")
            for edit in item["fix"]["edits"]:
                assert set(edit) == {"line", "column", "end_line", "end_column", "content"}
    # Every registry-backed finding names its registry line.
    assert all(i["registry"] for i in data if i["code"] in ("IW001", "IW002", "IW003", "IW004"))


def test_sarif_validates_against_the_official_schema(cli, ws):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    result = cli("check", "--output-format", "sarif", "--no-cache", cwd=ws)
    doc = json.loads(result.stdout)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
    driver = doc["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [f"IW00{i}" for i in range(1, 9)]
    assert all(r["helpUri"].endswith(f"docs/rules/{r['id']}.md") for r in driver["rules"])
    for res in doc["runs"][0]["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_sarif_without_findings_validates(cli, ws):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    result = cli("check", "netra_backend/app/routes/clean.py", "--output-format", "sarif",
                 "--no-cache", cwd=ws)
    assert result.returncode == 0, result
    doc = json.loads(result.stdout)
    jsonschema.Draft4Validator(schema).validate(doc)
    assert doc["runs"][0]["results"] == []


def test_github_annotations(cli, ws):
    out = cli("check", "--output-format", "github", "--no-cache", cwd=ws).stdout
    lines = out.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any("title=IW001 broken-import::" in line for line in lines)
    assert all(",endLine=" in line and ",endColumn=" in line for line in lines)


def test_exit_codes(cli, ws):
    assert cli("check", "--no-cache", cwd=ws).returncode == 1
    assert cli("check", "--exit-zero", "--no-cache", cwd=ws).returncode == 0
    clean = cli("check", "netra_backend/app/routes/clean.py", "--no-cache", cwd=ws)
    assert clean.returncode == 0 and clean.stdout == "All checks passed!\n", clean
    missing = cli("check", "--registry", "nope.md", "--no-cache", cwd=ws)
    assert missing.returncode == 2, missing
    assert "nope.md" in missing.stderr and "Traceback" not in missing.stderr
    (ws / "pyproject.toml").write_text("[tool.importwarden]\nselekt = ['IW001']\n")
    bad = cli("check", "--no-cache", cwd=ws)
    assert bad.returncode == 2 and "pyproject.toml" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1, bad


def test_select_and_ignore(cli, ws):
    def codes(*args):
        out = cli("check", "--output-format", "json", "--no-cache", *args, cwd=ws).stdout
        return {f["code"] for f in json.loads(out)}

    assert codes("--select", "IW001") == {"IW001"}
    assert codes("--select", "IW00", "--ignore", "IW001,IW002") >= {"IW003", "IW005"}
    assert "IW002" not in codes("--ignore", "IW002")


def test_ignoring_a_rule_lets_the_next_one_report(cli, ws):
    # Line 6 of uses_backend.py is a deprecated import from another service: IW002 wins;
    # with IW002 ignored, the same import reports IW006.
    path = "auth_service/auth_core/uses_backend.py"

    def found(*args):
        out = cli("check", path, "--output-format", "json", "--no-cache", *args, cwd=ws).stdout
        return {(f["code"], f["line"]) for f in json.loads(out)}

    assert ("IW002", 6) in found() and ("IW006", 6) not in found()
    assert ("IW006", 6) in found("--ignore", "IW002")
    assert ("IW006", 2) in found()


def test_paths_are_relative_to_the_cwd(cli, ws):
    result = cli("check", ".", "--no-cache", cwd=ws / "netra_backend" / "app")
    first = result.stdout.splitlines()[0]
    assert first.startswith(("encodings/", "routes/")), result
    result = cli("check", "../tests/test_mocks.py", "--no-cache", cwd=ws / "netra_backend")
    assert result.stdout.startswith("../tests/test_mocks.py:"), result


def test_gitignored_files_are_not_checked(cli, ws):
    out = cli("check", "--no-cache", cwd=ws).stdout
    assert "generated/" not in out and "skipped.py" not in out


def test_cli_and_engine_report_the_same_findings(cli, ws):
    """The language server calls Project.check_source; the CLI must agree with it."""
    from importwarden.project.engine import Project
    from importwarden.textio import read_source

    data = json.loads(cli("check", "--output-format", "json", "--no-cache", cwd=ws).stdout)
    by_path: dict[str, list] = {}
    for item in data:
        by_path.setdefault(item["path"], []).append(item)
    project = Project.load(ws)
    from importwarden.output import OutputContext
    from importwarden.output.json import finding_to_json

    ctx = OutputContext(root=project.settings.root, cwd=ws)
    checked = 0
    for path in sorted(ws.rglob("*.py")):
        rel = path.relative_to(ws).as_posix()
        if rel.startswith("generated/"):
            continue
        source = read_source(path).text
        engine = [finding_to_json(f, ctx) for f in project.check_source(path, source)]
        assert engine == by_path.get(rel, []), rel
        checked += 1
    assert checked > 30


def test_warm_run_uses_the_cache_and_sees_changes(cli, ws):
    first = cli("check", cwd=ws)
    assert (ws / ".importwarden_cache" / "CACHEDIR.TAG").exists()
    assert (ws / ".importwarden_cache" / ".gitignore").exists()
    second = cli("check", cwd=ws)
    assert second.stdout == first.stdout and second.returncode == first.returncode
    # The warm path trusts (size, mtime): a file rewritten with the same size and mtime is not
    # read (this is how we know unchanged files cost only a stat).
    target = ws / "netra_backend" / "app" / "routes" / "cross_service.py"
    st = target.stat()
    original = target.read_bytes()
    target.write_bytes(original.replace(b"auth_service.auth_core", b"auth_service.auth_xore"))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cli("check", cwd=ws).stdout == first.stdout
    target.write_bytes(original)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    if os.geteuid() != 0:
        target.chmod(0)
        try:
            third = cli("check", cwd=ws)
            assert third.stdout == first.stdout and third.stderr == "", third
        finally:
            target.chmod(0o644)
    # Editing a file is seen; removing a definition re-checks its importers.
    clean = ws / "netra_backend" / "app" / "routes" / "clean.py"
    clean.write_text(clean.read_text() + "from netra_backend.app.db.clickhouse_client import ClickHouseClient\n")
    widgets = ws / "netra_backend" / "app" / "services" / "widgets.py"
    widgets.write_text("def other_widget():\n    return 1\n")
    fourth = cli("check", cwd=ws)
    fresh = cli("check", "--no-cache", cwd=ws)
    assert fourth.stdout == fresh.stdout, fourth
    assert "routes/clean.py:9:" in fourth.stdout


def test_no_cache_writes_nothing(cli, ws):
    before = tree(ws)
    cli("check", "--no-cache", cwd=ws)
    assert tree(ws) == before
    assert not (ws / ".importwarden_cache").exists()


def test_bad_input_is_reported_and_the_run_goes_on(cli, ws):
    bad = ws / "netra_backend" / "bad"
    bad.mkdir()
    (bad / "__init__.py").write_text("")
    (bad / "binary.py").write_bytes(b"\x00\x01\x02import os\n")
    (bad / "huge.py").write_bytes(b"x = 1\n" * (1024 * 1024))  # 6 MB
    (bad / "undecodable.py").write_bytes(b"s = '\xff\xfe caf\xe9'\n")
    (bad / "broken_link.py").symlink_to(bad / "does_not_exist.py")
    locked = bad / "locked.py"
    locked.write_text("import os\n")
    locked.chmod(0)
    before = tree(ws)
    try:
        result = cli("check", "--no-cache", cwd=ws)
    finally:
        locked.chmod(0o644)
    assert result.returncode == 1, result  # the other files' findings still come out
    assert "registry_rules.py" in result.stdout
    err = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert any("binary.py" in line and "binary" in line for line in err), result
    assert any("huge.py" in line and "5 MB" in line for line in err), result
    assert any("undecodable.py" in line and "decode" in line for line in err), result
    assert any("broken_link.py" in line and "symlink" in line for line in err), result
    if os.geteuid() != 0:
        assert any("locked.py" in line and "permission" in line for line in err), result
    assert all(line.startswith("importwarden: ") for line in err)
    assert tree(ws) == before  # nothing written


@pytest.mark.parametrize("kind", ["directory", "missing", "unreadable"])
def test_unloadable_registry_is_reported_and_the_run_goes_on(cli, ws, kind):
    second = ws / "extra_registry.md"
    if kind == "directory":
        second.mkdir()
    elif kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads any file")
        second.write_text("# registry\n")
        second.chmod(0)
    try:
        result = cli("check", "--registry", "SSOT_IMPORT_REGISTRY.md", "--registry",
                     "extra_registry.md", "--no-cache", cwd=ws)
    finally:
        if kind == "unreadable":
            second.chmod(0o644)
    assert result.returncode == 2, result
    assert "extra_registry.md" in result.stderr and len(result.stderr.splitlines()) == 1, result
    assert "Traceback" not in result.stderr
    assert "IW001" in result.stdout  # findings from the registry that did load


def test_progress_only_on_a_terminal(cli, ws):
    import pty
    import subprocess
    import sys

    piped = cli("check", "--no-cache", cwd=ws)
    assert piped.stderr == ""  # not a terminal: quiet
    # stderr on a terminal: a (transient) progress bar there, stdout unchanged.
    master, slave = pty.openpty()
    script = Path(sys.executable).parent / "importwarden"
    proc = subprocess.run([str(script), "check", "--no-cache"], cwd=ws, stdout=subprocess.PIPE,
                          stderr=slave, env={**os.environ, "TERM": "xterm", "COLUMNS": "120"})
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    assert proc.returncode == 1
    assert proc.stdout.decode() == piped.stdout
    assert b"indexing" in err or b"checking" in err
