"""``textDocument/hover``: the engine's description of an import or mock target
(``importwarden.analysis.hover``), or of a registry entry when hovering the registry itself
(``importwarden.analysis.hover_markdown``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from importwarden.analysis.findings import Position
from importwarden.analysis.hover import HoverInfo, hover_at
from importwarden.analysis.hover_markdown import registry_entry_hover
from importwarden.lsp import controller

if TYPE_CHECKING:
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Document, Session


async def hover(ls: "ImportwardenServer", params: types.HoverParams) -> types.Hover | None:
    return await ls.session.analysis.run(_hover, ls, params)


def _hover(ls: "ImportwardenServer", params: types.HoverParams) -> types.Hover | None:
    session = ls.session
    doc = session.document(params.text_document.uri)
    project = session.project
    if doc is None or project is None or session.too_big(doc):
        return None
    positions = session.positions(doc)
    pos = positions.from_client(params.position)
    if controller.is_registry(session, doc.path):
        info = _registry_hover(session, doc, pos)
    elif doc.path.suffix in (".py", ".pyi"):
        info = hover_at(session.refs(doc), pos, registry=project.registry, index=session.index,
                        root=project.settings.root)
    else:
        info = None
    if info is None:
        return None
    kind = (types.MarkupKind.Markdown if session.support.markdown_hover
            else types.MarkupKind.PlainText)
    return types.Hover(contents=types.MarkupContent(kind=kind, value=info.markdown),
                       range=positions.range_to_client(info.range))


def _registry_hover(session: "Session", doc: "Document", pos: Position) -> HoverInfo | None:
    """How many places in the workspace use the entries on this registry line."""
    lines = doc.text.splitlines()
    line = pos.line
    entries = controller.registry_entries_on_line(session, doc.path, line + 1)
    if not entries and doc.path.suffix == ".toml":
        # A TOML entry is recorded on its `[[import]]` header: hovering any key of it counts.
        while line > 0 and not lines[line].lstrip().startswith("["):
            line -= 1
        entries = controller.registry_entries_on_line(session, doc.path, line + 1)
    if not entries:
        return None
    from importwarden.history.render import evidence_from_note

    text = lines[pos.line] if pos.line < len(lines) else ""
    return registry_entry_hover(entries, text, pos.line, controller.usage_counts(session),
                                lambda entry: evidence_from_note(entry.provenance.note))
