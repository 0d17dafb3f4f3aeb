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


def _link_to_outside(root, outside):
    """``app/link.py`` in the workspace, a symlink to a fixable file outside it."""
    target = outside / "victim.py"
    target.write_bytes(BEFORE)
    link = root / "app" / "link.py"
    link.symlink_to(target)
    return target, link


def test_symlink_to_a_file_outside_is_refused_with_a_reason(tree):
    root, outside = tree
    target, link = _link_to_outside(root, outside)
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
    target, link = _link_to_outside(root, outside)
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


# --- temp files a killed run leaves -----------------------------------------------------------

KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from importwarden.textio import temp_beside
fd, tmp = temp_beside(Path(sys.argv[1]))
os.write(fd, b"half a fi")
print(tmp, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_temp(path: Path) -> Path:
    """The temp file a writer killed mid-write leaves beside ``path`` (the real code, really
    killed)."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == -9, r.stderr
    tmp = Path(r.stdout.strip())
    assert tmp.exists() and tmp.parent == path.parent
    return tmp


def age(path: Path, seconds: float) -> None:
    import time

    then = time.time() - seconds
    os.utime(path, (then, then))


def test_next_run_removes_stale_temp_files_it_owns(tree):
    root, _ = tree
    src = root / "app" / "m.py"
    src.write_bytes(BEFORE)
    stale = killed_temp(src)
    age(stale, 30)
    fresh = killed_temp(src)  # its writer is dead too, but it is seconds old: maybe not ours
    old_style = root / "app" / ".m.py.abc123_x.iw-tmp"  # named before the pid was recorded
    old_style.write_bytes(b"x")
    age(old_style, 2 * 3600)
    recent_old_style = root / "app" / ".n.py.zzz999_y.iw-tmp"
    recent_old_style.write_bytes(b"x")
    live = root / "app" / f".m.py.{os.getpid()}.abcdefgh.iw-tmp"  # a live writer's (ours)
    live.write_bytes(b"x")
    age(live, 30)
    not_ours = root / "app" / "notes.iw-tmp"
    not_ours.write_bytes(b"x")
    age(not_ours, 2 * 3600)
    r = fix(root)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert src.read_bytes() == AFTER
    assert not stale.exists() and not old_style.exists()
    assert fresh.exists() and recent_old_style.exists() and live.exists() and not_ours.exists()


def test_killed_fix_leaves_whole_files_and_the_next_run_cleans_up(tree):
    """SIGKILL a real ``fix`` at random moments: every file is its old or its new text, never
    a mix, and after the next run no temp file is left (aged past the dead-writer guard)."""
    import random
    import signal
    import subprocess
    import time

    from hostile import CONSOLE_SCRIPT, cli_env

    root, _ = tree
    files = [root / "app" / f"m{i}.py" for i in range(60)]
    rng = random.Random(15)
    for trial in range(4):
        for f in files:
            f.write_bytes(BEFORE)
        proc = subprocess.Popen([str(CONSOLE_SCRIPT), "fix"], cwd=root, env=cli_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.3, 2.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert {f.read_bytes() for f in files} <= {BEFORE, AFTER}
    for tmp in (root / "app").glob("*.iw-tmp"):
        age(tmp, 30)
    r = fix(root)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert {f.read_bytes() for f in files} == {AFTER}
    assert not list((root / "app").glob("*.iw-tmp"))


def test_remove_stale_temps_rules(tmp_path):
    import subprocess
    import sys

    from importwarden import textio

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    names = {
        f".a.py.{dead}.abcdefgh.iw-tmp": 11,  # dead writer, past the guard: removed
        f".b.py.{dead}.abcdefgh.iw-tmp": 5,  # dead writer, within the guard: kept
        f".c.py.{os.getpid()}.abcdefgh.iw-tmp": 3599,  # live writer: kept
        f".d.py.{os.getpid()}.abcdefgh.iw-tmp": 3601,  # "live" but an hour old: removed
        ".e.py.abcdefgh.iw-tmp": 3601,  # no pid, an hour old: removed
        ".f.py.ABCDEFGH.iw-tmp": 9999,  # not tempfile's alphabet: not ours, kept
        "g.py.iw-tmp": 9999,  # not our pattern: kept
    }
    now = 1_000_000_000.0
    for name, seconds in names.items():
        (tmp_path / name).write_bytes(b"")
        os.utime(tmp_path / name, (now - seconds, now - seconds))
    (tmp_path / f".h.py.{dead}.abcdefgh.iw-tmp").mkdir()  # a directory: never touched
    os.utime(tmp_path / f".h.py.{dead}.abcdefgh.iw-tmp", (now - 9999, now - 9999))
    removed = textio.remove_stale_temps(str(tmp_path), now=now)
    assert sorted(removed) == sorted([f".a.py.{dead}.abcdefgh.iw-tmp",
                                      f".d.py.{os.getpid()}.abcdefgh.iw-tmp",
                                      ".e.py.abcdefgh.iw-tmp"])
    assert textio.remove_stale_temps(str(tmp_path / "missing"), now=now) == []


# --- an editor saving the files while fix runs ---------------------------------------------

def test_concurrent_saves_are_never_lost():
    """``benchmarks/stress_fix.py`` for a few seconds: an editor process saves 4 files in a
    tight loop (in place and by rename) while the fix engine runs over them again and again.
    Longer runs are recorded in benchmarks/results/fix.md."""
    import json
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "stress_fix.py"
    r = subprocess.run([sys.executable, str(script), "--seconds", "5", "--files", "4", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["edits saved"] > 200 and result["fixes applied"] > 50, result
    assert result["lost edits"] == 0, json.dumps(result)
    assert result["files not compiling"] == 0 and result["temp files left"] == 0, result
    assert result["other errors"] == {}, result


# --- the swap itself, with a save landing at the worst moment (deterministic) -------------

def _save_just_before(monkeypatch, name: str, save):
    """Run ``save()`` once, right before textio's first call of ``name`` (the swap)."""
    from importwarden import textio

    real = getattr(textio, name) if name == "_exchange" else os.replace
    calls = []

    def hooked(a, b):
        if not calls:
            calls.append(1)
            save()
        return real(a, b)

    if name == "_exchange":
        monkeypatch.setattr(textio, "_exchange", hooked)
    else:
        monkeypatch.setattr(textio, "_exchange", lambda a, b: False)
        monkeypatch.setattr(os, "replace", hooked)


@pytest.mark.parametrize("swap", ["_exchange", "os.replace"])
@pytest.mark.parametrize("how", ["in place", "by rename"])
def test_a_save_during_the_swap_is_kept(tmp_path, monkeypatch, swap, how):
    from importwarden import textio

    if swap == "os.replace" and how == "by rename":
        # Without an exchange, a file renamed in between is replaced unseen: the reason the
        # exchange exists. Only the in-place save can be put back on that path.
        pytest.skip("not detectable without renameat2(RENAME_EXCHANGE)")

    path = tmp_path / "m.py"
    path.write_bytes(BEFORE)
    src, identity = textio.read_for_update(path)
    saved = b"from old.mod import Thing  # saved at the worst moment\n"

    def save():
        if how == "in place":
            path.write_bytes(saved)
        else:
            (tmp_path / "editor.tmp").write_bytes(saved)
            os.rename(tmp_path / "editor.tmp", path)

    _save_just_before(monkeypatch, swap, save)
    with pytest.raises(textio.FileChangedError):
        textio.replace_source(path, AFTER, expect=src.raw, identity=identity)
    assert path.read_bytes() == saved
    assert not list(tmp_path.glob("*.iw-tmp")) and not list(tmp_path.glob("*.iw-conflict-*"))


def test_replace_source_keeps_an_unchanged_file_fixed(tmp_path):
    from importwarden import textio

    path = tmp_path / "m.py"
    path.write_bytes(BEFORE)
    src, identity = textio.read_for_update(path)
    textio.replace_source(path, AFTER, expect=src.raw, identity=identity)
    assert path.read_bytes() == AFTER and not list(tmp_path.glob(".*iw-tmp"))
    with pytest.raises(textio.FileChangedError):  # identity of the old file: stale now
        textio.replace_source(path, BEFORE, expect=src.raw, identity=identity)
    assert path.read_bytes() == AFTER


def test_stale_temps_go_also_where_nothing_is_left_to_fix(tree):
    # The killed run wrote this file after all: the next run has nothing to fix here, and
    # still removes what the kill left.
    root, _ = tree
    done = root / "app" / "m.py"
    done.write_bytes(AFTER)
    stale = killed_temp(done)
    age(stale, 30)
    r = fix(root)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert not stale.exists()
    # --diff writes nothing, and removes nothing either.
    stale = killed_temp(done)
    age(stale, 30)
    fix(root, "--diff")
    assert stale.exists()
