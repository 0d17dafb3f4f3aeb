"""How many places in the workspace use each registry target (for hover on a registry entry).

Counts every import and mock target of the workspace's Python files, from the workspace index's
per-file refs (no file is re-read); the index holds the open documents' unsaved text, since the
language server replays every edit into it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

from importwarden.analysis.imports import FileImports, RefKind
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


def count_usages(index: IndexedFiles) -> Usages:
    usages = Usages()
    for path in index.files():
        imports = index.file_imports(path)
        if imports is None:
            continue
        for ref in imports.refs:
            if ref.kind is RefKind.MOCK:
                usages.mocks[ref.module] += 1
                continue
            usages.modules[ref.module] += 1
            if ref.name and ref.name != "*":
                usages.names[(ref.module, ref.name)] += 1
    return usages
