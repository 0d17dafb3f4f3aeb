"""Names for the fields of the plain tuples the scanner and the workspace index pass around.

The records stay plain tuples of str/int/bytes: ``marshal`` (the cache files, the process
pool) cannot write tuple subclasses such as ``NamedTuple``, and a tuple is the cheapest thing
to build ~10^5 times per check. The fields are read through these ``IntEnum`` indices (or by
unpacking the whole tuple), never by a bare number.
"""

from __future__ import annotations

import enum


class RawField(enum.IntEnum):
    """One raw ref from ``scanner.scan``:
    (kind, module, name, alias, range, module_range, statement_range, level, flags, quote, via).

    kind: "import" | "from" | "attribute" | "mock"; ranges: (line, col, end_line, end_col),
    0-based lines, code-point columns; flags: ``RefFlag`` bits; quote/via: mock targets only.
    """

    KIND = 0
    MODULE = 1
    NAME = 2
    ALIAS = 3
    RANGE = 4
    MODULE_RANGE = 5
    STATEMENT_RANGE = 6
    LEVEL = 7
    FLAGS = 8
    QUOTE = 9
    VIA = 10


RAW_FIELDS = tuple(f.name.lower() for f in RawField)


class RefFlag(enum.IntFlag):
    """Bits of ``RawField.FLAGS``: where the import sits."""

    GUARDED = 1  # in a try: whose except catches ImportError
    TYPE_CHECKING = 2  # under `if TYPE_CHECKING:`
    INDENTED = 4  # not at module level (def, class, if, try ...)
    UNRESOLVED_RELATIVE = 8  # a relative import above the top-level package
    IN_DEF = 16  # inside a def/class body (the import binds nothing at module level)


# The same bits as exact ints, for the scanner's and the ref builder's inner loops: IntFlag
# arithmetic runs Python code per operation, and ``marshal`` (the index cache) writes only
# exact ints.
FLAG_GUARDED = RefFlag.GUARDED.value
FLAG_TYPE_CHECKING = RefFlag.TYPE_CHECKING.value
FLAG_INDENTED = RefFlag.INDENTED.value
FLAG_UNRESOLVED_RELATIVE = RefFlag.UNRESOLVED_RELATIVE.value
FLAG_IN_DEF = RefFlag.IN_DEF.value


class BindingField(enum.IntEnum):
    """A module's top-level bindings from ``scanner.scan_all``:
    (defined, imported, all_names | None, star_modules, dynamic)."""

    DEFINED = 0
    IMPORTED = 1
    ALL = 2
    STARS = 3
    DYNAMIC = 4


class RecordField(enum.IntEnum):
    """One file's entry in the workspace index (``workspace.index.record_for_text``):
    (module | None, is_package, refs blob, bindings blob, tops, stars)."""

    MODULE = 0
    IS_PACKAGE = 1
    REFS = 2  # marshalled raw refs
    BINDINGS = 3  # marshalled bindings
    TOPS = 4  # NUL-joined top-level names the file's imports and mocks name
    STARS = 5  # NUL-joined modules star-imported at module level


class KeyField(enum.IntEnum):
    """A file's cache key in the workspace index: (size, mtime_ns, content digest)."""

    SIZE = 0
    MTIME_NS = 1
    DIGEST = 2
