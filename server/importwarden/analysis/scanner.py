"""A fast, tolerant, regex-driven scanner for imports, attribute uses and mock targets.

Why not ``ast``: parsing every file of a large monorepo with ``ast`` is ~10x slower than one C
regex pass, and ``ast`` gives up on the first syntax error. This scanner makes one pass over
the text for comments, string literals and the two hard keywords ``import``/``from``
(``lexer.lex``: compiled C where it was built, else one regex); strings and comments are
skipped (so ``import`` inside a docstring never counts), each import statement is parsed with
anchored regexes, and the scan resumes after it. A broken statement only loses itself.

Output is compact (tuples of str/int) so it pickles/marshals cheaply for the index cache and
the process pool; ``importwarden.analysis.imports.extract`` turns it into ``ImportRef`` objects.

The fields of one raw ref are named by ``raw_refs.RawField``, its flags by ``raw_refs.RefFlag``.
"""

from __future__ import annotations

import enum
import keyword
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import chain

from importwarden.analysis.raw_refs import (
    FLAG_GUARDED,
    FLAG_IN_DEF,
    FLAG_INDENTED,
    FLAG_TYPE_CHECKING,
    FLAG_UNRESOLVED_RELATIVE,
    RawField,
)
from importwarden.analysis.lexer import lex
from importwarden.lines import line_starts


class _Item(enum.IntEnum):
    """One name of an import statement while it is parsed: (name, start, end, alias, stop),
    ``stop`` the offset after the item (its alias included)."""

    NAME = 0
    START = 1
    END = 2
    ALIAS = 3
    STOP = 4


class _Use(enum.IntEnum):
    """One attribute use found by ``_Scan.attributes``:
    (module, name, alias, module_start, module_end, name_start, name_end)."""

    MODULE = 0
    NAME = 1
    ALIAS = 2
    MODULE_START = 3
    MODULE_END = 4
    NAME_START = 5
    NAME_END = 6

def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile``; on Python 3.10, which has no possessive quantifiers (``*+``, ``++``,
    ``?+``), they become greedy ones: the same matches on the texts the scanner sees, only
    without the guarantee against backtracking that 3.11+ gives."""
    if sys.version_info < (3, 11):
        pattern = without_possessives(pattern)
    return re.compile(pattern, flags)


def without_possessives(pattern: str) -> str:
    """A pattern's Python 3.10 form: possessive quantifiers made greedy (the scanner's
    patterns have no escaped "*", "+" or "?" before a "+")."""
    return pattern.replace("*+", "*").replace("++", "+").replace("?+", "?").replace("}+", "}")


_NAME = r"[^\W\d]\w*"
# Inside a logical line: blanks and backslash-newlines; inside brackets: newlines and comments
# too. Each text splits into their items one way only (a CR before an LF is never a break of
# its own, a comment runs to the end of its line): on Python 3.10, where the possessive ``*+``
# is a greedy ``*``, a failing match gives items back one by one instead of trying every split
# (exponential on a comment of many ``#``), and cannot take a name out of a comment.
_WS = r"(?:[ \t\f]|\\(?:\r\n|\r(?!\n)|\n))*+"
_WSP = r"(?:\s|\\(?:\r\n|\r(?!\n)|\n)|\#[^\r\n]*+(?![^\r\n]))*+"
_DOTTED = rf"{_NAME}(?:{_WS}\.{_WS}{_NAME})*"


_IMPORT_ITEM = _compile(rf"{_WS}({_DOTTED})(?:{_WS}\bas\b{_WS}({_NAME}))?")
_COMMA = _compile(rf"{_WS},")
_FROM_HEAD = _compile(rf"from{_WS}((?:\.{_WS})*)(?:({_DOTTED}){_WS})?import\b")
_FROM_STAR = _compile(rf"{_WS}\*")
# `from a.b import c, d` on one line, only spaces between the words, nothing after the names
# but the end of the line, a comment or a `;`: read without the general parse's item loop.
_FROM_PLAIN = _compile(rf"from +({_NAME}(?:\.{_NAME})*) +import +({_NAME}(?: *, *{_NAME})*+) *+"
                       r"(?=[#;\r\n]|\Z)")
_FROM_ITEM = _compile(rf"{_WS}({_NAME})(?:{_WS}\bas\b{_WS}({_NAME}))?")
_FROM_PAREN_OPEN = _compile(rf"{_WS}\(")
_FROM_PAREN_ITEM = _compile(rf"{_WSP}({_NAME})(?:{_WSP}\bas\b{_WSP}({_NAME}))?{_WSP}([,)]?)")
_FROM_PAREN_CLOSE = _compile(rf"{_WSP}\)")
_STRIP_WS = _compile(r"[\s\\]+")
_NAME_RE = _compile(_NAME)
_CHAIN = _compile(rf"{_NAME}(?:\s*+\.\s*+{_NAME})+")
_PLAIN_CHAIN = _compile(r"[\w.]+")  # a chain written without blanks
_FROM_BEFORE = _compile(r"(?:^|;)\s*from\b[^;]*$")  # a `from` statement's tail before `import`

# A call whose first argument, when it is a string literal, is a mock target. Branches start
# with literals (fast prefix scan); the word boundary before it is checked in Python.
_MOCK_CALL = _compile(r"patch(\.multiple|\.dict|\.setattr)?\s*\(\s*(?:target\s*=\s*)?")
_MOCK_PREFIXES = (("unittest.mock.", ""), ("mocker.", "mocker."), ("mock.", ""),
                  ("monkey", "monkey"), ("", ""))
_MOCK_TARGET = _compile(rf"{_NAME}(?:\.{_NAME})+\Z")

_HEADER_WORDS = (r"(?:(?:el)?if|else|try|except|finally|for|while|with|def|class|async|match"
                 r"|case)\b")
_HEADER = _compile(_HEADER_WORDS)
# A header line (group 1: its indentation), found by its line break (a literal first character
# lets ``re`` skip ahead fast; texts with a CR need the slower alternation); line 0 by a match.
_HEADER_LINE = _compile(rf"\n([ \t\f]*+){_HEADER_WORDS}")
_HEADER_LINE_CR = _compile(rf"(?:\r\n?|\n)([ \t\f]*+){_HEADER_WORDS}")
_HEADER_FIRST = _compile(rf"([ \t\f]*+){_HEADER_WORDS}")
# A line that holds code (not blank, not only a comment), found by the line break before it;
# group 1: its indentation. ``_INDENTED_LINE``: the same, indented.
_CODE_LINE = _compile(r"\n([ \t\f]*+)(?=[^ \t\f\r\n#])")
_CODE_LINE_CR = _compile(r"(?:\r\n?|\n)([ \t\f]*+)(?=[^ \t\f\r\n#])")
_INDENTED_LINE = _compile(r"\n([ \t\f]++)(?=[^ \t\f\r\n#])")
_INDENTED_LINE_CR = _compile(r"(?:\r\n?|\n)([ \t\f]++)(?=[^ \t\f\r\n#])")
_BLANKS = _compile(r"[ \t\f]*+")
_TYPE_CHECKING = _compile(r"(?:el)?if\s+(?:[\w.]+\.)?TYPE_CHECKING\s*:")
_DEF = _compile(r"(?:async\s+)?(?:def|class)\b")
_DEF_IN_LINE = _compile(r"(?:async[^\S\r\n]+)?(?:def|class)\b")  # (matched in the whole text)
_EXCEPT = _compile(r"except\b\s*\*?\s*([^:]*)")
_CATCHES_IMPORT = _compile(r"\b(?:ImportError|ModuleNotFoundError|Exception|BaseException)\b")


def _norm(dotted: str) -> str:
    return _STRIP_WS.sub("", dotted) if (" " in dotted or "\\" in dotted or "\t" in dotted
                                          or "\f" in dotted) else dotted


def resolve_relative(level: int, module: str, package: str | None) -> tuple[str, bool]:
    """Absolute module for ``from <level dots><module> import``; (best effort, unresolved)."""
    if level == 0:
        return module, False
    if not package:
        return module, True
    parts = package.split(".")
    if level - 1 >= len(parts):
        return module, True
    base = ".".join(parts[: len(parts) - (level - 1)])
    return (f"{base}.{module}" if module else base), False


class _Scan:
    """State of one scan: the text, skipped spans and raw statements found."""

    __slots__ = (
        "_hdr",
        "_hdr_iter",
        "_hdr_pos",
        "_header_cache",
        "_headers",
        "blocks",
        "cr",
        "fstrings",
        "mock_at",
        "mocks",
        "names",
        "spans",
        "stmt_spans",
        "stmts",
        "text",
    )

    def __init__(self, text: str):
        self.text = text
        self.spans: list[int] = []  # flat [start0, end0, start1, end1, ...]: strings, comments, imports
        self.stmt_spans: list[int] = []  # flat, like spans: the import statements parsed
        self.stmts: list[tuple] = []  # raw statements with offsets
        self.mocks: list[tuple] = []
        self.cr = "\r" in text  # (then lines also end at a CR)
        self._hdr: list[tuple[int, int]] | None = None  # see _header_lines
        self._hdr_iter: Iterator[re.Match[str]] | None = None
        self._hdr_pos = -1  # start of the last header line matched so far
        self._header_cache: dict[int, int] = {}
        self._headers: _Headers | None = None
        self.mock_at: dict[int, str] = {}  # offset where a mock call's first argument starts
        self.names: set[str] = set()  # column-0 bindings (when scanning for bindings)
        self.blocks: list[int] = []  # starts of module-level if/try/with/for/while blocks

    # -- spans ---------------------------------------------------------------------------------
    def inside(self, pos: int) -> bool:
        return bool(bisect_right(self.spans, pos) & 1 or bisect_right(self.stmt_spans, pos) & 1)

    # -- main pass -----------------------------------------------------------------------------
    def run(self, want_mocks: bool, bindings: bool = False) -> None:
        text = self.text
        # 1. every string literal, comment and keyword (lexer.py: in C when it was built;
        #    this is where most of the time goes)
        spans, keywords, line_candidates = lex(text)
        self.spans = spans
        # 2. import statements: parse each keyword not already inside a parsed statement
        pos = 0
        for s in keywords:
            if s < pos:
                continue
            if s and (text[s - 1].isalnum() or text[s - 1] in "_."):
                continue
            if text[s] == "i":
                pos = self._import_stmt(s)
            else:
                pos = self._from_stmt(s)
        # 3. mock targets: string literals right after a mock call's parenthesis
        if want_mocks:
            self._mock_sites()
            for site, via in self.mock_at.items():
                lit = site
                while lit < site + 2 and text[lit : lit + 1] in ("r", "R", "u", "U"):
                    lit += 1  # a raw/unicode prefix
                i = bisect_right(spans, lit)
                if i & 1 and spans[i - 1] == lit and text[lit : lit + 1] in ("'", '"'):
                    self._maybe_mock(lit, spans[i], via, site)
        # 4. column-0 bindings for the index: lines that start with a name, "(" or "[" outside
        #    strings and comments (the lexer found them), matched where they start
        if bindings:
            found = [m for off in line_candidates if (m := _COL0_AT.match(text, off)) is not None]
            first = _COL0_AT.match(text)
            if first is not None:
                found.insert(0, first)
            names, blocks = self.names, self.blocks
            iskeyword = keyword.iskeyword
            for m in found:
                off = m.start(1)
                if bisect_right(spans, off) & 1:
                    continue  # (inside a string)
                _line, block, defname, classname, targets = m.groups()
                if block is not None:
                    blocks.append(off)
                elif defname is not None:
                    names.add(defname)
                elif classname is not None:
                    names.add(classname)
                elif targets is not None:
                    if "," in targets or "*" in targets:
                        _add_bind(None, None, targets, names)
                    elif not iskeyword(targets):  # (one name: what _names_of would give)
                        names.add(targets)
                    if text[m.end() - 1] == "=":
                        _chained(text, m.end(), names)
                else:  # a line opening a bracket (the only match without a group)
                    mt = _MULTILINE_TARGETS.match(text, off)  # (A,\n B) = ...
                    if mt is not None:
                        _add_bind(None, None, mt.group(1), names)

    def is_fstring(self, start: int) -> bool:
        text = self.text
        p = start - 1
        while p >= 0 and p > start - 3 and text[p] in "fFrRbBuU":
            p -= 1
        if p >= 0 and (text[p].isalnum() or text[p] == "_"):
            return False
        return "f" in text[p + 1 : start].lower()

    def _mock_sites(self) -> None:
        text = self.text
        sites = self.mock_at
        for m in _MOCK_CALL.finditer(text):
            s = m.start()
            suffix = m.group(1) or ""
            before = text[max(0, s - 14) : s]
            for prefix, via in _MOCK_PREFIXES:
                if before.endswith(prefix):
                    b = s - len(prefix) - 1
                    if b >= 0 and (text[b].isalnum() or text[b] in "_."):
                        continue
                    break
            else:
                continue
            if (via == "monkey") != (suffix == ".setattr"):
                continue
            sites[m.end()] = f"{via}patch{suffix}"

    def _maybe_mock(self, s: int, e: int, via: str, lit_start: int | None = None) -> None:
        lit_start = s if lit_start is None else lit_start
        text = self.text
        q = text[s : s + 3] if text.startswith(text[s] * 3, s) else text[s]
        cs, ce = s + len(q), e - len(q)
        if ce < cs or text[ce:e] != q:
            return  # unterminated
        body = text[cs:ce]
        if "\\" in body or not _MOCK_TARGET.match(body):
            return
        self.mocks.append((body, cs, ce, lit_start, e, q, via))

    # -- statements ----------------------------------------------------------------------------
    def _line_prefix(self, s: int) -> str:
        text = self.text
        ls = max(text.rfind("\n", 0, s), text.rfind("\r", 0, s)) + 1
        return text[ls:s]

    def _import_stmt(self, s: int) -> int:
        text = self.text
        prefix = self._line_prefix(s)
        if prefix.strip() and _FROM_BEFORE.search(prefix):
            return s + 6  # tail of a `from` statement we could not parse: not an import
        pos = s + 6
        items = []
        while True:
            m = _IMPORT_ITEM.match(text, pos)
            if m is None:
                break
            dotted = m.group(1)
            if keyword.iskeyword(dotted.split(".", 1)[0].strip()):
                break
            items.append((_norm(dotted), m.start(1), m.end(1), m.group(2), m.end()))
            pos = m.end()
            c = _COMMA.match(text, pos)
            if c is None:
                break
            pos = c.end()
        if not items:
            return s + 6
        end = items[-1][_Item.STOP]
        self.stmts.append(("import", s, end, items, 0, None, 0, 0))
        self.stmt_spans.append(s)
        self.stmt_spans.append(end)
        return end

    def _from_stmt(self, s: int) -> int:
        text = self.text
        plain = _FROM_PLAIN.match(text, s)
        if plain is not None:  # (most statements: what the general parse below would give)
            dotted = plain.group(1)
            names = [(n.group(), n.start(), n.end())
                     for n in _NAME_RE.finditer(text, plain.start(2), plain.end(2))]
            if not keyword.iskeyword(dotted.partition(".")[0]) and not any(
                    keyword.iskeyword(name) for name, _a, _b in names):
                end = names[-1][2]
                self.stmts.append(("from", s, end, [(name, a, b, None, b) for name, a, b in names],
                                   0, dotted, plain.start(1), plain.end(1)))
                self.stmt_spans.append(s)
                self.stmt_spans.append(end)
                return end
        h = _FROM_HEAD.match(text, s)
        if h is None:
            return s + 4
        dots = h.group(1)
        level = dots.count(".")
        dotted = h.group(2)
        if dotted is not None and keyword.iskeyword(dotted.split(".", 1)[0].strip()):
            return s + 4
        if level == 0 and dotted is None:
            return s + 4
        mod_start = h.start(1) if level else h.start(2)
        mod_end = h.end(2) if dotted is not None else h.start(1) + len(dots.rstrip(" \t\f\\\r\n"))
        module = _norm(dotted) if dotted is not None else ""
        pos = h.end()
        items = []
        st = _FROM_STAR.match(text, pos)
        if st is not None:
            items.append(("*", st.end() - 1, st.end(), None, st.end()))
            end = st.end()
        else:
            po = _FROM_PAREN_OPEN.match(text, pos)
            if po is not None:
                pos = po.end()
                end = pos
                while True:
                    m = _FROM_PAREN_ITEM.match(text, pos)
                    if m is None or keyword.iskeyword(m.group(1)):
                        break
                    alias = m.group(2)
                    if alias is not None and keyword.iskeyword(alias):
                        break
                    sep = m.group(3)
                    if not sep and m.end() < len(text):
                        # unclosed paren running into other code: keep the name only if the
                        # statement visibly ends there (end of text)
                        break
                    items.append((m.group(1), m.start(1), m.end(1), alias, m.end()))
                    end = m.end()
                    pos = m.end()
                    if sep != ",":
                        break  # closed, or the end of the text
                if items and text[end - 1] != ")":
                    c = _FROM_PAREN_CLOSE.match(text, end)
                    if c is not None:
                        end = c.end()
                    else:
                        # unclosed: the statement ends after the last name parsed
                        end = items[-1][_Item.STOP]
                        end = len(text[:end].rstrip(" \t\f\r\n,"))
                if not items:
                    end = po.end()
            else:
                while True:
                    m = _FROM_ITEM.match(text, pos)
                    if m is None or keyword.iskeyword(m.group(1)):
                        break
                    alias = m.group(2)
                    items.append((m.group(1), m.start(1), m.end(1), alias, m.end()))
                    pos = m.end()
                    c = _COMMA.match(text, pos)
                    if c is None:
                        break
                    pos = c.end()
                end = items[-1][_Item.STOP] if items else h.end()
        if items:
            self.stmts.append(("from", s, end, items, level, module, mod_start, mod_end))
        self.stmt_spans.append(s)
        self.stmt_spans.append(end)
        return end

    # -- context: indentation, TYPE_CHECKING, try/except ImportError ------------------------------
    # Lines are found by offset, not through a table of all lines: a line starts at 0 and after
    # each line break (\r\n, \r or \n); only the lines that matter (the statement's, the block
    # headers found by one regex pass, a try block's clauses) are looked at.
    def _line_start(self, pos: int) -> int:
        """Start of the line holding offset ``pos`` (not the LF of a CRLF)."""
        text = self.text
        if self.cr:
            return max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
        return text.rfind("\n", 0, pos) + 1

    def _line_end(self, ls: int) -> int:
        """Offset of the line break ending the line that starts at ``ls`` (or the text's end)."""
        text = self.text
        e = text.find("\n", ls)
        if self.cr:
            r = text.find("\r", ls)
            if r >= 0 and (e < 0 or r < e):
                e = r
        return e if e >= 0 else len(text)

    def _indent_at(self, ls: int) -> tuple[int, int]:
        """(number of leading blank characters, indentation width with tabs at 8) of the line
        starting at ``ls``."""
        ws = _BLANKS.match(self.text, ls).group()  # type: ignore[union-attr]
        k = len(ws)
        return k, (len(ws.expandtabs(8)) if "\t" in ws else k)

    def _logical_start(self, ls: int) -> int:
        # A line that begins inside a string/comment/import span continues an earlier line.
        text = self.text
        while ls > 0 and self.inside(ls) and not self._span_starts_at(ls):
            brk = ls - 2 if ls >= 2 and text[ls - 1] == "\n" and text[ls - 2] == "\r" else ls - 1
            ls = self._line_start(brk)
        return ls

    def _span_starts_at(self, pos: int) -> bool:
        i = bisect_right(self.spans, pos)
        if i & 1:
            return self.spans[i - 1] == pos
        i = bisect_right(self.stmt_spans, pos)
        return bool(i & 1) and self.stmt_spans[i - 1] == pos

    def context(self, s: int) -> int:
        """``RefFlag`` bits (as an exact int) for a statement starting at offset ``s``."""
        prefix = self._line_prefix(s)
        if not prefix:
            return 0  # column 0 of a physical line: module level (or an invalid continuation)
        rest = prefix.lstrip(" \t\f")
        ls = s - len(prefix)
        ls0 = self._logical_start(ls)
        k, width = self._indent_at(ls0)
        flags = 0
        if ls0 != ls or rest:
            # statement after `;` or after a same-line header (`if TYPE_CHECKING: import x`)
            head = self.text[ls0 + k : self._line_end(ls0)] if ls0 != ls else rest
            if _HEADER.match(head):
                flags |= self._own_flags(head, ls0, width) | FLAG_INDENTED
        if width == 0:
            return flags
        flags |= FLAG_INDENTED
        return flags | self._enclosing(ls0, width)

    def _header_lines(self, upto: int) -> list[tuple[int, int]]:
        """(line start, indentation width) of the header lines (``if``/``try``/``def``… first
        on a line that does not continue a string or an import statement), in text order, at
        least all those starting before ``upto``: one regex pass over the text, taken only as
        far as asked (the imports of a module are mostly near its top)."""
        found = self._hdr
        if found is None:
            text = self.text
            found = self._hdr = []
            first = _HEADER_FIRST.match(text)
            matches = (_HEADER_LINE_CR if self.cr else _HEADER_LINE).finditer(text)
            self._hdr_iter = chain((first,), matches) if first is not None else matches
        if self._hdr_pos < upto:
            for m in self._hdr_iter:
                ls = self._hdr_pos = m.start(1)
                if not (self.inside(ls) and not self._span_starts_at(ls)):
                    ws = m.group(1)
                    found.append((ls, len(ws.expandtabs(8)) if "\t" in ws else len(ws)))
                if ls >= upto:
                    break
            else:
                self._hdr_pos = len(self.text) + 1  # (all found)
        return found

    def _enclosing(self, ls: int, width: int) -> int:
        """Flags of the blocks enclosing the line starting at ``ls`` (indentation ``width``):
        those of the nearest header line above with a smaller indentation, and of the blocks
        enclosing it.

        Statements come in text order, so one forward pass over the header lines keeps those
        that can still enclose something (``_Headers``); walking back for every indented
        import was quadratic in a long block. A query for a line the pass has already gone
        beyond (not expected) walks back as before."""
        headers = self._headers
        if headers is None:
            headers = self._headers = _Headers()
        if ls < headers.next_off:
            return self._enclosing_walk(ls, width)
        found = self._header_lines(ls)
        i, n = headers.index, len(found)
        while i < n and found[i][0] < ls:
            headers.push(*found[i])
            i += 1
        headers.index = i
        headers.next_off = ls
        at = headers.nearest(width)
        return self._header_flags(at) if at is not None else 0

    def _header_flags(self, ls: int) -> int:
        """Flags of the header line starting at ``ls``: its own and those of the blocks
        enclosing it."""
        cache, parent = self._header_cache, self._headers.parent  # type: ignore[union-attr]
        chain = []  # (up the enclosing headers to one already known: no recursion)
        at: int | None = ls
        while at is not None and at not in cache:
            chain.append(at)
            at = parent[at]
        flags = cache[at] if at is not None else 0
        for header in reversed(chain):
            k, w = self._indent_at(header)
            flags |= self._own_flags(self.text[header + k : self._line_end(header)], header, w)
            cache[header] = flags
        return cache[ls]

    def _enclosing_walk(self, ls: int, width: int) -> int:
        """``_enclosing`` by walking back from ``ls`` (the reference the tests compare to)."""
        found = self._header_lines(ls)
        j = bisect_left(found, (ls,)) - 1  # (the last header line before ``ls``)
        while j >= 0:
            start, w = found[j]
            if w < width:
                cached = self._header_cache.get(start)
                if cached is None:
                    k = self._indent_at(start)[0]
                    cached = self._own_flags(self.text[start + k : self._line_end(start)],
                                             start, w)
                    if w > 0:
                        cached |= self._enclosing_walk(start, w)
                    self._header_cache[start] = cached
                return cached
            j -= 1
        return 0

    def _own_flags(self, head: str, ls: int, width: int) -> int:
        if _DEF.match(head):
            return FLAG_IN_DEF
        if head.startswith("try") and self._try_catches_import(ls, width):
            return FLAG_GUARDED
        if head[0] in "ie" and _TYPE_CHECKING.match(head):
            return FLAG_TYPE_CHECKING
        return 0

    def _try_catches_import(self, ls: int, width: int) -> bool:
        """Whether the ``try`` on the line starting at ``ls`` (indentation ``width``) has an
        ``except`` clause for ImportError: the lines after it, to the first one indented less
        or not a clause of this try."""
        text = self.text
        for m in (_CODE_LINE_CR if self.cr else _CODE_LINE).finditer(text, ls):
            ws = m.group(1)
            w = len(ws.expandtabs(8)) if "\t" in ws else len(ws)
            if w > width:
                continue
            start = m.start(1)
            if self.inside(start) and not self._span_starts_at(start):
                continue
            if w < width:
                return False
            off = m.end()
            if text.startswith("except", off):
                e = _EXCEPT.match(text, off, self._line_end(start))
                clause = e.group(1) if e else ""
                if "(" in clause and ")" not in clause:
                    # multi-line tuple: read on to the colon
                    colon = text.find(":", off)
                    clause = text[off:colon if colon >= 0 else None]
                    clause = clause[6:]
                cl = clause.split(" as ")[0].strip()
                if not cl or _CATCHES_IMPORT.search(cl):
                    return True
                continue
            if text.startswith(("else", "finally"), off):
                continue
            return False
        return False

    # -- attribute uses ----------------------------------------------------------------------
    def attributes(self, imported: dict[str, str]) -> list[tuple]:
        """(module, name, alias, mod_start, mod_end, name_start, name_end) for each use.

        ``imported`` maps what the code writes (``a.b`` for ``import a.b``, ``m`` for
        ``import a.b as m``) to the module. ``str.find`` of ``top.`` for each top-level name
        finds the chains (``top .x`` with a blank before the dot is not seen); the longest
        imported prefix of a chain wins, and the next component is the attribute.
        """
        if not imported:
            return []
        text = self.text
        out: list[tuple] = []
        spans = self.spans
        stmt_spans = self.stmt_spans
        find = text.find
        for top in {k.partition(".")[0] for k in imported}:
            needle = top + "."
            s = find(needle)
            while s >= 0:
                if s and (text[s - 1].isalnum() or text[s - 1] in "_."):
                    s = find(needle, s + 1)
                    continue
                i = bisect_right(spans, s)
                if (i & 1 and not self._in_fstring_expr(spans[i - 1], s)) or (
                        bisect_right(stmt_spans, s) & 1):
                    s = find(needle, s + 1)
                    continue
                m = _CHAIN.match(text, s)
                if m is None:
                    s = find(needle, s + 1)
                    continue
                self._attr_hit(m, imported, out)
                s = find(needle, m.end())
        out.sort(key=lambda use: use[_Use.NAME_START])
        return out

    def _attr_hit(self, m: re.Match, imported: dict[str, str], out: list) -> None:
        chain = m.group()
        plain = _PLAIN_CHAIN.fullmatch(chain) is not None  # no blanks: offsets by lengths
        names = chain.split(".") if plain else _NAME_RE.findall(chain)
        for j in range(len(names) - 1, 0, -1):
            key = ".".join(names[:j])
            if key in imported:
                break
        else:
            return
        if j + 1 == len(names) and (chain if plain else ".".join(names)) in imported:
            return
        name = names[j]
        if keyword.iskeyword(name):
            return
        base = m.start()
        module = imported[key]
        alias = key if j == 1 and module != key else None
        if plain:
            mod_end = base + len(key)
            out.append((module, name, alias, base, mod_end, mod_end + 1,
                        mod_end + 1 + len(name)))
            return
        starts, ends = zip(*(c.span() for c in _NAME_RE.finditer(chain)))
        out.append((module, name, alias, base + starts[0], base + ends[j - 1],
                    base + starts[j], base + ends[j]))

    def _in_fstring_expr(self, s: int, pos: int) -> bool:
        if self.text[s] == "#" or not self.is_fstring(s):
            return False
        body = self.text[s:pos].replace("{{", "").replace("}}", "")
        depth = 0
        last = 0
        for i, ch in enumerate(body):
            if ch == "{":
                depth += 1
                last = i
            elif ch == "}":
                depth -= 1
        if depth <= 0:
            return False
        # a quote with an odd count since the brace: inside a string in the expression
        expr = body[last:]
        return expr.count("'") % 2 == 0 and expr.count('"') % 2 == 0


class _Lines:
    """Offset -> (line, col) for increasing offsets, counting newlines in C."""

    __slots__ = ("cr", "line", "off", "starts", "text")

    def __init__(self, text: str, starts: list[int] | None):
        self.text = text
        self.cr = "\r" in text
        self.starts = starts
        if self.cr and starts is None:
            self.starts = line_starts(text)
        self.off = 0
        self.line = 0

    def __call__(self, pos: int) -> tuple[int, int]:
        if self.cr:
            li = bisect_right(self.starts, pos) - 1
            return li, pos - self.starts[li]
        text = self.text
        if pos < self.off:
            self.line -= text.count("\n", pos, self.off)
        else:
            self.line += text.count("\n", self.off, pos)
        self.off = pos
        return self.line, pos - text.rfind("\n", 0, pos) - 1


class _Headers:
    """The header lines (``if``/``try``/``def``… at the start of a logical line) that can
    still enclose a later line, by increasing indentation: a header is dropped when one at
    the same or a smaller indentation follows it (that one is nearer for every later line it
    could enclose). Lines are named by the offset where they start; ``parent[j]``: the header
    enclosing header ``j`` (None at column 0)."""

    __slots__ = ("index", "lines", "next_off", "parent", "widths")

    def __init__(self) -> None:
        self.next_off = 0  # header lines starting before this offset have been pushed
        self.index = 0  # (the next of ``_Scan._header_lines`` to push)
        self.widths: list[int] = []
        self.lines: list[int] = []
        self.parent: dict[int, int | None] = {}

    def nearest(self, width: int) -> int | None:
        """The nearest header line so far indented less than ``width``."""
        i = bisect_left(self.widths, width)
        return self.lines[i - 1] if i else None

    def push(self, line: int, width: int) -> None:
        self.parent[line] = self.nearest(width) if width > 0 else None
        i = bisect_left(self.widths, width)
        del self.widths[i:], self.lines[i:]
        self.widths.append(width)
        self.lines.append(line)


def _wants_mocks(text: str) -> bool:
    return "patch" in text


# -- the statement being typed (completion) ------------------------------------------------------

_TYPED_DOTTED = _compile(rf"{_WS}((?:{_NAME}\.)*(?:{_NAME})?)\Z")  # `a.b`, `a.`, ``
_TYPED_FROM_MODULE = _compile(rf"from{_WS}((?:\.{_WS})*(?:{_NAME}\.)*(?:{_NAME})?)\Z")
_TYPED_NAME = _compile(rf"{_WS}({_NAME})?\Z")
_TYPED_PAREN_NAME = _compile(rf"{_WSP}({_NAME})?\Z")
_PAREN_NAME = _compile(rf"{_WSP}({_NAME})(?:{_WSP}\bas\b{_WSP}({_NAME}))?")
_PAREN_COMMA = _compile(rf"{_WSP},")


def _starts_with_keyword(text: str, word: str) -> bool:
    n = len(word)
    return text.startswith(word) and not (len(text) > n and (text[n].isalnum() or text[n] == "_"))


def typed_import(text: str) -> tuple[str, str, int, str] | None:
    """What is being typed at the end of ``text``, an import statement cut at the cursor, read
    with the grammar ``scan`` parses: ("module", "", 0, prefix) for the dotted module after
    ``import`` / ``from`` (``prefix`` as written, leading dots included), ("name", module,
    level, prefix) for a name after ``from <level dots><module> import`` (also inside an open
    parenthesis, over lines), None anywhere else (an alias, after ``)``, not an import)."""
    if _starts_with_keyword(text, "import"):
        return _typed_item(text, len("import"), _TYPED_DOTTED, _IMPORT_ITEM, _COMMA, "module",
                           "", 0)
    if not _starts_with_keyword(text, "from"):
        return None
    typed = _TYPED_FROM_MODULE.match(text)
    if typed is not None:
        return ("module", "", 0, typed.group(1)) if typed.start(1) > len("from") else None
    head = _FROM_HEAD.match(text)
    if head is None or (head.group(2) is None and not head.group(1)):
        return None
    level = head.group(1).count(".")
    module = _norm(head.group(2)) if head.group(2) is not None else ""
    paren = _FROM_PAREN_OPEN.match(text, head.end())
    if paren is not None:
        return _typed_item(text, paren.end(), _TYPED_PAREN_NAME, _PAREN_NAME, _PAREN_COMMA,
                           "name", module, level)
    return _typed_item(text, head.end(), _TYPED_NAME, _FROM_ITEM, _COMMA, "name", module, level)


def _typed_item(text: str, pos: int, typed_re: re.Pattern, item_re: re.Pattern,
                comma_re: re.Pattern, kind: str, module: str,
                level: int) -> tuple[str, str, int, str] | None:
    """Skip the complete ``item, `` of a statement from ``pos``; the last item, when it runs
    to the end of the text after a blank or a separator, is the one being typed."""
    while True:
        typed = typed_re.match(text, pos)
        if typed is not None:
            prefix = typed.group(1) or ""
            gap = len(typed.group()) > len(prefix)
            if (gap or text[pos - 1] in ",(") and not keyword.iskeyword(prefix.partition(".")[0]):
                return kind, module, level, prefix
            return None
        item = item_re.match(text, pos)
        comma = comma_re.match(text, item.end()) if item is not None else None
        if comma is None:
            return None
        pos = comma.end()


def typed_mock_target(text: str) -> str | None:
    """The dotted target typed so far when ``text`` ends inside the first string argument of
    a mock call (the calls ``scan`` reads targets from: ``patch``, ``mocker.patch``,
    ``patch.dict``, ``patch.multiple``, ``monkeypatch.setattr`` ...), else None."""
    if "patch" not in text:
        return None
    sc = _Scan(text)
    sc._mock_sites()
    for site in sc.mock_at:
        m = _TYPED_MOCK.match(text, site)
        if m is not None:
            return m.group(1)
    return None


_TYPED_MOCK = _compile(r"[rRuU]?['\"]([\w.]*)\Z")


def scan(text: str, module_name: str | None = None, is_package: bool = False,
         attributes: bool = True) -> list[tuple]:
    """Raw refs (see module docstring) for ``text``, in source order."""
    sc = _Scan(text)
    sc.run(_wants_mocks(text))
    return _refs(sc, module_name, is_package, attributes)


def _refs(sc: _Scan, module_name: str | None, is_package: bool, attributes: bool) -> list[tuple]:
    text = sc.text
    if module_name is None:
        package = None
    else:
        package = module_name if is_package else module_name.rpartition(".")[0]
    pos = _Lines(text, None)

    def rng(a: int, b: int) -> tuple[int, int, int, int]:
        return (*pos(a), *pos(b))

    out: list[tuple] = []
    append = out.append
    imported: dict[str, str] = {}
    find, cr = text.find, sc.cr
    for kind, s, e, items, level, module, ms, me in sc.stmts:
        flags = sc.context(s)
        line, col = pos(s)
        # one line (most statements): columns by arithmetic from ``base``
        one_line = find("\n", s, e) < 0 and not (cr and find("\r", s, e) >= 0)
        base = col - s
        srange = (line, col, line, e + base) if one_line else rng(s, e)
        if kind == "import":
            for dotted, a, b, alias, _ in items:
                r = (line, a + base, line, b + base) if one_line else rng(a, b)
                append(("import", dotted, None, alias, r, r, srange, 0, flags, "", ""))
                imported[alias or dotted] = dotted
        else:
            absmod, unresolved = resolve_relative(level, module, package)
            if unresolved:
                flags |= FLAG_UNRESOLVED_RELATIVE
            mrange = (line, ms + base, line, me + base) if one_line else rng(ms, me)
            for name, a, b, alias, _ in items:
                append(("from", absmod, name, alias,
                        (line, a + base, line, b + base) if one_line else rng(a, b), mrange,
                        srange, level, flags, "", ""))
    if sc.mocks:
        for body, cs, ce, ls, le, q, via in sc.mocks:
            r = rng(cs, ce)
            out.append(("mock", body, None, None, r, r, rng(ls, le), 0, 0, q, via))
    if attributes and imported:
        for module, name, alias, ms, me, ns, ne in sc.attributes(imported):
            line, col = pos(ms)
            if "\n" in text[ms:ne] or "\r" in text[ms:ne]:
                out.append(("attribute", module, name, alias, rng(ns, ne), rng(ms, me),
                            rng(ms, ne), 0, 0, "", ""))
            else:
                b = col - ms
                out.append(("attribute", module, name, alias, (line, ns + b, line, ne + b),
                            (line, col, line, me + b), (line, col, line, ne + b), 0, 0, "", ""))
    out.sort(key=_by_position)
    return out


_RANGE = RawField.RANGE.value  # (an exact int: this key runs for every ref)


def _by_position(raw: tuple) -> tuple[int, int]:
    line, col, _end_line, _end_col = raw[_RANGE]
    return line, col


# -- top-level bindings (for the workspace index) ------------------------------------------------

_TARGET = rf"\*?{_NAME}"
# After the targets: blanks, an optional comma, an optional closing bracket, the operator. No
# two blank runs are side by side (``[ \t]*,?[ \t]*`` was): a line that fails there gives each
# blank back once instead of trying every split of a run between them (quadratic, cubic with
# three runs), without possessives, so also on Python 3.10.
_COL0_BIND_SRC = (
    rf"(?:(?:async[ \t]+)?def[ \t]+({_NAME})"
    rf"|class[ \t]+({_NAME})"
    rf"|(?:[(\[][ \t]*)?({_TARGET}(?:[ \t]*,[ \t]*{_TARGET})*+)"
    rf"[ \t]*(?:,[ \t]*)?(?:[)\]][ \t]*)?"
    rf"(?:=(?!=)|:(?!=)|(?:[-+*/%&|^@]|<<|>>|\*\*|//)=))"
)
_COL0_BIND = _compile(_COL0_BIND_SRC)
_CHAINED = _compile(rf"[ \t]*({_NAME}(?:[ \t]*,[ \t]*{_NAME})*+)[ \t]*=(?!=)")
_MULTILINE_TARGETS = _compile(  # (the same shape after the targets as above)
    rf"[(\[]\s*({_NAME}(?:\s*,\s*{_NAME})*+)\s*(?:,\s*)?[)\]]\s*=(?!=)")
_BLOCK0 = _compile(r"(?:if|try|with|for|while|async[ \t]+(?:with|for))\b")
_CONTINUES = _compile(r"(?:else|elif|except|finally)\b")
_NEXT_COL0 = _compile(r"(?:\r\n?|\n)(?=[^\s#])")
# A line that starts with a name, "(" or "[" (group 1: empty, where the line starts), then
# what it begins: a module-level block (2), or a def (3), class (4) or assignment targets (5).
# One regex for all of it, matched at the line starts the lexer gives (``lexer.lex``: outside
# strings and comments); it matches no line that begins nothing of these (a call, an import,
# ...), and every line opening a bracket.
_COL0_LINE_SRC = (rf"()(?=[^\W\d]|[(\[])"
                  rf"(?:({_BLOCK0.pattern})|{_COL0_BIND_SRC}|(?=[(\[]))")
_COL0_AT = _compile(_COL0_LINE_SRC)
# (literal first for a fast search; "in column 0" is checked by the caller)
_ALL = _compile(r"__all__[ \t]*(?::[^=\n]*)?(\+?=)[ \t]*([\[(])")
_ALL_EXT = _compile(r"__all__\.(?:extend|append)\(")
_STR_ITEM = _compile(r"""['"]([^'"\\]+)['"]""")


def _names_of(group: str) -> list[str]:
    return [t.strip().lstrip("*").strip() for t in group.split(",") if t.strip()]


def scan_all(text: str, module_name: str | None = None, is_package: bool = False,
             attributes: bool = True) -> tuple[list[tuple], tuple]:
    """Refs plus the module's top-level bindings, sharing one scan.

    Bindings: (defined, imported, all_names | None, star_modules, dynamic) where ``defined``
    are the names bound at module level by defs, classes and assignments (also inside
    module-level if/try/with/for/while blocks), ``imported`` those bound only by module-level
    imports (``import a.b`` binds ``a``), ``all_names`` is a literal ``__all__`` when one is found,
    ``star_modules`` the absolute modules of module-level ``from M import *``, and ``dynamic``
    means a module-level ``__getattr__`` (the module binds anything).
    """
    sc = _Scan(text)
    sc.run(_wants_mocks(text), bindings=True)
    refs = _refs(sc, module_name, is_package, attributes)
    names = sc.names
    # names bound inside module-level compound blocks (walk only those blocks, line by line)
    for start in sc.blocks:
        nxt = _NEXT_COL0.search(text, start)
        while nxt is not None and (sc.inside(nxt.start()) or _CONTINUES.match(text, nxt.end())):
            nxt = _NEXT_COL0.search(text, nxt.end())
        end = nxt.end() if nxt is not None else len(text)
        _block_bindings(sc, start, end, names)
    stars: list[str] = []
    imported: set[str] = set()
    for kind, module, name, alias, _r, _mr, _sr, _level, flags, _quote, _via in refs:
        if kind == "attribute" or kind == "mock" or flags & FLAG_IN_DEF:
            continue
        if kind == "import":
            imported.add(alias or module.split(".", 1)[0])
        elif name == "*":
            stars.append(module)
        else:
            imported.add(alias or name)
    all_names: list[str] | None = None
    for m in _ALL.finditer(text) if "__all__" in text else ():
        if sc.inside(m.start()) or (m.start() and text[m.start() - 1] not in "\r\n"):
            continue
        close = "]" if m.group(2) == "[" else ")"
        stop = text.find(close, m.end())
        found = _STR_ITEM.findall(text, m.end(), stop if stop >= 0 else len(text))
        all_names = (all_names or []) + found if m.group(1) == "+=" else found
    for m in _ALL_EXT.finditer(text) if "__all__." in text else ():
        if not sc.inside(m.start()) and not (m.start() and text[m.start() - 1] not in "\r\n"):
            stop = text.find(")", m.end())
            all_names = (all_names or []) + _STR_ITEM.findall(text, m.end(), stop)
    dynamic = "__getattr__" in names
    names.discard("__all__")
    return refs, (tuple(sorted(names)), tuple(sorted(imported - names)),
                  None if all_names is None else tuple(all_names), tuple(stars), dynamic)


def _block_bindings(sc: _Scan, start: int, end: int, names: set[str]) -> None:
    """Names bound by the indented lines of one module-level if/try/with/for/while block
    (those starting after ``start`` up to ``end``), outside any def/class body: one forward
    pass keeping a stack of open blocks."""
    text = sc.text
    last = max(start, end - 1)  # (the last offset where a line of the block can start)
    stack: list[int] = []  # indentations of the open blocks
    is_def: list[bool] = []  # (the same blocks) whether each is a def/class
    defs = 0
    for line in (_INDENTED_LINE_CR if sc.cr else _INDENTED_LINE).finditer(text, start):
        ls = line.start(1)
        if ls > last:
            break
        if sc.inside(ls) and not sc._span_starts_at(ls):
            continue  # inside a multi-line string or import statement
        ws = line.group(1)
        w = len(ws.expandtabs(8)) if "\t" in ws else len(ws)
        while stack and stack[-1] >= w:
            stack.pop()
            defs -= is_def.pop()
        k = line.end()
        if _DEF_IN_LINE.match(text, k):
            if not defs:
                m = _COL0_BIND.match(text, k)
                if m is not None:
                    _add_bind(m.group(1), m.group(2), m.group(3), names)
            stack.append(w)
            is_def.append(True)
            defs += 1
        elif _HEADER.match(text, k):
            stack.append(w)
            is_def.append(False)
        elif not defs:
            m = _COL0_BIND.match(text, k)
            if m is not None:
                _bind_match(m, text, names)


def _bind_match(m: re.Match, text: str, names: set[str]) -> None:
    _bind_groups(m.group(1), m.group(2), m.group(3), m.end(), text, names)


def _bind_groups(defname: str | None, classname: str | None, targets: str | None, end: int,
                 text: str, names: set[str]) -> None:
    _add_bind(defname, classname, targets, names)
    if targets and text[end - 1] == "=":
        _chained(text, end, names)


def _chained(text: str, end: int, names: set[str]) -> None:
    """The further targets of a chained assignment (a = b = value) after offset ``end``."""
    c = _CHAINED.match(text, end)
    while c is not None:
        _add_bind(None, None, c.group(1), names)
        c = _CHAINED.match(text, c.end())


def _add_bind(defname: str | None, classname: str | None, targets: str | None,
              names: set[str]) -> None:
    if defname:
        names.add(defname)
    elif classname:
        names.add(classname)
    elif targets:
        for t in _names_of(targets):
            if t and not keyword.iskeyword(t):
                names.add(t)
