"""How many places in the workspace use each registry target (for hover on a registry entry).

Counts every import and mock target of the workspace's Python files, from the workspace index's
per-file refs (no file is re-read), with the refs of the editor's open documents in place of
their files' (their unsaved text counts even before a diagnostics run has put it into the index).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Protocol, Sequence

from importwarden.analysis.imports import FileImports, ImportRef, RefKind
from importwarden.registry.model import Target


class IndexedFiles(Protocol):
    def files(self) -> Iterable[Path]: ...

    def file_imports(self, path: Path) -> FileImports | None: ...


@dataclass
class Usages:
    names: Counter = field(default_factory=Counter)  # (module, name) -> count
    modules: Counter = field(default_factory=Counter)  # module -> refs into it (any name)
    mocks: Counter = field(default_factory=Counter)  # dotted target -> count

    def of(self, target: Target) -> int:
        if target.name:
            return self.names.get((target.module, target.name), 0)
        prefix = target.module + "."
        return sum(n for m, n in self.modules.items()
                   if m == target.module or m.startswith(prefix))


def count_usages(index: IndexedFiles,
                 open_refs: Mapping[Path, Sequence[ImportRef]] | None = None) -> Usages:
    """``open_refs``: the refs of documents open in an editor, by path; they replace what the
    index holds for those files (or add files the index does not have yet)."""
    usages = Usages()
    overlay = {os.path.abspath(p): refs for p, refs in (open_refs or {}).items()}
    for path in index.files():
        refs = overlay.pop(os.path.abspath(path), None)
        if refs is None:
            imports = index.file_imports(path)
            if imports is None:
                continue
            refs = imports.refs
        _count(usages, refs)
    for refs in overlay.values():
        _count(usages, refs)
    return usages


def _count(usages: Usages, refs: Iterable[ImportRef]) -> None:
    for ref in refs:
        if ref.kind is RefKind.MOCK:
            usages.mocks[ref.module] += 1
            continue
        usages.modules[ref.module] += 1
        if ref.name and ref.name != "*":
            usages.names[(ref.module, ref.name)] += 1
