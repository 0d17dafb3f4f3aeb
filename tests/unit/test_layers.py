"""The package's imports point one way, down the layers, and no two modules import each other.

Every ``import`` counts, at module level or inside a function (a function-level import is a
dependency all the same: it only runs later); only imports under ``if TYPE_CHECKING:`` are left
out (they never run). Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``: that
is an edge too, unless the ``__init__`` imports nothing of the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "importwarden"

# Bottom first. A module belongs to the layer of the longest entry that names it or a package
# above it (``importwarden`` itself stands only for its ``__init__``); it may import modules of
# its own layer (without a cycle) and of the layers below.
LAYERS: list[tuple[str, ...]] = [
    # the version, errors, line arithmetic, reading and writing source files, the settings' keys
    ("importwarden", "importwarden.errors", "importwarden.lines", "importwarden.textio",
     "importwarden.config_keys", "importwarden.workers"),
    # the registry: parsing, merging, lint, export
    ("importwarden.registry",),
    # what a file imports (the scanner's records) and what a finding is: the index stores the
    # scanner's records, so these sit below the workspace; the rules sit above it
    ("importwarden.analysis.codes", "importwarden.analysis.findings",
     "importwarden.analysis.raw_refs", "importwarden.analysis.scanner",
     "importwarden.analysis.lexer", "importwarden.analysis._lexer",
     "importwarden.analysis.imports"),
    # settings (they validate rule codes and severities, so they sit above those)
    ("importwarden.config",),
    # the cache directory and the per-file findings cache (the index's cache lives inside it)
    ("importwarden.cache", "importwarden.cache_seal", "importwarden.cache_plain",
     "importwarden.findings_cache"),
    # files, the module index and its cache
    ("importwarden.workspace",),
    # rules, suppression, hover and completion answers
    ("importwarden.analysis",),
    # the fix engine
    ("importwarden.fixes",),
    # the facade and the batch engine the CLI and the language server both drive
    ("importwarden.project",),
    # what the git history says (``registry suggest``, ``report``): it judges old commits with
    # the project's engine, so it sits above it, and below what presents it
    ("importwarden.history",),
    # output formats of ``check``
    ("importwarden.output",),
    # the language server converts between LSP and the project
    ("importwarden.lsp",),
    # the command line (its ``lsp`` command starts the server)
    ("importwarden.cli", "importwarden.__main__"),
]

# Edges inside ``lsp/`` allowed to form cycles: none (issue 10 restructured the LSP layer into
# one controller and feature modules that do not import each other). The list stays so the
# test below can show that an allowed edge must exist; nothing may be added to it.
KNOWN_LSP_CYCLE_EDGES: set[tuple[str, str]] = set()

# The language server's feature modules: each converts between lsprotocol and the engine for
# one feature, and none imports another (they share the controller, the session and convert).
LSP_FEATURES = ("diagnostics", "actions", "completion", "hover", "status")


def modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, int]]:
    """(dotted name, line) of every import in ``tree`` outside ``if TYPE_CHECKING:``. For
    ``from a import b`` both ``a.b`` and ``a`` are given (``b`` may be a module or a name)."""
    out: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child.test):
                for stmt in child.orelse:
                    visit_statement(stmt)
                continue
            visit_statement(child)

    def visit_statement(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base.pop()
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            out.extend((f"{source}.{alias.name}", node.lineno) for alias in node.names)
        visit(node)

    visit(tree)
    return out


def import_graph(package: Path) -> dict[str, dict[str, int]]:
    """importer -> {imported module of the package: first line}."""
    found = modules(package)
    root = package.name
    trees = {name: ast.parse(path.read_text(encoding="utf-8"), str(path))
             for name, (path, _) in found.items()}
    # A package whose ``__init__`` imports nothing of the package is inert: running it on the
    # way to a submodule adds no dependency.
    inert = {name for name, (_, is_package) in found.items() if is_package and not any(
        n.split(".")[0] == root for n, _ in imported_names(trees[name], name, True))}
    # compiled modules (a C source in the package: they import nothing of it)
    compiled = {".".join(p.relative_to(package.parent).with_suffix("").parts)
                for p in package.rglob("*.c")}
    graph: dict[str, dict[str, int]] = {name: {} for name in found}
    for name, (_, is_package) in found.items():
        for dotted, line in imported_names(trees[name], name, is_package):
            if dotted.split(".")[0] != root:
                continue
            target = dotted
            while target not in found and target not in compiled:  # ``from a import name``: ``a``
                target = target.rpartition(".")[0]
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                step = ".".join(parts[:i])
                if step == name or (step != target and step in inert):
                    continue
                if step != target and name.startswith(step + "."):
                    continue  # a module's own enclosing packages are already running
                graph[name].setdefault(step, line)
    return graph


def layer_of(module: str, layers: list[tuple[str, ...]]) -> int:
    best, best_len = -1, -1
    for i, prefixes in enumerate(layers):
        for prefix in prefixes:
            covers = module == prefix or ("." in prefix and module.startswith(prefix + "."))
            if covers and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    return best


def upward_imports(graph: dict[str, dict[str, int]],
                   layers: list[tuple[str, ...]]) -> list[str]:
    problems = []
    for importer, targets in sorted(graph.items()):
        mine = layer_of(importer, layers)
        if mine < 0:
            problems.append(f"{importer}: in no layer (add it to LAYERS)")
            continue
        for target, line in sorted(targets.items()):
            theirs = layer_of(target, layers)
            if theirs > mine:
                problems.append(f"{importer}:{line} imports {target}, a higher layer "
                                f"({layers[theirs][0]} above {layers[mine][0]})")
    return problems


def cycles(graph: dict[str, dict[str, int]], allowed: set[tuple[str, str]] = frozenset()
           ) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), ``allowed``
    edges left out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if (v, w) in allowed:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def _describe(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    edges = [f"{a}:{graph[a][b]} -> {b}" for a in component for b in graph[a] if b in component]
    return "cycle: " + "; ".join(edges)


def test_every_module_is_in_a_layer_and_imports_point_down() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 50  # (the walk found the package)
    assert upward_imports(graph, LAYERS) == []


def test_no_import_cycles() -> None:
    graph = import_graph(PACKAGE)
    found = cycles(graph, KNOWN_LSP_CYCLE_EDGES)
    assert [_describe(c, graph) for c in found] == []


def test_the_lsp_cycle_allow_list_is_empty() -> None:
    assert KNOWN_LSP_CYCLE_EDGES == set()


def test_lsp_feature_modules_do_not_import_each_other() -> None:
    graph = import_graph(PACKAGE)
    features = {f"importwarden.lsp.{name}" for name in LSP_FEATURES}
    assert features <= set(graph)
    crossing = sorted(f"{a}:{graph[a][b]} -> {b}" for a in features for b in graph[a]
                      if b in features)
    assert crossing == []
    # server.py puts the features together; the controller sends only the status notification
    users = {(a, b) for a, targets in graph.items() for b in targets
             if b in features and a != "importwarden.lsp.server"}
    assert users == {("importwarden.lsp.controller", "importwarden.lsp.status")}


def test_known_cycle_edges_are_lsp_edges_that_exist() -> None:
    graph = import_graph(PACKAGE)
    for importer, target in KNOWN_LSP_CYCLE_EDGES:
        assert importer.startswith("importwarden.lsp.") and target.startswith("importwarden.lsp.")
        assert target in graph[importer], f"{importer} -> {target} is gone: drop it from the list"


# --- the checks can fail: a synthetic package ------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    """A package ``importwarden`` with sub-packages ``low`` and ``high`` (empty ``__init__``s
    unless ``files`` gives one) and ``files``."""
    package = root / "importwarden"
    inits = {"__init__.py": "", "low/__init__.py": "", "high/__init__.py": ""}
    for rel, text in {**inits, **files}.items():
        path = package / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


SYNTHETIC_LAYERS = [("importwarden",), ("importwarden.low",), ("importwarden.high",)]


def test_an_import_inside_a_function_that_points_up_fails(tmp_path: Path) -> None:
    package = _write(tmp_path, {
        "low/base.py": "def f():\n    from importwarden.high.top import g\n    return g\n",
        "high/top.py": "from importwarden.low import base\n\ndef g():\n    return base\n",
    })
    graph = import_graph(package)
    assert upward_imports(graph, SYNTHETIC_LAYERS) == [
        "importwarden.low.base:2 imports importwarden.high.top, a higher layer "
        "(importwarden.high above importwarden.low)"]
    assert cycles(graph) == [["importwarden.high.top", "importwarden.low.base"]]


def test_type_checking_imports_do_not_count_and_relative_imports_do(tmp_path: Path) -> None:
    package = _write(tmp_path, {
        "low/base.py": ("from typing import TYPE_CHECKING\n"
                        "if TYPE_CHECKING:\n    from importwarden.high.top import g\n"
                        "else:\n    from .other import h\n"),
        "low/other.py": "def h():\n    from . import base\n",
        "high/top.py": "from ..low.base import h\n",
    })
    graph = import_graph(package)
    assert upward_imports(graph, SYNTHETIC_LAYERS) == []
    assert graph["importwarden.high.top"] == {"importwarden.low.base": 1}
    assert cycles(graph) == [["importwarden.low.base", "importwarden.low.other"]]
    assert cycles(graph, {("importwarden.low.other", "importwarden.low.base")}) == []


def test_a_package_init_that_imports_counts_on_the_way_to_a_submodule(tmp_path: Path) -> None:
    package = _write(tmp_path, {
        "low/base.py": "from importwarden.high import util\n",
        "high/__init__.py": "from importwarden.high.util import x\n",
        "high/util.py": "x = 1\n",
    })
    problems = upward_imports(import_graph(package), SYNTHETIC_LAYERS)
    assert problems == [
        "importwarden.low.base:1 imports importwarden.high, a higher layer "
        "(importwarden.high above importwarden.low)",
        "importwarden.low.base:1 imports importwarden.high.util, a higher layer "
        "(importwarden.high above importwarden.low)"]


@pytest.mark.parametrize("module", ["importwarden.unlisted"])
def test_a_module_in_no_layer_fails(tmp_path: Path, module: str) -> None:
    package = _write(tmp_path, {"unlisted.py": ""})
    problems = upward_imports(import_graph(package), [("importwarden.low",), ("importwarden.high",)])
    assert problems == ["importwarden: in no layer (add it to LAYERS)",
                        f"{module}: in no layer (add it to LAYERS)"]
