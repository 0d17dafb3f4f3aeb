"""The effective registry out: ``registry show --format json`` and ``export --format toml``.

``to_json`` is the docs/design.md shape (one entry per target: the effective claim). ``to_toml``
writes the strict TOML form; loading it gives the same model (entries, statuses, replacements,
fixes, notes, services, mocks), with each entry's original place kept as ``source``.
"""

from __future__ import annotations

import os

import json
from typing import Any

from importwarden.registry.model import Entry, MockEntry, Registry


def _order(registry: Registry):
    rank = {file: i for i, file in enumerate(registry.files)}

    def key(item: Entry | MockEntry):
        prov = item.provenance
        return (rank.get(prov.file, len(rank)), prov.file, prov.line, str(item.target))

    return key


def entries_in_order(registry: Registry) -> list[Entry]:
    return sorted(registry.entries.values(), key=_order(registry))


def mocks_in_order(registry: Registry) -> list[MockEntry]:
    return sorted(registry.mocks.values(), key=_order(registry))


def to_json(registry: Registry) -> dict[str, Any]:
    return {
        "entries": [{
            "target": str(e.target),
            "status": e.status.value,
            "replacement": str(e.replacement) if e.replacement else None,
            "fix": e.fix.value,
            "file": e.provenance.file,
            "line": e.provenance.line,
            "note": e.provenance.note,
        } for e in entries_in_order(registry)],
        "mocks": [{
            "target": m.target,
            "status": m.status.value,
            "replacement": m.replacement,
            "fix": m.fix.value,
            "file": m.provenance.file,
            "line": m.provenance.line,
        } for m in mocks_in_order(registry)],
        "services": {"members": list(registry.services.members),
                     "shared": list(registry.services.shared),
                     "origins": [{"package": o.package, "role": o.role,
                                  "file": o.provenance.file, "line": o.provenance.line,
                                  "text": o.provenance.raw}
                                 for o in registry.services.origins]},
        "problems": [{"code": p.code, "file": p.file, "line": p.line, "message": p.message}
                     for p in sorted(registry.problems)],
    }


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _relative(file: str, base: str | None) -> str:
    """``file`` relative to ``base`` (posix slashes) when it lies below it."""
    if base is None:
        return file
    try:
        rel = os.path.relpath(file, base)
    except ValueError:  # another drive
        return file
    return file if rel.startswith("..") else rel.replace(os.sep, "/")


def _source(prov, base: str | None = None) -> str:
    if prov.source:
        return prov.source
    return f"{_relative(prov.file, base)}:{prov.line}"


def to_toml(registry: Registry, relative_to: "str | os.PathLike[str] | None" = None) -> str:
    """The strict TOML form. ``relative_to`` (the project root): ``source`` paths and the
    header are written relative to it, so the export does not depend on where the checkout
    lives."""
    base = None if relative_to is None else str(relative_to)
    out = ["# importwarden registry (strict TOML form), exported from: "
           + ", ".join(_relative(f, base) for f in registry.files), ""]
    services = registry.services
    if services.members or services.shared:
        out += ["[services]",
                f"members = [{', '.join(_s(m) for m in services.members)}]",
                f"shared = [{', '.join(_s(m) for m in services.shared)}]", ""]
    for entry in entries_in_order(registry):
        out += ["[[import]]", f"target = {_s(str(entry.target))}",
                f"status = {_s(entry.status.value)}"]
        if entry.conflict:
            out.append("conflict = true")
            if not entry.status.works and entry.works_status is not None:
                out.append(f"works_status = {_s(entry.works_status.value)}")
        if entry.replacement is not None:
            out += [f"use = {_s(str(entry.replacement))}", f"fix = {_s(entry.fix.value)}"]
            if entry.inferred:
                out.append("inferred = true")
        if entry.provenance.note:
            out.append(f"note = {_s(entry.provenance.note)}")
        out += [f"source = {_s(_source(entry.provenance, base))}", ""]
    for mock in mocks_in_order(registry):
        out += ["[[mock]]", f"target = {_s(mock.target)}", f"status = {_s(mock.status.value)}"]
        if mock.replacement is not None:
            out += [f"use = {_s(mock.replacement)}", f"fix = {_s(mock.fix.value)}"]
        if mock.provenance.note:
            out.append(f"note = {_s(mock.provenance.note)}")
        out += [f"source = {_s(_source(mock.provenance, base))}", ""]
    return "\n".join(out)
