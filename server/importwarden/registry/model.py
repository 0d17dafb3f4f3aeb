"""The registry model: what a team's import registry says, whatever form it was written in.

Both loaders (``markdown.py``, ``toml.py``) produce *claims*; ``Registry.build`` combines the
claims about each target into one effective ``Entry`` (docs/registry.md, "Replacements" and "Several claims about one target"), follows
replacement chains to their end, and records every problem it finds along the way. Everything
downstream (rules, fixes, completion, hover, export) reads only this module's types.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Iterable, Iterator


class Status(str, enum.Enum):
    """A target's status, from most to least severe (the order of the enum is the order)."""

    BROKEN = "broken"
    DEPRECATED = "deprecated"
    COMPATIBLE = "compatible"
    UNVERIFIED = "unverified"
    CANONICAL = "canonical"
    VERIFIED = "verified"

    @property
    def severity_rank(self) -> int:
        """0 for the most severe (broken) … 5 for the least (verified)."""
        return _RANK[self]

    @property
    def works(self) -> bool:
        """Every status but ``broken`` says the path imports."""
        return self is not _BROKEN

    @property
    def needs_action(self) -> bool:
        """Statuses that code should move away from."""
        return self in _NEEDS_ACTION

    @property
    def preferred(self) -> bool:
        """Statuses that completion offers first."""
        return self in _PREFERRED


# (Plain lookups, not tuples of members built per call: a 200,000-line registry asks these
# questions millions of times.)
_RANK = {status: rank for rank, status in enumerate(Status)}
_BROKEN = Status.BROKEN
_NEEDS_ACTION = frozenset({Status.BROKEN, Status.DEPRECATED, Status.COMPATIBLE})
_PREFERRED = frozenset({Status.CANONICAL, Status.VERIFIED})


def most_severe(statuses: Iterable[Status]) -> Status:
    """Several markers in one place: the most severe wins (rule 5)."""
    return min(statuses, key=_RANK.__getitem__)


class Applicability(str, enum.Enum):
    """How a replacement may be applied (ruff's fix applicability)."""

    SAFE = "safe"  # same name, only the module changes: quick fix and `fix`
    UNSAFE = "unsafe"  # rename, inferred, or a different API: `fix --unsafe-fixes` only
    NONE = "none"  # no known replacement


def _direct_init(cls: type) -> type:
    """Give a frozen dataclass with slots an ``__init__`` that stores each field with its
    slot's own setter. The generated one goes through ``object.__setattr__`` (frozen), looked
    up per field: twice the time, and a 200,000-line registry builds about 600,000 of these
    objects. Same parameters, order and defaults; assignment still raises
    ``FrozenInstanceError``. (Slots also make each object a third of a dict-backed one.)"""
    fields = dataclasses.fields(cls)
    assert not hasattr(cls, "__post_init__") and "__slots__" in vars(cls), cls
    assert all(f.init and f.default_factory is dataclasses.MISSING for f in fields), cls
    namespace: dict = {f"_d_{f.name}": f.default for f in fields
                       if f.default is not dataclasses.MISSING}
    namespace.update({f"_set_{f.name}": vars(cls)[f.name].__set__ for f in fields})
    params = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=_d_{f.name}"
                       for f in fields)
    body = "".join(f"    _set_{f.name}(self, {f.name})\n" for f in fields)
    # (Our own field names, as dataclasses itself generates its methods.)
    exec(f"def __init__(self, {params}):\n{body}", namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_direct_init
@dataclass(frozen=True, order=True, slots=True)
class Target:
    """A module (``a.b.c``) and optionally a name in it (``a.b.c:Name``, LibCST's notation)."""

    module: str
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Target":
        """Parse ``a.b`` or ``a.b:Name``; raises ``ValueError`` on anything else."""
        text = text.strip()
        module, sep, name = text.partition(":")
        if not _is_dotted(module) or (sep and not name.isidentifier()):
            raise ValueError(f"not a target: {text!r} (expected 'pkg.module' or 'pkg.module:Name')")
        return cls(module, name if sep else None)

    @property
    def is_module(self) -> bool:
        return self.name is None

    @property
    def top_level(self) -> str:
        return self.module.split(".", 1)[0]

    def with_name(self, name: str | None) -> "Target":
        return Target(self.module, name)

    def __str__(self) -> str:
        return f"{self.module}:{self.name}" if self.name else self.module


def _is_dotted(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


@_direct_init
@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a claim was written: quoted by diagnostics and hovers, linked to by editors."""

    file: str  # path as given/discovered (absolute for discovered registries)
    line: int  # 1-based
    heading: tuple[str, ...] = ()  # heading path, outermost first
    raw: str = ""  # the registry line as written (after text repair)
    note: str = ""  # trailing comment plus the comment lines just above it
    # Where an exported entry was first written (TOML ``source = "file:line"``), else "".
    source: str = ""

    def location(self) -> str:
        return f"{self.file}:{self.line}"


@_direct_init
@dataclass(frozen=True, slots=True)
class Claim:
    """One line's statement about one target, before claims are combined."""

    target: Target
    status: Status
    provenance: Provenance
    replacement: Target | None = None
    # Explicit applicability (TOML `fix = …`); None means derive it.
    fix: Applicability | None = None
    # True when the replacement was inferred by the loader rather than written (always unsafe).
    inferred: bool = False
    # True when the replacement is a different API (BEFORE -> AFTER pairs): always unsafe.
    different_api: bool = False
    # Markdown run (consecutive non-blank lines of one code block) the claim was written in:
    # ``(file, first line)``; rule 8 pairs entries of one run. None for TOML claims.
    run: tuple[str, int] | None = None
    # True when the status came from the line's own marker (not a comment above or a heading).
    marked: bool = False
    # A bare replacement name (``# ✅ USE INSTEAD: UserExecutionEngine (…)``), looked up among
    # the canonical/verified entries when claims are combined; and the line that wrote it.
    replacement_name: str | None = None
    replacement_line: int | None = None


@_direct_init
@dataclass(frozen=True, slots=True)
class Entry:
    """The effective claim about one target."""

    target: Target
    status: Status
    provenance: Provenance
    replacement: Target | None = None
    fix: Applicability = Applicability.NONE
    # A "works" claim and a "broken" claim about the same target: the workspace decides
    # (resolves -> ``works_status``; does not -> broken). ``status`` is the registry-only answer
    # (the later line wins).
    conflict: bool = False
    works_status: Status | None = None
    claims: tuple[Claim, ...] = ()
    # True when nobody wrote the replacement: rule 8's rename inside a run or rule 9's
    # inference. Chains never go through such a link, and a rename needs workspace evidence.
    inferred: bool = False

    def provenance_for(self, status: Status) -> Provenance:
        """The line behind ``status`` (from ``status_given``): in a conflict the workspace may
        side with the claim that did not win on the registry alone, and then that claim's line
        is the one to quote."""
        if self.conflict and status.works != self.provenance_status().works:
            side = [c for c in self.claims if c.status.works == status.works]
            if side:
                return side[-1].provenance
        return self.provenance

    def provenance_status(self) -> Status:
        """The status of the claim ``provenance`` belongs to."""
        return next((c.status for c in self.claims if c.provenance == self.provenance),
                    self.status)

    def status_given(self, resolves: bool | None) -> Status:
        """The status once the workspace has been asked whether the target resolves.

        ``resolves`` is None when the workspace cannot tell (not first-party, no workspace).
        A broken claim whose target resolves is reported as deprecated: the editor never shows
        an Error for an import that works (docs/registry.md, "Several claims about one target").
        """
        if resolves is None:
            return self.status
        if self.conflict:
            if resolves:
                return self.works_status or Status.VERIFIED
            return Status.BROKEN
        if self.status is Status.BROKEN and resolves:
            return Status.DEPRECATED
        return self.status


@dataclass(frozen=True)
class MockEntry:
    """A ``patch('a.b.C.meth')`` target the registry names."""

    target: str
    status: Status  # verified or broken
    provenance: Provenance
    replacement: str | None = None
    fix: Applicability = Applicability.NONE


@dataclass(frozen=True)
class ServiceOrigin:
    """Why a package is a service (``role`` "service") or shared by all ("shared"): the line
    that said so (a heading, a path pattern, the isolation rule, a caption, the settings)."""

    package: str
    role: str  # "service" | "shared"
    provenance: Provenance


@dataclass(frozen=True)
class Services:
    """Top-level packages that must not import each other, and those everyone may import."""

    members: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    provenance: Provenance | None = None  # the isolation rule
    origins: tuple[ServiceOrigin, ...] = ()  # per package, the line that made it what it is

    def service_of(self, module: str) -> str | None:
        top = module.split(".", 1)[0]
        return top if top in self.members else None

    def crosses(self, importer: str, imported: str) -> bool:
        """True when module ``importer`` may not import module ``imported``."""
        a, b = self.service_of(importer), self.service_of(imported)
        top = imported.split(".", 1)[0]
        return a is not None and b is not None and a != b and top not in self.shared


@dataclass(frozen=True, order=True)
class Problem:
    """Something in a registry that could not be understood or does not add up (``IWR…``)."""

    file: str
    line: int  # 1-based
    code: str
    message: str


# Stable registry-problem codes. Never renumber; add at the end.
PROBLEM_CODES: dict[str, str] = {
    "IWR001": "unreadable-entry",  # looks like an entry but cannot be read
    "IWR002": "conflicting-claims",  # a "works" claim and a "broken" claim about one target
    "IWR003": "broken-replacement",  # replacement is itself broken or does not resolve
    "IWR004": "replacement-cycle",
    "IWR005": "duplicate-entry",  # same target, different notes
    "IWR006": "stale-working-entry",  # verified/canonical entry that does not resolve
    "IWR007": "stale-broken-entry",  # broken entry whose target resolves
    "IWR008": "overridden-entry",  # overridden by a later registry file
    "IWR009": "invalid-toml",  # TOML syntax, unknown key or bad value
    "IWR010": "unreadable-file",  # the registry file cannot be read at all
    "IWR011": "unknown-replacement-name",  # bare USE INSTEAD name matches no entry
    "IWR012": "contradicting-sections",  # verified/canonical in one section, deprecated in another
}


@dataclass
class Registry:
    """The effective model of one or more merged registry files."""

    entries: dict[Target, Entry] = field(default_factory=dict)
    mocks: dict[str, MockEntry] = field(default_factory=dict)
    services: Services = field(default_factory=Services)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Derived indexes, rebuilt by ``reindex``.
    _by_module: dict[str, list[Entry]] = field(default_factory=dict, repr=False)
    _by_name: dict[str, list[Entry]] = field(default_factory=dict, repr=False)
    # (module, name) -> entry, and module -> module-level entry: plain-tuple and str keys hash
    # several times faster than a frozen dataclass built per probe (look-ups <= 2 µs).
    _exact: dict[tuple[str, str], Entry] = field(default_factory=dict, repr=False)
    _module_level: dict[str, Entry] = field(default_factory=dict, repr=False)
    _module_tops: set[str] = field(default_factory=set, repr=False)
    _indexed: int = field(default=-1, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        by_module: dict[str, list[Entry]] = {}
        by_name: dict[str, list[Entry]] = {}
        exact: dict[tuple[str, str], Entry] = {}
        module_level: dict[str, Entry] = {}
        for target, entry in self.entries.items():
            by_module.setdefault(target.module, []).append(entry)
            if target.name:
                by_name.setdefault(target.name, []).append(entry)
                exact[(target.module, target.name)] = entry
            else:
                module_level[target.module] = entry
        self._by_module = by_module
        self._by_name = by_name
        self._exact = exact
        self._module_level = module_level
        self._module_tops = {m.partition(".")[0] for m in module_level}
        self._indexed = len(self.entries)

    # --- look-ups (O(1) for exact, O(depth) for the module-prefix walk) ---------------------

    def lookup(self, module: str, name: str | None = None) -> Entry | None:
        """The entry that governs ``from module import name`` (or ``import module``).

        Exact ``module:name`` first; then the module entry; then the nearest enclosing module
        entry (a module-level entry covers its submodules unless a more specific one exists).
        """
        if self._indexed != len(self.entries):  # entries added/removed without reindex()
            self.reindex()
        if name is not None:
            hit = self._exact.get((module, name))
            if hit is not None:
                return hit
        modules = self._module_level
        if not modules or module.partition(".")[0] not in self._module_tops:
            return None
        mod = module
        while True:
            hit = modules.get(mod)
            if hit is not None:
                return hit
            dot = mod.rfind(".")
            if dot < 0:
                return None
            mod = mod[:dot]

    def lookup_mock(self, target: str) -> MockEntry | None:
        return self.mocks.get(target)

    def entries_in_module(self, module: str) -> list[Entry]:
        return self._by_module.get(module, [])

    def entries_named(self, name: str) -> list[Entry]:
        return self._by_name.get(name, [])

    def modules(self) -> Iterator[str]:
        return iter(self._by_module)

    def __len__(self) -> int:
        return len(self.entries)


def replacement_applicability(target: Target, replacement: Target | None, *, inferred: bool,
                              different_api: bool) -> Applicability:
    """Derive a fix's applicability (docs/registry-format.md, "What an entry says").

    safe: same name, only the module changes. unsafe: the name changes, the replacement was
    inferred, or it is a different API. none: no replacement.
    """
    if replacement is None:
        return Applicability.NONE
    if inferred or different_api:
        return Applicability.UNSAFE
    if target.name != replacement.name:
        return Applicability.UNSAFE
    return Applicability.SAFE
