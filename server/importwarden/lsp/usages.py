"""How many places in the workspace use each registry target (for hover on a registry entry).

Counts every import and mock target of the workspace's Python files, open documents by their
unsaved text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from importwarden.analysis.imports import RefKind
from importwarden.registry.model import Target

if TYPE_CHECKING:
    from importwarden.lsp.session import Session


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


def count_usages(session: "Session") -> Usages:
    """Count from the workspace index's per-file refs (no file is re-read); the index holds
    the open documents' unsaved text, since every edit is replayed into it."""
    usages = Usages()
    index = session.index
    if index is None:
        return usages
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
