"""Code actions: quick fixes, ``source.fixAll.importwarden``, "Disable IWxxx for this line"
(a ``# noqa`` comment, merged into one already there) and "Open registry entry".

Edits are versioned ``WorkspaceEdit`` s: ``documentChanges`` with the document's version when
the client supports them (a client that has moved on rejects them instead of corrupting the
file), ``changes`` otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from lsprotocol import types

from importwarden.analysis.completion import code_end
from importwarden.analysis.findings import Finding, Position, Range, TextEdit
from importwarden.analysis.suppress import parse_noqa
from importwarden.lines import LineIndex
from importwarden.lsp.convert import DocumentPositions, finding_to_diagnostic, line_location
from importwarden.lsp.registry_suggest import add_to_registry_action
from importwarden.registry.model import Applicability

if TYPE_CHECKING:
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Document, Session

FIX_ALL_KIND = "source.fixAll.importwarden"
OPEN_ENTRY_COMMAND = "importwarden.openRegistryEntry"
KINDS = [types.CodeActionKind.QuickFix, FIX_ALL_KIND]

_NOQA_CODES = re.compile(r"#\s*(?i:noqa):\s?[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*")


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    """LSP kinds are hierarchical: asking for ``source`` includes ``source.fixAll.x``."""
    if not only:
        return True
    return any(kind == k or kind.startswith(f"{k}.") for k in only)


def workspace_edit(session: "Session", doc: "Document", edits: list[types.TextEdit]
                   ) -> types.WorkspaceEdit:
    if session.support.document_changes:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(
                uri=doc.uri, version=doc.version),
            edits=edits)])
    return types.WorkspaceEdit(changes={doc.uri: edits})


# --- the actions ----------------------------------------------------------------------------

async def code_actions(ls: "ImportwardenServer", params: types.CodeActionParams
                       ) -> list[types.CodeAction] | None:
    return await ls.session.analysis.run(_code_actions, ls, params)


def _code_actions(ls: "ImportwardenServer", params: types.CodeActionParams
                  ) -> list[types.CodeAction] | None:
    session = ls.session
    doc = session.document(params.text_document.uri)
    if doc is None or doc.path.suffix not in (".py", ".pyi") or session.project is None:
        return []
    findings = session.findings(doc)
    if not findings:
        return []
    positions = session.positions(doc)
    asked = positions.range_from_client(params.range)
    only = params.context.only
    root = session.project.settings.root
    actions: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix):
        lines = positions.lines
        for finding in findings:
            if (finding.range.end.line < asked.start.line
                    or finding.range.start.line > asked.end.line):
                continue
            diagnostic = finding_to_diagnostic(finding, positions, root)
            # Planned now, for the findings in the asked range only (diagnostics do not plan).
            finding = session.project.plan_fix(finding, doc.text)
            fix = quick_fix(session, doc, positions, finding, diagnostic)
            if fix is not None:
                actions.append(fix)
            noqa = noqa_action(session, doc, positions, lines, finding, diagnostic)
            if noqa is not None:
                actions.append(noqa)
            entry = open_entry_action(finding, diagnostic, root)
            if entry is not None:
                actions.append(entry)
            addition = add_to_registry_action(session, finding, diagnostic)
            if addition is not None:
                actions.append(addition)
    if _wanted(only, FIX_ALL_KIND) and any(_safe(f) for f in findings):
        actions.append(fix_all_action(session, doc))
    return actions


def _safe(finding: Finding) -> bool:
    """A safe fix is on offer (its edits are planned when the fix-all is resolved)."""
    return finding.fix is not None and finding.fix.applicability is Applicability.SAFE


def quick_fix(session: "Session", doc: "Document", positions: DocumentPositions,
              finding: Finding, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    fix = finding.fix
    if fix is None or not fix.edits:
        return None
    safe = fix.applicability is Applicability.SAFE
    title = fix.message if safe else f"{fix.message} (unsafe fix: check the result)"
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=safe,
        edit=workspace_edit(session, doc, [positions.edit(e) for e in fix.edits]),
    )


def noqa_edit(lines: Sequence[str], finding: Finding) -> TextEdit | None:
    """``  # noqa: IWxxx`` at the end of the finding's line, or ``, IWxxx`` added to the
    codes of a ``# noqa:`` already there. None when the line cannot take a comment."""
    line_no = finding.range.start.line
    candidates = [line_no]
    if finding.ref is not None and finding.ref.statement_range.start.line != line_no:
        candidates.append(finding.ref.statement_range.start.line)
    for n in candidates:
        if not 0 <= n < len(lines):
            continue
        text = lines[n]
        existing = parse_noqa(text)
        if existing is None or (existing and finding.code in existing):
            return None  # already silenced
        match = _NOQA_CODES.search(text) if existing else None
        if match is not None:
            at = Position(n, match.end())
            return TextEdit(Range(at, at), f", {finding.code}")
        code = code_end(text)
        if code is None or text[:code].rstrip().endswith("\\"):
            continue  # inside a string, or a continuation line: try the statement's first line
        at = Position(n, len(text.rstrip()))
        return TextEdit(Range(at, at), f"  # noqa: {finding.code}")
    return None


def noqa_action(session: "Session", doc: "Document", positions: DocumentPositions,
                lines: Sequence[str], finding: Finding, diagnostic: types.Diagnostic
                ) -> types.CodeAction | None:
    edit = noqa_edit(lines, finding)
    if edit is None:
        return None
    return types.CodeAction(
        title=f"Disable {finding.code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=workspace_edit(session, doc, [positions.edit(edit)]),
    )


def open_entry_action(finding: Finding, diagnostic: types.Diagnostic, root: Path
                      ) -> types.CodeAction | None:
    provenance = finding.registry
    if provenance is None:
        return None
    file = Path(provenance.file)
    if not file.is_absolute():
        file = root / file
    title = f"Open registry entry ({file.name}:{provenance.line})"
    location = line_location(file, provenance.line)
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(title=title, command=OPEN_ENTRY_COMMAND,
                              arguments=[location.uri, provenance.line]),
    )


# --- fix all --------------------------------------------------------------------------------

def fix_all_action(session: "Session", doc: "Document") -> types.CodeAction:
    action = types.CodeAction(title="importwarden: apply all safe fixes", kind=FIX_ALL_KIND,
                              data={"uri": doc.uri, "version": doc.version})
    if not session.support.action_resolve_edit:
        action.edit = fix_all_edit(session, doc)
    return action


def fix_all_edit(session: "Session", doc: "Document") -> types.WorkspaceEdit:
    from importwarden.fixes import fix_source

    assert session.project is not None
    result = fix_source(session.project, doc.path, doc.text, unsafe=False)
    edit = minimal_edit(doc.text, result.new_source)
    positions = session.positions(doc)
    return workspace_edit(session, doc, [positions.edit(edit)] if edit else [])


def minimal_edit(old: str, new: str) -> TextEdit | None:
    """One edit turning ``old`` into ``new``, covering only what differs."""
    if old == new:
        return None
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    stop = len(old) - end
    # Never between the CR and the LF of a CRLF: no LSP position names that point.
    if 0 < start < len(old) and old[start - 1:start + 1] == "\r\n":
        start -= 1
    if 0 < stop < len(old) and old[stop - 1:stop + 1] == "\r\n":
        stop += 1
    index = LineIndex(old)
    return TextEdit(Range(Position(*index.position(start)), Position(*index.position(stop))),
                    new[start:len(new) - (len(old) - stop)])


async def resolve(ls: "ImportwardenServer", action: types.CodeAction) -> types.CodeAction:
    return await ls.session.analysis.run(_resolve, ls, action)


def _resolve(ls: "ImportwardenServer", action: types.CodeAction) -> types.CodeAction:
    data: Any = action.data
    if action.kind != FIX_ALL_KIND or action.edit is not None or not isinstance(data, dict):
        return action
    session = ls.session
    doc = session.document(data.get("uri", ""))
    if doc is None or session.project is None:
        return action
    action.edit = fix_all_edit(session, doc)
    return action


# --- commands -------------------------------------------------------------------------------

async def open_registry_entry(ls, uri: str, line: int) -> types.Location:
    """Show the registry line (``window/showDocument``) and return its location."""
    zero = max(int(line) - 1, 0)
    location = types.Location(uri=uri, range=types.Range(types.Position(zero, 0),
                                                         types.Position(zero, 0)))
    if ls.session.support.show_document:
        await ls.window_show_document_async(types.ShowDocumentParams(
            uri=uri, take_focus=True, selection=location.range))
    return location

