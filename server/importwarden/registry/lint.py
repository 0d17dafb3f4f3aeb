"""Registry problems that depend on the workspace (``registry lint``).

Static problems (unreadable lines, conflicts, cycles, duplicates, overrides, bad TOML) are
already in ``registry.problems``. ``lint`` adds, given ``resolves(target) -> bool | None``
(None: cannot tell, e.g. not first-party):

- IWR003: a replacement that does not resolve;
- IWR006: a verified/canonical entry that does not resolve (stale);
- IWR007: a broken entry (or a conflict's broken claim) whose target resolves (stale: code
  using it gets IW002, not an error).
"""

from __future__ import annotations

from collections.abc import Callable

from importwarden.registry.model import Problem, Registry, Status, Target

Resolves = Callable[[Target], "bool | None"]


def lint(registry: Registry, resolves: Resolves | None = None) -> list[Problem]:
    if resolves is None:
        return []
    problems: list[Problem] = []
    for entry in registry.entries.values():
        prov = entry.provenance
        here = resolves(entry.target)
        if here is False and entry.status in (Status.VERIFIED, Status.CANONICAL) \
                and not entry.conflict:
            problems.append(Problem(prov.file, prov.line, "IWR006",
                                    f"{entry.target} is listed as {entry.status.value} but does "
                                    "not resolve in the workspace"))
        broken_claim = entry.status is Status.BROKEN or entry.conflict
        if here is True and broken_claim:
            claim = next((c for c in reversed(entry.claims) if c.status is Status.BROKEN), None)
            where = claim.provenance if claim else prov
            problems.append(Problem(where.file, where.line, "IWR007",
                                    f"{entry.target} is listed as broken but resolves in the "
                                    "workspace (code using it is reported as deprecated)"))
        if entry.replacement is not None and resolves(entry.replacement) is False:
            problems.append(Problem(prov.file, prov.line, "IWR003",
                                    f"replacement {entry.replacement} of {entry.target} does "
                                    "not resolve in the workspace"))
    return sorted(set(problems))
