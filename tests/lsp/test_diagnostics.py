"""Diagnostics over LSP are the findings ``check`` reports, with the LSP extras (tags, links,
related registry line), pushed or pulled, coalesced, and never for a stale version."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from lsprotocol import types

from importwarden.analysis.codes import RULES
from importwarden.project.engine import Project
from .conftest import SERVER, Doc, Editor, open_editor, pull_capabilities, units
from .wire import RawServer, encode

RULES_FILE = "netra_backend/app/routes/registry_rules.py"
CHECKED = [RULES_FILE, "netra_backend/app/routes/unresolved.py",
           "netra_backend/app/routes/cross_service.py", "netra_backend/app/routes/suppressed.py",
           "tests/test_mocks.py", "netra_backend/app/encodings/emoji.py"]

SEVERITY = {"error": 1, "warning": 2, "information": 3, "hint": 4}


def client_range(editor: Editor, doc: Doc, line: int, col: int, end_line: int, end_col: int):
    """Engine (0-based, code points) -> client units, with the test's own arithmetic."""
    lines = doc.lines
    return ((line, units(lines[line][:col], editor.encoding)),
            (end_line, units(lines[end_line][:end_col], editor.encoding)))


def shape(d: types.Diagnostic):
    return (d.code, d.message, d.severity.value,
            ((d.range.start.line, d.range.start.character),
             (d.range.end.line, d.range.end.character)))


async def test_diagnostics_match_check_source(editor: Editor):
    project = Project.load(editor.root)
    for rel in CHECKED:
        doc = editor.open(rel)
        got = sorted(shape(d) for d in await editor.diagnostics(doc))
        findings = project.check_source(editor.path(rel), doc.text)
        want = sorted(
            (f.code, f.message, SEVERITY[f.severity.value],
             client_range(editor, doc, f.range.start.line, f.range.start.character,
                          f.range.end.line, f.range.end.character))
            for f in findings)
        assert got == want, rel
        assert all(d.source == "importwarden" for d in await editor.diagnostics(doc))
    assert got or rel  # the loop ran


async def test_diagnostics_match_cli_json(vscode: Editor):
    """The same file, the CLI's JSON output and the server's diagnostics agree."""
    rels = [RULES_FILE, "tests/test_mocks.py"]
    out = subprocess.run([sys.executable, "-m", "importwarden", "check", "--output-format",
                          "json", "--no-cache", *rels], cwd=vscode.root, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    findings = data if isinstance(data, list) else data["findings"]
    for rel in rels:
        doc = vscode.open(rel)
        got = sorted(shape(d) for d in await vscode.diagnostics(doc))
        want = sorted(
            (f["code"], f["message"], SEVERITY[f["severity"]],
             client_range(vscode, doc, f["line"] - 1, f["column"] - 1, f["end_line"] - 1,
                          f["end_column"] - 1))
            for f in findings if Path(f["path"]).as_posix() == rel)
        assert want, rel
        assert got == want, rel


async def test_lsp_extras(editor: Editor):
    doc = editor.open(RULES_FILE)
    diags = await editor.diagnostics(doc)
    by_code: dict[str, list[types.Diagnostic]] = {}
    for d in diags:
        by_code.setdefault(d.code, []).append(d)
    assert {"IW001", "IW002", "IW003", "IW004"} <= set(by_code)
    for d in diags:
        assert d.code_description.href == RULES[d.code].docs_url
        deprecated = types.DiagnosticTag.Deprecated in (d.tags or [])
        assert deprecated == (d.code in ("IW002", "IW003", "IW008")), d
    registry = (editor.root / "SSOT_IMPORT_REGISTRY.md")
    registry_lines = registry.read_text(encoding="utf-8").splitlines()
    broken = [d for d in by_code["IW001"] if "agent_websocket_bridge" in d.message][0]
    related = broken.related_information[0]
    assert related.location.uri == registry.resolve().as_uri()
    assert "agents.agent_websocket_bridge import" in registry_lines[related.location.range.start.line]
    mocks = editor.open("tests/test_mocks.py")
    mock_diags = await editor.diagnostics(mocks)
    assert any(d.code == "IW008" and types.DiagnosticTag.Deprecated in d.tags for d in mock_diags)


async def test_pull_diagnostics(workspace: Path):
    async with open_editor(workspace, capabilities=pull_capabilities()) as ed:
        assert ed.pull
        doc = ed.open(RULES_FILE)
        first = await ed.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(doc.uri)))
        assert first.kind == "full" and first.items and first.result_id
        again = await ed.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(doc.uri),
            previous_result_id=first.result_id))
        assert again.kind == "unchanged" and again.result_id == first.result_id
        report = await ed.client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(
            previous_result_ids=[]))
        uris = {item.uri: item for item in report.items}
        assert doc.uri in uris and len(uris[doc.uri].items) == len(first.items)
        registry_uri = (workspace / "SSOT_IMPORT_REGISTRY.md").resolve().as_uri()
        assert registry_uri in uris  # registry problems even though it is not open
        await asyncio.sleep(0.3)
        assert not ed.client.published.get(doc.uri), "pull mode must not push as well"
        # Pull for a file that does not exist: an empty report, not an error.
        missing = await ed.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier((workspace / "nope.py").as_uri())))
        assert not missing.items


async def test_push_for_pull_clients_without_refresh(workspace: Path):
    """Neovim 0.11 pulls but cannot be told to pull again: it gets pushed diagnostics."""
    async with open_editor(workspace, "neovim") as ed:
        assert not ed.pull
        doc = ed.open(RULES_FILE)
        assert await ed.diagnostics(doc)


async def test_coalesced_and_never_stale(vscode: Editor):
    doc = vscode.open(RULES_FILE)
    first = await vscode.diagnostics(doc)
    # Five quick edits: the first may be checked at once, the others become one more run.
    for i in range(5):
        vscode.insert(doc, 0, 0, f"# edit {i}\n")
    final = await vscode.diagnostics(doc)
    assert len(final) == len(first)
    assert [d.range.start.line for d in final] == [d.range.start.line + 5 for d in first]
    versions = [p.version for p in vscode.client.published[doc.uri]]
    # Coalesced (a very loaded machine may let one more through); never out of order,
    # never an old version.
    assert versions[0] == 1 and versions[-1] == doc.version, versions
    assert versions == sorted(set(versions)) and len(versions) <= 3, versions


async def test_close_clears_pushed_diagnostics(vscode: Editor):
    doc = vscode.open(RULES_FILE)
    assert await vscode.diagnostics(doc)
    vscode.close(doc)
    await vscode.until(lambda: not vscode.client.published[doc.uri][-1].diagnostics,
                       what="cleared diagnostics")



def test_reopened_at_once_after_close_is_diagnosed(small: Path):
    """didClose's handler is a coroutine, so pygls runs it after a didOpen that arrives in the
    same read: it must not cancel the reopened document's diagnostics nor clear them after
    they are published (found by benchmarks/fuzz.py's LSP campaign: 8 of 12 edit sequences
    that closed and reopened a document never got diagnostics again)."""
    srv = RawServer(small, SERVER)
    try:
        srv.call("initialize", {"processId": None, "rootUri": small.as_uri(), "capabilities": {
            "textDocument": {"publishDiagnostics": {"versionSupport": True}}}})
        srv.notify("initialized", {})
        uri = (small / "app.py").as_uri()
        text = (small / "app.py").read_text()

        def opened(version: int) -> bytes:
            return encode({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "python", "version": version, "text": text}}})

        def published(version: int) -> list:
            return srv.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"].get("version") == version, timeout=30
                            )["params"]["diagnostics"]

        srv.raw(opened(1))
        first = published(1)
        assert first
        srv.raw(encode({"method": "textDocument/didClose",
                        "params": {"textDocument": {"uri": uri}}}) + opened(2))
        assert published(2) == first
        srv.call("textDocument/hover", {"textDocument": {"uri": uri},
                                        "position": {"line": 0, "character": 0}})
        last = [m for m in srv.seen if m.get("method") == "textDocument/publishDiagnostics"][-1]
        assert last["params"]["diagnostics"] == first, "cleared after the reopen"
    finally:
        srv.kill()
