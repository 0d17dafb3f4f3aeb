"""End-to-end language server tests: the real ``python -m importwarden lsp`` over stdio,
driven by pytest-lsp's client with the capabilities of real editors (VS Code, Neovim, Emacs).

    async def test_x(editor):                 # parametrized over the three clients
        doc = await editor.open("pkg/mod.py")
        diags = await editor.diagnostics(doc)

``Editor`` keeps the test side honest about positions: it converts code-point columns to the
negotiated encoding with its own arithmetic, not with the server's ``convert.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Union

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = Path(__file__).resolve().parents[2]
FIXTURE_WORKSPACE = REPO / "tests" / "fixtures" / "workspace"
SERVER = [sys.executable, "-m", "importwarden", "lsp"]
CLIENTS = ["visual-studio-code", "neovim", "emacs"]
TIMEOUT = 30.0


def pytest_collection_modifyitems(items):
    # The server answers for every client; pytest-lsp checks our answers against the client's
    # capabilities and warns: in these tests such a warning is a failure.
    for item in items:
        if "tests/lsp" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings(
                "error::pytest_lsp.checks.LspSpecificationWarning"))


def _make_client(overrides: dict | None = None) -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = {}  # uri -> [PublishDiagnosticsParams, ...] in arrival order
    client.registrations = []

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.setdefault(params.uri, []).append(params)

    def register(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    features.update(overrides or {})
    register_lsp_features(client, features)
    _fix_code_action_structuring(client)
    return client


def _fix_code_action_structuring(client: LanguageClient) -> None:
    """lsprotocol reads any ``(Command | CodeAction)`` object with a ``command`` key as a
    Command, so a CodeAction that carries a command (our "Open registry entry") would arrive
    as a Command whose ``command`` is the stringified dict. Editors do not do that; read it
    the way they do: a string ``command`` means a Command."""
    converter = client.protocol._converter

    def hook(obj: Any, _type: Any):
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)


def units(text: str, encoding: str) -> int:
    """Code units of ``text`` in an LSP position encoding (the test's own arithmetic)."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


@dataclass
class Doc:
    uri: str
    path: Path
    text: str
    version: int
    language: str = "python"

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class Editor:
    client: LanguageClient
    root: Path
    name: str
    encoding: str = "utf-16"
    init_result: types.InitializeResult | None = None
    docs: dict[str, Doc] = field(default_factory=dict)

    # --- helpers ----------------------------------------------------------------------------

    @property
    def pull(self) -> bool:
        return bool(self.init_result and self.init_result.capabilities.diagnostic_provider)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def pos(self, doc: Doc, line: int, col: int) -> types.Position:
        """Code-point (line, col) -> client position in the negotiated encoding."""
        return types.Position(line, units(doc.lines[line][:col], self.encoding))

    def find(self, doc: Doc, needle: str, occurrence: int = 0, offset: int = 0) -> types.Position:
        """Position of ``needle`` (+ ``offset`` code points) in the document."""
        start = -1
        for _ in range(occurrence + 1):
            start = doc.text.index(needle, start + 1)
        start += offset
        line = doc.text.count("\n", 0, start)
        col = start - (doc.text.rfind("\n", 0, start) + 1)
        return self.pos(doc, line, col)

    def text_at(self, doc: Doc, rng: types.Range) -> str:
        """The document text a client range covers (decoding the negotiated encoding)."""
        def offset(p: types.Position) -> int:
            line = doc.lines[p.line]
            col = 0
            while col < len(line) and units(line[:col + 1], self.encoding) <= p.character:
                col += 1
            return sum(len(x) + 1 for x in doc.lines[:p.line]) + col
        return doc.text[offset(rng.start):offset(rng.end)]

    # --- documents --------------------------------------------------------------------------

    def open(self, rel: str, text: str | None = None, language: str = "python") -> Doc:
        path = self.path(rel)
        if text is None:
            text = path.read_bytes().decode("utf-8-sig")
        doc = Doc(path.as_uri(), path, text, 1, language)
        self.docs[doc.uri] = doc
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc.uri, language_id=language,
                                                 version=1, text=text)))
        return doc

    def replace_all(self, doc: Doc, text: str) -> Doc:
        doc.version += 1
        doc.text = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        return doc

    def insert(self, doc: Doc, line: int, col: int, text: str) -> Doc:
        """Incremental change: insert ``text`` at a code-point position."""
        at = self.pos(doc, line, col)
        lines = doc.lines
        lines[line] = lines[line][:col] + text + lines[line][col:]
        doc.text = "\n".join(lines)
        doc.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(at, at), text=text)]))
        return doc

    def save(self, doc: Doc, write: bool = True) -> None:
        if write:
            doc.path.write_text(doc.text, encoding="utf-8")
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri)))

    def close(self, doc: Doc) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri)))

    # --- waiting ----------------------------------------------------------------------------

    async def until(self, predicate: Callable[[], Any], timeout: float = TIMEOUT,
                    what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)

    def index_done(self) -> bool:
        for reports in self.client.progress_reports.values():
            if any(isinstance(r, types.WorkDoneProgressEnd) for r in reports):
                return True
        return False

    async def wait_index(self) -> None:
        await self.until(self.index_done, what="the workspace index ($/progress end)")

    async def diagnostics(self, doc: Doc) -> list[types.Diagnostic]:
        """The diagnostics for the document's current version (pull or push)."""
        if self.pull:
            await self.wait_index()
            report = await asyncio.wait_for(self.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(doc.uri))),
                TIMEOUT)
            return list(report.items)

        def current():
            for params in reversed(self.client.published.get(doc.uri, [])):
                if params.version == doc.version:
                    return params
            return None
        params = await self.until(current, what=f"diagnostics for {doc.path.name} v{doc.version}")
        return list(params.diagnostics)

    async def request(self, coro, timeout: float = TIMEOUT):
        return await asyncio.wait_for(coro, timeout)


@contextlib.asynccontextmanager
async def open_editor(root: Path, name: str = "visual-studio-code", *,
                      capabilities: types.ClientCapabilities | None = None,
                      init_options: dict | None = None,
                      configuration: dict | None = None,
                      client_features: dict | None = None,
                      wait_index: bool = True) -> AsyncIterator[Editor]:
    client = _make_client(client_features)
    if configuration is not None:
        client.set_configuration(configuration)
    await client.start_io(*SERVER)
    caps = capabilities if capabilities is not None else client_capabilities(name)
    result = await asyncio.wait_for(client.initialize_session(types.InitializeParams(
        capabilities=caps,
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=init_options,
    )), TIMEOUT)
    encoding = result.capabilities.position_encoding or "utf-16"
    editor = Editor(client, root, name, getattr(encoding, "value", encoding), result)
    try:
        if wait_index:
            await editor.wait_index()
        yield editor
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), 10)
        finally:
            await client.stop()


def copy_workspace(dest: Path) -> Path:
    shutil.copytree(FIXTURE_WORKSPACE, dest, ignore=shutil.ignore_patterns(
        ".importwarden_cache", "__pycache__"))
    return dest


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


@pytest_asyncio.fixture(params=CLIENTS)
async def editor(request, workspace: Path) -> AsyncIterator[Editor]:
    async with open_editor(workspace, request.param) as ed:
        yield ed


@pytest_asyncio.fixture
async def vscode(workspace: Path) -> AsyncIterator[Editor]:
    async with open_editor(workspace, "visual-studio-code") as ed:
        yield ed


def pull_capabilities() -> types.ClientCapabilities:
    """VS Code's capabilities plus pull diagnostics with refresh (what current VS Code sends)."""
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=False, related_document_support=False)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


TOML_REGISTRY = '''[[import]]
target = "pkg.old:Thing"
status = "deprecated"
use = "pkg.new:Thing"
note = "moved in the 2025 cleanup"
'''


def make_small_workspace(root: Path) -> Path:
    """A workspace with a strict TOML registry: pkg.old:Thing is deprecated for pkg.new:Thing."""
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "new.py").write_text("class Thing:\n    pass\n")
    (root / "pkg" / "old.py").write_text("from pkg.new import Thing\n\n__all__ = ['Thing']\n")
    (root / "app.py").write_text("from pkg.old import Thing\n\nprint(Thing)\n")
    (root / "more.py").write_text("import pkg.old\nfrom pkg.old import Thing as T\n\n"
                                  "print(pkg.old.Thing, T)\n")
    (root / "importwarden.toml").write_text(TOML_REGISTRY)
    (root / "pyproject.toml").write_text('[project]\nname = "small"\n')
    return root


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_small_workspace(tmp_path / "small")
