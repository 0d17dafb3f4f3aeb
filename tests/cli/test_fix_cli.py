"""``importwarden fix`` through the real console script (and, for the failure-timing cases,
in-process ``main()`` with a hook that changes the file under the running fix).

What fix rewrites is tested in tests/unit/fixes; these test the command: what it prints,
what it writes (atomically, keeping encoding/BOM/newlines), what it leaves and why, exit codes,
and that one bad file never stops the run or half-writes anything.
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

REGISTRY = """\
# Import registry

## Broken imports

```python
from old.mod import Thing  # ❌ BROKEN
# USE INSTEAD: from new.mod import Thing
```

## Legacy

```python
# LEGACY IMPORT PATHS (DEPRECATED BUT WORKING):
from new.legacy import OldName
# USE INSTEAD: from new.mod import NewName
```
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(textwrap.dedent(text).lstrip("\n").encode())
    return path


@pytest.fixture
def ws(project: Path) -> Path:
    write(project / "SSOT_IMPORT_REGISTRY.md", REGISTRY)
    write(project / "new" / "__init__.py", "")
    write(project / "new" / "mod.py", "class Thing: ...\nclass NewName: ...\n")
    write(project / "new" / "legacy.py", "from new.mod import NewName as OldName\n")
    write(project / "app" / "__init__.py", "")
    write(project / "app" / "uses.py", """
        from old.mod import Thing
        from new.legacy import OldName

        print(Thing, OldName)
    """)
    return project


def read(path: Path) -> bytes:
    return path.read_bytes()


def test_fixes_safe_and_reports(cli, ws):
    r = cli("fix", cwd=ws)
    assert r.returncode == 1, r  # the unsafe rename is left
    assert "app/uses.py: fixed 1 (IW001)" in r.stdout, r
    assert "app/uses.py:2:24: IW002 left: unsafe fix (use --unsafe-fixes)" in r.stdout, r
    assert read(ws / "app" / "uses.py").decode().startswith("from new.mod import Thing\n")
    r = cli("fix", "--unsafe-fixes", cwd=ws)
    assert r.returncode == 0, r
    assert "app/uses.py: fixed 1 (IW002)" in r.stdout, r
    assert read(ws / "app" / "uses.py").decode() == (
        "from new.mod import Thing, NewName as OldName\n\nprint(Thing, OldName)\n")  # merged
    again = cli("fix", "--unsafe-fixes", cwd=ws)
    assert again.returncode == 0 and "Fixed 0 findings in 0 files" in again.stdout, again
    assert cli("check", cwd=ws).returncode == 0


def test_diff_writes_nothing(cli, ws):
    before = read(ws / "app" / "uses.py")
    r = cli("fix", "--diff", cwd=ws)
    assert r.returncode == 1, r
    assert "--- a/app/uses.py\n+++ b/app/uses.py\n" in r.stdout, r
    assert "-from old.mod import Thing\n+from new.mod import Thing\n" in r.stdout, r
    assert "app/uses.py: would fix 1 (IW001)" in r.stderr, r
    assert read(ws / "app" / "uses.py") == before


def test_select_and_paths(cli, ws):
    write(ws / "app" / "other.py", "from old.mod import Thing\n")
    r = cli("fix", "--select", "IW002", "--unsafe-fixes", "app/uses.py", cwd=ws)
    assert "fixed 1 (IW002)" in r.stdout, r
    assert read(ws / "app" / "uses.py").startswith(b"from old.mod import Thing\n")
    assert read(ws / "app" / "other.py") == b"from old.mod import Thing\n"


def test_keeps_bom_crlf_and_mixed_newlines(cli, ws):
    bom = write(ws / "app" / "bom.py", b"\xef\xbb\xbfimport os\r\nfrom old.mod import Thing\r\n")
    mixed = write(ws / "app" / "mixed.py",
                  b"import os\nfrom old.mod import Thing, Other\r\nx = 1\r\ny = 2\n")
    r = cli("fix", cwd=ws)
    assert "app/bom.py: fixed 1" in r.stdout, r
    assert read(bom) == b"\xef\xbb\xbfimport os\r\nfrom new.mod import Thing\r\n"
    assert read(mixed) == (b"import os\nfrom old.mod import Other\r\nfrom new.mod import Thing\r\n"
                           b"x = 1\r\ny = 2\n")


def test_keeps_declared_encoding(cli, ws):
    text = "# -*- coding: latin-1 -*-\nfrom old.mod import Thing\nNAME = 'café'\n"
    path = write(ws / "app" / "latin.py", text.encode("latin-1"))
    r = cli("fix", cwd=ws)
    assert "app/latin.py: fixed 1" in r.stdout, r
    assert read(path) == text.replace("old.mod", "new.mod").encode("latin-1")


def test_undecodable_file_is_reported_and_run_goes_on(cli, ws):
    bad = write(ws / "app" / "bad.py", b"from old.mod import Thing\nx = '\xff\xfe'\n")
    r = cli("fix", cwd=ws)
    assert r.returncode == 1, r
    assert re.search(r"app/bad\.py(:\d+)?: skipped: cannot decode as utf-8", r.stderr), r
    assert "Traceback" not in r.stderr
    assert read(bad) == b"from old.mod import Thing\nx = '\xff\xfe'\n"
    assert "app/uses.py: fixed 1" in r.stdout, r


def test_registry_and_usage_errors_exit_2(cli, ws):
    r = cli("fix", "--registry", "missing.md", cwd=ws)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "missing.md" in r.stderr, r
    r = cli("fix", "nope.py", cwd=ws)
    assert r.returncode == 2 and r.stderr == "importwarden: nope.py: no such file or directory\n", r
    before = read(ws / "app" / "uses.py")
    assert read(ws / "app" / "uses.py") == before


def test_replacement_cycle_changes_nothing(cli, project):
    write(project / "SSOT_IMPORT_REGISTRY.md", """
        ```python
        from a.one import X  # ❌ BROKEN
        # USE INSTEAD: from b.two import X
        ```

        ```python
        from b.two import X  # ❌ BROKEN
        # USE INSTEAD: from a.one import X
        ```
    """)
    src = write(project / "m.py", "from a.one import X\n")
    r = cli("fix", cwd=project)
    assert r.returncode == 1, r
    assert read(src) == b"from a.one import X\n"
    # The registry reports the cycle (IWR004) and offers no replacement; fix says why.
    assert "m.py:1:19: IW001 left: no replacement (registry IWR004 at " in r.stdout, r
    assert "replacement cycle" in r.stdout, r
    assert "Traceback" not in r.stderr


# --- timing-dependent failures, in-process: a hook runs while the file is being fixed -------

def run_main(monkeypatch, cwd: Path, *args: str, during=None) -> int:
    import importwarden.fixes as fixes
    from importwarden.cli import main

    monkeypatch.chdir(cwd)
    if during is not None:
        real = fixes.fix_source

        def hooked(project, path, source, unsafe=False):
            result = real(project, path, source, unsafe=unsafe)
            during(Path(path))
            return result

        monkeypatch.setattr(fixes, "fix_source", hooked)
    return main(["fix", *args])


def test_file_changed_during_run_is_left_alone(monkeypatch, capsys, ws):
    other = write(ws / "app" / "other.py", "from old.mod import Thing\n")
    edits = iter(range(1000))

    def edit(path):  # edited again each time fix plans it
        if path.name == "uses.py":
            path.write_text(f"from old.mod import Thing  # edited meanwhile{next(edits)}\n")

    rc = run_main(monkeypatch, ws, during=edit)
    out, err = capsys.readouterr()
    assert rc == 1
    assert "app/uses.py: changed during the run; left alone (tried 3 times)" in err
    assert read(ws / "app" / "uses.py") == b"from old.mod import Thing  # edited meanwhile2\n"
    assert read(other) == b"from new.mod import Thing\n"
    assert "app/other.py: fixed 1" in out


def test_file_changed_once_is_planned_again(monkeypatch, capsys, ws):
    # The edit made while fix was planning is kept, and the fix is made on top of it.
    edited = []

    def edit(path):
        if path.name == "uses.py" and not edited:
            edited.append(path)
            path.write_text("from old.mod import Thing  # edited meanwhile\nprint(Thing)\n")

    rc = run_main(monkeypatch, ws, during=edit)
    out, err = capsys.readouterr()
    assert read(ws / "app" / "uses.py") == \
        b"from new.mod import Thing  # edited meanwhile\nprint(Thing)\n"
    assert "app/uses.py: fixed 1" in out and "changed during the run" not in err
    assert rc == 0, (out, err)


def test_file_vanished_during_run(monkeypatch, capsys, ws):
    rc = run_main(monkeypatch, ws, during=lambda p: p.name == "uses.py" and p.unlink())
    _, err = capsys.readouterr()
    assert rc == 1 and "app/uses.py: disappeared during the run; not written" in err
    assert not (ws / "app" / "uses.py").exists()
    assert not list((ws / "app").glob(".*iw-tmp"))


def test_unwritable_file(monkeypatch, capsys, ws):
    # Tests run as root, so chmod cannot deny the write: make the final rename (an exchange
    # on Linux, os.replace elsewhere) fail instead, where a read-only directory would stop a
    # real user.
    import importwarden.textio as textio

    def deny(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", deny)
    monkeypatch.setattr(textio, "_exchange", deny)
    before = read(ws / "app" / "uses.py")
    rc = run_main(monkeypatch, ws)
    _, err = capsys.readouterr()
    assert rc == 1
    assert "app/uses.py: cannot write: Permission denied; left unchanged" in err
    assert read(ws / "app" / "uses.py") == before
    assert not list((ws / "app").glob(".*iw-tmp"))


# --- migration: two moved modules used by 50 files in assorted forms -------------------------

MIGRATION = Path(__file__).resolve().parents[1] / "fixtures" / "migration"
OLD_PATHS = ("shop.core.user_execution_engine", "shop.utils.clock import utcnow",
             "shop.utils.clock.utcnow", "..core.user_execution_engine")


def test_migration_fixture(cli, tmp_path):
    import json
    import shutil

    ws = tmp_path / "migration"
    shutil.copytree(MIGRATION, ws)
    (ws / ".git").mkdir()
    features = sorted((ws / "shop" / "features").glob("f*.py"))
    assert len(features) == 50

    before = json.loads(cli("check", "--output-format", "json", cwd=ws).stdout)
    assert {f["path"] for f in before} == {p.relative_to(ws).as_posix() for p in features}

    r = cli("fix", cwd=ws)
    assert r.returncode == 0, r
    assert "Fixed" in r.stdout and "; 0 left." in r.stdout, r
    after = cli("check", "--output-format", "json", cwd=ws)
    assert after.returncode == 0 and json.loads(after.stdout) == [], after

    texts = {p.name: p.read_text() for p in features}
    for name, text in texts.items():
        assert not any(old in text for old in OLD_PATHS), (name, text)
    # Every rewritten import resolves in the workspace index.
    from importwarden.analysis.imports import RefKind, extract
    from importwarden.config import load_settings
    from importwarden.workspace.index import WorkspaceIndex

    index = WorkspaceIndex.build(load_settings(ws))
    checked = 0
    for path in features:
        module, is_package = index.module_for_path(path)
        for ref in extract(path.read_text(), module, is_package).refs:
            if ref.kind is RefKind.MOCK or not ref.module.startswith(("shop.agents", "shop.common")):
                continue
            name = ref.name if ref.kind is not RefKind.IMPORT and ref.name != "*" else None
            assert index.resolves(ref.module, name) is True, (path.name, ref)
            checked += 1
    assert checked >= 50
    # Shapes kept: comments, noqa, aliases, indentation, __future__ first.
    assert texts["f01.py"].startswith(
        "from shop.agents.supervisor.user_execution_engine import UserExecutionEngine as Engine, "
        "ExecutionContext  # noqa: F401\n")
    assert texts["f02.py"].startswith(
        "from shop.utils.clock import (\n    SECOND,  # a second\n)\n"
        "from shop.common.time import utcnow\n")
    assert texts["f07.py"].startswith("from __future__ import annotations\n")
    assert "    from shop.common.time import Clock\n" in texts["f05.py"]
    assert "shop.agents.supervisor.user_execution_engine.run_engine(ctx)" in texts["f03.py"]
    assert "from shop.common.time import Clock, utcnow\n" in texts["f09.py"]
    assert "@patch('shop.common.time.utcnow')" in texts["f09.py"]

    again = cli("fix", cwd=ws)
    assert again.returncode == 0 and "Fixed 0 findings in 0 files; 0 left." in again.stdout, again
    assert {p.name: p.read_text() for p in features} == texts


def test_on_a_terminal(cli, ws):
    r = cli("fix", cwd=ws, tty=True)
    assert "app/uses.py: fixed 1 (IW001)" in r.stdout, r
    assert "Traceback" not in r.stderr, r

