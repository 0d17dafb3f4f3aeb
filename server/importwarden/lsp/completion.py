"""``textDocument/completion``: the engine's suggestions (``importwarden.analysis.completion``)
as LSP completion items, respecting what the client can render (tags, markdown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from importwarden.analysis.completion import Suggestion, complete
from importwarden.analysis.findings import Position, Range

if TYPE_CHECKING:
    from importwarden.lsp.convert import DocumentPositions
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Session

TRIGGER_CHARACTERS = [".", " ", "'", '"', ",", "("]


def _kind(item: Suggestion) -> types.CompletionItemKind:
    if item.kind == "module":
        return types.CompletionItemKind.Module
    if item.kind == "mock":
        return types.CompletionItemKind.Reference
    leaf = item.label.rsplit(".", 1)[-1]
    if leaf.isupper():
        return types.CompletionItemKind.Constant
    if leaf[:1].isupper():
        return types.CompletionItemKind.Class
    return types.CompletionItemKind.Function


def to_item(session: "Session", positions: "DocumentPositions", cursor: Position,
            item: Suggestion) -> types.CompletionItem:
    support = session.support
    replace = positions.range_to_client(Range(Position(cursor.line, item.start), cursor))
    tags = None
    deprecated = None
    if item.deprecated:
        if support.completion_tags:
            tags = [types.CompletionItemTag.Deprecated]
        elif support.completion_deprecated:
            deprecated = True
    documentation: str | types.MarkupContent | None = None
    if item.documentation:
        documentation = (
            types.MarkupContent(kind=types.MarkupKind.Markdown, value=item.documentation)
            if support.markdown_completion else item.documentation)
    extra = None
    if item.import_edit is not None:
        extra = [positions.edit(item.import_edit)]
    return types.CompletionItem(
        label=item.label,
        kind=_kind(item),
        detail=item.detail or None,
        documentation=documentation,
        tags=tags,
        deprecated=deprecated,
        sort_text=item.sort_text,
        filter_text=item.label,
        text_edit=types.TextEdit(range=replace, new_text=item.insert),
        additional_text_edits=extra,
    )


async def completion(ls: "ImportwardenServer", params: types.CompletionParams
                     ) -> types.CompletionList | None:
    return await ls.session.analysis.run(_completion, ls, params)


def _completion(ls: "ImportwardenServer", params: types.CompletionParams
                ) -> types.CompletionList | None:
    session = ls.session
    doc = session.document(params.text_document.uri)
    project = session.project
    if (doc is None or project is None or doc.path.suffix not in (".py", ".pyi")
            or session.too_big(doc)):
        return None
    positions = session.positions(doc)
    cursor = positions.from_client(params.position)
    index = session.index
    file_module = None
    if index is not None:
        module, is_package = project.module_for(doc.path)
        file_module = (module, is_package) if module else None
    result = complete(doc.text, cursor.line, cursor.character, registry=project.registry,
                      index=index, refs=lambda: session.refs(doc), file_module=file_module,
                      auto_import=project.settings.completion_auto_import)
    return types.CompletionList(
        is_incomplete=result.incomplete,
        items=[to_item(session, positions, cursor, s) for s in result.items],
    )
