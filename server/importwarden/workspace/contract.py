"""What the engine asks of the workspace index: one Protocol, one null object, one resolver.

``WorkspaceIndex`` (``workspace/index.py``) implements ``IndexView``; ``PendingIndex`` stands in
for it while it is being built (the language server answers at once and re-checks when the
real index is installed). Everything above the workspace (rules, hover, completion, the batch
engine) types its index as ``IndexView | None`` and asks "does it resolve" through
``resolves`` below.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Protocol


class IndexView(Protocol):
    """The questions the rules, hover, completion and the engines ask the workspace index."""

    def module_for_path(self, path: str | PathLike[str]) -> tuple[str, bool] | None:
        """(dotted module, is a package) of a file under the roots."""
        ...

    def is_first_party(self, module: str) -> bool: ...

    def resolves(self, module: str, name: str | None = None) -> bool | None:
        """Whether ``module`` (and ``name`` in it) exists; None when not first-party."""
        ...

    def module_binds(self, module: str) -> frozenset[str]:
        """Names bound at the top level of ``module`` (a set containing everything when the
        module binds anything)."""
        ...

    def module_exports(self, module: str) -> frozenset[str]:
        """What ``module`` means to export: ``__all__``, else what it defines or re-exports on
        purpose (not the names it only imports for its own use)."""
        ...

    def definers(self, name: str) -> list[str]: ...

    def modules(self) -> list[str]: ...

    def top_modules(self) -> list[str]: ...  # the top-level names of ``modules()``, sorted

    def submodules(self, module: str) -> list[str]: ...

    def path_of(self, module: str) -> Path | None: ...

    def update_file(self, path: str | PathLike[str], source: str | None) -> None:
        """One file changed (``source``: its new text) or was deleted (None)."""
        ...

    def refresh_file(self, path: str | PathLike[str]) -> None:
        """Re-read one file from disk."""
        ...


class PendingIndex:
    """The index while the real one is being built: it knows no module, so nothing resolves
    or fails to (``resolves`` is None) and no name is offered."""

    def module_for_path(self, path: str | PathLike[str]) -> tuple[str, bool] | None:
        return None

    def is_first_party(self, module: str) -> bool:
        return False

    def resolves(self, module: str, name: str | None = None) -> bool | None:
        return None

    def module_binds(self, module: str) -> frozenset[str]:
        return frozenset()

    def module_exports(self, module: str) -> frozenset[str]:
        return frozenset()

    def definers(self, name: str) -> list[str]:
        return []

    def modules(self) -> list[str]:
        return []

    def top_modules(self) -> list[str]:
        return []

    def submodules(self, module: str) -> list[str]:
        return []

    def path_of(self, module: str) -> Path | None:
        return None

    def update_file(self, path: str | PathLike[str], source: str | None) -> None:
        """(the real index reads the files, and is given the open documents, when installed)"""

    def refresh_file(self, path: str | PathLike[str]) -> None:
        """(as ``update_file``)"""


def resolves(index: IndexView | None, module: str, name: str | None = None) -> bool | None:
    """Whether ``module`` (and ``name`` in it) exists in the workspace: True, False, or None
    when nobody can tell (no index, or not a first-party module)."""
    if index is None:
        return None
    return index.resolves(module, name)
