"""The rules IW001–IW008: one file's import refs + the registry + the workspace -> findings.

Pure and cheap: no file I/O, no parsing. The expensive part (reading and extracting a file) is
done once per file elsewhere and cached; this module only asks the registry and the workspace
index questions, so the CLI can re-run it for every file whenever the workspace changes.

Precedence (one finding per ref, the first rule that applies *and is enabled* wins):

    IW001 broken  >  IW005 unresolved  >  IW002 deprecated  >  IW006 cross-service
                  >  IW003 non-canonical  >  IW004 unverified

IW001/IW002/IW003/IW004 come from the registry entry that governs the ref; IW005 only applies
when the registry says nothing about the ref. Mock targets get IW007 or IW008 (or nothing).
A disabled rule (``select``/``ignore``/``per-file-ignores``) lets the next applicable rule
report the ref; a ``# noqa`` comment only silences the finding it names (see ``suppress``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from importwarden.analysis.codes import RULES
from importwarden.analysis.findings import Finding, Fix
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.registry.model import (
    Applicability,
    Entry,
    MockEntry,
    Provenance,
    Registry,
    ServiceOrigin,
    Services,
    Status,
    Target,
    replacement_applicability,
)
from importwarden.workspace.contract import IndexView, resolves

NOTE_LIMIT = 160  # characters of a registry note quoted in a message


@dataclass(frozen=True)
class RuleContext:
    """Everything the rules need besides the refs; built once per run (or per registry reload)."""

    registry: Registry
    index: IndexView | None
    services: Services
    enabled: Callable[[str], bool] = lambda code: True


def effective_services(registry: Registry, members: Iterable[str] | None,
                       shared: Iterable[str] | None, *,
                       settings_line: Provenance | None = None) -> Services:
    """The registry's services, with ``[tool.importwarden]`` overrides applied field by field
    (``settings_line``: where the override is written, kept as the overridden packages'
    origin)."""
    base = registry.services
    members = tuple(members) if members is not None else base.members
    if shared is not None:
        shared = tuple(shared)
    else:  # a package the settings make a service is no longer the registry's shared one
        shared = tuple(p for p in base.shared if p not in members)
    where = settings_line or Provenance("settings", 0, (), "services")
    kept = {(o.package, o.role): o for o in base.origins}
    origins = tuple(kept.get((p, role)) or ServiceOrigin(p, role, where)
                    for role, packages in (("service", members), ("shared", shared))
                    for p in packages)
    return Services(members=members, shared=shared, provenance=base.provenance,
                    origins=origins)


@dataclass
class _Candidate:
    code: str
    message: str
    target: Target | None
    registry: Provenance | None = None
    replacement: Target | None = None
    applicability: Applicability = Applicability.NONE
    fix_message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def check_refs(refs: Iterable[ImportRef], *, path: str, module: str | None,
               ctx: RuleContext) -> list[Finding]:
    """Findings for one file's refs (``module`` is the file's own dotted name, if known).

    Findings carry ``fix`` with applicability and message but no edits: edits need the source
    text and are planned by the engine (``importwarden.fixes.plan_fix``).
    """
    findings: list[Finding] = []
    for ref in refs:
        if ref.kind is RefKind.MOCK:
            candidates = _mock_candidates(ref, ctx)
        else:
            candidates = _import_candidates(ref, module, ctx)
        for cand in candidates:
            if ctx.enabled(cand.code):
                findings.append(_to_finding(cand, ref, path))
                break
    return findings


def interesting_raw(raws, *, module: str | None, ctx: RuleContext,
                    memo: dict | None = None) -> list:
    """The scanner's raw ref tuples (fields: ``raw_refs.RawField``) some rule may report on,
    so that the CLI builds ``ImportRef`` objects only for those (most imports are fine). A
    ref is kept when one of the conditions ``check_refs`` starts from holds for it: a mock
    target, a registry entry that governs it (``governing_entry``), a target the workspace
    lacks, or a cross-service import (``crosses_service``).

    ``memo``: answers by (kind, module, name) to share across files while the registry and
    the index stay the same (a monorepo imports the same few thousand targets everywhere)."""
    registry, index, services = ctx.registry, ctx.index, ctx.services
    in_service = module is not None and services.service_of(module) is not None
    memo = {} if memo is None else memo
    out = []
    for raw in raws:
        kind, mod, name, _alias, _r, _mr, _sr, level, _flags, _quote, _via = raw
        if kind == "mock":
            out.append(raw)
            continue
        hit = memo.get((kind, mod, name))
        if hit is None:
            target_name = name if name != "*" else None
            hit = memo[(kind, mod, name)] = (
                governing_entry(registry, kind, mod, name) is not None
                or resolves(index, mod, target_name) is False)
        if hit or (in_service and crosses_service(ctx.services, module, kind, mod, level)):
            out.append(raw)
    return out


# --- imports --------------------------------------------------------------------------------


def _ref_target(ref: ImportRef) -> Target:
    name = ref.name if ref.name not in (None, "*") else None
    return Target(ref.module, name)


def lookup_ref(registry: Registry, ref: ImportRef) -> Entry | None:
    """The registry entry that governs a ref.

    ``from a.b import c``: the entry ``a.b:c``, else a module entry for ``a.b.c`` (``c`` may be
    a submodule), else the nearest module entry covering ``a.b``. Attribute uses
    (``import a.b`` then ``a.b.X``) match only an entry for exactly ``a.b:X``: the module entry
    is already reported on the import statement, once.
    """
    return governing_entry(registry, ref.kind, ref.module, ref.name)


def governing_entry(registry: Registry, kind: str, module: str,
                    name: str | None) -> Entry | None:
    """``lookup_ref`` for a ref's parts (``kind``: a ``RefKind`` or its value; ``name``: None,
    ``*`` or a name)."""
    if name == "*":
        name = None
    if kind == RefKind.ATTRIBUTE:
        return registry.entries.get(Target(module, name)) if name else None
    if name is not None:
        hit = registry.entries.get(Target(module, name))
        if hit is not None:
            return hit
        hit = registry.entries.get(Target(f"{module}.{name}"))
        if hit is not None:
            return hit
    return registry.lookup(module, None)


def crosses_service(services: Services, importer: str | None, kind: str, module: str,
                    level: int) -> bool:
    """Whether an import (not an attribute use, not relative) of ``module`` by ``importer``
    goes from one service into another (IW006)."""
    return (importer is not None and kind != RefKind.ATTRIBUTE and level == 0
            and services.crosses(importer, module))


def _import_candidates(ref: ImportRef, module: str | None, ctx: RuleContext) -> list[_Candidate]:
    target = _ref_target(ref)
    out: list[_Candidate] = []
    entry = lookup_ref(ctx.registry, ref)
    status: Status | None = None
    if entry is not None:
        status = entry.status_given(resolves(ctx.index, target.module, target.name))
        cand = _registry_candidate(ref, target, entry, status, ctx)
        if cand is not None:
            out.append(cand)
    elif not ref.guarded:
        cand = _unresolved_candidate(ref, target, ctx, module)
        if cand is not None:
            out.append(cand)
    cross = _cross_service_candidate(ref, target, module, ctx)
    if cross is not None:
        out.append(cross)
    # Order by the precedence documented above.
    order = {"IW001": 0, "IW005": 1, "IW002": 2, "IW006": 3, "IW003": 4, "IW004": 5}
    out.sort(key=lambda c: order[c.code])
    return out


_STATUS_CODE = {
    Status.BROKEN: "IW001",
    Status.DEPRECATED: "IW002",
    Status.COMPATIBLE: "IW003",
    Status.UNVERIFIED: "IW004",
}


def _registry_candidate(ref: ImportRef, target: Target, entry: Entry,
                        status: Status, ctx: RuleContext) -> _Candidate | None:
    code = _STATUS_CODE.get(status)
    if code is None:
        return None
    replacement = _usable_replacement(entry, target, ctx)
    # In a conflict the workspace may side with the claim that lost on the registry alone:
    # quote the line that decided.
    provenance = entry.provenance_for(status)
    if status is Status.COMPATIBLE and replacement is None:
        return None  # a compatibility path with nowhere better to go is just a working path
    if status is Status.UNVERIFIED:
        replacement = None
    applicability = entry.fix if replacement is not None else Applicability.NONE
    if replacement is not None and applicability is Applicability.NONE:
        applicability = replacement_applicability(target, replacement, inferred=True,
                                                  different_api=False)
    shown = _show(target)
    if status is Status.BROKEN:
        head = f"`{shown}` is broken"
    elif status is Status.DEPRECATED:
        head = (f"`{shown}` still imports but the registry marks it broken"
                if entry.status is Status.BROKEN and not entry.conflict
                else f"`{shown}` is deprecated")
    elif status is Status.COMPATIBLE:
        head = f"`{shown}` is a compatibility path"
    else:
        head = f"`{shown}` is not verified in the registry"
    if status is Status.UNVERIFIED:
        tail = ""
    elif replacement is not None:
        tail = f"; use `{replacement}` instead"
    else:
        tail = "; no known replacement"
    message = f"{head}{tail}{_quote(provenance)}"
    return _Candidate(code, message, target, provenance, replacement, applicability,
                      _fix_message(ref, target, replacement) if replacement else "")


def _usable_replacement(entry: Entry, target: Target, ctx: RuleContext) -> Target | None:
    """``_map_replacement``, except that a rename nobody wrote (``Entry.inferred``) needs the
    workspace's evidence that both names are one API (``workspace/evidence.py``; reads the two
    modules once, only for such entries)."""
    replacement = _map_replacement(entry, target)
    if replacement is None or not entry.inferred or replacement.name == target.name:
        return replacement
    from importwarden.workspace.evidence import rename_evidence

    return replacement if rename_evidence(ctx.index, target, replacement) else None


def _map_replacement(entry: Entry, target: Target) -> Target | None:
    """The replacement for what the ref imports, given the entry that governs it.

    A module entry (``a.b`` -> ``c.d``) moves every name imported from it (``a.b:X`` ->
    ``c.d:X``) and every submodule (``a.b.e`` -> ``c.d.e``).
    """
    rep = entry.replacement
    if rep is None:
        return None
    if entry.target.name is not None or rep.name is not None:
        return rep
    if target.module == entry.target.module:
        return Target(rep.module, target.name)
    suffix = target.module[len(entry.target.module):]
    return Target(rep.module + suffix, target.name)


def _unresolved_candidate(ref: ImportRef, target: Target, ctx: RuleContext,
                          importer: str | None = None) -> _Candidate | None:
    index = ctx.index
    if index is None:
        return None
    if ref.kind is RefKind.ATTRIBUTE:
        # `import a.b` then `a.b.X`: only the name can be missing (the module is reported on
        # the import statement).
        if target.name is None or index.resolves(target.module) is not True:
            return None
        if index.resolves(target.module, target.name) is not False:
            return None
    elif index.resolves(target.module, target.name) is not False:
        return None
    module_ok = index.resolves(target.module)
    if module_ok is False:
        what = f"module `{target.module}` does not exist in the workspace"
        if ref.kind is RefKind.FROM and target.name is not None:
            what = f"`{target}`: {what}"
    else:
        what = f"`{target.name}` is not defined in `{target.module}`"
    cand = _Candidate("IW005", what, target)
    if target.name is not None and ref.kind is RefKind.FROM:
        found = unique_definer(ctx, target.name, exclude=(target.module, importer))
        if found is not None:
            rep, prov = found
            cand.replacement = rep
            cand.registry = prov
            cand.applicability = Applicability.UNSAFE
            cand.fix_message = _fix_message(ref, target, rep)
            cand.message += f"; it is defined in `{rep.module}`"
    return cand


def unique_definer(ctx: RuleContext, name: str, *,
                   exclude: tuple[str | None, ...] = ()) -> tuple[Target, Provenance | None] | None:
    """The one place that defines ``name``: the registry's canonical entry of that name first,
    then the workspace's definers. None when there is none or more than one. ``exclude``: the
    module that lacks the name and the importing module itself."""
    named = [e for e in ctx.registry.entries_named(name) if e.target.module not in exclude]
    for status in (Status.CANONICAL, Status.VERIFIED):
        hits = {e.target: e for e in named if e.status is status}
        if len(hits) == 1:
            entry = next(iter(hits.values()))
            return entry.target, entry.provenance
        if len(hits) > 1:
            return None
    if ctx.index is None:
        return None
    modules = [m for m in dict.fromkeys(ctx.index.definers(name)) if m not in exclude]
    if len(modules) == 1:
        return Target(modules[0], name), None
    return None


def _cross_service_candidate(ref: ImportRef, target: Target, module: str | None,
                             ctx: RuleContext) -> _Candidate | None:
    if not crosses_service(ctx.services, module, ref.kind, target.module, ref.level):
        return None
    mine = ctx.services.service_of(module)
    theirs = ctx.services.service_of(target.module)
    names = [f"`{s}`" for s in ctx.services.shared]
    shared = " and ".join(filter(None, (", ".join(names[:-1]), names[-1]))) if names else ""
    verb = "is" if len(names) == 1 else "are"
    message = (f"`{_show(target)}`: service `{mine}` must not import from service `{theirs}`"
               + (f" (only {shared} {verb} shared)" if shared else ""))
    return _Candidate("IW006", message, target, ctx.services.provenance)


# --- mock targets ---------------------------------------------------------------------------


def _mock_candidates(ref: ImportRef, ctx: RuleContext) -> list[_Candidate]:
    dotted = ref.module
    mock = ctx.registry.lookup_mock(dotted)
    resolved = _mock_resolves(dotted, ctx)
    if mock is not None and mock.status is Status.BROKEN:
        return [_mock_registry_candidate(ref, mock, resolved)]
    if mock is not None:
        return []  # the registry names it as a correct target
    split = split_mock_target(dotted, ctx) if ctx.index is not None else None
    if split is not None:
        module, name, rest = split
        entry = None
        if name is not None:
            entry = ctx.registry.entries.get(Target(module, name))
        if entry is None:
            entry = ctx.registry.lookup(module, None)
        if entry is not None:
            target = Target(module, name)
            status = entry.status_given(resolves(ctx.index, target.module, target.name))
            if status in (Status.BROKEN, Status.DEPRECATED, Status.COMPATIBLE):
                rep = _usable_replacement(entry, target, ctx)
                if status is Status.COMPATIBLE and rep is None:
                    return []
                code = "IW007" if status is Status.BROKEN and resolved is False else "IW008"
                rep_dotted = _join_mock(rep, rest) if rep is not None else None
                if code == "IW008" and rep_dotted is None:
                    return []  # nothing to move to: deprecated without a replacement
                word = {Status.BROKEN: "broken", Status.DEPRECATED: "deprecated",
                        Status.COMPATIBLE: "a compatibility path"}[status]
                msg = f"mock target `{dotted}` goes through `{_show(target)}`, which is {word}"
                msg += f"; patch `{rep_dotted}` instead" if rep_dotted else "; no known replacement"
                msg += _quote(entry.provenance)
                app = entry.fix if rep is not None else Applicability.NONE
                if rep is not None and app is Applicability.NONE:
                    app = Applicability.UNSAFE
                return [_Candidate(code, msg, Target(dotted), entry.provenance,
                                   Target(rep_dotted) if rep_dotted else None, app,
                                   f"Patch `{rep_dotted}` instead" if rep_dotted else "")]
    if resolved is False and not ref.guarded:
        return [_Candidate("IW007", f"mock target `{dotted}` does not resolve: "
                           + _mock_why(dotted, ctx), Target(dotted))]
    return []


def _mock_registry_candidate(ref: ImportRef, mock: MockEntry, resolved: bool | None) -> _Candidate:
    dotted = ref.module
    rep = mock.replacement
    # Like imports: a registry-broken target that does resolve works, so it is not an error.
    code = "IW008" if resolved is True else "IW007"
    head = (f"mock target `{dotted}` still resolves but the registry marks it broken"
            if code == "IW008" else f"mock target `{dotted}` is broken")
    tail = f"; patch `{rep}` instead" if rep else "; no known replacement"
    app = mock.fix if rep else Applicability.NONE
    if rep and app is Applicability.NONE:
        app = Applicability.UNSAFE
    return _Candidate(code, head + tail + _quote(mock.provenance), Target(dotted),
                      mock.provenance, Target(rep) if rep else None, app,
                      f"Patch `{rep}` instead" if rep else "")


def split_mock_target(dotted: str, ctx: RuleContext) -> tuple[str, str | None, str] | None:
    """``a.b.C.meth`` -> (``a.b``, ``C``, ``meth``): the longest prefix that is a workspace
    module, the name looked up in it, and the attribute path after that. None when the target
    is not first-party (or no prefix of it is a module)."""
    index = ctx.index
    if index is None:
        return None
    parts = dotted.split(".")
    if not index.is_first_party(parts[0]):
        return None
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        if index.resolves(module) is True:
            name = parts[i] if i < len(parts) else None
            rest = ".".join(parts[i + 1:])
            return module, name, rest
    return None


def _mock_resolves(dotted: str, ctx: RuleContext) -> bool | None:
    """True when the target's module binds the name patched (patch where it is looked up)."""
    index = ctx.index
    if index is None or "." not in dotted:
        return None
    parts = dotted.split(".")
    if not index.is_first_party(parts[0]):
        return None
    split = split_mock_target(dotted, ctx)
    if split is None:
        return False
    module, name, _rest = split
    if name is None:
        return True
    return index.resolves(module, name)


def _mock_why(dotted: str, ctx: RuleContext) -> str:
    split = split_mock_target(dotted, ctx)
    if split is None:
        return f"no module of `{dotted}` exists in the workspace"
    module, name, rest = split
    if rest:
        return f"`{module}` has no submodule or name `{name}`"
    return f"`{module}` does not bind `{name}` (patch where the name is looked up)"


def _join_mock(rep: Target, rest: str) -> str:
    parts = [rep.module]
    if rep.name:
        parts.append(rep.name)
    if rest:
        parts.append(rest)
    return ".".join(parts)


# --- shared ---------------------------------------------------------------------------------


def _show(target: Target) -> str:
    return str(target)


def _quote(prov: Provenance | None) -> str:
    if prov is None or not prov.note.strip():
        return ""
    note = " ".join(prov.note.split())
    if len(note) > NOTE_LIMIT:
        note = note[: NOTE_LIMIT - 1].rstrip() + "…"
    return f' (registry: "{note}")'


def _fix_message(ref: ImportRef, target: Target, replacement: Target) -> str:
    if ref.kind is RefKind.IMPORT or replacement.name is None:
        return f"Import `{replacement.module}` instead of `{target.module}`"
    if replacement.name != target.name:
        return f"Import `{replacement.name}` from `{replacement.module}` instead of `{target}`"
    return f"Import `{replacement.name}` from `{replacement.module}` instead of `{target.module}`"


def _to_finding(cand: _Candidate, ref: ImportRef, path: str) -> Finding:
    rule = RULES[cand.code]
    fix = None
    if cand.replacement is not None and cand.applicability is not Applicability.NONE:
        fix = Fix(cand.applicability, cand.fix_message)
    return Finding(
        code=cand.code,
        severity=rule.severity,
        message=cand.message,
        path=path,
        range=ref.range,
        target=cand.target,
        registry=cand.registry,
        replacement=cand.replacement,
        fix=fix,
        deprecated_tag=rule.deprecated_tag,
        ref=ref,
    )
