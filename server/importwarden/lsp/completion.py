"""``textDocument/completion``: the engine's suggestions (``importwarden.analysis.completion``)
as LSP completion items, respecting what the client can render (tags, markdown).

The answer is built as JSON-ready dicts (``to_json``), not lsprotocol objects: a list of 300
modules (``MODULE_LIMIT``) cost ~5 ms to build as objects and as much again for pygls to
unstructure, while the user types. ``to_item`` is the same item as an lsprotocol object, the
form ``to_json`` must equal once unstructured (``tests/lsp/test_completion_json.py``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lsprotocol import types

from importwarden.analysis.completion import Suggestion, complete
from importwarden.analysis.findings import Position, Range
from importwarden.lsp.convert import RawJson

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


def _position(pos: types.Position) -> dict:
    return {"line": pos.line, "character": pos.character}


def _range(rng: types.Range) -> dict:
    return {"start": _position(rng.start), "end": _position(rng.end)}


def to_json(session: Session, positions: DocumentPositions, cursor: Position,
            item: Suggestion, ranges: dict[int, dict] | None = None) -> dict:
    """``to_item``, as pygls would send it (lsprotocol's JSON names; unset fields left out).
    ``ranges``: the replaced range by start column, shared by the items of one answer (they
    all end at the cursor, and most start at the same column)."""
    support = session.support
    out: dict = {"label": item.label, "kind": _kind(item).value}
    if item.deprecated and support.completion_tags:
        out["tags"] = [types.CompletionItemTag.Deprecated.value]
    if item.detail:
        out["detail"] = item.detail
    if item.documentation:
        out["documentation"] = ({"kind": types.MarkupKind.Markdown.value,
                                 "value": item.documentation}
                                if support.markdown_completion else item.documentation)
    if item.deprecated and not support.completion_tags and support.completion_deprecated:
        out["deprecated"] = True
    out["sortText"] = item.sort_text
    out["filterText"] = item.label
    replace = ranges.get(item.start) if ranges is not None else None
    if replace is None:
        replace = _range(positions.range_to_client(Range(Position(cursor.line, item.start),
                                                         cursor)))
        if ranges is not None:
            ranges[item.start] = replace
    out["textEdit"] = {"range": replace, "newText": item.insert}
    if item.import_edit is not None:
        edit = positions.edit(item.import_edit)
        out["additionalTextEdits"] = [{"range": _range(edit.range), "newText": edit.new_text}]
    return out


async def completion(ls: "ImportwardenServer", params: types.CompletionParams
                     ) -> RawJson | None:
    return await ls.session.analysis.run(_answer, ls, params)


def _answer(ls: "ImportwardenServer", params: types.CompletionParams) -> RawJson | None:
    result = _completion(ls, params)
    return RawJson(json.dumps(result)) if result is not None else None


def _completion(ls: "ImportwardenServer", params: types.CompletionParams) -> dict | None:
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
    # (a CompletionList, unstructured: pygls passes a dict result through as it is)
    ranges: dict[int, dict] = {}
    return {"isIncomplete": result.incomplete,
            "items": [to_json(session, positions, cursor, s, ranges) for s in result.items]}
