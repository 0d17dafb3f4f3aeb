"""What a module defines and whether it is only a re-export shim, read with ``ast`` (never
imported)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  # "class" | "function" | "variable"
    body: str  # the definition's source text (for the "is it the same code" comparison)


@dataclass(frozen=True)
class Module:
    """The top-level definitions of one module text, and its re-exports when it is a shim."""

    definitions: dict[str, Definition] = field(default_factory=dict)
    # A shim: a body of only imports, ``__all__``, a docstring and ``warnings.warn`` calls.
    shim: bool = False
    warns: bool = False  # a shim that calls warnings.warn (a deprecation shim)
    reexports: dict[str, str] = field(default_factory=dict)  # name -> module it comes from
    star_sources: tuple[str, ...] = ()  # ``from m import *`` modules
    parsed: bool = True


def _absolute(node: ast.ImportFrom, module: str | None, is_package: bool) -> str | None:
    if not node.level:
        return node.module
    if module is None:
        return None
    base = module.split(".")
    if not is_package:
        base.pop()
    if node.level - 1 > len(base):
        return None
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else [])) or None


def _is_warn(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return False
    func = stmt.value.func
    return (isinstance(func, ast.Attribute) and func.attr == "warn") or (
        isinstance(func, ast.Name) and func.id == "warn")


def _is_all(stmt: ast.stmt) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
        stmt, (ast.AugAssign, ast.AnnAssign)) else []
    return bool(targets) and all(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def read_module(text: str | bytes, module: str | None = None, is_package: bool = False) -> Module:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return Module(parsed=False)
    source = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    definitions: dict[str, Definition] = {}
    reexports: dict[str, str] = {}
    stars: list[str] = []
    shim, warns, imports = True, False, 0
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kind = "class" if isinstance(stmt, ast.ClassDef) else "function"
            definitions[stmt.name] = Definition(stmt.name, kind,
                                                ast.get_source_segment(source, stmt) or "")
            shim = False
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and not _is_all(stmt):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    definitions[target.id] = Definition(
                        target.id, "variable", ast.get_source_segment(source, stmt) or "")
            shim = False
        elif isinstance(stmt, ast.ImportFrom):
            imports += 1
            origin = _absolute(stmt, module, is_package)
            for alias in stmt.names:
                if origin is None or alias.name == "__future__" or origin == "__future__":
                    continue
                if alias.name == "*":
                    stars.append(origin)
                else:
                    reexports[alias.asname or alias.name] = origin
        elif isinstance(stmt, ast.Import):
            imports += 1
        elif _is_warn(stmt):
            warns = True
        elif _is_all(stmt):
            pass
        elif index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                and isinstance(stmt.value.value, str):
            pass  # the docstring
        else:
            shim = False
    shim = shim and imports > 0 and bool(reexports or stars)
    return Module(definitions, shim, warns and shim, reexports if shim else {},
                  tuple(stars) if shim else ())
