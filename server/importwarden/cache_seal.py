"""Sealed cache files: a header, a keyed MAC, then a marshalled payload of plain data.

The cache lives inside the project (``.importwarden_cache/``), so a hostile repository or a
pull request can ship one. Nothing read from it is unpickled: pickle runs code by design.
Payloads are ``marshal`` data holding only tuples, str, int, bool, bytes and None, and are
turned back into objects by explicit converters (``importwarden.cache_plain``) that reject any
other shape. ``marshal`` is the fastest loader of plain data in the standard library (a warm
run decodes ~10^5 values), but it is not meant for hostile bytes (it can build code objects),
so it never sees bytes this user's importwarden did not write: every file carries a MAC
(HMAC-SHA256) keyed with a random secret kept outside the project, in the user's cache
directory (``cache_key_path``), over the header, the file's own path and the payload. A
planted, corrupted, truncated or copied file (another project, another machine) does not
verify, and is ignored with one debug line and rebuilt. JSON would need no key, but decoding
and converting the findings cache with it costs several times the whole warm run.

Layout: ``MAGIC`` (8 bytes), kind (4), format (u32), payload length (u64), MAC (32), payload.
"""

from __future__ import annotations

import hmac
import logging
import os
import struct
import sys
from collections.abc import Iterable
from pathlib import Path

from importwarden import __version__

log = logging.getLogger("importwarden.cache")

MAGIC = b"IWCACHE\x00"
_HEADER = struct.Struct("<8s4sIQ32s")
HEADER_SIZE = _HEADER.size
_KEY_BYTES = 32
_key_memo: list[bytes | None] = []


def cache_key_path() -> Path:
    """Where the MAC key lives: the user's cache directory (never the project)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "importwarden" / "cache-key"


def _read_or_create_key() -> bytes | None:
    path = cache_key_path()
    try:
        key = path.read_bytes()
        if len(key) == _KEY_BYTES:
            return key
    except OSError:
        pass
    try:  # first run for this user: a new key, linked into place so parallel runs agree
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".cache-key.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, os.urandom(_KEY_BYTES))
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        key = path.read_bytes()
        return key if len(key) == _KEY_BYTES else None
    except OSError as exc:
        log.debug("cache key %s unavailable (%s): the cache is not used", path, exc)
        return None


def cache_key() -> bytes | None:
    """The user's MAC key (read once per process); None when it cannot be read or created,
    and then no cache is read or written."""
    if not _key_memo:
        _key_memo.append(_read_or_create_key())
    return _key_memo[0]


def _mac(key: bytes, head: bytes, path: Path, chunks: Iterable[bytes]) -> bytes:
    mac = hmac.new(key, digestmod="sha256")
    mac.update(head)
    mac.update(f"\0{__version__}\0{os.path.abspath(path)}\0".encode("utf-8", "surrogatepass"))
    for chunk in chunks:
        mac.update(chunk)
    return mac.digest()


def seal(path: Path, kind: bytes, fmt: int, chunks: list[bytes], trailing: int = 0
         ) -> list[bytes] | None:
    """The chunks to write to ``path`` (header first); None when there is no key.
    ``trailing``: bytes the caller writes after them, counted in the length but not in the
    MAC (the caller's payload authenticates them, e.g. with their hash)."""
    key = cache_key()
    if key is None:
        return None
    size = sum(len(c) for c in chunks) + trailing
    head = _HEADER.pack(MAGIC, kind, fmt, size, b"")[:-32]
    return [head + _mac(key, head, path, chunks), *chunks]


def unseal(path: Path, data: bytes | memoryview, kind: bytes, fmt: int,
           verify_to: int | None = None) -> memoryview | None:
    """The payload of ``data`` (read from ``path``) when it is a sealed file of this kind and
    format whose MAC verifies; else None, with one debug line. ``verify_to`` (an offset into
    the payload) verifies only that prefix: the caller checks the rest with ``verify_rest``."""
    view = memoryview(data)
    reason = None
    key = cache_key()
    if key is None:
        return None
    if len(view) < HEADER_SIZE:
        reason = "shorter than its header"
    else:
        magic, got_kind, got_fmt, size, mac = _HEADER.unpack(view[:HEADER_SIZE])
        payload = view[HEADER_SIZE:]
        if magic != MAGIC or got_kind != kind:
            reason = "not an importwarden cache file of this kind"
        elif got_fmt != fmt:
            reason = f"format {got_fmt}, expected {fmt}"
        elif size != len(payload):
            reason = f"{len(payload)} payload bytes, header says {size}"
        elif not hmac.compare_digest(mac, _mac(key, view[:HEADER_SIZE - 32], path,
                                                [payload if verify_to is None
                                                 else payload[:verify_to]])):
            reason = "checksum mismatch"
        else:
            return payload
    log.debug("cache file %s ignored (%s); rebuilding it", path, reason)
    return None
