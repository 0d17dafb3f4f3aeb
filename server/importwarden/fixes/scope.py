"""What the whole file says around one import, for the fixes that need more than the statement.

Only two transforms look beyond their statement: merging a moved name into an existing
``from b import …`` in the same block, and rewriting ``a.b.X`` attribute uses of ``import a.b``.
Both need the file to parse; the standard library's ``ast`` (C speed, exact end positions) is
enough for these questions, so libcst is kept for the statement rewrites themselves. When the
file does not parse, these helpers return ``None`` and the caller falls back or refuses.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

from importwarden.lines import line_index

_BLOCK_FIELDS = ("body", "orelse", "finalbody")


@lru_cache(maxsize=8)
def parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _offset(source: str, line0: int, byte_col: int) -> int:
    """ast columns are UTF-8 byte offsets; ours are code points."""
    index = line_index(source)
    text = index.line(line0)
    if not text.isascii():
        byte_col = len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
    return index.line_starts[line0] + byte_col


def start_offset(source: str, node: ast.AST) -> int:
    return _offset(source, node.lineno - 1, node.col_offset)  # type: ignore[attr-defined]


def end_offset(source: str, node: ast.AST) -> int:
    return _offset(source, node.end_lineno - 1, node.end_col_offset)  # type: ignore[attr-defined]


def _blocks(tree: ast.AST):
    for node in ast.walk(tree):
        for name in _BLOCK_FIELDS:
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            for handler in node.handlers:  # type: ignore[attr-defined]
                yield handler.body
        if type(node).__name__ == "Match":
            for case in node.cases:  # type: ignore[attr-defined]
                yield case.body


@dataclass(frozen=True)
class Block:
    statements: list[ast.stmt]
    index: int  # position of the statement we were asked about


def block_of(source: str, start: int) -> Block | None:
    """The block (list of statements) holding the statement that starts at offset ``start``."""
    return _blocks_by_start(source).get(start)


@lru_cache(maxsize=4)
def _blocks_by_start(source: str) -> dict[int, Block]:
    """Every statement's block, by the statement's start offset: built once per text, so
    planning n fixes in one file costs O(n + statements), not O(n x statements)."""
    tree = parse(source)
    if tree is None:
        return {}
    found: dict[int, Block] = {}
    for block in _blocks(tree):
        for i, stmt in enumerate(block):
            found.setdefault(start_offset(source, stmt), Block(block, i))
    return found


# ``from`` first and the word boundary after it, as a look-behind: a pattern that starts with a
# literal is searched for it at C speed; one that starts with ``\b`` is tried at every offset
# (1.0 s of a cold run over the Ansible tree's 3.7k files with fixes).
_FROM_IMPORT = re.compile(r"from(?<!\wfrom)[ \t\\\r\n]+([^\W\d]\w*(?:[ \t]*\.[ \t]*[^\W\d]\w*)*)"
                          r"[ \t\\\r\n]+import\b")
_BLANKS = re.compile(r"[ \t]+")


@lru_cache(maxsize=4)
def _first_from_import_ends(source: str) -> dict[str, int]:
    """For each module written as ``from <module> import`` anywhere in the text (also in
    strings and comments: this is a pre-filter), where its first occurrence ends. One scan
    per text: asking once per finding used to rescan the text before it each time."""
    ends: dict[str, int] = {}
    for m in _FROM_IMPORT.finditer(source):
        ends.setdefault(_BLANKS.sub("", m.group(1)), m.end())
    return ends


def may_have_earlier_from_import(source: str, start: int, module: str) -> bool:
    """Cheap text test: could there be a ``from <module> import`` before ``start``? Most moves
    have nothing to merge into, and parsing the whole file is the most expensive step."""
    end = _first_from_import_ends(source).get(module)
    return end is not None and end <= start


def earlier_from_import(source: str, start: int, module: str) -> ast.ImportFrom | None:
    """An absolute ``from <module> import …`` (not ``*``) before the statement, same block."""
    if not may_have_earlier_from_import(source, start, module):
        return None
    block = block_of(source, start)
    if block is None:
        return None
    for stmt in block.statements[: block.index]:
        if (isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module == module
                and not any(a.name == "*" for a in stmt.names)):
            return stmt
    return None


def all_nodes(source: str) -> list[ast.AST] | None:
    tree = parse(source)
    return None if tree is None else _walk_cached(source)


@lru_cache(maxsize=4)
def _walk_cached(source: str) -> list[ast.AST]:
    tree = parse(source)
    return list(ast.walk(tree)) if tree is not None else []


# The fields that hold statements, in the order ``ast.iter_child_nodes`` visits them in every
# node that has them (``Try``: body, handlers, orelse, finalbody).
_STATEMENT_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")


def import_statements(source: str) -> list[ast.Import] | None:
    """The file's ``import …`` statements in ``ast.walk`` order (breadth first), or None when
    it does not parse. Only statements (and except handlers, match cases) are visited: no
    expression holds a statement, and walking every node of a large module cost twice its
    parse (an attribute fix, ``module_import._ensure_import``)."""
    tree = parse(source)
    if tree is None:
        return None
    found: list[ast.Import] = []
    level: list[ast.AST] = [tree]
    while level:
        below: list[ast.AST] = []
        for node in level:
            if isinstance(node, ast.Import):
                found.append(node)
                continue
            for name in _STATEMENT_FIELDS:
                children = getattr(node, name, None)
                if children and isinstance(children, list):
                    below += children
        level = below
    return found


def dotted_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted_of(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def rebinds(nodes: list[ast.AST], name: str) -> bool:
    """Does anything but an ``import`` statement bind ``name`` in this file?"""
    for node in nodes:
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.name == name:
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name
                                                    for a in node.names):
            return True
        if isinstance(node, ast.Import) and any(a.asname == name for a in node.names):
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
        if isinstance(node, ast.ExceptHandler) and node.name == name:
            return True
    return False
