"""How many places in the workspace use each registry target (for hover on a registry entry).

Counts every import and mock target of the workspace's Python files (open documents by their
unsaved text). Files whose text mentions no registry package are skipped without parsing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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
    from importwarden.textio import read_source
    from importwarden.workspace.files import iter_python_files

    project = session.project
    usages = Usages()
    if project is None:
        return usages
    tops = {m.split(".", 1)[0] for m in project.registry.modules()}
    tops |= {t.split(".", 1)[0] for t in project.registry.mocks}
    open_docs = {}
    for uri in session.open_uris():
        doc = session.document(uri)
        if doc is not None:
            open_docs[doc.path.resolve()] = doc.text
    seen: set[Path] = set()

    def texts():
        for path in iter_python_files(project.settings):
            key = path.resolve()
            seen.add(key)
            text = open_docs.get(key)
            if text is None:
                try:
                    text = read_source(path).text
                except (OSError, ValueError):
                    continue
            yield path, text
        # Open documents that are not on disk (new, unsaved files) count too.
        for key, text in open_docs.items():
            if key not in seen and key.suffix in (".py", ".pyi"):
                yield key, text

    for path, text in texts():
        if not any(top in text for top in tops):
            continue
        try:
            refs = project.extract(path, text).refs
        except Exception:
            continue
        for ref in refs:
            if ref.kind is RefKind.MOCK:
                usages.mocks[ref.module] += 1
                continue
            usages.modules[ref.module] += 1
            if ref.name and ref.name != "*":
                usages.names[(ref.module, ref.name)] += 1
    return usages
