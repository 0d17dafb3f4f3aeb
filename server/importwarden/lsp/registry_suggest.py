""""Add to registry": the code action for an import that does not resolve and has no registry
entry (IW005). The entry and its replacement come from ``importwarden.history.editor`` (the
commit that removed the module, else the engine's evident replacement); this module only turns
it into a ``WorkspaceEdit`` that appends it to the registry file, open or not."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from importwarden.analysis.findings import Finding, Position
from importwarden.lsp.convert import DocumentPositions

if TYPE_CHECKING:
    from importwarden.lsp.session import Session

# Answers by target under the current registry (history is read once per target; a new
# registry, after an edit or reload, starts afresh).
_memo: dict = {"registry": None, "answers": {}}


def add_to_registry_action(session: Session, finding: Finding, diagnostic: types.Diagnostic
                           ) -> types.CodeAction | None:
    if finding.code != "IW005" or finding.registry is not None or finding.target is None:
        return None
    project = session.project
    if project is None or not project.registry_paths:
        return None
    from importwarden.history.editor import registry_addition

    registry_path = Path(project.registry_paths[-1])
    open_doc = session.document(registry_path.as_uri())
    text = open_doc.text if open_doc is not None else None
    if _memo["registry"] is not project.registry:
        _memo.update(registry=project.registry, answers={})
    memo = _memo["answers"]
    key = (finding.target, finding.replacement, text)
    if key not in memo:
        memo[key] = registry_addition(project, finding.target, finding.replacement, text)
    found = memo[key]
    if found is None:
        return None
    path, addition, entry = found
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    positions = DocumentPositions(text, session.encoding)
    end = positions.to_client(Position(len(positions.lines), 0))
    edit = types.TextEdit(range=types.Range(end, end), new_text=addition)
    uri = path.as_uri()
    if session.support.document_changes:
        workspace_edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(
                uri=uri, version=open_doc.version if open_doc is not None else None),
            edits=[edit])])
    else:
        workspace_edit = types.WorkspaceEdit(changes={uri: [edit]})
    use = f", use `{entry.replacement}`" if entry.replacement else ""
    return types.CodeAction(
        title=f"Add to registry: `{entry.target}` is {entry.status.value}{use} ({path.name})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=workspace_edit,
    )
