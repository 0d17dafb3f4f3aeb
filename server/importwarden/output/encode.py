"""JSON encoding for the machine-readable formats: orjson when installed, else the standard
library, giving the same bytes either way (``tests/unit/output/test_encode.py`` holds them to
that).

Why a compiled encoder: a warm ``check`` of the Ansible corpus (9k findings, 10 MB of JSON)
spent 60 ms in ``json.dumps`` against a 50 ms budget for the whole JSON output of 13k
findings; orjson does the same in about 6 ms (``benchmarks/results/check.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # no wheel for this platform: the pure-Python path below
    _orjson = None

# The standard library's separators that orjson writes: compact, and ": " only when indenting.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact(value: Any) -> str:
    """``value`` on one line, no spaces: ``{"a":1,"b":[2,3]}``."""
    if _orjson is not None:
        return _orjson.dumps(value).decode()
    return _COMPACT.encode(value)


def pretty(value: Any) -> str:
    """``value`` indented by two spaces, ``"key": value`` (``json.dumps(indent=2)``)."""
    if _orjson is not None:
        return _orjson.dumps(value, option=_orjson.OPT_INDENT_2).decode()
    return json.dumps(value, indent=2, ensure_ascii=False)


def array_lines(items: Iterable[Any]) -> str:
    """A JSON array with one compact element per line: as readable as ``indent``, and
    ``grep``/``jq -c`` friendly, at the compact encoder's speed."""
    if _orjson is not None:
        return array_lines_bytes(items).decode()
    body_s = ",\n  ".join(_COMPACT.encode(item) for item in items)
    return ("[\n  " + body_s + "\n]\n") if body_s else "[]\n"


def array_lines_bytes(items: Iterable[Any]) -> bytes:
    """``array_lines`` encoded as UTF-8, built as bytes: the JSON of 9k findings is 10 MB, and
    each pass from bytes to ``str`` and back costs a copy of it."""
    if _orjson is None:
        return array_lines(items).encode("utf-8")
    body = b",\n  ".join(map(_orjson.dumps, items))
    return b"".join((b"[\n  ", body, b"\n]\n")) if body else b"[]\n"
