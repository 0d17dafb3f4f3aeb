"""Reading and writing Python source the way ``fix`` must: keep encoding, BOM and newlines.

Text handed to the engine keeps its original newlines (``\\r\\n`` stays), so edits map back
byte-for-byte; lines are split on ``\\r\\n``, ``\\r`` and ``\\n`` only, as LSP and Python do.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import tempfile
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Larger files are not read (check, the index and the editor skip them with a notice).
MAX_FILE_BYTES = 5 * 1024 * 1024
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def split_lines(text: str) -> list[str]:
    """Lines without their terminators (a final newline yields a final empty line)."""
    return _LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line."""
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    best = max((crlf, "\r\n"), (lf, "\n"), (cr, "\r"))
    return best[1] if best[0] else "\n"


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
    return decode_source(Path(path).read_bytes())


def write_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes], *,
                 expect: bytes | None = None, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (bytes, or chunks of bytes written one after the other)
    atomically (temp file + rename, same directory).

    With ``expect``, refuse (``FileChangedError``) when the file no longer holds those bytes.
    Keeps the file's permission bits. ``durable=False`` skips the fsync: for caches, which
    may be lost but must never be half-written.
    """
    target = Path(path)
    if expect is not None and target.read_bytes() != expect:
        raise FileChangedError(f"{target}: changed since it was read; left alone")
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".iw-tmp", dir=target.parent)
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
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class FileChangedError(OSError):
    pass
