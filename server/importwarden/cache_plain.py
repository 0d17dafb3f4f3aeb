"""Findings and the parsed registry as plain data (tuples, str, int, bool, None), for the cache.

``to_plain(cls, obj)`` / ``from_plain(cls, data)`` convert one of the dataclasses listed in
``_CLASSES`` (and what they hold) to and from nested tuples. The shape comes from each class's
fields and their annotations: a dataclass is the tuple of its stored fields in order, an enum
its value, ``dict`` a tuple of (key, value) pairs, ``list``/``tuple``/``set`` a tuple. Fields
whose name starts with ``_`` are derived (``Registry``'s look-up tables, rebuilt by
``__post_init__``) and ``Finding.ref`` is not cached (``cli/check.py`` drops it), so neither is
stored. ``from_plain`` accepts exactly that shape: any other type, length, enum value or class
raises ``PlainDataError``, so nothing in a cache file can name a class or a callable.
``SCHEMA`` names every stored field and its type: it is part of the cache's key, so a class
that gains a field never decodes tuples written before.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any, Callable

from importwarden.analysis import findings as _findings
from importwarden.registry import model as _model


class PlainDataError(ValueError):
    """Cached data of an unexpected shape."""


_CLASSES: tuple[type, ...] = (
    _model.Target, _model.Provenance, _model.Claim, _model.Entry, _model.MockEntry,
    _model.ServiceOrigin, _model.Services, _model.Problem, _model.Registry,
    _findings.Position, _findings.Range, _findings.TextEdit, _findings.Fix, _findings.Finding,
)
_TRANSIENT = {_findings.Finding: ("ref",)}

# A codec is (encode, decode), each ``(value, memo) -> value``. The memo (by ``id``) makes an
# object met twice one plain tuple, which marshal then writes once and loads as one tuple:
# findings share their registry provenance, targets and fixes, and decoding each once halves
# the time a warm run spends here.
Encoder = Callable[[Any, dict], Any]
Decoder = Callable[[Any, dict], Any]
_codecs: dict[Any, tuple[Encoder, Decoder]] = {}


def _stored_fields(cls: type) -> list[tuple[str, Any]]:
    # (``Finding.ref`` is annotated with a name imported only for type checkers)
    hints = typing.get_type_hints(cls, localns={"ImportRef": object})
    skip = _TRANSIENT.get(cls, ())
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)
            if not f.name.startswith("_") and f.name not in skip]


def _bad(what: str, value: Any) -> PlainDataError:
    return PlainDataError(f"expected {what}, got {type(value).__name__}")


def _same(value: Any, memo: dict) -> Any:
    return value


def _scalar(tp: type) -> tuple[Encoder, Decoder]:
    def decode(value: Any, memo: dict) -> Any:
        if type(value) is not tp:
            raise _bad(tp.__name__, value)
        return value
    return _same, decode


def _codec(tp: Any) -> tuple[Encoder, Decoder]:
    if tp in _codecs:
        return _codecs[tp]
    if tp in (str, int, bool, bytes):
        codec = _scalar(tp)
    elif tp is type(None):
        def decode_none(value: Any, memo: dict) -> None:
            if value is not None:
                raise _bad("None", value)
        codec = _same, decode_none
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        codec = _enum_codec(tp)
    elif isinstance(tp, type) and tp in _CLASSES:
        codec = _class_codec(tp)
    else:
        codec = _generic_codec(tp)
    _codecs[tp] = codec
    return codec


def _enum_codec(tp: type[enum.Enum]) -> tuple[Encoder, Decoder]:
    members = {m.value: m for m in tp}

    def decode(value: Any, memo: dict) -> Any:
        if type(value) is not str or value not in members:
            raise PlainDataError(f"not a {tp.__name__}: {value!r:.40}")
        return members[value]
    return (lambda v, memo: v.value), decode


_SCALARS = (str, int, bool, bytes)


def _class_codec(cls: type) -> tuple[Encoder, Decoder]:
    stored = _stored_fields(cls)
    names = [name for name, _ in stored]
    n = len(names)
    encoders = [_codec(tp)[0] for _, tp in stored]
    # Scalar fields are checked in place; the others go through their decoder.
    scalars = [(i, tp) for i, (_, tp) in enumerate(stored) if tp in _SCALARS]
    nested = [(i, _codec(tp)[1]) for i, (_, tp) in enumerate(stored) if tp not in _SCALARS]
    # Classes without __post_init__ or slots are filled in directly: a frozen dataclass's
    # __init__ costs ~1 us per field, and a warm run decodes ~10^4 of them.
    rest = [f for f in dataclasses.fields(cls) if f.name not in names]
    direct = (not hasattr(cls, "__post_init__") and "__slots__" not in vars(cls)
              and all(f.default is not dataclasses.MISSING for f in rest))
    defaults = {f.name: f.default for f in rest}
    new = object.__new__

    def encode(obj: Any, memo: dict) -> tuple:
        if type(obj) is not cls:
            raise _bad(cls.__name__, obj)
        value = tuple([enc(getattr(obj, name), memo) for enc, name in zip(encoders, names)])
        return memo.setdefault((cls, value), value)  # (equal objects: one tuple)

    def decode(value: Any, memo: dict) -> Any:
        hit = memo.get(id(value))
        if hit is not None and type(hit[1]) is cls:
            return hit[1]
        if type(value) is not tuple or len(value) != n:
            raise _bad(f"a {n}-tuple ({cls.__name__})", value)
        for i, tp in scalars:
            if type(value[i]) is not tp:
                raise _bad(f"{tp.__name__} ({cls.__name__}.{names[i]})", value[i])
        values = list(value)
        for i, dec in nested:
            values[i] = dec(values[i], memo)
        if direct:
            obj = new(cls)
            obj.__dict__.update(zip(names, values), **defaults)
        elif not rest:  # every field stored, in order (the registry's slotted classes)
            obj = cls(*values)
        else:
            obj = cls(**dict(zip(names, values)))
        memo[id(value)] = (value, obj)  # (value kept alive: its id stays its own)
        return obj
    # (a class that holds itself would recurse here; none does)
    return encode, decode


def _generic_codec(tp: Any) -> tuple[Encoder, Decoder]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [(arg, _codec(arg)) for arg in args]

        def encode_union(v: Any, memo: dict) -> Any:
            for arg, (enc, _) in options:
                if arg is type(None) and v is None or arg is not type(None) and _is(v, arg):
                    return enc(v, memo)
            raise _bad(str(tp), v)

        if len(args) == 2 and type(None) in args:  # Optional[X]: the common case, fast
            dec_x = _codec(args[0] if args[1] is type(None) else args[1])[1]

            def decode_optional(v: Any, memo: dict) -> Any:
                return None if v is None else dec_x(v, memo)
            return encode_union, decode_optional

        def decode_union(v: Any, memo: dict) -> Any:
            for _, (_, dec) in options:
                try:
                    return dec(v, memo)
                except PlainDataError:
                    pass
            raise _bad(str(tp), v)
        return encode_union, decode_union
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis or origin in (list, set, frozenset):
        enc, dec = _codec(args[0])
        build = origin if origin is not tuple else tuple

        def decode_seq(v: Any, memo: dict) -> Any:
            if type(v) is not tuple:
                raise _bad("a tuple", v)
            return build([dec(x, memo) for x in v])
        return (lambda v, memo: tuple([enc(x, memo) for x in v])), decode_seq
    if origin is tuple:
        parts = [_codec(a) for a in args]

        def decode_tuple(v: Any, memo: dict) -> Any:
            if type(v) is not tuple or len(v) != len(parts):
                raise _bad(f"a {len(parts)}-tuple", v)
            return tuple([dec(x, memo) for (_, dec), x in zip(parts, v)])
        return (lambda v, memo: tuple([enc(x, memo) for (enc, _), x in zip(parts, v)])), \
            decode_tuple
    if origin is dict:
        (kenc, kdec), (venc, vdec) = _codec(args[0]), _codec(args[1])

        def decode_dict(v: Any, memo: dict) -> dict:
            if type(v) is not tuple:
                raise _bad("a tuple of pairs", v)
            out = {}
            for pair in v:
                if type(pair) is not tuple or len(pair) != 2:
                    raise _bad("a pair", pair)
                out[kdec(pair[0], memo)] = vdec(pair[1], memo)
            return out
        return (lambda v, memo: tuple([(kenc(k, memo), venc(x, memo)) for k, x in v.items()])), \
            decode_dict
    raise TypeError(f"no plain form for {tp!r}")


def _is(value: Any, tp: Any) -> bool:
    origin = typing.get_origin(tp) or tp
    return isinstance(value, origin)


def to_plain(cls: type, obj: Any, memo: dict | None = None) -> Any:
    """``obj`` (a ``cls``) as nested tuples; objects met twice under one ``memo`` give the
    same tuple."""
    return _codec(cls)[0](obj, {} if memo is None else memo)


def from_plain(cls: type, data: Any, memo: dict | None = None) -> Any:
    """``obj`` back from ``to_plain(cls, obj)`` (the same ``memo`` for data that shares
    tuples); raises ``PlainDataError`` on any other shape."""
    try:
        return _codec(cls)[1](data, {} if memo is None else memo)
    except RecursionError:  # (marshal nests as deep as the file says)
        raise PlainDataError("nested too deeply") from None


def _schema() -> str:
    lines = []
    for cls in _CLASSES:
        lines.append(f"{cls.__qualname__}(" + ", ".join(
            f"{name}: {tp}" for name, tp in _stored_fields(cls)) + ")")
    return "\n".join(lines)


SCHEMA = _schema()
