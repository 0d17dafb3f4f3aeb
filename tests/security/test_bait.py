"""A workspace full of bait: a package named after every module the server, the CLI and their
worker processes import (standard library and third-party). Each writes a marker file when it
is imported, then hands over to the real module so that nothing else changes. The real server
is started the way editors start it (over stdio, current directory = the workspace), its index
is built in its process pool, and every feature runs; then ``check`` and ``fix``. No marker
may appear.

Python itself resolves ``python -m importwarden`` before our ``__main__`` runs (``runpy``,
``importwarden`` and what they import: ``pre_main_names``); those baits are taken away for the
``-m`` runs only. The console script has none of that, and runs with all of them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hostile import CONSOLE_SCRIPT, RULES_FILE, children, cli_env, copy_workspace_with_copies, ran

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # (for the raw LSP client:)
from lsp.wire import RawServer

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="watches the worker processes in /proc")

COPIES = 450  # the index scans >= 400 files in a pool; check >= 64, fix >= 32
TIMEOUT = 90.0

# Only builtins, ``sys`` and ``os`` (loaded before any import from sys.path can happen) and the
# import system's own frozen modules: a bait must not import another bait, and must not block.
BAIT = '''import os, sys
open({marker!r}, "a").close()  # imported: this workspace's code ran


def _hand_over(name=__name__):
    external = sys.modules["_frozen_importlib_external"]
    path = [p for p in sys.path
            if p and os.path.isabs(p) and os.path.realpath(p) != {root!r}]
    spec = external.PathFinder.find_spec(name, path)
    if spec is None:
        raise ImportError("no module named " + repr(name), name=name)
    module = sys.modules["_frozen_importlib"].module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_hand_over()
'''

_LIST_MODULES = """
import pkgutil, sys, importlib
import importwarden, importwarden.cli, importwarden.lsp.server
for info in pkgutil.walk_packages(importwarden.__path__, "importwarden."):
    if not info.name.endswith(".__main__"):  # (it would run the CLI)
        importlib.import_module(info.name)
import multiprocessing.forkserver, multiprocessing.popen_forkserver
import multiprocessing.popen_fork, multiprocessing.resource_tracker
import concurrent.futures.process, runpy
"""
# (no import of its own: it must not add to what it lists)
_PRINT_NAMES = "\nimport sys\nprint(' '.join({n.partition('.')[0] for n in sys.modules}))\n"


def _top_level_names(code: str, *args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-P", *args, "-c", code + _PRINT_NAMES],
                         capture_output=True, text=True, timeout=60, env=cli_env(),
                         cwd="/", check=True).stdout
    return set(out.split())


def bait_names() -> list[str]:
    """Every top-level module the server, the CLI and multiprocessing's helpers import, minus
    those no file can shadow (built into the interpreter)."""
    names = _top_level_names(_LIST_MODULES)
    # Imported lazily (only on some paths), and names an interpreter looks for at start-up.
    names |= {"rich", "markdown_it", "ftfy", "libcst", "pathspec", "jedi", "parso", "ctypes",
              "sitecustomize", "usercustomize", "conftest", "importwarden"}
    unshadowable = set(sys.builtin_module_names) | {"__main__", "__mp_main__"}
    return sorted(n for n in names if n.isidentifier() and n not in unshadowable
                  and not n.startswith("_frozen_importlib"))


def pre_main_names(tmp: Path) -> set[str]:
    """What ``python -m PACKAGE`` imports before the package's ``__main__`` runs, beyond what
    the interpreter imported at start-up (when the current directory was not yet on the
    path), plus the package itself."""
    probe = tmp / "probe" / "iw_probe"
    probe.mkdir(parents=True)
    (probe / "__init__.py").write_text("")
    (probe / "__main__.py").write_text(_PRINT_NAMES)
    at_main = subprocess.run([sys.executable, "-P", "-m", "iw_probe"], capture_output=True,
                             text=True, timeout=60, cwd="/", check=True,
                             env=cli_env(PYTHONPATH=str(probe.parent))).stdout
    return (set(at_main.split()) - _top_level_names("") - {"iw_probe"}) | {"importwarden"}


def bait_workspace(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    ws = copy_workspace_with_copies(tmp_path / "ws", COPIES)
    markers = tmp_path / "markers"
    markers.mkdir()
    root = str(ws.resolve())
    names = [n for n in bait_names() if not (ws / n).exists()]
    for name in names:
        (ws / name).mkdir()
        (ws / name / "__init__.py").write_text(BAIT.format(marker=str(markers / name), root=root))
    return ws, markers, names


# --- watching the process tree ----------------------------------------------------------------

class TreeWatch:
    """Samples the descendants of ``pid`` until stopped: ``depth[d]`` = the pids seen ``d``
    levels below it (1: its children)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.depth: dict[int, set[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            level, d = [self.pid], 0
            while level:
                d += 1
                level = [c for p in level for c in children(p)]
                self.depth.setdefault(d, set()).update(level)
            time.sleep(0.005)

    def stop(self) -> TreeWatch:
        self._stop.set()
        self._thread.join(5)
        return self


# --- the language server ----------------------------------------------------------------------

class Client:
    """RawServer plus the answers an editor gives to the server's own requests."""

    def __init__(self, srv: RawServer):
        self.srv = srv
        self.answered: set = set()

    def _answer(self, message: dict) -> None:
        if "method" not in message or "id" not in message or message["id"] in self.answered:
            return
        self.answered.add(message["id"])
        method = message["method"]
        if method == "workspace/configuration":
            result = [None for _ in message["params"]["items"]]
        else:  # registerCapability, workDoneProgress/create (RawServer answers it too), ...
            result = None
        if method != "window/workDoneProgress/create":
            self.srv.send({"id": message["id"], "result": result})

    def wait(self, predicate, timeout: float = TIMEOUT) -> dict:
        def answering(message):
            self._answer(message)
            return predicate(message)
        return self.srv.wait(answering, timeout)

    def call(self, method: str, params) -> dict:
        msg_id = self.srv.next_id
        self.srv.next_id += 1
        self.srv.request(msg_id, method, params)
        answer = self.wait(lambda m: m.get("id") == msg_id and "method" not in m)
        assert "error" not in answer, answer
        return answer["result"]

    def published(self, uri: str) -> list[dict]:
        return [m["params"] for m in self.srv.seen
                if m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri]


CAPABILITIES = {
    "window": {"workDoneProgress": True},
    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True},
                  "configuration": True, "workspaceFolders": True},
    "textDocument": {
        "publishDiagnostics": {"versionSupport": True},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "completion": {"completionItem": {"snippetSupport": False}},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
            "quickfix", "source", "source.fixAll"]}}, "resolveSupport": {"properties": ["edit"]}},
    },
}


def position(text: str, needle: str, offset: int = 0) -> dict:
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    return {"line": line, "character": at - (text.rfind("\n", 0, at) + 1)}  # (ASCII)


def exercise_server(cmd: list[str], ws: Path) -> TreeWatch:
    """Every feature, over stdio, with the current directory in the workspace."""
    srv = RawServer(ws, cmd)
    watch = TreeWatch(srv.proc.pid)
    try:
        client = Client(srv)
        client.call("initialize", {
            "processId": None, "rootUri": ws.as_uri(), "capabilities": CAPABILITIES,
            "workspaceFolders": [{"uri": ws.as_uri(), "name": ws.name}]})
        srv.notify("initialized", {})
        # The index build ends with a progress "end" (which needs the pool's results).
        client.wait(lambda m: m.get("method") == "$/progress"
                    and m["params"]["value"].get("kind") == "end")
        rules = ws / RULES_FILE
        text = rules.read_text()
        uri = rules.as_uri()
        srv.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        params = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == uri and m["params"]["diagnostics"])
        diags = params["params"]["diagnostics"]
        # Code actions: a quick fix on each diagnostic, and fix-all.
        quick = [client.call("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": d["range"],
            "context": {"diagnostics": [d]}}) for d in diags]
        assert any(a.get("kind") == "quickfix" for actions in quick for a in actions or [])
        whole = {"start": {"line": 0, "character": 0},
                 "end": {"line": text.count("\n") + 1, "character": 0}}
        (fix_all,) = client.call("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": whole,
            "context": {"diagnostics": [], "only": ["source.fixAll"]}})
        if "edit" not in fix_all:
            fix_all = client.call("codeAction/resolve", fix_all)
        assert fix_all["edit"]
        # Hover and completion.
        hover = client.call("textDocument/hover", {"textDocument": {"uri": uri}, "position":
                            position(text, "import create_agent_websocket_bridge", 9)})
        assert "broken" in hover["contents"]["value"]
        new = ws / "netra_backend" / "app" / "routes" / "new_module.py"
        new_text = "from netra_backend.app.agents.\n"
        srv.notify("textDocument/didOpen", {"textDocument": {
            "uri": new.as_uri(), "languageId": "python", "version": 1, "text": new_text}})
        completion = client.call("textDocument/completion", {
            "textDocument": {"uri": new.as_uri()},
            "position": {"line": 0, "character": len(new_text) - 1}})
        items = completion["items"] if isinstance(completion, dict) else completion
        assert items
        # Registry reload: the broken entry goes, so does its diagnostic.
        before = len(client.published(uri))
        registry = ws / "SSOT_IMPORT_REGISTRY.md"
        registry.write_text("".join(
            line for line in registry.read_text().splitlines(keepends=True)
            if "create_agent_websocket_bridge" not in line))
        srv.notify("workspace/didChangeWatchedFiles", {
            "changes": [{"uri": registry.as_uri(), "type": 2}]})
        client.wait(lambda m: len(client.published(uri)) > before
                    and client.published(uri)[-1]["diagnostics"] != diags)
        client.call("shutdown", None)
        srv.notify("exit")
        assert srv.exit_code(30) == 0, srv.tail()
        assert "Traceback" not in srv.tail(), srv.tail()
    finally:
        srv.kill()
        watch.stop()
    return watch


def _with_baits_away(ws: Path, names: set[str], parking: Path):
    """Move the named baits out of the workspace (and back when the block ends)."""
    import contextlib

    @contextlib.contextmanager
    def away():
        parking.mkdir(exist_ok=True)
        moved = [n for n in sorted(names) if (ws / n).exists()]
        for n in moved:
            shutil.move(str(ws / n), str(parking / n))
        try:
            yield
        finally:
            for n in moved:
                shutil.move(str(parking / n), str(ws / n))
    return away()


SERVERS = {
    "console-script": [str(CONSOLE_SCRIPT), "lsp"],
    "python -m": [sys.executable, "-m", "importwarden", "lsp"],
    # -E: PYTHONSAFEPATH is not honoured, so the fork server must start elsewhere.
    "python -E -m": [sys.executable, "-E", "-m", "importwarden", "lsp"],
}


@pytest.fixture(scope="module")
def bait(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bait")
    ws, markers, names = bait_workspace(tmp)
    return ws, markers, names, pre_main_names(tmp)


@pytest.mark.skipif((__import__("os").cpu_count() or 1) < 2,
                    reason="the index uses a process pool only with 2+ cores")
@pytest.mark.parametrize("how", list(SERVERS))
def test_language_server_runs_no_workspace_code(bait, how, tmp_path):
    ws, markers, names, pre_main = bait
    assert {"multiprocessing", "concurrent", "pathspec", "libcst", "pygls", "lsprotocol",
            "rich", "importwarden", "sitecustomize"} <= set(names)
    for marker in markers.iterdir():
        marker.unlink()
    registry = ws / "SSOT_IMPORT_REGISTRY.md"
    saved = registry.read_text()
    shutil.rmtree(ws / ".importwarden_cache", ignore_errors=True)  # (the pool builds again)
    try:
        if how == "console-script":
            watch = exercise_server(SERVERS[how], ws)
        else:
            with _with_baits_away(ws, pre_main, tmp_path / "parked"):
                watch = exercise_server(SERVERS[how], ws)
    finally:
        registry.write_text(saved)
    assert ran(markers) == []
    # The index was built in the pool: worker processes (the fork server's children) existed.
    assert watch.depth.get(2), "no worker process was seen: the index did not use its pool"


def _run_watching(cmd: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, TreeWatch]:
    proc = subprocess.Popen(cmd, cwd=cwd, env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    watch = TreeWatch(proc.pid)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
        watch.stop()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), watch


@pytest.mark.skipif((__import__("os").cpu_count() or 1) < 2,
                    reason="check and fix use process pools only with 2+ cores")
@pytest.mark.parametrize("module", [False, True], ids=["console-script", "python -m"])
def test_check_and_fix_run_no_workspace_code(bait, module, tmp_path):
    ws, markers, _names, pre_main = bait
    for marker in markers.iterdir():
        marker.unlink()
    prefix = [sys.executable, "-m", "importwarden"] if module else [str(CONSOLE_SCRIPT)]
    with _with_baits_away(ws, pre_main if module else set(), tmp_path / "parked"):
        saved = {p: p.read_bytes() for p in ws.rglob("*.py")}
        try:
            for args in (["check", "--no-cache"], ["check"], ["fix", "--diff"], ["fix"]):
                shutil.rmtree(ws / ".importwarden_cache", ignore_errors=True)  # (pools again)
                result, watch = _run_watching([*prefix, *args], ws)
                assert "Traceback" not in result.stderr, result.stderr
                assert result.returncode in (0, 1), result.stderr
                assert watch.depth.get(1), f"{args}: no worker process was seen"
        finally:
            for p, data in saved.items():
                p.write_bytes(data)
    assert ran(markers) == []
