"""Which files a change can reach: the name-level invalidation ``check`` and ``report`` share.

A checked file keeps its *deps* (``refs_deps``: each module it names and each ``module.name``
it takes from one) and the module of a file keeps what it binds (``binds_summary``). When files
change, each changed module maps to the names it gained or lost (``bound_names_changed``; None
when more changed: it appeared, went, or binds anything), modules that star-import one follow
(``spread_through_star_imports``), and ``affected_by`` tells, from a file's deps and IW005
findings alone, whether its findings may differ now. ``project/batch.py`` applies it to the
findings cache between runs; ``history/report.py`` between two commits of a walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from importwarden.analysis.raw_refs import RawField
from importwarden.workspace.contract import IndexView

if TYPE_CHECKING:
    from importwarden.workspace.index import WorkspaceIndex


class CheckedFile(Protocol):
    """What ``affected_by`` reads of a checked file (``findings_cache.FileState`` is one)."""

    @property
    def deps(self) -> str: ...  # ``refs_deps`` of the file when it was checked

    @property
    def findings(self) -> tuple: ...  # its findings then (only IW005 ones are looked at)

_MODULE = RawField.MODULE.value  # (exact ints: read for every ref of every file)
_NAME = RawField.NAME.value


def refs_deps(refs: Iterable[Any]) -> str:
    """What a file's findings depend on, one dotted path a line (a string, not a set, so that
    worker results pickle cheaply): each module it names, and ``module.name`` for each name it
    takes from one (``from m import n``, ``m.n`` after ``import m``, a mock target's path).
    ``affected_by`` reads them back."""
    return _deps((ref.module, ref.name) for ref in refs)


def raws_deps(raws: Iterable[tuple]) -> str:
    """``refs_deps`` of the scanner's raw refs (kind, module, name, ...)."""
    return _deps((raw[_MODULE], raw[_NAME]) for raw in raws)


def _deps(pairs: Iterable[tuple[str, str | None]]) -> str:
    deps: set[str] = set()
    for module, name in pairs:
        deps.add(module)
        if name and name != "*":
            deps.add(f"{module}.{name}")
    return "\n".join(sorted(deps))


_ANY_BINDS = "*ANY*"  # (not a Python name: cannot collide with one)


def binds_summary(index: IndexView | None, module: str | None) -> str:
    """What a module binds, as one string: whether it resolves, then its names (``*ANY*``
    when it binds anything). Kept in the cache with the module's file: when the file changes,
    the names that came or went (``bound_names_changed``) say which importers to re-check."""
    if module is None or index is None:
        return ""
    from importwarden.workspace.index import ANY

    binds = index.module_binds(module)
    exists = index.resolves(module)
    return f"{exists}|" + (_ANY_BINDS if binds is ANY else "\0".join(sorted(binds)))


def bound_names_changed(old: str, new: str) -> frozenset[str] | None:
    """The names a module gained or lost between two ``binds_summary`` strings; ``None`` when
    more than names changed (it appeared or went, binds anything, or ``old`` is unknown)."""
    old_exists, _, old_names = old.partition("|")
    new_exists, _, new_names = new.partition("|")
    if not old or old_exists != new_exists or _ANY_BINDS in (old_names, new_names):
        return None
    before = set(old_names.split("\0")) if old_names else set()
    after = set(new_names.split("\0")) if new_names else set()
    return frozenset(before ^ after)


def spread_through_star_imports(index: WorkspaceIndex,
                                changed: dict[str, frozenset[str] | None]) -> set[str]:
    """Add to ``changed`` the modules that star-import a changed one (transitively): they bind
    something else too, at most the same names. Returns the modules added (their own files
    did not change, so a caller that keeps their ``binds_summary`` renews it)."""
    pending = list(changed)
    star_changed: set[str] = set()
    while pending:
        source = pending.pop()
        for importer in index.star_importers(source):
            if importer not in changed:
                changed[importer] = changed[source]
                star_changed.add(importer)
                pending.append(importer)
            elif changed[importer] is not None:
                names = changed[source]
                changed[importer] = None if names is None else changed[importer] | names
    return star_changed


def affected_by(changed: dict[str, frozenset[str] | None] | set[str],
                regex_max: int = 256) -> Callable[[CheckedFile], bool]:
    """A test of whether a cached file's findings may change when the modules in ``changed``
    did. ``changed`` maps a module to the names it gained or lost, or to ``None`` when more
    changed (it appeared or went, or binds anything: a plain set means that for all).

    A name change reaches a file only through a dep ``module.name`` with a name that changed
    (``from module import name``, ``module.name``, a mock target below it), or through an
    IW005 finding about a name that changed (its suggestion is the name's one definition).
    Otherwise the file is affected when a dep names the module, a submodule of it, or a
    package above it (a submodule that appears or goes changes what the package binds)."""
    import re

    if not isinstance(changed, dict):
        changed = dict.fromkeys(changed)
    coarse = {m for m, names in changed.items() if names is None}
    by_name: dict[str, set[str]] = {}  # changed name -> modules it changed in
    for module, names in changed.items():
        for name in names or ():
            by_name.setdefault(name, set()).add(module)
    coarse_test = _deps_test(coarse, regex_max) if coarse else None
    # A C pre-test over the whole deps string: most files name none of the changed names,
    # and the exact test below splits every dep (a touched hub is checked against every file).
    mentions = re.compile(
        r"\.(?:" + "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
        + r")(?:\.|$)", re.MULTILINE).search if by_name else None

    def name_changed(deps: str) -> bool:
        for dep in deps.split("\n"):
            head, _, name = dep.rpartition(".")
            while head:  # ``pkg.mod.Class.attr``: the name taken from ``pkg.mod`` is ``Class``
                if head in by_name.get(name, ()):
                    return True
                head, _, name = head.rpartition(".")
        return False

    def affected(cached: CheckedFile) -> bool:
        for f in cached.findings:
            if f.code == "IW005":
                if coarse or f.target is None:
                    return True
                name = f.target.name or f.target.module.rpartition(".")[2]
                if name in by_name:
                    return True
        if not cached.deps:
            return False
        if coarse_test is not None and coarse_test(cached.deps):
            return True
        return (mentions is not None and mentions(cached.deps) is not None
                and name_changed(cached.deps))

    return affected


def _deps_test(changed: set[str], regex_max: int) -> Callable[[str], bool]:
    """Whether newline-joined deps name a module in ``changed``, one inside it, or a package
    above one."""
    import re

    above = {m[:i] for m in changed for i, c in enumerate(m) if c == "."} - changed
    if len(changed) + len(above) <= regex_max:
        # One regex over the file's newline-joined deps: 11k files in ~5 ms.
        alts = "|".join(re.escape(m) for m in sorted(changed, key=len, reverse=True))
        exact = "|".join(re.escape(m) for m in sorted(above, key=len, reverse=True))
        pattern = f"^(?:{alts})(?:\\.[^\\n]*)?$" + (f"|^(?:{exact})$" if exact else "")
        search = re.compile(pattern, re.MULTILINE).search

        def names_changed(deps: str) -> bool:
            return search(deps) is not None
    else:  # many modules changed (a branch switch): a set look-up per dependency and prefix
        def names_changed(deps: str) -> bool:
            for dep in deps.split("\n"):
                if dep in above:
                    return True
                while dep:
                    if dep in changed:
                        return True
                    dep = dep.rpartition(".")[0]
            return False

    return names_changed
