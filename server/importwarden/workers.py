"""Worker processes: every process pool importwarden starts is made here (``process_pool``).

A worker dies with the process that owns its pool (``die_with``), and never imports the
workspace's code. How a worker starts decides what it imports:

- ``fork`` (the CLI): the worker is a copy of this process and imports nothing at start; a
  module it imports later is found on this process's ``sys.path``, which never holds the
  current directory (``__main__`` drops it; the console script never had it).
- ``forkserver`` (the language server, which has threads: a forked copy would inherit the lock
  its stdin reader holds, and hang). multiprocessing starts two helper interpreters with
  ``python -c ...`` (the fork server and the resource tracker), and ``-c`` puts the current
  directory, the workspace when an editor starts the server, first on their ``sys.path``:
  their first import (``from multiprocessing.forkserver import main``) would run a workspace
  ``multiprocessing/``. ``use_fork_server`` prevents that (``PYTHONSAFEPATH``, or a start from
  an empty directory where the variable is not honoured). The workers forked from the fork
  server get this process's ``sys.path`` (and its current directory), so ``use_fork_server``
  also takes out of it every entry that means "the current directory".

docs/security.md describes the policy for users.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_start_method: str | None = None  # "forkserver" once use_fork_server ran; else fork


def use_fork_server() -> None:
    """From now on, pools without inherited state start their workers from a fork server that
    cannot see the current directory. Call it early, while this process has one thread (it may
    change the current directory for a moment)."""
    global _start_method
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    _hide_current_directory_from_helpers()
    if sys.version_info < (3, 11) or (sys.flags.ignore_environment and not sys.flags.isolated):
        _start_fork_server_from_empty_directory()
    _start_method = "forkserver"


def _hide_current_directory_from_helpers() -> None:
    """For workers that start a new interpreter (fork server, spawn): nothing they are handed
    or inherit names the current directory."""
    sys.path[:] = path_without_current_directory(sys.path)
    # Honoured by every helper interpreter multiprocessing starts, now or later (a fork server
    # that died is started again): Python 3.11+ then adds no current-directory entry.
    os.environ["PYTHONSAFEPATH"] = "1"
    pythonpath = os.environ.get("PYTHONPATH")
    if pythonpath:  # relative entries would be read from the workspace too
        kept = path_without_current_directory(pythonpath.split(os.pathsep))
        os.environ["PYTHONPATH"] = os.pathsep.join(kept)


def path_without_current_directory(entries: list[str]) -> list[str]:
    """``entries`` without those read relative to the current directory (``''``, ``.``, any
    relative path) or naming it."""
    try:
        here = os.getcwd()
    except OSError:
        here = None
    kept = []
    for entry in entries:
        if not entry or not os.path.isabs(entry):
            continue
        try:
            if here is not None and os.path.samefile(entry, here):
                continue
        except OSError:
            pass  # (a missing entry: harmless, and Python keeps those too)
        kept.append(entry)
    return kept


def _start_fork_server_from_empty_directory() -> None:
    """Where ``PYTHONSAFEPATH`` is not honoured (Python 3.10, ``-E``), the helpers' ``''`` entry
    is the directory they start in: start them now, from an empty directory of our own."""
    import tempfile
    from multiprocessing import forkserver

    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="importwarden-") as empty:
        os.chdir(empty)
        try:
            forkserver.ensure_running()  # (starts the resource tracker first)
        finally:
            os.chdir(here)


def process_pool(max_workers: int, *, initializer: Callable[..., Any] | None = None,
                 initargs: tuple = (), inherit: bool = False):
    """A ``ProcessPoolExecutor`` whose workers cannot import the workspace's code.

    ``inherit``: the workers must be forks of this process (the initializer's arguments are
    inherited, not pickled: a whole project). Otherwise the fork server is used when
    ``use_fork_server`` asked for it."""
    import concurrent.futures
    import multiprocessing

    method: str | None = _start_method
    if inherit or method is None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    if method != "fork":  # (Windows: spawn, which starts a new interpreter too)
        _hide_current_directory_from_helpers()
    log.debug("process pool: %d workers (%s)", max_workers, method)
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=max_workers, mp_context=multiprocessing.get_context(method),
        initializer=_start_worker, initargs=(os.getpid(), initializer, initargs))


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Called before forking workers: the scanning pool's results, received and
    unpickled, leave freed heap that stays resident in the parent (26 MB on the 25k-file tree),
    and that each forked copy, allocating into it, would copy for itself."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # (not glibc: musl has no malloc_trim)
        return
    trim(0)


def _start_worker(owner: int, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    die_with(owner)
    if initializer is not None:
        initializer(*initargs)


# --- a worker dies with the process that owns its pool ------------------------------------------
# Killed with SIGKILL, the owner cannot stop its workers, and they do not notice: a forked
# worker holds its own copy of the task queue's write end, so its read never ends.

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 0.25  # the liveness check where there is no pidfd


def die_with(owner: int) -> None:
    """End this process when ``owner`` ends, however it ends.

    Linux: the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``). That follows
    the parent *thread* that forked us, so a pool must be used from the thread that made it
    (ours are: each lives in one ``with`` block); and a worker of the fork server has the fork
    server for a parent, which outlives the owner as long as any worker holds its pipe. So a
    thread also watches the owner itself: through a pidfd (Linux 5.3+), which becomes readable
    the moment it exits, or else by asking every ``POLL_SECONDS`` whether it is still there or
    whether we were handed to another parent."""
    import threading

    parent = os.getppid()
    if sys.platform.startswith("linux"):
        _parent_death_signal()
    if not _alive(owner) or os.getppid() != parent:  # (it died before we were watching)
        os._exit(1)
    threading.Thread(target=_watch, args=(owner, parent), name="importwarden-owner-watch",
                     daemon=True).start()


def _parent_death_signal() -> None:
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.debug("prctl(PR_SET_PDEATHSIG): errno %d", ctypes.get_errno())
    except (OSError, AttributeError) as exc:  # (no libc prctl: the watch thread remains)
        log.debug("prctl(PR_SET_PDEATHSIG) unavailable: %s", exc)


def _watch(owner: int, parent: int) -> None:
    try:
        fd = os.pidfd_open(owner)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        import select

        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while not poller.poll():
            pass
        os._exit(1)
    import time

    while _alive(owner) and os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
