"""Import statements and mock targets in one file's source text.

CONTRACT (implemented below by ``extract``): the data shapes here are used by rules, fixes,
completion and hover. Extraction must tolerate syntax errors (half-typed code still yields its
other imports with exact positions) and never executes anything.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from importwarden.analysis.findings import Range


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


@dataclass(frozen=True)
class FileImports:
    refs: tuple[ImportRef, ...]
    # True when the file did not parse with the running Python's ``ast`` and a tolerant
    # fallback was used (positions still exact; attribute uses may be missing).
    recovered: bool = False
    syntax_error: str | None = None  # first error message, "line N: …", when recovered
