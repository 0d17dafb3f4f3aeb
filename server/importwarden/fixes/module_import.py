"""Move ``import a.b`` / ``import a.b as m`` and the attribute uses that go through them.

Rewrites:

- ``import a.b as m``  -> ``import c.d as m`` (the statement only: ``m`` stays bound);
- ``import a.b``       -> ``import c.d`` and every ``a.b…`` use in the file -> ``c.d…``
  (needs the file to parse; refused otherwise, and refused when ``a`` is rebound in the file or
  used for something other than ``a.b`` with no other import binding it);
- a name-level move ``a.b:X -> c.d:Y`` reached as an attribute (``import a.b`` then ``a.b.X``,
  an ``ATTRIBUTE`` ref): the use becomes ``c.d.Y`` and ``import c.d`` is added right after the
  ``import a.b`` statement (same indentation) unless the file already has it. ``import a.b``
  stays: the module itself did not move.

In ``import a.b, os`` only the one alias changes: an ``import`` names each module separately,
so no split is needed.
"""

from __future__ import annotations

import ast
import re

from importwarden.analysis.findings import TextEdit
from importwarden.fixes import scope
from importwarden.fixes.statement import (
    StatementError, code, cst, dotted, dotted_node, dominant_newline_near, locate, parse_small,
    range_of, reindent, to_offset,
)

_SPACE = re.compile(r"\s+")


def plan_import(source: str, ref, new_module: str) -> tuple[list[TextEdit], str]:
    loc = locate(source, ref.statement_range)
    node = parse_small(loc.text, (cst.Import,))
    assert isinstance(node, cst.Import)
    names = list(node.names)
    for i, alias in enumerate(names):
        asname = alias.asname.name.value if alias.asname else None  # type: ignore[union-attr]
        if dotted(alias.name) == ref.module and asname == ref.alias:
            break
    else:
        raise StatementError(f"`{ref.module}` is not imported by this statement")
    names[i] = alias.with_changes(name=dotted_node(new_module))
    edits = [TextEdit(range_of(source, loc.start, loc.end), code(node.with_changes(names=names)))]
    message = f"Import `{new_module}` instead of `{ref.module}`"
    if ref.alias is not None or new_module == ref.module:
        return edits, message
    edits.extend(_rewrite_uses(source, ref.module, new_module, skip=(loc.start, loc.end)))
    return edits, message + " and rewrite its uses"


def _rewrite_uses(source: str, old: str, new: str, skip: tuple[int, int]) -> list[TextEdit]:
    nodes = scope.all_nodes(source)
    if nodes is None:
        raise StatementError(f"the file does not parse, so the uses of `{old}` cannot be "
                             f"rewritten with it")
    root = old.split(".", 1)[0]
    if scope.rebinds(nodes, root):
        raise StatementError(f"`{root}` is rebound in this file; rewriting `{old}` uses by name "
                             f"would not be safe")
    chains = [n for n in nodes if isinstance(n, (ast.Attribute, ast.Name))
              and scope.dotted_of(n) == old and _loads(n)]
    # Other uses of the root (`a.c`, bare `a`) need something else to keep binding it.
    chain_roots = {id(_root(n)) for n in chains}
    others = [n for n in nodes if isinstance(n, ast.Name) and n.id == root
              and id(n) not in chain_roots]
    if others and root != new.split(".", 1)[0]:
        binders = [a for n in nodes if isinstance(n, ast.Import) for a in n.names
                   if a.asname is None and a.name.split(".", 1)[0] == root and a.name != old]
        if not binders:
            line = others[0].lineno
            raise StatementError(f"`{root}` is also used on line {line} beyond `{old}`; "
                                 f"`import {old}` is what binds it")
    edits = []
    for n in chains:
        start, end = scope.start_offset(source, n), scope.end_offset(source, n)
        if skip[0] <= start < skip[1]:
            continue
        if _SPACE.sub("", source[start:end]) != old:
            raise StatementError(f"cannot locate the use of `{old}` on line {n.lineno} exactly")
        edits.append(TextEdit(range_of(source, start, end), new))
    return edits


def _loads(node: ast.AST) -> bool:
    return isinstance(getattr(node, "ctx", None), ast.Load)


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def plan_attribute(source: str, ref, new_module: str, new_name: str) -> tuple[list[TextEdit], str]:
    """``a.b.X`` (ref.module_range = ``a.b`` as written, ref.range = ``X``) -> ``c.d.Y``."""
    start, end = to_offset(source, ref.module_range.start), to_offset(source, ref.range.end)
    written = source[start:end]
    base = source[start:to_offset(source, ref.module_range.end)]
    if _SPACE.sub("", written) != f"{_SPACE.sub('', base)}.{ref.name}":
        raise StatementError(f"cannot locate `{ref.module}.{ref.name}` at the reported range")
    edits = [TextEdit(range_of(source, start, end), f"{new_module}.{new_name}")]
    insert = _ensure_import(source, _SPACE.sub("", base), ref.module, new_module)
    if insert is not None:
        edits.insert(0, insert)
    return edits, f"Use `{new_module}.{new_name}` instead of `{ref.module}.{ref.name}`"


def _ensure_import(source: str, base: str, module: str, new_module: str) -> TextEdit | None:
    """``import new_module`` after the statement that binds ``base``, unless already there."""
    imports = scope.import_statements(source)
    if imports is None:
        raise StatementError(f"the file does not parse, so `import {new_module}` cannot be "
                             f"placed")
    binder = None
    for node in imports:
        for a in node.names:
            if a.asname is None and a.name == new_module:
                return None  # already imported
            if binder is None and ((a.asname == base and a.name == module)
                                   or (a.asname is None and a.name == module == base)):
                binder = node
    if binder is None:
        raise StatementError(f"no `import {module}` statement binds `{base}` here")
    start, end = scope.start_offset(source, binder), scope.end_offset(source, binder)
    loc = locate(source, range_of(source, start, end))
    newline = dominant_newline_near(source, loc)
    if loc.starts_line and not loc.suffix.strip().startswith(";"):
        at = loc.end + len(loc.suffix)
        text = newline + loc.indent + f"import {new_module}"
    else:
        at = loc.end
        text = f"; import {new_module}"
    return TextEdit(range_of(source, at, at), reindent(text, newline))
