"""What to offer when completing: module paths, names, mock targets and auto-imports.

Editor-neutral (no pygls): the language server turns ``Suggestion`` objects into completion
items. Positions are 0-based lines and code-point columns, as everywhere in the engine.

Contexts, decided from the text before the cursor:

- ``import a.b|`` / ``from a.b|``: module paths. Registry modules (canonical and verified first,
  deprecated tagged, broken never) as full paths, plus the workspace's modules one segment
  at a time (``from a.`` lists ``a``'s submodules), so a 10,000-module workspace stays cheap.
- ``from M import x|`` (also inside a parenthesised, multi-line import): the registry's names
  in ``M`` first, then what ``M`` means to export according to the workspace index
  (``__all__``, else what it defines or re-exports on purpose), then submodules.
- ``patch("a.b|")`` (and ``mocker.patch``, ``monkeypatch.setattr``, ``patch.dict`` …): mock
  targets: the registry's correct mock targets, modules, and the names a module binds.
- any other identifier: registry names (canonical, else verified) with an edit that adds the
  canonical import or merges it into an existing ``from M import …`` (``auto_import``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from importwarden.analysis.findings import Position, Range, TextEdit
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.analysis.scanner import typed_import, typed_mock_target
from importwarden.lines import first_newline, line_index, split_lines
from importwarden.registry.model import Entry, Registry, Status
from importwarden.workspace.contract import IndexView, resolves


# Sort order: what completion should offer first (lower first).
_RANK = {
    Status.CANONICAL: 0,
    Status.VERIFIED: 1,
    None: 2,  # not in the registry, but the workspace has it
    Status.UNVERIFIED: 3,
    Status.COMPATIBLE: 4,
    Status.DEPRECATED: 5,
}

AUTO_IMPORT_LIMIT = 100
MODULE_LIMIT = 300


@dataclass(frozen=True)
class Suggestion:
    label: str
    kind: str  # "module" | "name" | "mock" | "auto-import"
    insert: str  # replaces the text from ``start`` to the cursor (same line)
    start: int  # code-point column where the replaced text begins
    status: Status | None = None
    detail: str = ""
    documentation: str = ""  # markdown
    replacement: str | None = None  # where the registry says to go instead
    import_edit: TextEdit | None = None  # auto-import: the edit adding the import

    @property
    def rank(self) -> int:
        return _RANK.get(self.status, 2)

    @property
    def deprecated(self) -> bool:
        return self.status in (Status.DEPRECATED, Status.COMPATIBLE)

    @property
    def sort_text(self) -> str:
        return f"{self.rank}{self.label}"


@dataclass
class Completions:
    items: list[Suggestion] = field(default_factory=list)
    incomplete: bool = False  # the client must ask again as the user types


@dataclass(frozen=True)
class Context:
    kind: str  # "module" | "from-name" | "mock" | "identifier"
    prefix: str  # the text typed so far (dotted for modules and mocks)
    start: int  # code-point column where the prefix begins
    module: str = ""  # from-name: the module being imported from
    level: int = 0  # from-name: leading dots of a relative import


# --- context --------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_STATEMENT = re.compile(r"(?:import|from)\s")


def context_at(lines: Sequence[str], line: int, character: int) -> Context | None:
    """The completion context at a position, or None where nothing should be offered. Import
    statements and mock calls are read by the scanner's grammar (``scanner.typed_import``,
    ``scanner.typed_mock_target``): completion offers what the checker would read."""
    if not 0 <= line < len(lines):
        return None
    before = lines[line][:character]
    mock = typed_mock_target(before)
    if mock is not None:
        return Context("mock", mock, character - len(mock))
    if _code_part(before) is None:  # inside a comment or a string
        return None
    stripped = before.lstrip()
    if _STATEMENT.match(stripped):
        return _import_context(typed_import(stripped), character)
    # Inside a parenthesised `from M import (` that is still open on an earlier line.
    opened = _open_from_import(lines, line, before)
    if opened is not None:
        return _import_context(opened, character) if opened[0] == "name" else None
    ident = _IDENT.search(before)
    if ident is None:
        return None
    head = before[: ident.start()]
    if head.rstrip().endswith(".") or re.search(r"\b(?:def|class|as|import|from)\s*$", head):
        return None  # attribute access or a name being defined
    return Context("identifier", ident.group(), ident.start())


def _import_context(typed: tuple[str, str, int, str] | None, character: int) -> Context | None:
    if typed is None:
        return None
    kind, module, level, prefix = typed
    start = character - len(prefix)
    if kind == "module":
        return Context("module", prefix, start)
    return Context("from-name", prefix, start, module, level)


def code_end(line: str) -> int | None:
    """Where the code of a line ends: the column of the ``#`` starting its comment, else the
    line's length; None when a string is still open at the end of the line."""
    quote: str | None = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif ch == "#":
            return i
        elif ch in "'\"":
            quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else ch
            i += len(quote)
            continue
        i += 1
    return None if quote else len(line)


def _code_part(before: str) -> str | None:
    """The line before the cursor if the cursor is in code (not in a string or comment)."""
    return before if code_end(before) == len(before) else None


def _open_from_import(lines: Sequence[str], line: int, before: str,
                      lookback: int = 60) -> tuple[str, str, int, str] | None:
    """What ``scanner.typed_import`` reads at the cursor when a ``from M import (`` opened
    above ``line`` is not closed yet; None when there is none."""
    for n in range(line - 1, max(line - lookback, 0) - 1, -1):
        text = lines[n]
        if ")" in text.split("#", 1)[0]:
            return None
        head = text.lstrip()
        if _STATEMENT.match(head) and head.startswith("from"):
            if "(" not in text.split("#", 1)[0]:
                return None
            return typed_import("\n".join([head, *lines[n + 1:line], before]))
        if not text.strip() or head.startswith(("def ", "class ", "import ")):
            return None
    return None


def resolve_relative(module: str, level: int, file_module: tuple[str, bool] | None) -> str | None:
    """``from ..x import`` -> absolute module, given the file's (module, is_package)."""
    if level == 0:
        return module
    if file_module is None:
        return None
    name, is_package = file_module
    parts = name.split(".") if name else []
    drop = level - 1 if is_package else level
    if drop > len(parts):
        return None
    base = parts[: len(parts) - drop]
    return ".".join([*base, module] if module else base) or None


# --- statuses -------------------------------------------------------------------------------

def entry_status(entry: Entry, index: IndexView | None) -> Status:
    return entry.status_given(resolves(index, entry.target.module, entry.target.name))


def module_status(registry: Registry, index: IndexView | None,
                  module: str) -> tuple[Status | None, Entry | None]:
    """A module's status for completion: its own entry, else the best of its names' entries.
    ``(BROKEN, entry)`` when nothing says it works."""
    exact = registry.entries.get(_target(module))
    if exact is not None:
        return entry_status(exact, index), exact
    names = registry.entries_in_module(module)
    if names:
        statuses = [(entry_status(e, index), e) for e in names]
        working = [s for s in statuses if s[0] is not Status.BROKEN]
        if working:
            # A module is as good as the best thing in it.
            return min(working, key=lambda s: _RANK[s[0]])
        if resolves(index, module) is True:
            return None, None
        return Status.BROKEN, statuses[0][1]
    governing = registry.lookup(module)
    if governing is not None:
        return entry_status(governing, index), governing
    return None, None


def _target(module: str, name: str | None = None):
    from importwarden.registry.model import Target

    return Target(module, name)


def _describe(status: Status | None, entry: Entry | None) -> tuple[str, str, str | None]:
    """(detail, markdown documentation, replacement text) for a registry-backed suggestion."""
    if entry is None:
        return ("workspace" if status is None else status.value), "", None
    replacement = str(entry.replacement) if entry.replacement else None
    detail = status.value if status else "workspace"
    if replacement and status is not None and status.needs_action:
        detail += f" — use {replacement}"
    doc = [f"**{detail}** ({entry.provenance.location()})"]
    if entry.provenance.note:
        doc.append(entry.provenance.note)
    return detail, "\n\n".join(doc), replacement


def _suggest(label: str, kind: str, insert: str, start: int, status: Status | None,
             entry: Entry | None, **extra) -> Suggestion:
    detail, doc, replacement = _describe(status, entry)
    return Suggestion(
        label=label, kind=kind, insert=insert, start=start, status=status, detail=detail,
        documentation=doc, replacement=replacement, **extra,
    )


# --- the contexts ---------------------------------------------------------------------------

def complete_modules(registry: Registry, index: IndexView | None, prefix: str,
                     start: int) -> Completions:
    out: dict[str, Suggestion] = {}
    parent, _, _partial = prefix.rpartition(".")
    lowered = prefix.lower()
    for module in registry.modules():
        if not module.lower().startswith(lowered):
            continue
        status, entry = module_status(registry, index, module)
        if status is Status.BROKEN:
            continue
        out[module] = _suggest(module, "module", module, start, status, entry)
    if index is not None:
        children = index.submodules(parent) if parent else _top_level(index)
        for module in children:
            if module in out or not module.lower().startswith(lowered):
                continue
            status, entry = module_status(registry, index, module)
            if status is Status.BROKEN:
                continue
            out[module] = _suggest(module, "module", module, start, status, entry)
    items = sorted(out.values(), key=lambda s: s.sort_text)
    return Completions(items[:MODULE_LIMIT], incomplete=len(items) > MODULE_LIMIT)


def _top_level(index: IndexView) -> list[str]:
    return index.top_modules()  # (kept by the index: ~10 ms to derive on the real tree)


def complete_from_names(registry: Registry, index: IndexView | None, module: str,
                        start: int, *, bound: bool = False) -> Completions:
    """What ``module`` offers (the client filters by what was typed): the registry's names in
    it, what it means to export (``IndexView.module_exports``: ``__all__``, else what it
    defines or re-exports on purpose, not what it only imports for its own use), and its
    submodules. ``bound``: every name it binds instead (a mock target may patch an imported
    name where it is used)."""
    out: dict[str, Suggestion] = {}
    for entry in registry.entries_in_module(module):
        name = entry.target.name
        if not name:
            continue
        status = entry_status(entry, index)
        if status is Status.BROKEN:
            continue
        out[name] = _suggest(name, "name", name, start, status, entry)
    if index is not None:
        # (a module that binds anything lists no names of its own: ``ANY`` is empty)
        governing = registry.lookup(module)
        names = index.module_binds(module) if bound else index.module_exports(module)
        for name in sorted(names):
            if name in out or name.startswith("__"):
                continue
            status = entry_status(governing, index) if governing else None
            if status is Status.BROKEN:
                continue
            out[name] = _suggest(name, "name", name, start, status, governing)
        for sub in index.submodules(module):
            leaf = sub.rsplit(".", 1)[-1]
            if leaf not in out:
                status, entry = module_status(registry, index, sub)
                if status is not Status.BROKEN:
                    out[leaf] = _suggest(leaf, "module", leaf, start, status, entry)
    items = sorted(out.values(), key=lambda s: s.sort_text)
    return Completions(items)


def complete_mock(registry: Registry, index: IndexView | None, prefix: str, start: int) -> Completions:
    out: dict[str, Suggestion] = {}
    lowered = prefix.lower()
    for target, mock in registry.mocks.items():
        if mock.status is Status.BROKEN or not target.lower().startswith(lowered):
            continue
        out[target] = Suggestion(
            label=target, kind="mock", insert=target, start=start, status=mock.status,
            detail=f"mock target ({mock.status.value})",
            documentation=f"**{mock.status.value}** ({mock.provenance.location()})"
            + (f"\n\n{mock.provenance.note}" if mock.provenance.note else ""),
        )
    parent = prefix.rpartition(".")[0]
    # Names bound in the module typed so far: `patch("a.b.` -> a.b.X
    if parent:
        for name_item in complete_from_names(registry, index, parent, start, bound=True).items:
            dotted = f"{parent}.{name_item.label}"
            if dotted.lower().startswith(lowered) and dotted not in out:
                out[dotted] = Suggestion(**{**name_item.__dict__, "label": dotted,
                                            "insert": dotted, "kind": "mock"})
    for module_item in complete_modules(registry, index, prefix, start).items:
        out.setdefault(module_item.label, module_item)
    items = sorted(out.values(), key=lambda s: s.sort_text)
    return Completions(items[:MODULE_LIMIT], incomplete=len(items) > MODULE_LIMIT)


def complete_auto_import(registry: Registry, index: IndexView | None, prefix: str, start: int,
                         source: str,
                         refs: Sequence[ImportRef] | Callable[[], Sequence[ImportRef]]
                         ) -> Completions:
    """Registry names (canonical, else verified) not bound in the file yet, each with the edit
    that imports it from its canonical module. The file's imports are only extracted when some
    registry name matches what was typed."""
    lowered = prefix.lower()
    best: dict[str, list[tuple[Status, Entry]]] = {}
    for name, entries in _names(registry).items():
        if not name.lower().startswith(lowered):
            continue
        for entry in entries:
            status = entry_status(entry, index)
            if status.preferred:
                best.setdefault(name, []).append((status, entry))
    if not best:
        return Completions(incomplete=True)
    file_refs = refs() if callable(refs) else refs
    bound = bound_names(file_refs)
    lines = split_lines(source)
    items: list[Suggestion] = []
    for name in sorted(best):
        if name in bound:
            continue
        choices = best[name]
        top = min(_RANK[s] for s, _ in choices)
        for status, entry in choices:
            if _RANK[status] != top:
                continue
            edit = import_edit(source, file_refs, entry.target.module, name, lines)
            suggestion = _suggest(name, "auto-import", name, start, status, entry,
                                  import_edit=edit)
            items.append(Suggestion(**{**suggestion.__dict__,
                                       "detail": f"from {entry.target.module} import {name}"}))
    items.sort(key=lambda s: (s.sort_text, s.detail))
    return Completions(items[:AUTO_IMPORT_LIMIT], incomplete=True)


_NAMES_CACHE: dict[int, tuple[Registry, dict[str, list[Entry]]]] = {}


def _names(registry: Registry) -> dict[str, list[Entry]]:
    """Entries by name, computed once per registry object."""
    cached = _NAMES_CACHE.get(id(registry))
    if cached is not None and cached[0] is registry:
        return cached[1]
    by_name: dict[str, list[Entry]] = {}
    for entry in registry.entries.values():
        if entry.target.name and entry.target.name.isidentifier():
            by_name.setdefault(entry.target.name, []).append(entry)
    _NAMES_CACHE.clear()
    _NAMES_CACHE[id(registry)] = (registry, by_name)
    return by_name


def bound_names(refs: Iterable[ImportRef]) -> set[str]:
    """Names the file's imports bind (so auto-import does not offer them again)."""
    out: set[str] = set()
    for ref in refs:
        if ref.kind is RefKind.FROM and ref.name and ref.name != "*":
            out.add(ref.alias or ref.name)
        elif ref.kind is RefKind.IMPORT:
            out.add(ref.alias or ref.module.split(".", 1)[0])
    return out


# --- auto-import edit ------------------------------------------------------------------------

def import_edit(source: str, refs: Sequence[ImportRef], module: str, name: str,
                lines: Sequence[str] | None = None) -> TextEdit | None:
    """The edit that makes ``name`` from ``module`` available at module level: merged into an
    existing top-level ``from module import …`` when there is one, else a new line after the
    file's top-level imports (or after the docstring and leading comments)."""
    if lines is None:
        lines = split_lines(source)
    existing = [r for r in refs if r.kind is RefKind.FROM and r.module == module
                and r.level == 0 and not r.indented and not r.type_checking]
    if any(r.name == name and r.alias is None for r in existing):
        return None
    for ref in existing:
        if ref.name == "*":
            return None
    if existing:
        stmt = max((r.statement_range for r in existing), key=lambda rng: rng.start)
        merged = _merge_into(source, stmt, name)
        if merged is not None:
            return merged
    top = [r for r in refs if r.kind in (RefKind.IMPORT, RefKind.FROM) and not r.indented]
    if top:
        after = max(r.statement_range.end.line for r in top) + 1
    else:
        after = _after_header(lines)
    text = f"from {module} import {name}"
    index = line_index(source)
    # the file's own line break: the one ending the line above, else its first one
    newline = (index.newline(after - 1) if 0 < after < len(index.line_starts) else "") \
        or first_newline(source)
    if after >= len(index.line_starts):  # the imports end the file, with no final newline
        end = index.position(len(source))
        return TextEdit(Range.of(end.line, end.column, end.line, end.column), newline + text)
    return TextEdit(Range.of(after, 0, after, 0), text + newline)


_CODE_RUN = re.compile(r"[^\r\n]+")  # one line's text inside a statement


def _merge_into(source: str, stmt: Range, name: str) -> TextEdit | None:
    index = line_index(source)
    begin = index.offset(stmt.start.line, stmt.start.character)
    body = source[begin:index.offset(stmt.end.line, stmt.end.character)]
    close = body.rfind(")")
    if close < 0 and body.rstrip().endswith("\\"):
        return None
    head = body[:close] if close >= 0 else body
    # The end of the last code on the way to `)`, skipping comments (`Y,  # note`).
    last_code_end = None
    for run in _CODE_RUN.finditer(head):
        code = run.group().split("#", 1)[0].rstrip()
        if code.strip():
            last_code_end = run.start() + len(code)
    if last_code_end is None:
        return None
    new = f" {name}," if head[:last_code_end].endswith(",") else f", {name}"
    line, column = index.position(begin + last_code_end)
    pos = Position(line, column)
    return TextEdit(Range(pos, pos), new)


def _after_header(lines: Sequence[str]) -> int:
    """First line after a shebang/encoding/comment block, the module docstring and
    ``from __future__`` imports."""
    n = 0
    while n < len(lines) and (not lines[n].strip() or lines[n].lstrip().startswith("#")):
        n += 1
    if n < len(lines):
        stripped = lines[n].lstrip()
        for quote in ('"""', "'''", '"', "'"):
            if stripped.lstrip("rRuUbB").startswith(quote):
                rest = stripped.lstrip("rRuUbB")[len(quote):]
                if quote in rest:
                    n += 1
                else:
                    n += 1
                    while n < len(lines) and quote not in lines[n]:
                        n += 1
                    n += 1
                break
    while n < len(lines) and lines[n].startswith("from __future__"):
        n += 1
    return min(n, len(lines))


# --- entry point ----------------------------------------------------------------------------

def complete(source: str, line: int, character: int, *, registry: Registry, index: IndexView | None,
             refs: Sequence[ImportRef] | Callable[[], Sequence[ImportRef]] = (),
             file_module: tuple[str, bool] | None = None,
             auto_import: bool = True) -> Completions:
    """Suggestions at a position. ``refs`` (the file's imports) may be a function: only
    auto-import needs them, so the other contexts never pay for extracting them."""
    lines = split_lines(source)
    ctx = context_at(lines, line, character)
    if ctx is None:
        return Completions()
    if ctx.kind == "module":
        if ctx.prefix.startswith("."):
            return Completions()  # relative module paths: the workspace's business, not ours
        return complete_modules(registry, index, ctx.prefix, ctx.start)
    if ctx.kind == "from-name":
        module = resolve_relative(ctx.module, ctx.level, file_module)
        if not module:
            return Completions()
        return complete_from_names(registry, index, module, ctx.start)
    if ctx.kind == "mock":
        return complete_mock(registry, index, ctx.prefix, ctx.start)
    if not auto_import or not ctx.prefix:
        return Completions()
    return complete_auto_import(registry, index, ctx.prefix, ctx.start, source, refs)
