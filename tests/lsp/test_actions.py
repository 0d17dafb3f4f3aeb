"""Code actions: quick fixes, fix-all (safe only), noqa (new and merged), open registry entry;
edits as versioned documentChanges when the client supports them, changes otherwise."""

from __future__ import annotations

from lsprotocol import types

from importwarden.project.engine import Project
from importwarden.fixes import fix_source
from importwarden.registry.model import Applicability
from .conftest import Doc, Editor, units

RULES_FILE = "netra_backend/app/routes/registry_rules.py"
FIX_ALL = "source.fixAll.importwarden"


def offset(editor: Editor, doc: Doc, pos: types.Position) -> int:
    lines = doc.text.split("\n")
    line = lines[pos.line] if pos.line < len(lines) else ""
    col = 0
    while col < len(line) and units(line[:col + 1], editor.encoding) <= pos.character:
        col += 1
    return sum(len(x) + 1 for x in lines[:pos.line]) + col


def apply(editor: Editor, doc: Doc, edits: list[types.TextEdit]) -> str:
    text = doc.text
    spans = sorted(((offset(editor, doc, e.range.start), offset(editor, doc, e.range.end),
                     e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(editor: Editor, doc: Doc, edit: types.WorkspaceEdit) -> list[types.TextEdit]:
    caps = editor.client.capabilities
    versioned = bool(caps.workspace and caps.workspace.workspace_edit
                     and caps.workspace.workspace_edit.document_changes)
    if versioned:
        assert edit.changes is None
        (change,) = edit.document_changes
        assert change.text_document.uri == doc.uri
        assert change.text_document.version == doc.version
        return list(change.edits)
    assert edit.document_changes is None
    return list(edit.changes[doc.uri])


async def actions_at(editor: Editor, doc: Doc, diagnostic: types.Diagnostic | None = None,
                     rng: types.Range | None = None, only: list[str] | None = None):
    rng = rng or diagnostic.range
    return await editor.request(editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(doc.uri), range=rng,
            context=types.CodeActionContext(diagnostics=[diagnostic] if diagnostic else [],
                                            only=only))))


async def test_quick_fix_per_fixable_diagnostic(editor: Editor):
    doc = editor.open(RULES_FILE)
    diags = await editor.diagnostics(doc)
    project = Project.load(editor.root)
    findings = project.check_source(editor.path(RULES_FILE), doc.text)
    fixable = [f for f in findings if f.fix is not None and f.fix.edits]
    assert any(f.fix.applicability is Applicability.SAFE for f in fixable)
    assert any(f.fix.applicability is Applicability.UNSAFE for f in fixable)
    for finding in fixable:
        diag = next(d for d in diags if d.code == finding.code
                    and d.range.start.line == finding.range.start.line
                    and d.message == finding.message)
        actions = await actions_at(editor, doc, diag)
        fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.edit
                 and a.title.startswith(finding.fix.message)]
        assert len(fixes) == 1, [a.title for a in actions]
        fix = fixes[0]
        safe = finding.fix.applicability is Applicability.SAFE
        assert bool(fix.is_preferred) == safe
        assert ("unsafe" in fix.title) == (not safe)
        got = apply(editor, doc, edits_of(editor, doc, fix.edit))
        want_edits = [types.TextEdit(
            range=types.Range(editor.pos(doc, e.range.start.line, e.range.start.character),
                              editor.pos(doc, e.range.end.line, e.range.end.character)),
            new_text=e.content) for e in finding.fix.edits]
        assert got == apply(editor, doc, want_edits)


async def test_fix_all_applies_safe_fixes_only(editor: Editor):
    doc = editor.open(RULES_FILE)
    await editor.diagnostics(doc)
    whole = types.Range(types.Position(0, 0), types.Position(len(doc.lines), 0))
    actions = await actions_at(editor, doc, rng=whole, only=["source.fixAll"])
    assert [a.kind for a in actions] == [FIX_ALL]
    action = actions[0]
    if action.edit is None:  # clients that resolve edits lazily
        action = await editor.request(editor.client.code_action_resolve_async(action))
    got = apply(editor, doc, edits_of(editor, doc, action.edit))
    project = Project.load(editor.root)
    want = fix_source(project, editor.path(RULES_FILE), doc.text, unsafe=False).new_source
    assert got == want
    assert got != doc.text
    # Quick fixes are not asked for with only=source.fixAll.
    assert all(a.kind == FIX_ALL for a in actions)


async def test_noqa_new_and_merged(editor: Editor):
    source = ("from netra_backend.app.agents.corpus_admin_sub_agent import CorpusAdminSubAgent"
              "  # noqa: IW001\n"
              "from netra_backend.app.agents.registry import AgentRegistry  # ✅ 😀\n")
    doc = editor.open("netra_backend/app/routes/noqa_case.py", source)
    diags = await editor.diagnostics(doc)
    assert {d.code for d in diags} == {"IW004", "IW003"}
    for diag in diags:
        actions = await actions_at(editor, doc, diag)
        (noqa,) = [a for a in actions if a.title == f"Disable {diag.code} for this line"]
        text = apply(editor, doc, edits_of(editor, doc, noqa.edit))
        line = text.split("\n")[diag.range.start.line]
        if diag.code == "IW004":
            assert line.endswith("# noqa: IW001, IW004"), line
        else:
            assert line.endswith("# ✅ 😀  # noqa: IW003"), line
        editor.replace_all(doc, text)
        after = await editor.diagnostics(doc)
        assert diag.code not in {d.code for d in after}


async def test_open_registry_entry(editor: Editor):
    doc = editor.open(RULES_FILE)
    diags = await editor.diagnostics(doc)
    diag = next(d for d in diags if d.code == "IW001")
    actions = await actions_at(editor, doc, diag)
    (entry,) = [a for a in actions if a.title.startswith("Open registry entry")]
    registry_uri = (editor.root / "SSOT_IMPORT_REGISTRY.md").resolve().as_uri()
    assert entry.command.arguments[0] == registry_uri
    location = await editor.request(editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=entry.command.command,
                                   arguments=entry.command.arguments)))
    assert location["uri"] == registry_uri
    line = location["range"]["start"]["line"]
    assert diag.related_information[0].location.range.start.line == line
    caps = editor.client.capabilities
    if caps.window and caps.window.show_document and caps.window.show_document.support:
        (shown,) = editor.client.shown_documents
        assert shown.uri == registry_uri and shown.selection.start.line == line


async def test_no_actions_for_unopened_or_missing_files(vscode: Editor):
    missing = Doc((vscode.root / "gone.py").as_uri(), vscode.root / "gone.py", "", 1)
    rng = types.Range(types.Position(0, 0), types.Position(0, 0))
    assert not await actions_at(vscode, missing, rng=rng)
