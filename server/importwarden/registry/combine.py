"""Claims -> Registry: docs/registry.md ("Replacements", "Several claims", "Mock targets", "Services"), conflicts, chains, services, merging.

Both loaders (``markdown.py``, ``toml.py``) hand over a ``Claims`` bundle per file; ``build``
turns a list of bundles (in load order) into one ``Registry``:

1. rule 8, per Markdown run: a compatible/deprecated entry takes the canonical (else verified)
   entry of the same name in its run; one compatibility name beside one canonical name is a
   rename;
2. rule 10, per target: the claims combine into one ``Entry`` (works claims: most specific
   wins; works against broken: a conflict, IWR002, the later line wins without a workspace);
3. rule 6's bare names (``USE INSTEAD: Name``) are looked up among canonical/verified entries
   (IWR011 when none or several fit);
4. rule 9: inferred replacements (unsafe); a compatible entry with none at all is read as its
   other claims say (verified when there are none);
5. files merge, a later file overriding an earlier one entry by entry (IWR008);
6. replacement chains are followed to their end (a -> b -> c gives a -> c); a cycle is IWR004,
   a replacement that is itself broken is IWR003;
7. rule 11: broken mock targets get a derived replacement (unsafe).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from importwarden.registry import markers
from importwarden.registry.markers import split_comment, split_nested_comment
from importwarden.registry.model import (
    Applicability,
    Claim,
    Entry,
    MockEntry,
    Problem,
    Provenance,
    Registry,
    Services,
    Status,
    Target,
    most_severe,
    replacement_applicability,
)


@dataclass(frozen=True)
class MockClaim:
    """One line's statement about one ``patch('…')`` target."""

    target: str
    status: Status
    provenance: Provenance
    replacement: str | None = None
    fix: Applicability | None = None


@dataclass
class Claims:
    """What one registry file says, before claims are combined (a loader's output)."""

    file: str
    claims: list[Claim] = field(default_factory=list)
    mocks: list[MockClaim] = field(default_factory=list)
    services: Services | None = None  # None: the file says nothing about services
    problems: list[Problem] = field(default_factory=list)
    # Markdown: what each code-block line was read as (import, mock, replacement, comment,
    # code, problem, blank), by 1-based line; lets tests prove no entry-like line is dropped
    # and editors tell entries from prose.
    kinds: dict[int, str] = field(default_factory=dict)
    # Rules 9 and 11 infer replacements nobody wrote: the lenient Markdown reading. The strict
    # TOML form says exactly what it means (an export writes inferred replacements out).
    infer: bool = True


def build(bundles: Sequence[Claims]) -> Registry:
    """Combine the claims of several files (load order) into one effective registry."""
    problems: list[Problem] = []
    entries: dict[Target, Entry] = {}
    mocks: dict[str, MockEntry] = {}
    services = Services()
    files: list[str] = []
    for bundle in bundles:
        files.append(bundle.file)
        problems.extend(bundle.problems)
        _override(entries, _combine_file(bundle, problems), "entry", problems)
        _override(mocks, _combine_mocks(bundle.mocks, problems), "mock target", problems)
        if bundle.services is not None and (bundle.services.members or bundle.services.shared):
            services = bundle.services
    registry = Registry(entries=entries, mocks=mocks, services=services, files=files)
    _follow_chains(registry, problems)
    _derive_mock_replacements(registry, {b.file for b in bundles if not b.infer})
    registry.problems = sorted(set(problems))
    return registry


def _override(merged: dict, own: dict, what: str, problems: list[Problem]) -> None:
    """A later file's entries replace an earlier file's, entry by entry; IWR008 when the later
    one says something else about the same target."""
    if not merged:  # the first file (often the only one): nothing to override
        merged.update(own)
        return
    for target, entry in own.items():
        old = merged.get(target)
        if old is not None and old.provenance.file != entry.provenance.file \
                and _says_otherwise(old, entry):
            problems.append(Problem(
                old.provenance.file, old.provenance.line, "IWR008",
                f"{what} {target} ({_summary(old)}) is overridden by "
                f"{entry.provenance.location()} ({_summary(entry)})"))
        merged[target] = entry


def _says_otherwise(old: Entry | MockEntry, new: Entry | MockEntry) -> bool:
    """IWR008 only when the later file changes what the earlier one said (a repeat with the
    same status and replacement overrides nothing worth a problem)."""
    return (old.status, old.replacement, old.fix) != (new.status, new.replacement, new.fix)


def _summary(item: Entry | MockEntry) -> str:
    if item.replacement is None:
        return item.status.value
    return f"{item.status.value}, use {item.replacement}"


# --- one file ----------------------------------------------------------------------------------


def _combine_file(bundle: Claims, problems: list[Problem]) -> dict[Target, Entry]:
    claims = _pair_runs(bundle.claims)
    by_target: dict[Target, list[Claim]] = {}
    for claim in claims:
        by_target.setdefault(claim.target, []).append(claim)
    drafts = {target: _draft(target, cs, problems) for target, cs in by_target.items()}
    _resolve_bare_names(drafts, problems)
    _infer(drafts, enabled=bundle.infer)
    return {target: draft.entry() for target, draft in drafts.items()}


def _pair_runs(claims: list[Claim]) -> list[Claim]:
    """Rule 8: inside one run, compatible/deprecated entries take their written replacement
    from the canonical (else verified) entry of the same name; one compatibility name beside
    one canonical name with a different name is a rename."""
    runs: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, claim in enumerate(claims):
        if claim.run is not None:
            runs[claim.run].append(index)
    out = list(claims)
    for indexes in runs.values():
        run = [claims[i] for i in indexes]
        needy = [i for i in indexes if claims[i].status in (Status.COMPATIBLE, Status.DEPRECATED)
                 and claims[i].target.name and claims[i].replacement is None
                 and claims[i].replacement_name is None]
        if not needy:
            continue
        canonical = [c for c in run if c.status is Status.CANONICAL and c.target.name]
        # name -> the first claims of that name with two different targets: the first one
        # whose target is not the asking claim's is one of them (a lookup, not a scan: a run
        # can be a 200,000-line block).
        canonical_by_name = _first_two_targets(canonical)
        verified_by_name = _first_two_targets(
            c for c in run if c.status is Status.VERIFIED and c.target.name)
        matched_canonical: set[Target] = set()
        unmatched: list[int] = []
        for i in needy:
            claim = claims[i]
            partner = _other_than(canonical_by_name, claim.target)
            if partner is None:
                partner = _other_than(verified_by_name, claim.target)
            if partner is not None:
                matched_canonical.add(partner.target)
                out[i] = replace(claim, replacement=partner.target)
            elif claim.status is Status.COMPATIBLE:
                unmatched.append(i)
        if len(unmatched) > 1:  # several: only those the line itself marks as compatibility
            unmatched = [i for i in unmatched if claims[i].marked]
        names = {claims[i].target.name for i in unmatched}
        needy_names = {claims[i].target.name for i in needy}
        free = {c.target for c in canonical if c.target not in matched_canonical
                and c.target.name not in needy_names}
        if len(names) == 1 and len(free) == 1:
            (rename_to,) = free
            for i in unmatched:  # inferred from the layout: a rename nobody wrote
                out[i] = replace(claims[i], replacement=rename_to, inferred=True)
    return out


def _first_two_targets(claims: Iterable[Claim]) -> dict[str | None, list[Claim]]:
    """Target name -> its first claim, and the first claim with another target (in order)."""
    by_name: dict[str | None, list[Claim]] = {}
    for claim in claims:
        found = by_name.setdefault(claim.target.name, [])
        if not found or (len(found) == 1 and found[0].target != claim.target):
            found.append(claim)
    return by_name


def _other_than(by_name: dict[str | None, list[Claim]], target: Target) -> Claim | None:
    """The first claim named like ``target`` whose target is another one."""
    return next((c for c in by_name.get(target.name, ()) if c.target != target), None)


@dataclass(slots=True)
class _Draft:
    """A target's combined claims while replacements are still being worked out."""

    target: Target
    claims: list[Claim]
    status: Status
    effective: Claim
    conflict: bool = False
    works_status: Status | None = None
    replacement: Target | None = None
    fix: Applicability | None = None
    inferred: bool = False
    different_api: bool = False
    bare: Claim | None = None  # the claim whose bare replacement name is still to be looked up

    def entry(self) -> Entry:
        fix = self.fix
        if self.replacement is None:
            fix = Applicability.NONE
        elif fix is None:
            fix = replacement_applicability(self.target, self.replacement,
                                            inferred=self.inferred,
                                            different_api=self.different_api)
        return Entry(self.target, self.status, self.effective.provenance, self.replacement, fix,
                     conflict=self.conflict, works_status=self.works_status,
                     claims=tuple(self.claims),
                     inferred=self.inferred and self.replacement is not None)


def _draft(target: Target, claims: list[Claim], problems: list[Problem]) -> _Draft:
    """Rule 10: one target's claims -> status, the claim that decides it, its replacement."""
    if len(claims) == 1:  # the common case: _take_written_replacement of its one claim
        claim = claims[0]
        draft = _Draft(target, claims, claim.status, claim)
        if claim.replacement is not None and claim.replacement != target:
            draft.replacement, draft.fix = claim.replacement, claim.fix
            draft.inferred, draft.different_api = claim.inferred, claim.different_api
        elif claim.replacement_name is not None:
            draft.bare = claim
        return draft
    works = [c for c in claims if c.status.works]
    broken = [c for c in claims if not c.status.works]
    works_status = most_severe(c.status for c in works) if works else None
    conflict = bool(works and broken)
    if conflict:
        last = claims[-1]
        status = last.status if not last.status.works else works_status
        effective = last
        first_works = next(c for c in works if c.status is works_status)
        first_broken = broken[-1]
        problems.append(Problem(
            last.provenance.file, last.provenance.line, "IWR002",
            f"conflicting claims about {target}: broken "
            f"({_quoted_line(first_broken)}) and {works_status.value} "
            f"({_quoted_line(first_works)}); the workspace decides (resolves: "
            f"{works_status.value}, does not: broken), without one the later line wins "
            f"({status.value})"))
    else:
        status = most_severe(c.status for c in claims)
        effective = next(c for c in claims if c.status is status)
    assert status is not None
    draft = _Draft(target, claims, status, effective, conflict=conflict,
                   works_status=works_status if conflict else None)
    _take_written_replacement(draft)
    if conflict and draft.replacement is None and draft.bare is None:
        # The workspace may still decide broken: keep what the broken line says to use.
        _take_written_replacement(draft, Status.BROKEN)
    if not conflict:
        _report_contradiction(target, claims, problems)
    _report_duplicates(target, claims, problems)
    return draft


def _quoted_line(claim: Claim) -> str:
    raw = claim.provenance.raw
    shown = raw if len(raw) <= 160 else raw[:159] + "…"
    return f"line {claim.provenance.line}: {shown!r}" if shown else f"line {claim.provenance.line}"


def _report_contradiction(target: Target, claims: list[Claim], problems: list[Problem]) -> None:
    """IWR012, once per target: listed as verified/canonical in one section and as deprecated
    in another. Rule 10 reads it as deprecated (the most specific works claim), but a maintainer
    wants to hear that two sections disagree; updates within one section are how registries
    grow and are not reported."""
    good = [c for c in claims if c.status in (Status.VERIFIED, Status.CANONICAL)]
    bad = [c for c in claims if c.status is Status.DEPRECATED]
    for old in bad:
        other = next((c for c in good if c.provenance.heading != old.provenance.heading), None)
        if other is None:
            continue
        first, second = sorted((other, old), key=lambda c: c.provenance.line)
        problems.append(Problem(
            second.provenance.file, second.provenance.line, "IWR012",
            f"{target} is {first.status.value} ({_quoted_line(first)}) and "
            f"{second.status.value} ({_quoted_line(second)}) in different sections; "
            f"read as deprecated"))
        return


def _take_written_replacement(draft: _Draft, status: Status | None = None) -> None:
    """The replacement written for the deciding status (or ``status``): the deciding claim's,
    else the latest claim of the same status that has one."""
    status = status or draft.status
    same = [c for c in draft.claims if c.status is status]
    ordered = ([draft.effective] if draft.effective.status is status else []) + [
        c for c in reversed(same) if c is not draft.effective]
    for claim in ordered:
        if claim.replacement is not None and claim.replacement != draft.target:
            draft.replacement, draft.fix = claim.replacement, claim.fix
            draft.inferred, draft.different_api = claim.inferred, claim.different_api
            return
        if claim.replacement_name is not None:
            draft.bare = claim
            return


def _report_duplicates(target: Target, claims: list[Claim], problems: list[Problem]) -> None:
    """IWR005, once per target: the same target written twice with the same status but with
    notes of its own (trailing comments) whose markers differ. Different statuses are updates, read by
    rule 10; the comment above a group is a caption, not a note about this entry."""
    seen: dict[Status, Claim] = {}
    # The claims of one line share its provenance: its note is read once (a 1 MB line of
    # 350,000 names read it 350,000 times).
    notes: dict[int, str] = {}
    for claim in claims:
        own = notes.get(id(claim.provenance))
        if own is None:
            own = notes[id(claim.provenance)] = _own_note(claim)
        first = seen.get(claim.status)
        if first is None:
            if own:
                seen[claim.status] = claim
            continue
        if own and claim.provenance.line != first.provenance.line \
                and _says_something_else(own, _own_note(first)):
            problems.append(Problem(
                claim.provenance.file, claim.provenance.line, "IWR005",
                f"duplicate entry {target} (also line {first.provenance.line}) with a "
                f"different note: {own!r} vs {_own_note(first)!r}"))
            return


def _says_something_else(note: str, other: str) -> bool:
    """Two notes of one target say different things when their markers differ; notes that
    differ only in wording ("Consolidated interface" / "CONSOLIDATED: No longer separate
    module") or say nothing about status are not worth a problem."""
    mine, theirs = markers.read(note), markers.read(other)
    return bool(mine) and bool(theirs) and mine != theirs


def _own_note(claim: Claim) -> str:
    """A claim's own note: the trailing comment of its Markdown line (the whole TOML note)."""
    if claim.run is None:
        return claim.provenance.note
    code, comment = split_comment(claim.provenance.raw)
    if not code.strip() and comment:  # a commented-out entry: its own comment, if any
        return split_nested_comment(comment)[1]
    return comment


# Ambiguous replacement names list this many places (a registry can have thousands).
_SHOWN_PLACES = 10


class _NameIndex:
    """Drafts by (name, top-level package or None, status), in draft order: the lookups of
    rules 6 and 9 without a scan of every draft of that name (which made a registry of many
    same-named entries quadratic). ``move`` keeps it right when a draft's status changes.
    Only the ``statuses`` its caller picks are indexed (a 200,000-line registry's broken and
    deprecated drafts are never candidates of rules 6 and 9: indexing them was a tenth of the
    load)."""

    def __init__(self, drafts: Iterable[_Draft], statuses: frozenset[Status]):
        # (Inner dicts keyed by the draft's id, one draft per target: an int hashes in C, a
        # Target in Python, and a 200,000-line registry builds this index over every draft.)
        self._buckets: dict[tuple[str, str | None, Status], dict[int, _Draft]] = {}
        self._statuses = statuses
        for draft in drafts:
            if draft.status in statuses:
                self._add(draft, draft.status)

    def _keys(self, draft: _Draft, status: Status):
        target = draft.target
        name = target.name or ""
        return ((name, target.module.partition(".")[0], status), (name, None, status))

    def _add(self, draft: _Draft, status: Status) -> None:
        if draft.target.name:
            buckets = self._buckets
            for key in self._keys(draft, status):
                bucket = buckets.get(key)
                if bucket is None:
                    bucket = buckets[key] = {}
                bucket[id(draft)] = draft

    def move(self, draft: _Draft, old: Status) -> None:
        if draft.target.name and old is not draft.status:
            if old in self._statuses:
                for key in self._keys(draft, old):
                    self._buckets.get(key, {}).pop(id(draft), None)
            if draft.status in self._statuses:
                self._add(draft, draft.status)

    def pick(self, name: str, top: str | None, status: Status, keep, limit: int) -> list[_Draft]:
        """Up to ``limit`` drafts of that name/package/status for which ``keep(draft)``."""
        assert status in self._statuses, f"{status} is not indexed"
        out: list[_Draft] = []
        for draft in self._buckets.get((name, top, status), {}).values():
            if keep(draft):
                out.append(draft)
                if len(out) >= limit:
                    break
        return out


# What rules 6 and 9 look for: a canonical (else verified) entry of the name; else a
# compatible or deprecated one with a written replacement.
_FIRST_CHOICE = frozenset({Status.CANONICAL, Status.VERIFIED})
_SECOND_CHOICE = frozenset({Status.COMPATIBLE, Status.DEPRECATED})


def _candidates(named: _NameIndex, name: str, top: str | None, exclude: Target,
                limit: int = 2) -> list[_Draft]:
    """Canonical entries named ``name`` (else verified ones), in package ``top`` if given; at
    most ``limit`` of them (callers only tell one from several)."""
    def keep(draft: _Draft) -> bool:
        return draft.target != exclude

    return (named.pick(name, top, Status.CANONICAL, keep, limit)
            or named.pick(name, top, Status.VERIFIED, keep, limit))


def _resolve_bare_names(drafts: dict[Target, _Draft], problems: list[Problem]) -> None:
    """Rule 6: ``USE INSTEAD: Name`` -> the single canonical/verified entry of that name
    (same top-level package first). None or several: IWR011."""
    named: _NameIndex | None = None
    for draft in drafts.values():
        claim = draft.bare
        if claim is None:
            continue
        named = named if named is not None else _NameIndex(drafts.values(), _FIRST_CHOICE)
        name = claim.replacement_name or ""
        found = _candidates(named, name, draft.target.top_level, draft.target,
                            _SHOWN_PLACES + 1)
        if len(found) != 1:
            found = _candidates(named, name, None, draft.target, _SHOWN_PLACES + 1)
        line = claim.replacement_line or claim.provenance.line
        if len(found) == 1:
            draft.replacement = found[0].target
            draft.fix, draft.different_api = claim.fix, claim.different_api
        elif not found:
            problems.append(Problem(claim.provenance.file, line, "IWR011",
                                    f"replacement name {name!r} for {draft.target} matches no "
                                    "canonical or verified entry"))
        else:
            places = ", ".join(str(d.target) for d in found[:_SHOWN_PLACES])
            if len(found) > _SHOWN_PLACES:
                places += ", …"
            problems.append(Problem(claim.provenance.file, line, "IWR011",
                                    f"replacement name {name!r} for {draft.target} is ambiguous "
                                    f"({places})"))


def _infer(drafts: dict[Target, _Draft], *, enabled: bool = True) -> None:
    """Rule 9, in two passes so that a compatible entry read as verified can be inferred to.

    The single canonical (else verified) entry with the same name in the same top-level
    package (never across services); with none, the single compatible/deprecated one that has
    a written replacement (its chain is followed later: ``execution_tracker:ExecutionTracker``
    -> ``agent_execution_tracker:ExecutionTracker`` -> ``…:AgentExecutionTracker``).
    """
    indexes: list[_NameIndex] = []  # [named, written], built on the first inference

    def infer_one(draft: _Draft) -> bool:
        name = draft.target.name
        if not name or not enabled:
            return False
        if not indexes:
            indexes.append(_NameIndex(drafts.values(), _FIRST_CHOICE))
            indexes.append(_NameIndex((d for d in drafts.values() if d.replacement is not None),
                                      _SECOND_CHOICE))
        named, written = indexes
        top = draft.target.top_level
        found = _candidates(named, name, top, draft.target)
        if not found:
            def keep(d: _Draft) -> bool:  # never straight back to itself
                return d.target != draft.target and d.replacement != draft.target

            # (needs action and works: compatible or deprecated; a written draft's status
            # does not change here)
            found = (written.pick(name, top, Status.COMPATIBLE, keep, 2)
                     + written.pick(name, top, Status.DEPRECATED, keep, 2))
        if len(found) != 1:
            return False
        draft.replacement, draft.inferred, draft.fix = found[0].target, True, None
        return True

    for draft in drafts.values():  # pass 1: compatible entries
        if draft.status is Status.COMPATIBLE and draft.replacement is None \
                and not infer_one(draft):
            _settle_compatible(draft)
            if indexes:
                indexes[0].move(draft, Status.COMPATIBLE)
    for draft in drafts.values():  # pass 2: broken and deprecated entries
        if draft.status in (Status.BROKEN, Status.DEPRECATED) and draft.replacement is None:
            infer_one(draft)


def _settle_compatible(draft: _Draft) -> None:
    """A compatible entry with no replacement at all: nothing to act on, so read it as its
    other claims say (verified when there are none)."""
    others = [c for c in draft.claims if c.status.works and c.status is not Status.COMPATIBLE]
    status = most_severe(c.status for c in others) if others else Status.VERIFIED
    draft.status = status
    draft.effective = next((c for c in others if c.status is status), draft.effective)
    if draft.conflict:
        draft.works_status = status


# --- across files ------------------------------------------------------------------------------


def _follow_chains(registry: Registry, problems: list[Problem]) -> None:
    """a -> b -> c gives a -> c; a cycle is IWR004; a replacement that is itself broken (and
    has no replacement of its own) is IWR003 and is dropped."""
    entries = registry.entries
    updates: dict[Target, Entry] = {}
    reported_cycles: set[frozenset[Target]] = set()
    for target, entry in entries.items():
        if entry.replacement is None:
            continue
        if entry.inferred:  # nobody wrote this link: it is not extended either
            continue
        path = [target]
        current = entry.replacement
        safe = entry.fix is Applicability.SAFE
        cycle = False
        while True:
            if current in path:
                cycle = True
                break
            nxt = _next_hop(registry, current)
            if nxt is None or nxt[0].inferred:  # never chain through an inferred link
                break
            hop_entry, moved = nxt
            path.append(current)
            safe = safe and hop_entry.fix is Applicability.SAFE
            current = moved
        if cycle:
            members = frozenset(path[path.index(current):]) if current in path else frozenset()
            if target in members and members not in reported_cycles:
                reported_cycles.add(members)
                first = min((entries[t] for t in members if t in entries), key=lambda e: (
                    e.provenance.file, e.provenance.line, str(e.target)), default=entry)
                ring = " -> ".join(str(t) for t in path[path.index(current):] + [current])
                problems.append(Problem(first.provenance.file, first.provenance.line, "IWR004",
                                        f"replacement cycle: {ring}"))
            updates[target] = _without_replacement(entry)
            continue
        end = registry.lookup(current.module, current.name)
        end_is_exact = end is not None and (end.target == current or end.target.is_module)
        if end is not None and end_is_exact and end.status is Status.BROKEN \
                and end.replacement is None and not end.conflict:
            problems.append(Problem(entry.provenance.file, entry.provenance.line, "IWR003",
                                    f"replacement {current} of {target} is itself broken "
                                    f"({end.provenance.location()})"))
            updates[target] = _without_replacement(entry)
            continue
        if current != entry.replacement:
            if safe and current.name == target.name:
                fix = Applicability.SAFE
            else:
                fix = Applicability.UNSAFE
            updates[target] = replace(entry, replacement=current, fix=fix)
    if updates:  # (else the index built with the registry still holds: no second pass)
        entries.update(updates)
        registry.reindex()


def _without_replacement(entry: Entry) -> Entry:
    """Drop a replacement that cannot be used; a compatible entry left with none is read as
    its other claims say (as in rule 9)."""
    entry = replace(entry, replacement=None, fix=Applicability.NONE)
    if entry.status is Status.COMPATIBLE:
        others = [c for c in entry.claims
                  if c.status.works and c.status is not Status.COMPATIBLE]
        status = most_severe(c.status for c in others) if others else Status.VERIFIED
        effective = next((c for c in others if c.status is status), None)
        entry = replace(entry, status=status,
                        provenance=effective.provenance if effective else entry.provenance,
                        works_status=status if entry.conflict else None)
    return entry


def _next_hop(registry: Registry, current: Target) -> tuple[Entry, Target] | None:
    """The entry that sends ``current`` on, and where to (module-level entries move a prefix)."""
    hit = registry.lookup(current.module, current.name)
    if hit is None or hit.replacement is None or not hit.status.needs_action:
        return None
    if hit.target == current:
        return hit, hit.replacement
    if hit.target.is_module and hit.replacement.is_module:  # a module (or package) moved
        tail = current.module[len(hit.target.module):]
        return hit, Target(hit.replacement.module + tail, current.name)
    return None


# --- mocks -------------------------------------------------------------------------------------


def _combine_mocks(claims: list[MockClaim], problems: list[Problem]) -> dict[str, MockEntry]:
    by_target: dict[str, list[MockClaim]] = {}
    for claim in claims:
        by_target.setdefault(claim.target, []).append(claim)
    out: dict[str, MockEntry] = {}
    for target, cs in by_target.items():
        # A mock target is right or wrong where it is patched: verified or broken (a
        # "deprecated" patch path is still where the name is looked up).
        cs = [c if c.status in (Status.BROKEN, Status.VERIFIED) else replace(
            c, status=Status.VERIFIED) for c in cs]
        works = [c for c in cs if c.status.works]
        broken = [c for c in cs if not c.status.works]
        if works and broken:
            effective = cs[-1]
            problems.append(Problem(
                effective.provenance.file, effective.provenance.line, "IWR002",
                f"conflicting claims about mock target {target}: broken (line "
                f"{broken[-1].provenance.line}) and working (line {works[-1].provenance.line});"
                " the later line wins"))
        else:
            status = most_severe(c.status for c in cs)
            effective = next(c for c in cs if c.status is status)
        source = next((c for c in [effective, *reversed(cs)] if c.replacement
                       and c.status is effective.status), None)
        replacement = source.replacement if source else None
        if source is not None and source.fix is not None:
            fix = source.fix
        elif replacement is None:
            fix = Applicability.NONE
        else:  # safe when the attribute stays the same (only the module moved)
            same = replacement.rsplit(".", 1)[-1] == target.rsplit(".", 1)[-1]
            fix = Applicability.SAFE if same else Applicability.UNSAFE
        out[target] = MockEntry(target, effective.status, effective.provenance, replacement, fix)
    return out


def split_mock_target(registry: Registry, target: str) -> tuple[str, list[str]]:
    """``a.b.mod.Class.meth`` -> (``a.b.mod``, [``Class``, ``meth``]).

    The module is the longest prefix the registry knows as a module; else everything before
    the first capitalised part; else all but the last part.
    """
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if registry.entries_in_module(".".join(parts[:cut])):
            return ".".join(parts[:cut]), parts[cut:]
    for cut, part in enumerate(parts):
        if cut and part[:1].isupper():
            return ".".join(parts[:cut]), parts[cut:]
    return ".".join(parts[:-1]), parts[-1:]


def _derive_mock_replacements(registry: Registry, strict_files: set[str]) -> None:
    """Rule 11: a broken mock target with no written replacement takes one (unsafe) from the
    import entries (its module moved) or from the single correct mock target with the same
    attribute path in the same top-level package."""
    working = [m for m in registry.mocks.values() if m.status.works]
    for target, mock in list(registry.mocks.items()):
        if mock.status is not Status.BROKEN or mock.replacement is not None \
                or mock.provenance.file in strict_files:
            continue
        module, attrs = split_mock_target(registry, target)
        derived = _moved_by_imports(registry, module, attrs)
        if derived is None:
            suffix = "." + ".".join(attrs)
            top = target.split(".", 1)[0]
            same = [m.target for m in working if m.target.endswith(suffix)
                    and m.target.split(".", 1)[0] == top and m.target != target]
            if len(same) == 1:
                derived = same[0]
        if derived is not None and derived != target:
            registry.mocks[target] = replace(mock, replacement=derived, fix=Applicability.UNSAFE)


def _moved_by_imports(registry: Registry, module: str, attrs: list[str]) -> str | None:
    entries = [e for e in registry.entries_in_module(module)
               if e.replacement is not None and e.status.needs_action
               and e.replacement.module != module]
    if not entries:
        return None
    own = next((e for e in entries if e.target.name == attrs[0]), None)
    modules = {e.replacement.module for e in entries if e.replacement is not None}
    if own is not None and own.replacement is not None:
        head = own.replacement.name or attrs[0]
        return ".".join([own.replacement.module, head, *attrs[1:]])
    if len(modules) != 1:
        return None
    return ".".join([modules.pop(), *attrs])
