"""A fast, tolerant, regex-driven scanner for imports, attribute uses and mock targets.

Why not ``ast``: parsing every file of a large monorepo with ``ast`` is ~10x slower than one C
regex pass, and ``ast`` gives up on the first syntax error. This scanner makes one
``re.search`` pass over the text with an alternation for comments, string literals and the two
hard keywords ``import``/``from``; strings and comments are skipped (so ``import`` inside a
docstring never counts), each import statement is parsed with anchored regexes, and the scan
resumes after it. A broken statement only loses itself.

Output is compact (tuples of str/int) so it pickles/marshals cheaply for the index cache and
the process pool; ``importwarden.analysis.imports.extract`` turns it into ``ImportRef`` objects.

Tuple layout of one raw ref (``RAW_FIELDS``):
  (kind, module, name, alias, range, module_range, statement_range, level, flags, quote, via)
  kind: "import" | "from" | "attribute" | "mock"; ranges: (line, col, end_line, end_col),
  0-based lines, code-point columns; flags: FLAG_* bits.
"""

from __future__ import annotations

import keyword
import re
from bisect import bisect_right
from itertools import accumulate

FLAG_GUARDED = 1
FLAG_TYPE_CHECKING = 2
FLAG_INDENTED = 4
FLAG_UNRESOLVED_RELATIVE = 8
FLAG_IN_DEF = 16  # inside a def/class body (the import binds nothing at module level)

RAW_FIELDS = (
    "kind", "module", "name", "alias", "range", "module_range", "statement_range",
    "level", "flags", "quote", "via",
)

_NAME = r"[^\W\d]\w*"
_WS = r"(?:[ \t\f]|\\(?:\r\n|\r|\n))*+"  # inside a logical line: blanks and backslash-newlines
_WSP = r"(?:\s|\\(?:\r\n|\r|\n)|\#[^\r\n]*+)*+"  # inside brackets: newlines and comments too
_DOTTED = rf"{_NAME}(?:{_WS}\.{_WS}{_NAME})*"

# One pass: comments | '''…''' | \"\"\"…\"\"\" | '…' | "…" | import | from.
# Unterminated strings end at the end of the line (single quotes) or of the file (triple).
_MASTER = re.compile(
    r"(\#[^\r\n]*)"
    r"|('''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*(?:'''|\Z))"
    r'|("""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*(?:"""|\Z))'
    r"|('[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'?)"
    r'|("[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"?)'
    r"|\b(import)\b"
    r"|\b(from)\b"
)
_G_COMMENT, _G_TRIPLE1, _G_TRIPLE2, _G_STR1, _G_STR2, _G_IMPORT, _G_FROM = range(1, 8)

_IMPORT_ITEM = re.compile(rf"{_WS}({_DOTTED})(?:{_WS}\bas\b{_WS}({_NAME}))?")
_COMMA = re.compile(rf"{_WS},")
_FROM_HEAD = re.compile(rf"from{_WS}((?:\.{_WS})*)(?:({_DOTTED}){_WS})?import\b")
_FROM_STAR = re.compile(rf"{_WS}\*")
_FROM_ITEM = re.compile(rf"{_WS}({_NAME})(?:{_WS}\bas\b{_WS}({_NAME}))?")
_FROM_PAREN_OPEN = re.compile(rf"{_WS}\(")
_FROM_PAREN_ITEM = re.compile(rf"{_WSP}({_NAME})(?:{_WSP}\bas\b{_WSP}({_NAME}))?{_WSP}([,)]?)")
_FROM_PAREN_CLOSE = re.compile(rf"{_WSP}\)")
_STRIP_WS = re.compile(r"[\s\\]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Text right before a string literal that makes it a mock target (searched in a small window).
_MOCK_BEFORE = re.compile(
    r"(?<![\w.])((?:(?:unittest\.)?mock\.|mocker\.)?patch(?:\.multiple|\.dict)?"
    r"|monkeypatch\.setattr)\s*\(\s*(?:target\s*=\s*)?\Z"
)
_MOCK_TARGET = re.compile(rf"{_NAME}(?:\.{_NAME})+\Z")

_HEADER = re.compile(
    r"(?:(?:el)?if|else|try|except|finally|for|while|with|def|class|async|match|case)\b"
)
_TYPE_CHECKING = re.compile(r"(?:el)?if\s+(?:[\w.]+\.)?TYPE_CHECKING\s*:")
_DEF = re.compile(r"(?:async\s+)?(?:def|class)\b")
_EXCEPT = re.compile(r"except\b\s*\*?\s*([^:]*)")
_CATCHES_IMPORT = re.compile(r"\b(?:ImportError|ModuleNotFoundError|Exception|BaseException)\b")


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

    __slots__ = ("text", "spans", "fstrings", "stmts", "mocks", "lines", "starts",
                 "_header_cache", "_crlf")

    def __init__(self, text: str):
        self.text = text
        self.spans: list[int] = []  # flat [start0, end0, start1, end1, ...]: strings, comments, imports
        self.fstrings: list[tuple[int, int]] = []
        self.stmts: list[tuple] = []  # raw statements with offsets
        self.mocks: list[tuple] = []
        self.lines: list[str] | None = None
        self.starts: list[int] | None = None
        self._header_cache: dict[int, int] = {}

    # -- spans ---------------------------------------------------------------------------------
    def inside(self, pos: int) -> bool:
        return bisect_right(self.spans, pos) & 1 == 1

    # -- main pass -----------------------------------------------------------------------------
    def run(self, want_mocks: bool) -> None:
        text = self.text
        search = _MASTER.search
        spans = self.spans
        append = spans.append
        pos = 0
        n = len(text)
        while pos < n:
            m = search(text, pos)
            if m is None:
                break
            g = m.lastindex
            s, e = m.span()
            if g <= _G_COMMENT:
                append(s)
                append(e)
            elif g <= _G_STR2:
                append(s)
                append(e)
                if s and text[s - 1] in "fFrRbBuU":
                    self._prefixed(s, e, want_mocks)
                elif want_mocks:
                    self._maybe_mock(s, e, "")
            elif g == _G_IMPORT:
                e = self._import_stmt(s)
            else:
                e = self._from_stmt(s)
            pos = e if e > s else s + 1

    def _prefixed(self, s: int, e: int, want_mocks: bool) -> None:
        text = self.text
        p = s - 1
        while p > s - 3 and p >= 0 and text[p] in "fFrRbBuU":
            p -= 1
        if p >= 0 and (text[p].isalnum() or text[p] == "_"):
            return  # an identifier ending in f/r/b/u, not a prefix
        prefix = text[p + 1 : s].lower()
        if "f" in prefix:
            self.fstrings.append((s, e))
        elif want_mocks and "b" not in prefix:
            self._maybe_mock(s, e, prefix, p + 1)

    def _maybe_mock(self, s: int, e: int, prefix: str, lit_start: int | None = None) -> None:
        text = self.text
        lit_start = s if lit_start is None else lit_start
        m = _MOCK_BEFORE.search(text, max(0, lit_start - 80), lit_start)
        if m is None:
            return
        q = text[s : s + 3] if text.startswith(text[s] * 3, s) else text[s]
        cs, ce = s + len(q), e - len(q)
        if ce < cs or text[ce:e] != q:
            return  # unterminated
        body = text[cs:ce]
        if "\\" in body or not _MOCK_TARGET.match(body):
            return
        via = m.group(1).replace("unittest.mock.", "").replace("mock.", "")
        self.mocks.append((body, cs, ce, lit_start, e, q, via))

    # -- statements ----------------------------------------------------------------------------
    def _line_prefix(self, s: int) -> str:
        text = self.text
        ls = max(text.rfind("\n", 0, s), text.rfind("\r", 0, s)) + 1
        return text[ls:s]

    def _import_stmt(self, s: int) -> int:
        text = self.text
        prefix = self._line_prefix(s)
        if prefix.strip() and re.search(r"(?:^|;)\s*from\b[^;]*$", prefix):
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
        end = items[-1][4]
        self.stmts.append(("import", s, end, items, 0, None, 0, 0))
        self.spans.append(s)
        self.spans.append(end)
        return end

    def _from_stmt(self, s: int) -> int:
        text = self.text
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
                    if not sep:
                        # unclosed paren running into other code: keep the name only if the
                        # statement visibly ends there (end of text)
                        if m.end() < len(text):
                            break
                    items.append((m.group(1), m.start(1), m.end(1), alias, m.end()))
                    end = m.end()
                    pos = m.end()
                    if sep == ")":
                        break
                    if not sep:
                        break
                else:  # pragma: no cover
                    pass
                if items and text[end - 1] != ")":
                    c = _FROM_PAREN_CLOSE.match(text, end)
                    if c is not None:
                        end = c.end()
                    else:
                        # unclosed: the statement ends after the last name parsed
                        last = items[-1]
                        end = last[4]
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
                end = items[-1][4] if items else h.end()
        if items:
            self.stmts.append(("from", s, end, items, level, module, mod_start, mod_end))
        self.spans.append(s)
        self.spans.append(end)
        return end

    # -- context: indentation, TYPE_CHECKING, try/except ImportError ------------------------------
    def _ensure_lines(self) -> None:
        if self.lines is None:
            text = self.text
            self.lines = _LINE_BREAK.split(text)
            if "\r" in text:
                self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
            else:
                self.starts = [0, *accumulate(len(ln) + 1 for ln in self.lines[:-1])]

    @staticmethod
    def _indent(line: str) -> tuple[int, int]:
        """(number of leading blank characters, indentation width with tabs at 8)."""
        stripped = line.lstrip(" \t\f")
        k = len(line) - len(stripped)
        ws = line[:k]
        return k, (len(ws.expandtabs(8)) if "\t" in ws else k)

    def _line_of(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def _logical_start_line(self, li: int) -> int:
        # A line that begins inside a string/comment/import span continues an earlier line.
        while li > 0 and self.inside(self.starts[li]) and not self._span_starts_at(self.starts[li]):
            li -= 1
        return li

    def _span_starts_at(self, pos: int) -> bool:
        i = bisect_right(self.spans, pos)
        return bool(i & 1) and self.spans[i - 1] == pos

    def context(self, s: int) -> int:
        """FLAG_* bits for a statement starting at offset ``s``."""
        prefix = self._line_prefix(s)
        rest = prefix.lstrip(" \t\f")
        if not prefix:
            return 0  # column 0 of a physical line: module level (or an invalid continuation)
        self._ensure_lines()
        li = self._line_of(s)
        li0 = self._logical_start_line(li)
        line = self.lines[li0]
        k, width = self._indent(line)
        flags = 0
        if li0 != li or rest:
            # statement after `;` or after a same-line header (`if TYPE_CHECKING: import x`)
            head = self.lines[li0][k:] if li0 != li else rest
            if _HEADER.match(head):
                flags |= self._own_flags(head, li0, width) | FLAG_INDENTED
        if width == 0:
            return flags
        flags |= FLAG_INDENTED
        return flags | self._enclosing(li0, width)

    def _enclosing(self, li: int, width: int) -> int:
        """Flags of the blocks enclosing line ``li`` (indentation ``width``)."""
        lines, starts = self.lines, self.starts
        j = li - 1
        while j >= 0:
            line = lines[j]
            k, w = self._indent(line)
            if w < width and k < len(line) and line[k] != "#" and not (
                self.inside(starts[j]) and not self._span_starts_at(starts[j])
            ):
                head = line[k:]
                if _HEADER.match(head):
                    cached = self._header_cache.get(j)
                    if cached is None:
                        cached = self._own_flags(head, j, w)
                        if w > 0:
                            cached |= self._enclosing(j, w)
                        self._header_cache[j] = cached
                    return cached
            j -= 1
        return 0

    def _own_flags(self, head: str, li: int, width: int) -> int:
        if _DEF.match(head):
            return FLAG_IN_DEF
        if head.startswith("try") and self._try_catches_import(li, width):
            return FLAG_GUARDED
        if head[0] in "ie" and _TYPE_CHECKING.match(head):
            return FLAG_TYPE_CHECKING
        return 0

    def _try_catches_import(self, li: int, width: int) -> bool:
        lines, starts = self.lines, self.starts
        for j in range(li + 1, len(lines)):
            line = lines[j]
            k, w = self._indent(line)
            if k == len(line) or line[k] == "#" or w > width:
                continue
            if self.inside(starts[j]) and not self._span_starts_at(starts[j]):
                continue
            if w < width:
                return False
            head = line[k:]
            if head.startswith("except"):
                m = _EXCEPT.match(head)
                clause = m.group(1) if m else ""
                if "(" in clause and ")" not in clause:
                    # multi-line tuple: read on to the colon
                    off = starts[j] + k
                    colon = self.text.find(":", off)
                    clause = self.text[off:colon if colon >= 0 else None]
                    clause = clause[6:]
                cl = clause.split(" as ")[0].strip()
                if not cl or _CATCHES_IMPORT.search(cl):
                    return True
                continue
            if head.startswith(("else", "finally")):
                continue
            return False
        return False

    # -- attribute uses ----------------------------------------------------------------------
    def attributes(self, imported: dict[str, str]) -> list[tuple]:
        """(module, name, alias, mod_start, mod_end, name_start, name_end) for each use."""
        if not imported:
            return []
        keys = sorted(imported, key=len, reverse=True)
        alts = "|".join(r"\s*\.\s*".join(re.escape(p) for p in k.split(".")) for k in keys)
        pat = re.compile(rf"(?<![\w.])({alts})\s*\.\s*({_NAME})")
        text = self.text
        out = []
        spans = self.spans
        fstrings = self.fstrings
        search = pat.search
        m = search(text)
        while m is not None:
            s = m.start()
            if bisect_right(spans, s) & 1 and not (fstrings and self._in_fstring_expr(s)):
                # inside a string/comment: the real use may start within this match
                m = search(text, s + 1)
                continue
            self._attr_hit(m, imported, out)
            m = search(text, m.end())
        return out

    def _attr_hit(self, m: re.Match, imported: dict[str, str], out: list) -> None:
        key = _norm(m.group(1))
        name = m.group(2)
        if keyword.iskeyword(name) or f"{key}.{name}" in imported:
            return
        alias = key if "." not in key and imported[key] != key else None
        out.append((imported[key], name, alias, m.start(1), m.end(1), m.start(2), m.end(2)))

    def _in_fstring_expr(self, pos: int) -> bool:
        for s, e in self.fstrings:
            if s <= pos < e:
                body = self.text[s:pos].replace("{{", "").replace("}}", "")
                depth = 0
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
            if s > pos:
                break
        return False


class _Lines:
    """Offset -> (line, col) for increasing offsets, counting newlines in C."""

    __slots__ = ("text", "cr", "starts", "off", "line")

    def __init__(self, text: str, starts: list[int] | None):
        self.text = text
        self.cr = "\r" in text
        self.starts = starts
        if self.cr and starts is None:
            self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.off = 0
        self.line = 0

    def __call__(self, pos: int) -> tuple[int, int]:
        if self.cr:
            li = bisect_right(self.starts, pos) - 1
            return li, pos - self.starts[li]
        text = self.text
        if pos < self.off:
            self.off, self.line = 0, 0
        self.line += text.count("\n", self.off, pos)
        self.off = pos
        return self.line, pos - text.rfind("\n", 0, pos) - 1


def scan(text: str, module_name: str | None = None, is_package: bool = False,
         attributes: bool = True) -> list[tuple]:
    """Raw refs (see module docstring) for ``text``, in source order per kind."""
    sc = _Scan(text)
    sc.run("patch" in text or "setattr" in text)
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
    imported: dict[str, str] = {}
    for kind, s, e, items, level, module, ms, me in sc.stmts:
        flags = sc.context(s)
        srange = rng(s, e)
        if kind == "import":
            for dotted, a, b, alias, _ in items:
                r = rng(a, b)
                out.append(("import", dotted, None, alias, r, r, srange, 0, flags, "", ""))
                if alias:
                    imported[alias] = dotted
                else:
                    imported[dotted] = dotted
        else:
            absmod, unresolved = resolve_relative(level, module, package)
            if unresolved:
                flags |= FLAG_UNRESOLVED_RELATIVE
            mrange = rng(ms, me)
            for name, a, b, alias, _ in items:
                out.append(("from", absmod, name, alias, rng(a, b), mrange, srange, level, flags,
                            "", ""))
    if sc.mocks:
        for body, cs, ce, ls, le, q, via in sc.mocks:
            r = rng(cs, ce)
            out.append(("mock", body, None, None, r, r, rng(ls, le), 0, 0, q, via))
    if attributes and imported:
        for module, name, alias, ms, me, ns, ne in sc.attributes(imported):
            out.append(("attribute", module, name, alias, rng(ns, ne), rng(ms, me), rng(ms, ne),
                        0, 0, "", ""))
    return out


# -- top-level bindings (for the workspace index) ------------------------------------------------

_TARGET = rf"\*?{_NAME}"
_COL0_BIND = re.compile(
    rf"^(?:(?:async[ \t]+)?def[ \t]+({_NAME})"
    rf"|class[ \t]+({_NAME})"
    rf"|[(\[]?[ \t]*({_TARGET}(?:[ \t]*,[ \t]*{_TARGET})*)[ \t]*,?[ \t]*[)\]]?[ \t]*"
    rf"(?:=(?!=)|:(?!=)|(?:[-+*/%&|^@]|<<|>>|\*\*|//)=))",
    re.MULTILINE,
)
_BLOCK0 = re.compile(r"^(?:if|try|with|for|while|async[ \t]+(?:with|for))\b", re.MULTILINE)
_NEXT_COL0 = re.compile(r"^(?=[^\s#])", re.MULTILINE)
_INDENT_BIND = re.compile(
    rf"^([ \t]+)(?:(?:async[ \t]+)?def[ \t]+({_NAME})"
    rf"|class[ \t]+({_NAME})"
    rf"|[(\[]?[ \t]*({_TARGET}(?:[ \t]*,[ \t]*{_TARGET})*)[ \t]*,?[ \t]*[)\]]?[ \t]*"
    rf"(?:=(?!=)|:(?!=)))",
    re.MULTILINE,
)
_ALL = re.compile(r"^__all__[ \t]*(?::[^=\n]*)?(\+?=)[ \t]*([\[(])", re.MULTILINE)
_ALL_EXT = re.compile(r"^__all__\.(?:extend|append)\(", re.MULTILINE)
_STR_ITEM = re.compile(r"""['"]([^'"\\]+)['"]""")


def _names_of(group: str) -> list[str]:
    return [t.strip().lstrip("*") for t in group.split(",") if t.strip()]


def scan_all(text: str, module_name: str | None = None, is_package: bool = False,
             attributes: bool = True) -> tuple[list[tuple], tuple]:
    """Refs plus the module's top-level bindings, sharing one scan.

    Bindings: (names, all_names | None, star_modules, dynamic) where ``names`` are the names
    bound at module level by defs, classes, assignments and imports (also inside module-level
    if/try/with/for/while blocks), ``all_names`` is a literal ``__all__`` when one is found,
    ``star_modules`` the absolute modules of module-level ``from M import *``, and ``dynamic``
    means a module-level ``__getattr__`` (the module binds anything).
    """
    sc = _Scan(text)
    sc.run("patch" in text or "setattr" in text)
    refs = _refs(sc, module_name, is_package, attributes)
    names: set[str] = set()
    for m in _COL0_BIND.finditer(text):
        if sc.inside(m.start()):
            continue
        _add_bind(m.group(1), m.group(2), m.group(3), names)
    # names bound inside module-level compound blocks
    for m in _BLOCK0.finditer(text):
        if sc.inside(m.start()):
            continue
        nxt = _NEXT_COL0.search(text, m.end())
        while nxt is not None and sc.inside(nxt.start()):
            nxt = _NEXT_COL0.search(text, nxt.start() + 1)
        end = nxt.start() if nxt is not None else len(text)
        for b in _INDENT_BIND.finditer(text, m.end(), end):
            if sc.inside(b.start()):
                continue
            sc._ensure_lines()
            li = sc._line_of(b.start())
            if sc._enclosing(li, sc._indent(sc.lines[li])[1]) & FLAG_IN_DEF:
                continue
            _add_bind(b.group(2), b.group(3), b.group(4), names)
    stars: list[str] = []
    for r in refs:
        kind, module, name, alias, *_rest = r
        flags = r[8]
        if flags & FLAG_IN_DEF or kind in ("attribute", "mock"):
            continue
        if kind == "import":
            names.add(alias or module.split(".", 1)[0])
        elif name == "*":
            stars.append(module)
        else:
            names.add(alias or name)
    all_names: list[str] | None = None
    for m in _ALL.finditer(text):
        if sc.inside(m.start()):
            continue
        close = "]" if m.group(2) == "[" else ")"
        stop = text.find(close, m.end())
        found = _STR_ITEM.findall(text, m.end(), stop if stop >= 0 else len(text))
        all_names = (all_names or []) + found if m.group(1) == "+=" else found
    for m in _ALL_EXT.finditer(text):
        if not sc.inside(m.start()):
            stop = text.find(")", m.end())
            all_names = (all_names or []) + _STR_ITEM.findall(text, m.end(), stop)
    dynamic = "__getattr__" in names
    names.discard("__all__")
    return refs, (tuple(sorted(names)), None if all_names is None else tuple(all_names),
                  tuple(stars), dynamic)


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
