"""An ``ast``-based reference for the import scanner, used by the differential tests.

Slow and exact on files that parse: what ``importwarden.analysis.scanner`` must agree with.
Returns comparable tuples:
  (kind, module, name, alias, level, line, col, extra, flags) where extra is the module's
  (line, col) for from-imports and flags the (guarded, type_checking, indented, in_def) tuple.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from importwarden.analysis.scanner import resolve_relative
from importwarden.textio import split_lines

_TARGET = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)+\Z")
MOCK_CALLEES = {
    "patch": "patch", "mock.patch": "patch", "unittest.mock.patch": "patch",
    "patch.multiple": "patch.multiple", "mock.patch.multiple": "patch.multiple",
    "unittest.mock.patch.multiple": "patch.multiple",
    "patch.dict": "patch.dict", "mock.patch.dict": "patch.dict",
    "unittest.mock.patch.dict": "patch.dict",
    "mocker.patch": "mocker.patch", "mocker.patch.multiple": "mocker.patch.multiple",
    "mocker.patch.dict": "mocker.patch.dict", "monkeypatch.setattr": "monkeypatch.setattr",
}
_IMPORT_EXC = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def _catches_import(handler: ast.ExceptHandler) -> bool:
    t = handler.type
    if t is None:
        return True
    items = t.elts if isinstance(t, ast.Tuple) else [t]
    for it in items:
        if isinstance(it, ast.Name) and it.id in _IMPORT_EXC:
            return True
        if isinstance(it, ast.Attribute) and it.attr in _IMPORT_EXC:
            return True
    return False


def _is_type_checking(test: ast.AST) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def reference(source: str, module_name: str | None = None, is_package: bool = False,
              mocks: bool = True, attributes: bool = True) -> list[tuple]:
    tree = ast.parse(source)
    lines = split_lines(source)
    encoded: dict[int, bytes] = {}

    def col(lineno: int, byte_col: int) -> int:
        b = encoded.get(lineno)
        if b is None:
            b = encoded[lineno] = lines[lineno - 1].encode("utf-8")
        return len(b[:byte_col].decode("utf-8"))

    package = None if module_name is None else (
        module_name if is_package else module_name.rpartition(".")[0])
    out: list[tuple] = []
    imported: list[tuple[int, int, str, str]] = []

    def visit(node: ast.AST, flags: tuple[bool, bool, bool, bool]) -> None:
        guarded, tc, indented, in_def = flags
        if isinstance(node, ast.Import):
            for a in node.names:
                out.append(("import", a.name, None, a.asname, 0, a.lineno - 1,
                            col(a.lineno, a.col_offset), None, flags))
                key = a.asname or a.name
                imported.append((a.lineno, a.col_offset, key, a.name))
            return
        if isinstance(node, ast.ImportFrom):
            mod, _unres = resolve_relative(node.level, node.module or "", package)
            mline, mcol = _from_module_pos(source, node, col)
            for a in node.names:
                out.append(("from", mod, a.name, a.asname, node.level, a.lineno - 1,
                            col(a.lineno, a.col_offset), (mline, mcol), flags))
            return
        if mocks and isinstance(node, ast.Call):
            _mock(node, source, lines, col, out)
        child_flags = (guarded, tc, True, in_def)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field, value in ast.iter_fields(node):
                if field == "body":
                    for c in value:
                        visit(c, (guarded, tc, True, True))
                else:
                    for c in value if isinstance(value, list) else [value]:
                        if isinstance(c, ast.AST):
                            visit(c, flags)
            return
        if isinstance(node, ast.If):
            visit(node.test, flags)
            for c in node.body:
                visit(c, (guarded, tc or _is_type_checking(node.test), True, in_def))
            for c in node.orelse:
                visit(c, child_flags)
            return
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            catches = any(_catches_import(h) for h in node.handlers)
            for c in node.body:
                visit(c, (guarded or catches, tc, True, in_def))
            for c in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(c, child_flags)
            return
        is_stmt_container = isinstance(node, ast.stmt) or isinstance(node, ast.excepthandler) \
            or isinstance(node, ast.match_case)
        for c in ast.iter_child_nodes(node):
            visit(c, child_flags if is_stmt_container and isinstance(c, ast.stmt) else flags)

    for stmt in tree.body:
        visit(stmt, (False, False, False, False))

    if attributes and imported:
        table: dict[str, str] = {}
        for _l, _c, key, mod in sorted(imported):
            table[key] = mod
        covered: set[int] = set()
        for node in ast.walk(tree):  # breadth first: outer attribute chains come first
            if not isinstance(node, ast.Attribute) or id(node) in covered:
                continue
            d = _dotted(node.value)
            if d is None or d not in table or f"{d}.{node.attr}" in table:
                continue
            # the scanner reads `a.b.X` as text: a parenthesised `(m).X` is not seen (documented)
            between = _between(source, lines, node.value, node, col)
            if ")" in between:
                continue
            inner = node.value
            while isinstance(inner, ast.Attribute):
                covered.add(id(inner))
                inner = inner.value
            end_line = node.end_lineno
            end = col(end_line, node.end_col_offset)
            out.append(("attribute", table[d], node.attr, None, 0, end_line - 1,
                        end - len(node.attr), None, None))
    return out


def _from_module_pos(source: str, node: ast.ImportFrom, col) -> tuple[int, int]:
    seg = ast.get_source_segment(source, node)
    assert seg is not None
    toks = tokenize.generate_tokens(io.StringIO(seg).readline)
    next(toks)  # `from`
    for tok in toks:
        if tok.type in (tokenize.NL, tokenize.COMMENT) or tok.string == "\\":
            continue
        row, c = tok.start
        line = node.lineno - 1 + row - 1
        if row == 1:
            c += col(node.lineno, node.col_offset)
        return line, c
    raise AssertionError("no module token")


def _mock(node: ast.Call, source: str, lines: list[str], col, out: list) -> None:
    callee = _dotted(node.func)
    via = MOCK_CALLEES.get(callee or "")
    if via is None:
        return
    arg = None
    if node.args and (not node.keywords or _before(node.args[0], node.keywords[0])):
        arg = node.args[0]
    elif node.keywords and node.keywords[0].arg == "target" and not node.args:
        arg = node.keywords[0].value
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return
    if arg.lineno != arg.end_lineno:
        return
    c0 = col(arg.lineno, arg.col_offset)
    c1 = col(arg.lineno, arg.end_col_offset)
    lit = lines[arg.lineno - 1][c0:c1]
    m = re.match(r"([rRuU]?)('''|\"\"\"|'|\")(.*)\2\Z", lit)
    if m is None or m.group(3) != arg.value or not _TARGET.match(arg.value):
        return
    start = c0 + len(m.group(1)) + len(m.group(2))
    out.append(("mock", arg.value, None, None, 0, arg.lineno - 1, start, via, None))


def _before(a: ast.AST, b: ast.AST) -> bool:
    return (a.lineno, a.col_offset) < (b.lineno, b.col_offset)


def _between(source: str, lines: list[str], value: ast.AST, node: ast.Attribute, col) -> str:
    if value.end_lineno != node.end_lineno:
        return ""
    a = col(value.end_lineno, value.end_col_offset)
    b = col(node.end_lineno, node.end_col_offset) - len(node.attr)
    return lines[node.end_lineno - 1][a:b]
