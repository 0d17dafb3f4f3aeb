"""Does the workspace show that two names are one API? (an inferred rename's evidence)

A registry rename that nobody wrote (``registry/combine.py``'s pairing of one compatibility
name with one canonical name in a run) is only offered as a fix when the code agrees:

- the old name is an alias of the new one, in either module: ``Old = New``, ``Old = m.New``,
  ``from m import New as Old`` (a re-export under the old name);
- or both are the same kind of object: two classes, or two functions. A class is never paired
  with a function (``UserExecutionEngine`` is not ``create_request_scoped_engine``).

Read statically with ``ast`` (never imported), only for the few entries that need it, and
memoised per file by size and mtime.
"""

from __future__ import annotations

import ast
import os
from typing import Any, NamedTuple

from importwarden.registry.model import Target
from importwarden.workspace.contract import IndexView


class Fact(NamedTuple):
    """What a module binds a name to: ``kind`` is "class", "function", "value", "alias"
    (``name`` is the other name) or "import" (``from module import name``, ``level`` dots)."""

    kind: str
    name: str = ""
    module: str = ""
    level: int = 0


# path -> ((size, mtime_ns), {name: Fact, "*": [star-imported modules]})
_FACTS: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
_MAX_HOPS = 4


def rename_evidence(index: IndexView | None, old: Target, new: Target) -> bool:
    """True when the workspace shows ``old`` and ``new`` are the same API (see the module doc)."""
    if old.name is None or new.name is None or index is None:
        return False
    for module, alias, original in ((old.module, old.name, new.name),
                                    (new.module, old.name, new.name)):
        fact = _facts(index, module).get(alias)
        if fact is not None and fact.kind in ("alias", "import") and fact.name == original:
            return True
    kind_old = _kind(index, old.module, old.name, _MAX_HOPS)
    kind_new = _kind(index, new.module, new.name, _MAX_HOPS)
    return kind_old is not None and kind_old == kind_new


def _kind(index: IndexView, module: str, name: str, hops: int) -> str | None:
    """"class" or "function" for what ``module`` binds as ``name``, following aliases, imports
    and star imports a few hops; None when it cannot tell."""
    if hops <= 0:
        return None
    facts = _facts(index, module)
    fact = facts.get(name)
    if fact is None:
        for star in facts.get("*", ()):
            found = _kind(index, star, name, hops - 1)
            if found is not None:
                return found
        return None
    if fact.kind in ("class", "function"):
        return fact.kind
    if fact.kind == "alias":
        return _kind(index, module, fact.name, hops - 1)
    if fact.kind == "import":
        source = _absolute(module, fact.module, fact.level, index)
        return _kind(index, source, fact.name, hops - 1) if source else None
    return None


def _absolute(importer: str, module: str, level: int, index: IndexView) -> str | None:
    if not level:
        return module
    is_package = False
    path = _path(index, importer)
    if path is not None:
        is_package = os.path.basename(path) == "__init__.py"
    parts = importer.split(".")
    keep = len(parts) - level + (1 if is_package else 0)
    if keep <= 0:
        return None
    base = ".".join(parts[:keep])
    return f"{base}.{module}" if module else base


def _path(index: IndexView, module: str) -> str | None:
    found = index.path_of(module)
    if found is None or not os.path.isfile(found):
        return None
    return str(found)


def _facts(index: IndexView, module: str) -> dict[str, Any]:
    path = _path(index, module)
    if path is None:
        return {}
    try:
        st = os.stat(path)
    except OSError:
        return {}
    key = (st.st_size, st.st_mtime_ns)
    cached = _FACTS.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        facts: dict[str, Any] = {}
    else:
        facts = {}
        _collect(tree.body, facts)
    _FACTS[path] = (key, facts)
    return facts


def _collect(body: list[ast.stmt], facts: dict[str, Any]) -> None:
    """Module-level bindings (also inside module-level if/try/with blocks); the last wins."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            facts[node.name] = Fact("class")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            facts[node.name] = Fact("function")
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Name):
                facts[node.targets[0].id] = Fact("alias", value.id)
            elif isinstance(value, ast.Attribute):
                facts[node.targets[0].id] = Fact("alias", value.attr)
            else:
                facts[node.targets[0].id] = Fact("value")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    if node.module and not node.level:
                        facts.setdefault("*", []).append(node.module)
                else:
                    facts[alias.asname or alias.name] = Fact("import", alias.name,
                                                           node.module or "", node.level)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in (getattr(node, "body", []), getattr(node, "orelse", []),
                          getattr(node, "finalbody", [])):
                _collect(block, facts)
            for handler in getattr(node, "handlers", []):
                _collect(handler.body, facts)
