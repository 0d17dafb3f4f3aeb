"""Reading and writing Python source the way ``fix`` must: keep encoding, BOM and newlines.

Text handed to the engine keeps its original newlines (``\\r\\n`` stays), so edits map back
byte-for-byte; lines are split on ``\\r\\n``, ``\\r`` and ``\\n`` only, as LSP and Python do.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
import sys
import tempfile
import time
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from importwarden.lines import line_starts, split_lines  # noqa: F401 (re-exported)

# Larger files are not read (check, the index and the editor skip them with a notice).
MAX_FILE_BYTES = 5 * 1024 * 1024
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


class SourceDecodeError(ValueError):
    """The bytes are not text in the declared (or default UTF-8) encoding."""


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # codec name used to decode ("utf-8" unless a cookie says otherwise)
    bom: bool
    raw: bytes  # what was read, so a writer can refuse a file that changed since

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def decode_source(raw: bytes) -> SourceText:
    """Decode Python source bytes (PEP 263 cookie, UTF-8 BOM) without touching newlines."""
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    encoding = "utf-8"
    head = body[:400]
    if b"coding" in head:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as exc:
            raise SourceDecodeError(str(exc)) from None
        if encoding == "utf-8-sig":
            encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceDecodeError(f"cannot decode as {encoding}: {exc}") from None
    return SourceText(text, encoding, bom, raw)


def read_source(path: str | os.PathLike[str]) -> SourceText:
    with open(path, "rb") as fh:  # (not Path.read_bytes: a Path per file costs ~30 us)
        return decode_source(fh.read())


def write_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes], *,
                 expect: bytes | None = None, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (bytes, or chunks of bytes written one after the other)
    atomically (temp file + rename, same directory). For caches and other files of our own;
    a user's source file goes through ``replace_source``.

    With ``expect``, refuse (``FileChangedError``) when the file no longer holds those bytes.
    Keeps the file's permission bits. ``durable=False`` skips the fsync: for caches, which
    may be lost but must never be half-written.
    """
    target = Path(path)
    if expect is not None and target.read_bytes() != expect:
        raise FileChangedError(f"{target}: changed since it was read; left alone")
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                fh.writelines(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise


# --- temp files: named so that a later run can tell its own leftovers -----------------------

TEMP_SUFFIX = ".iw-tmp"
# ``.<name>.<pid>.<8 random>.iw-tmp``; versions before the pid was added wrote
# ``.<name>.<8 random>.iw-tmp`` (tempfile's alphabet: lower-case letters, digits, "_").
_TEMP_NAME = re.compile(r"\..+?\.(?:(\d+)\.)?[a-z0-9_]{8}\.iw-tmp\Z")
DEAD_WRITER_AFTER_S = 10.0  # a writer holds its temp file for milliseconds
ORPHAN_AFTER_S = 3600.0  # past this, a live pid (or none recorded) is taken for a reused one
_swept: set[str] = set()  # directories already swept by this process


def temp_beside(target: Path) -> tuple[int, str]:
    """A new temp file in ``target``'s directory (same file system, so the rename is atomic),
    after removing stale temp files that killed runs left there (once per directory)."""
    directory = os.fspath(target.parent)
    sweep_once(directory)
    return tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX,
                            dir=directory)


def sweep_once(directory: str) -> None:
    """``remove_stale_temps`` the first time this process works in ``directory``."""
    if directory not in _swept:
        _swept.add(directory)
        remove_stale_temps(directory)


def remove_stale_temps(directory: str, *, now: float | None = None) -> list[str]:
    """Remove this program's temp files in ``directory`` that a killed run left: named as
    ``temp_beside`` names them, regular files, and either written by a pid that no longer
    runs (and older than ``DEAD_WRITER_AFTER_S``, for a writer on another machine sharing
    the directory) or older than ``ORPHAN_AFTER_S``. Returns the names removed; never raises
    (a directory that cannot be listed simply keeps its files)."""
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        with os.scandir(directory) as entries:
            candidates = [e for e in entries if e.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return removed
    for entry in candidates:
        m = _TEMP_NAME.match(entry.name)
        if m is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        age = now - st.st_mtime
        pid = int(m.group(1)) if m.group(1) else None
        dead = pid is not None and not _pid_alive(pid)
        if not ((dead and age >= DEAD_WRITER_AFTER_S) or age >= ORPHAN_AFTER_S):
            continue
        try:
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            pass
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process: assume it is still writing
    # A killed writer whose parent has not reaped it yet (or never will, under a container's
    # init that reaps nothing) still answers kill(0): a zombie writes nothing.
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in (b"Z", b"X")


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --- replacing a user's source file -----------------------------------------------------------

class FileIdentity(NamedTuple):
    """What says "the same file, unchanged" short of its bytes (mtime alone is too coarse:
    two writes within one clock tick share it, hence ``size`` and the content check too)."""

    dev: int
    ino: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, st: os.stat_result) -> "FileIdentity":
        return cls(st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def read_for_update(path: str | os.PathLike[str]) -> tuple[SourceText, FileIdentity]:
    """``read_source`` plus the identity of exactly the file read (one open: the bytes and the
    stat belong together)."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        raw = fh.read()
    return decode_source(raw), FileIdentity.of(st)


def replace_source(path: str | os.PathLike[str], data: bytes, *, expect: bytes,
                   identity: FileIdentity) -> None:
    """Atomically replace the regular file ``path`` (no symlink: callers pass the resolved
    target) with ``data``, unless it changed since it was read as ``expect`` / ``identity``.

    The check happens as late as possible and is repeated after the swap, so an edit saved
    while the new text was being written is never lost:

    1. the new text goes to a temp file beside it (fsync, same mode and owner);
    2. right before the swap, the file must still be the same inode with the same mtime,
       size and bytes;
    3. on Linux the swap is ``renameat2(RENAME_EXCHANGE)``: the old file stays reachable
       under the temp name, so it is checked once more after the swap and, if an editor wrote
       it in between, swapped back. Elsewhere ``os.replace``, then the old inode (still open)
       is checked and, if written, its text is put back;
    4. after the old file is unlinked, and ``SETTLE_S`` later (a save whose ``open()`` looked
       the path up just before the swap truncates the old file just after it), a write that
       still reached the old file is put back too, once its text stops changing.

    Raises ``FileChangedError`` (the file holds the other program's text then), or ``OSError``.
    A program that keeps the file open and writes to it much later is not covered: only a
    lock every writer honours could do that.
    """
    target = os.fspath(path)
    old_fd: int | None = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    tmp = None
    new_fd: int | None = None
    try:
        st = os.fstat(old_fd)
        if FileIdentity.of(st) != identity:
            raise FileChangedError(f"{target}: changed since it was read")
        fd, tmp = temp_beside(Path(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            _set_mode(fh.fileno(), tmp, st.st_mode)
            if hasattr(os, "fchown") and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(fh.fileno(), st.st_uid, st.st_gid)
                except OSError:
                    pass  # not ours to give away: the file then belongs to whoever fixed it
            os.fsync(fh.fileno())
            new_id = FileIdentity.of(os.fstat(fh.fileno()))
            new_fd = os.dup(fh.fileno())
        if not _unchanged(old_fd, identity, expect):
            raise FileChangedError(f"{target}: changed since it was read")
        if _exchange(tmp, target):
            # ``tmp`` now names the old file. Is it the one we checked, still unchanged?
            moved = os.lstat(tmp)
            if (moved.st_dev, moved.st_ino) != (identity.dev, identity.ino) \
                    or not _unchanged(old_fd, identity, expect):
                kept = _swap_back(tmp, target, new_fd, new_id, data)
                if kept is not None:
                    tmp = None
                    raise TextKeptError(f"{target}: changed while it was being replaced and "
                                        f"again after", kept)
                raise FileChangedError(f"{target}: changed while it was being replaced")
            os.unlink(tmp)
        else:
            if sys.platform == "win32":  # an open file cannot be renamed over or away there
                os.close(old_fd)
                os.close(new_fd)
                old_fd = new_fd = None
            os.replace(tmp, target)
        tmp = None
        # A save that looked the path up just before the swap truncates and writes the old
        # file just after it, within its open(): give such a call time to land, then look.
        time.sleep(SETTLE_S)
        if old_fd is not None and not _unchanged(old_fd, identity, expect):
            _put_back(target, old_fd, new_fd, new_id, data)
            raise FileChangedError(f"{target}: changed while it was being replaced")
    finally:
        if old_fd is not None:
            os.close(old_fd)
        if new_fd is not None:
            os.close(new_fd)
        if tmp is not None:
            _unlink_quietly(tmp)


def _read_at_start(fd: int, size: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, 0)
    os.lseek(fd, 0, os.SEEK_SET)  # Windows: no pread
    return os.read(fd, size)


def _set_mode(fd: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(mode))
    else:  # Windows before Python 3.13
        os.chmod(path, stat.S_IMODE(mode))


def _unchanged(fd: int, identity: FileIdentity, expect: bytes) -> bool:
    if FileIdentity.of(os.fstat(fd)) != identity:
        return False
    return _read_at_start(fd, identity.size + 1) == expect


def _swap_back(tmp: str, target: str, new_fd: int, new_id: FileIdentity,
               data: bytes) -> str | None:
    """Undo an exchange that swapped out a file someone had just written (``tmp`` holds it).
    Returns None when ``tmp`` then holds a file that may go (ours, or theirs superseded by a
    newer one renamed in meanwhile), else the name under which their text was kept because
    ours had been written to in the meantime (that write is newest, and stays in place)."""
    _exchange(tmp, target)
    back = os.lstat(tmp)
    if (back.st_dev, back.st_ino) != (new_id.dev, new_id.ino):
        _exchange(tmp, target)  # a newer file was renamed in meanwhile: it goes back in place
        return None
    if not _unchanged(new_fd, new_id, data):
        _exchange(tmp, target)  # ours was written to while it was in place: newest
        return _keep_conflict(tmp, target)
    return None


def _keep_conflict(tmp: str, target: str) -> str:
    """Keep a text we could neither put back nor drop, under a name no sweep removes."""
    kept = f"{target}.iw-conflict-{os.getpid()}"
    os.replace(tmp, kept)
    return kept


def _settled_text(fd: int) -> bytes:
    """The file's bytes once its writer is done (the same twice, ``SETTLE_S`` apart; at most
    about half a second)."""
    text = _read_at_start(fd, os.fstat(fd).st_size + 1)
    for _ in range(100):
        time.sleep(SETTLE_S)
        again = _read_at_start(fd, os.fstat(fd).st_size + 1)
        if again == text:
            break
        text = again
    return text


def _put_back(target: str, old_fd: int, new_fd: int, new_id: FileIdentity,
              data: bytes) -> None:
    """The old file was written after the last check, through a handle opened before the
    swap: its text is newer than ours, so it replaces ours (if ours is still untouched;
    otherwise it is kept beside the file)."""
    text = _settled_text(old_fd)
    st = os.fstat(old_fd)
    fd, tmp = temp_beside(Path(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
            _set_mode(fh.fileno(), tmp, st.st_mode)
            fh.flush()
            os.fsync(fh.fileno())
        now = os.lstat(target)
        if (now.st_dev, now.st_ino) == (new_id.dev, new_id.ino) \
                and _unchanged(new_fd, new_id, data):
            os.replace(tmp, target)
        else:
            raise TextKeptError(f"{target}: changed while it was being replaced and again "
                                f"after", _keep_conflict(tmp, target))
    except BaseException:
        _unlink_quietly(tmp)
        raise


SETTLE_S = 0.002
_RENAME_EXCHANGE = 2
_exchange_state: list = []  # [renameat2] once found, [None] when the platform has none


def _exchange(a: str, b: str) -> bool:
    """Atomically swap the names ``a`` and ``b`` (Linux ``renameat2``). False when this
    system or file system cannot, so the caller falls back to a plain rename."""
    if not _exchange_state:
        func = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                func = ctypes.CDLL(None, use_errno=True).renameat2
                func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                 ctypes.c_uint]
                func.restype = ctypes.c_int
            except (OSError, AttributeError):
                func = None
        _exchange_state.append(func)
    func = _exchange_state[0]
    if func is None:
        return False
    import ctypes

    at_fdcwd = -100
    if func(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False  # this file system cannot exchange: fall back, ask again next time
    raise OSError(err, os.strerror(err), b)


class FileChangedError(OSError):
    pass


class TextKeptError(FileChangedError):
    """Two programs wrote the file while it was being replaced: the newest text stays in
    place, and the one before it, which neither could be put back nor dropped, is kept in
    ``kept`` (beside the file) for the user to look at."""

    def __init__(self, message: str, kept: str) -> None:
        super().__init__(f"{message}; its previous text is kept in {kept}")
        self.kept = kept
