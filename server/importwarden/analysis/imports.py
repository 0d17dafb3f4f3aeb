"""Import statements and mock targets in one file's source text.

CONTRACT (implemented below by ``extract``): the data shapes here are used by rules, fixes,
completion and hover. Extraction must tolerate syntax errors (half-typed code still yields its
other imports with exact positions) and never executes anything.
"""

from __future__ import annotations

import enum
import gc
from dataclasses import dataclass

from importwarden.analysis.findings import Position, Range
from importwarden.analysis.raw_refs import (
    FLAG_GUARDED,
    FLAG_IN_DEF,
    FLAG_INDENTED,
    FLAG_TYPE_CHECKING,
    FLAG_UNRESOLVED_RELATIVE,
)


class RefKind(str, enum.Enum):
    IMPORT = "import"  # import a.b [as c]            -> module="a.b", name=None
    FROM = "from"  # from a.b import x [as y]          -> module="a.b", name="x" (name="*" for star)
    ATTRIBUTE = "attribute"  # `import a.b` then `a.b.X` -> module="a.b", name="X"
    MOCK = "mock"  # patch("a.b.C.meth")               -> module=None-resolved dotted string


@dataclass(frozen=True)
class ImportRef:
    kind: RefKind
    # Absolute module (relative imports already resolved against the file's package; when a
    # relative import cannot be resolved, module is the best effort and ``unresolved_relative``
    # is True). For MOCK refs: the whole dotted target string, and name=None.
    module: str
    name: str | None
    alias: str | None
    # Spans (0-based lines, code-point columns):
    range: Range  # what a finding underlines: the name for FROM/ATTRIBUTE, the dotted module for
    # IMPORT, the string's contents (inside the quotes) for MOCK
    module_range: Range  # the module text as written (e.g. `.sub` / `a.b`), or the string contents
    statement_range: Range  # the whole statement (for MOCK: the string literal incl. quotes)
    level: int = 0  # leading dots of a relative import
    guarded: bool = False  # inside try: with except ImportError / ModuleNotFoundError
    type_checking: bool = False  # under `if TYPE_CHECKING:`
    indented: bool = False  # not at module level (function, class, if, try ...)
    unresolved_relative: bool = False
    quote: str = ""  # MOCK: the quote characters used ('"', "'", '\"\"\"' ...)
    # MOCK: how it was found: "patch", "patch.object"? (not a string target), "patch.multiple",
    # "patch.dict", "mocker.patch", "monkeypatch.setattr"
    via: str = ""
    # ADDED (analysis helper): inside a def/class body, so the import binds nothing at module
    # level (``indented`` is also True for module-level if/try blocks).
    in_def: bool = False


@dataclass(frozen=True)
class FileImports:
    refs: tuple[ImportRef, ...]


# -- extraction --------------------------------------------------------------------------------

_KINDS = {k.value: k for k in RefKind}


_new = object.__new__


def _position(line: int, character: int) -> Position:
    # Frozen dataclasses pay an object.__setattr__ per field in __init__; filling __dict__
    # directly builds an equal object ~2x faster, which matters for ~10^5 refs per check.
    p = _new(Position)
    d = p.__dict__
    d["line"] = line
    d["character"] = character
    return p


def _range(r: tuple[int, int, int, int], memo: dict) -> Range:
    rng = memo.get(r)
    if rng is None:
        rng = memo[r] = _new(Range)
        d = rng.__dict__
        line, col, end_line, end_col = r
        d["start"] = _position(line, col)
        d["end"] = _position(end_line, end_col)
    return rng


def ref_from_raw(raw: tuple, memo: dict | None = None) -> ImportRef:
    """An ``ImportRef`` from one scanner tuple (fields: ``raw_refs.RawField``)."""
    kind, module, name, alias, r, mr, stmt, level, flags, quote, via = raw
    memo = {} if memo is None else memo  # equal ranges (a statement's) are shared
    ref = _new(ImportRef)
    d = ref.__dict__
    d["kind"] = _KINDS[kind]
    d["module"] = module
    d["name"] = name
    d["alias"] = alias
    d["range"] = _range(r, memo)
    d["module_range"] = _range(mr, memo)
    d["statement_range"] = _range(stmt, memo)
    d["level"] = level
    d["guarded"] = bool(flags & FLAG_GUARDED)
    d["type_checking"] = bool(flags & FLAG_TYPE_CHECKING)
    d["indented"] = bool(flags & FLAG_INDENTED)
    d["unresolved_relative"] = bool(flags & FLAG_UNRESOLVED_RELATIVE)
    d["quote"] = quote
    d["via"] = via
    d["in_def"] = bool(flags & FLAG_IN_DEF)
    return ref


def file_imports_from_raw(raws: list[tuple] | tuple[tuple, ...]) -> FileImports:
    # Many small long-lived objects: keep the cyclic GC (they hold no cycles) out of the way.
    enabled = gc.isenabled()
    gc.disable()
    try:
        memo: dict = {}
        return FileImports(tuple([ref_from_raw(r, memo) for r in raws]))
    finally:
        if enabled:
            gc.enable()


def extract(source: str, module_name: str | None = None, is_package: bool = False) -> FileImports:
    """Imports, attribute uses of module imports and mock targets in ``source``.

    ``module_name``/``is_package`` say where the file sits, to resolve relative imports
    (``None``: not in a package; relative imports are then ``unresolved_relative``). Never
    raises on content: syntax errors only lose the broken statement. Refs come in source
    order (by the start of ``range``).
    """
    from importwarden.analysis.scanner import scan

    return file_imports_from_raw(scan(source, module_name, is_package))
