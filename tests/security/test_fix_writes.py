"""Where ``importwarden fix`` writes, through the real console script: never outside the
workspace unless told to, never breaking a link, never over a read-only file, never leaving
or losing a temp file (what and why: docs/fix.md, "Where fix writes").
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hostile import run

REGISTRY = """\
# Import registry

## Broken imports

```python
from old.mod import Thing  # ❌ BROKEN
# USE INSTEAD: from new.mod import Thing
```
"""
BEFORE = b"from old.mod import Thing\n\nprint(Thing)\n"
AFTER = b"from new.mod import Thing\n\nprint(Thing)\n"


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """(a workspace with a registry and the replacement module, a directory outside it)."""
    root = tmp_path / "ws"
    (root / ".git").mkdir(parents=True)
    (root / "SSOT_IMPORT_REGISTRY.md").write_text(REGISTRY, encoding="utf-8")
    (root / "new").mkdir()
    (root / "new" / "__init__.py").write_text("")
    (root / "new" / "mod.py").write_text("class Thing: ...\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    return root, outside


def fix(root: Path, *args: str):
    result = run("fix", *args, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_symlink_to_a_file_inside_is_written_through_and_stays_a_link(tree):
    root, _ = tree
    real = root / "app" / "real.py"
    real.write_bytes(BEFORE)
    link = root / "app" / "link.py"
    link.symlink_to("real.py")
    r = fix(root)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert link.is_symlink() and os.readlink(link) == "real.py"
    assert real.read_bytes() == AFTER


def test_symlink_to_a_file_outside_is_refused_with_a_reason(tree):
    root, outside = tree
    target = outside / "victim.py"
    target.write_bytes(BEFORE)
    link = root / "app" / "link.py"
    link.symlink_to(target)
    r = fix(root)
    assert r.returncode == 1
    assert target.read_bytes() == BEFORE and link.is_symlink()
    lines = [line for line in r.stderr.splitlines() if "app/link.py" in line]
    assert len(lines) == 1, r.stderr
    assert lines[0] == (f"importwarden: app/link.py: not written: it resolves to {os.path.realpath(target)}, "
                        "outside the workspace (name the file on the command line to fix it "
                        "there)")
    # --diff says the same: it shows what fix would do.
    r = fix(root, "--diff")
    assert r.returncode == 1 and "app/link.py: not written: it resolves to" in r.stderr
    assert "+from new.mod" not in r.stdout


def test_symlink_to_a_file_outside_is_written_when_named(tree):
    root, outside = tree
    target = outside / "victim.py"
    target.write_bytes(BEFORE)
    link = root / "app" / "link.py"
    link.symlink_to(target)
    r = fix(root, "app/link.py")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert target.read_bytes() == AFTER and link.is_symlink()


def test_files_through_a_symlinked_directory_outside(tree):
    root, outside = tree
    (outside / "pkg").mkdir()
    victim = outside / "pkg" / "victim.py"
    victim.write_bytes(BEFORE)
    (root / "vendored").symlink_to(outside / "pkg", target_is_directory=True)
    # The project walk does not follow directory links at all.
    r = fix(root)
    assert victim.read_bytes() == BEFORE, r.stdout
    # Naming the directory walks it, but its files are outside: refused, one line each.
    r = fix(root, "vendored")
    assert r.returncode == 1
    assert victim.read_bytes() == BEFORE
    assert f"not written: it resolves to {os.path.realpath(victim)}, outside the workspace" \
        in r.stderr
    # Naming the file itself is the explicit consent.
    r = fix(root, "vendored/victim.py")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert victim.read_bytes() == AFTER
    assert (root / "vendored").is_symlink()


def test_symlinked_directory_inside_is_written_through(tree):
    root, _ = tree
    (root / "app" / "impl").mkdir()
    real = root / "app" / "impl" / "m.py"
    real.write_bytes(BEFORE)
    (root / "alias").symlink_to(root / "app" / "impl", target_is_directory=True)
    r = fix(root, "alias")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert real.read_bytes() == AFTER and (root / "alias").is_symlink()


def test_hard_links_are_refused_and_kept(tree):
    root, outside = tree
    a = root / "app" / "a.py"
    a.write_bytes(BEFORE)
    b = root / "app" / "b.py"
    os.link(a, b)
    r = fix(root)
    assert r.returncode == 1
    assert a.stat().st_nlink == 2 and os.path.samefile(a, b)
    assert a.read_bytes() == BEFORE
    assert "app/a.py: not written: the file has 2 hard links, and replacing it would split " \
        "them" in r.stderr
    # The same with the second name outside the workspace.
    c = root / "app" / "c.py"
    c.write_bytes(BEFORE)
    os.link(c, outside / "copy.py")
    fix(root)
    assert c.stat().st_nlink == 2 and c.read_bytes() == BEFORE


def test_read_only_file_is_refused(tree):
    root, _ = tree
    ro = root / "app" / "ro.py"
    ro.write_bytes(BEFORE)
    ro.chmod(0o444)
    ok = root / "app" / "ok.py"
    ok.write_bytes(BEFORE)
    r = fix(root)
    assert r.returncode == 1
    assert ro.read_bytes() == BEFORE and stat.S_IMODE(ro.stat().st_mode) == 0o444
    assert "app/ro.py: not written: the file is read-only" in r.stderr
    assert ok.read_bytes() == AFTER  # the run goes on


def test_mode_and_owner_are_kept(tree):
    root, _ = tree
    f = root / "app" / "m.py"
    f.write_bytes(BEFORE)
    f.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(f, 1234, 5678)
    fix(root)
    st = f.stat()
    assert f.read_bytes() == AFTER and stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 5678)


def test_refusals_hold_in_the_worker_pool(tree):
    # Enough files for fix_run's process pool (PARALLEL_THRESHOLD).
    root, outside = tree
    for i in range(40):
        (root / "app" / f"m{i}.py").write_bytes(BEFORE)
    victim = outside / "victim.py"
    victim.write_bytes(BEFORE)
    (root / "app" / "link.py").symlink_to(victim)
    r = fix(root)
    assert r.returncode == 1
    assert victim.read_bytes() == BEFORE
    assert all((root / "app" / f"m{i}.py").read_bytes() == AFTER for i in range(40))
    assert "app/link.py: not written: it resolves to" in r.stderr
