"""Worker processes die with their parent: a ``check`` or ``fix`` killed with SIGKILL (which no
handler can see) leaves no worker running. The real CLI on a tree big enough that its workers
are busy; the workers are found in /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import CONSOLE_SCRIPT, children, cli_env, copy_workspace_with_copies

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
    pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="process pools need 2+ cores"),
]

COPIES = 3000
GONE_WITHIN = 2.0


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    return copy_workspace_with_copies(tmp_path_factory.mktemp("big") / "ws", COPIES)


def running(pid: int) -> bool:
    """Alive and not a zombie (a dead worker nobody reaped yet is not running)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def kill_when_busy(args: list[str], cwd: Path, workers: int) -> set[int]:
    """Start ``importwarden ARGS``; once ``workers`` worker processes exist, SIGKILL it. Returns
    the workers it had."""
    proc = subprocess.Popen([str(CONSOLE_SCRIPT), *args], cwd=cwd, env=cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        seen: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            seen = {c for c in children(proc.pid) if running(c)}
            if len(seen) >= workers:
                break
            time.sleep(0.005)
        assert len(seen) >= workers, f"{args}: never had {workers} workers (exit {proc.poll()})"
        time.sleep(0.2)  # (busy: past their start-up)
        seen |= children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        return seen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def assert_gone(workers: set[int]) -> None:
    deadline = time.monotonic() + GONE_WITHIN
    while time.monotonic() < deadline and any(running(w) for w in workers):
        time.sleep(0.02)
    left = sorted(w for w in workers if running(w))
    for w in left:  # (do not leave them behind for the next test)
        try:
            os.kill(w, signal.SIGKILL)
        except OSError:
            pass
    assert not left, f"{len(left)} of {len(workers)} workers still running {GONE_WITHIN} s " \
                     f"after their parent was killed"


@pytest.mark.parametrize("args", [["check", "--no-cache"], ["fix", "--diff", "--no-cache"]],
                         ids=["check", "fix --diff"])
def test_workers_die_with_a_killed_parent(big, args):
    # The first pool (the index's scanners): one worker per core.
    assert_gone(kill_when_busy(args, big, 2))


def test_fix_workers_die_with_a_killed_parent(big):
    # ``fix`` writes with twice as many workers as cores: only its fixing pool has that many.
    saved = {p: p.read_bytes() for p in (big / "netra_backend").rglob("*.py")}
    try:
        assert_gone(kill_when_busy(["fix", "--no-cache"], big, 2 * (os.cpu_count() or 1)))
    finally:
        for p, data in saved.items():
            p.write_bytes(data)


def test_language_server_helpers_die_with_a_killed_server(big):
    """The server's workers are the fork server's children: they, the fork server and the
    resource tracker all go when the server is killed mid-build."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from lsp.wire import RawServer

    srv = RawServer(big, [str(CONSOLE_SCRIPT), "lsp"], keep_stderr=False)
    try:
        srv.request(1, "initialize", {"processId": None, "rootUri": big.as_uri(),
                                      "capabilities": {}})
        srv.response(1, timeout=60)
        srv.notify("initialized", {})
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and not workers:
            helpers = {c for c in children(srv.proc.pid) if running(c)}
            workers = {w for h in helpers for w in children(h) if running(w)}
            time.sleep(0.005)
        assert workers, "the index build never had workers"
        time.sleep(0.2)
        helpers = {c for c in children(srv.proc.pid) if running(c)}
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait(10)
        assert_gone(workers | helpers)
    finally:
        srv.kill()
