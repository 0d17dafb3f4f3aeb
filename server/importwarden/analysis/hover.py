"""What to say when hovering an import or a mock target (editor-neutral markdown).

Status (as the workspace confirms it), the canonical path, the registry's note, and a link to
the registry line (``[file:line](file:///…#L123)``). The language server only wraps the result
in an LSP ``Hover``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from importwarden.analysis.findings import Position, Range
from importwarden.analysis.imports import ImportRef, RefKind
from importwarden.registry.model import Entry, MockEntry, Provenance, Registry, Status, Target
from importwarden.workspace.contract import IndexView, resolves


@dataclass(frozen=True)
class HoverInfo:
    range: Range
    markdown: str


_STATUS_TEXT = {
    Status.BROKEN: "❌ broken: this path does not work",
    Status.DEPRECATED: "⚠️ deprecated: works, but must not be used",
    Status.COMPATIBLE: "compatible: works through a compatibility path; a canonical one exists",
    Status.UNVERIFIED: "❓ unverified: the registry says this still needs verification",
    Status.VERIFIED: "✅ verified",
    Status.CANONICAL: "✅ canonical: the single source of truth",
}


def ref_at(refs: Iterable[ImportRef], pos: Position) -> tuple[ImportRef, bool] | None:
    """The ref under ``pos`` and whether the module part (not the name) is hovered."""
    module_hit = None
    for ref in refs:
        if ref.range.contains(pos):
            return ref, False
        if ref.kind is RefKind.FROM and module_hit is None and ref.module_range.contains(pos):
            module_hit = ref
    return (module_hit, True) if module_hit is not None else None


def registry_link(provenance: Provenance, root: Path | None) -> str:
    """``[SSOT_IMPORT_REGISTRY.md:123](file:///abs/SSOT_IMPORT_REGISTRY.md#L123)``"""
    path = Path(provenance.file)
    if not path.is_absolute() and root is not None:
        path = root / path
    try:
        uri = path.resolve().as_uri()
    except ValueError:
        return f"`{provenance.location()}`"
    return f"[{path.name}:{provenance.line}]({uri}#L{provenance.line})"


def _quote(note: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in note.strip().splitlines())


def _canonical_elsewhere(registry: Registry, target: Target) -> Entry | None:
    if not target.name:
        return None
    for entry in registry.entries_named(target.name):
        if entry.status is Status.CANONICAL and entry.target != target:
            return entry
    return None


def describe_target(target: Target, *, registry: Registry, index: IndexView | None,
                    root: Path | None) -> str:
    resolved = resolves(index, target.module, target.name)
    entry = registry.lookup(target.module, target.name)
    shown = (f"from {target.module} import {target.name}" if target.name
             else f"import {target.module}")
    parts = [f"**importwarden** · `{shown}`"]
    if entry is None and target.is_module and registry.entries_in_module(target.module):
        return _describe_module(target.module, parts, registry=registry, index=index, root=root)
    if entry is None:
        parts.append("Not in the import registry.")
        if resolved is True:
            parts.append("Resolves in the workspace.")
        elif resolved is False:
            parts.append("Does **not** resolve in the workspace.")
        canonical = _canonical_elsewhere(registry, target)
        if canonical is not None:
            link = registry_link(canonical.provenance, root)
            parts.append(f"Canonical: `{canonical.target}` · {link}")
        return "\n\n".join(parts)
    status = entry.status_given(resolved)
    governs = "" if entry.target == target else f" (entry for `{entry.target}`)"
    parts.append(f"Status: {_STATUS_TEXT[status]}{governs}")
    if entry.conflict:
        parts.append("The registry contradicts itself about this path; the workspace decided.")
    if entry.replacement is not None:
        fix = entry.fix.value
        parts.append(f"Canonical: `{entry.replacement}` ({fix} fix)")
    elif status is Status.CANONICAL:
        parts.append("This is the canonical path.")
    else:
        canonical = _canonical_elsewhere(registry, target)
        if canonical is not None:
            parts.append(f"Canonical: `{canonical.target}`")
    if entry.provenance.note:
        parts.append(_quote(entry.provenance.note))
    parts.append(f"Registry: {registry_link(entry.provenance, root)}")
    return "\n\n".join(parts)


def _describe_module(module: str, parts: list[str], *, registry: Registry, index: IndexView | None,
                     root: Path | None) -> str:
    """A module without an entry of its own: what the registry says about its names."""
    entries = sorted(registry.entries_in_module(module), key=lambda e: e.target.name or "")
    lines = []
    for entry in entries:
        status = entry.status_given(resolves(index, module, entry.target.name))
        use = f" → `{entry.replacement}`" if entry.replacement else ""
        lines.append(f"- `{entry.target.name}`: {status.value}{use}")
    parts.append("Registry entries for this module:\n" + "\n".join(lines))
    parts.append(f"Registry: {registry_link(entries[0].provenance, root)}")
    return "\n\n".join(parts)


def describe_mock(target: str, *, registry: Registry, root: Path | None) -> str:
    mock: MockEntry | None = registry.lookup_mock(target)
    parts = [f"**importwarden** · mock target `{target}`"]
    if mock is None:
        parts.append("Not in the registry's mock targets.")
        return "\n\n".join(parts)
    parts.append(f"Status: {_STATUS_TEXT.get(mock.status, mock.status.value)}")
    if mock.replacement:
        parts.append(f"Use: `{mock.replacement}` ({mock.fix.value} fix)")
    if mock.provenance.note:
        parts.append(_quote(mock.provenance.note))
    parts.append(f"Registry: {registry_link(mock.provenance, root)}")
    return "\n\n".join(parts)


def hover_at(refs: Iterable[ImportRef], pos: Position, *, registry: Registry,
             index: IndexView | None, root: Path | None = None) -> HoverInfo | None:
    hit = ref_at(refs, pos)
    if hit is None:
        return None
    ref, module_part = hit
    if ref.kind is RefKind.MOCK:
        return HoverInfo(ref.range, describe_mock(ref.module, registry=registry, root=root))
    if module_part:
        target = Target(ref.module)
        rng = ref.module_range
    else:
        name = ref.name if ref.name not in (None, "*") else None
        target = Target(ref.module, name)
        rng = ref.range
    return HoverInfo(rng, describe_target(target, registry=registry, index=index, root=root))
