"""``textDocument/hover``: the engine's description of an import or mock target
(``importwarden.analysis.hover``), or of a registry entry when hovering the registry itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from importwarden.analysis.hover import hover_at
from importwarden.lsp import registry_files

if TYPE_CHECKING:
    from importwarden.lsp.server import ImportwardenServer


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
    if registry_files.is_registry(session, doc.path):
        info = registry_files.hover(session, doc, pos)
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
