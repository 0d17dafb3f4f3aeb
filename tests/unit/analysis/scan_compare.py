"""Turn scanner output into the reference's comparable tuples (see ast_reference.py)."""

from __future__ import annotations

from importwarden.analysis import scanner as sc


def comparable(raws: list[tuple]) -> list[tuple]:
    out = []
    for kind, module, name, alias, r, mr, _stmt, level, flags, _quote, via in raws:
        if kind == "import":
            out.append((kind, module, None, alias, 0, r[0], r[1], None, _flags(flags)))
        elif kind == "from":
            out.append((kind, module, name, alias, level, r[0], r[1], (mr[0], mr[1]),
                        _flags(flags)))
        elif kind == "mock":
            out.append((kind, module, None, None, 0, r[0], r[1], via, None))
        else:
            out.append((kind, module, name, None, 0, r[0], r[1], None, None))
    return sorted(out, key=_key)


def _flags(f: int) -> tuple[bool, bool, bool, bool]:
    return (bool(f & sc.FLAG_GUARDED), bool(f & sc.FLAG_TYPE_CHECKING),
            bool(f & sc.FLAG_INDENTED), bool(f & sc.FLAG_IN_DEF))


def _key(t: tuple) -> tuple:
    return tuple("" if v is None else str(v) for v in t)


def sort(refs: list[tuple]) -> list[tuple]:
    return sorted(refs, key=_key)
