"""The scanner's first pass: where every comment, string literal and ``import``/``from``
keyword of a source text is.

``lex(text)`` gives ``(spans, keywords, lines)``: the comments and string literals as one flat
list of code point offsets ``[start0, end0, start1, end1, ...]``, the start of each ``import``
and ``from`` word (whether a word ends before it is the caller's check), and the start of each
line that may bind a name at column 0 (``LINE_CANDIDATE``: the scanner's bindings pass then
matches only there, not inside the docstrings that hold most lines of real code). The compiled
``importwarden.analysis._lexer`` (``_lexer.c``) does it when it was built; ``lex_py``, the
regex it was written from, is the fallback and the reference it is tested against
(tests/unit/analysis/test_lexer.py). ``IMPORTWARDEN_PURE_PYTHON=1`` in the environment makes
importwarden use the fallback, to compare the two.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right

# comments | '''…''' | """…""" | '…' | "…" | import | from. Every branch starts with a literal
# character so ``re`` can skip to candidate positions with its charset prefix scan (a leading
# group or ``\b`` would disable that and cost ~5x); the branch is told apart by the match's
# first character. Unterminated strings end at the end of the line (one quote) or the text.
MASTER_SRC = (
    r"#[^\r\n]*"
    r"|'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*(?:'''|\Z)"
    r'|"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*(?:"""|\Z)'
    r"|'[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'?"
    r'|"[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"?'
    r"|import\b"
    r"|from\b"
)
MASTER = re.compile(MASTER_SRC)
# A line break (outside the spans, checked apart) before what a column-0 binding can start with:
# a name's first character (any non-ASCII one, to keep the test simple), "(" or "[".
LINE_CANDIDATE = re.compile(r"[\r\n](?=[A-Za-z_(\[\x80-\U0010ffff])")


def lex_py(text: str) -> tuple[list[int], list[int], list[int]]:
    """``lex`` with the regex (list comprehensions over one ``finditer``: no Python loop body
    runs per literal)."""
    found = [m.span() for m in MASTER.finditer(text)]
    keywords = [s for s, _e in found if text[s] in "if"]
    if keywords:
        spans = [x for sp in found if text[sp[0]] not in "if" for x in sp]
    else:
        spans = [x for sp in found for x in sp]
    lines = [m.end() for m in LINE_CANDIDATE.finditer(text) if not bisect_right(spans, m.start()) & 1]
    return spans, keywords, lines


# The shape of ``lex``'s answer; ``_lexer.c`` says which one it gives (its ``VERSION``).
VERSION = 2


def _compiled():
    if os.environ.get("IMPORTWARDEN_PURE_PYTHON"):
        return None
    try:
        from importwarden.analysis._lexer import VERSION as built, lex as compiled
    except ImportError:  # not built (no compiler at install time, another platform)
        return None
    # (a stale in-place build, e.g. an editable install not rebuilt after a pull)
    return compiled if built == VERSION else None


lex_c = _compiled()
COMPILED = lex_c is not None
lex = lex_c or lex_py
