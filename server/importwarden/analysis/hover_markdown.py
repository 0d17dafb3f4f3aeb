"""What to say when hovering a registry entry in the registry file itself (editor-neutral
markdown): its status, its replacement, and how many places in the workspace use it."""

from __future__ import annotations

from typing import Callable, Sequence

from importwarden.analysis.findings import Position, Range
from importwarden.analysis.hover import HoverInfo
from importwarden.analysis.usages import Usages
from importwarden.registry.model import Entry, MockEntry


def registry_entry_hover(entries: Sequence[Entry | MockEntry], line_text: str, line: int,
                         counts: Usages | None,
                         evidence: Callable[[Entry | MockEntry], str | None] = lambda e: None
                         ) -> HoverInfo | None:
    """The hover for ``entries`` (written on 0-based ``line``, whose text is ``line_text``);
    ``counts`` is None while the workspace is being indexed; ``evidence`` gives a paragraph
    to add after an entry (the commit behind an entry ``registry suggest --write`` wrote)."""
    if not entries:
        return None
    parts = []
    for entry in entries:
        if isinstance(entry, MockEntry):
            n = counts.mocks.get(entry.target, 0) if counts else None
            label = f"mock target `{entry.target}`"
        else:
            n = counts.of(entry.target) if counts else None
            label = f"`{entry.target}`"
        status = entry.status.value
        use = f" → `{entry.replacement}`" if entry.replacement else ""
        where = ("not counted yet (the workspace is being indexed)" if n is None
                 else f"used in {n} place{'s' if n != 1 else ''} in the workspace")
        parts.append(f"{label} · {status}{use} · {where}")
        extra = evidence(entry)
        if extra:
            parts.append(extra)
    rng = Range(Position(line, len(line_text) - len(line_text.lstrip())),
                Position(line, len(line_text)))
    return HoverInfo(rng, "**importwarden** registry entry\n\n" + "\n\n".join(parts))
