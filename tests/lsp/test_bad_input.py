"""Bad input over a raw pipe: garbage and truncated JSON-RPC, unknown methods, requests about
files that are not open or do not exist, binary and 10 MB documents. The server answers or
logs, and keeps running (and exits cleanly when asked)."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

import pytest

from .conftest import SERVER


class RawServer:
    """The server in a subprocess, spoken to in raw bytes."""

    def __init__(self, cwd: Path, cmd: list[str] | None = None):
        self.proc = subprocess.Popen(cmd or SERVER, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n") and length is not None:
                    break
            self.inbox.put(json.loads(out.read(length)))

    def raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def frame(self, body: bytes) -> None:
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: dict) -> None:
        self.frame(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def request(self, id: int, method: str, params=None) -> None:
        self.send({"id": id, "method": method, "params": params})

    def notify(self, method: str, params=None) -> None:
        self.send({"method": method, "params": params})

    def wait(self, predicate, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        for message in self.seen:
            if predicate(message):
                return message
        while time.monotonic() < deadline:
            try:
                message = self.inbox.get(timeout=0.1)
            except queue.Empty:
                assert self.proc.poll() is None, self.tail()
                continue
            self.seen.append(message)
            if predicate(message):
                return message
        raise AssertionError(f"timed out; seen: {self.seen[-5:]}\n{self.tail()}")

    def response(self, id: int, timeout: float = 60.0) -> dict:
        return self.wait(lambda m: m.get("id") == id and "method" not in m, timeout)

    def tail(self) -> str:
        return b"".join(self.stderr).decode(errors="replace")[-3000:]


@pytest.fixture
def server(small: Path):
    srv = RawServer(small)
    srv.request(1, "initialize", {"processId": None, "rootUri": small.as_uri(),
                                  "capabilities": {}})
    assert "capabilities" in srv.response(1)["result"]
    srv.notify("initialized", {})
    yield srv
    if srv.proc.poll() is None:
        srv.proc.kill()
        srv.proc.wait()


def hover(srv: RawServer, id: int, uri: str, line: int = 0, character: int = 22) -> dict:
    srv.request(id, "textDocument/hover", {"textDocument": {"uri": uri},
                                           "position": {"line": line, "character": character}})
    return srv.response(id)


def test_garbage_unknown_methods_and_shutdown(server: RawServer, small: Path):
    srv = server
    app = (small / "app.py").as_uri()
    srv.raw(b"this is not a header\r\n\r\n")
    srv.raw(b"Content-Length: 12\r\nContent-Type: nonsense\r\n\r\n{not json!!}")
    srv.frame(b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hov')  # truncated
    srv.frame(b"[1, 2, 3]")
    srv.frame(b'{"jsonrpc": "2.0"}')
    srv.frame(b"\xff\xfe\x00binary\x00")
    srv.request(8, "no/suchMethod", {})
    assert srv.response(8)["error"]["code"] == -32601
    srv.notify("$/unknownNotification", {"x": 1})
    srv.request(9, "textDocument/hover", {"bogus": 1})
    assert "error" in srv.response(9)
    # Still answering.
    result = hover(srv, 10, app)["result"]
    assert result is not None and "pkg.old" in result["contents"]["value"]
    srv.request(99, "shutdown")
    assert srv.response(99)["result"] is None
    srv.notify("exit")
    assert srv.proc.wait(timeout=20) == 0
    logged = [m for m in srv.seen if m.get("method") == "window/logMessage"]
    assert logged, "the garbage was not logged"


def test_unopened_deleted_binary_and_huge_documents(server: RawServer, small: Path):
    srv = server
    missing = (small / "missing.py").as_uri()
    # Requests about files that were never opened (and do not exist).
    assert hover(srv, 2, missing)["result"] is None
    srv.request(3, "textDocument/completion", {"textDocument": {"uri": missing},
                                               "position": {"line": 0, "character": 0}})
    assert srv.response(3)["result"] is None
    srv.request(4, "textDocument/codeAction", {
        "textDocument": {"uri": missing},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []}})
    assert srv.response(4)["result"] == []
    srv.notify("textDocument/didChange", {"textDocument": {"uri": missing, "version": 2},
                                          "contentChanges": [{"text": "x = 1\n"}]})
    srv.notify("textDocument/didClose", {"textDocument": {"uri": missing}})
    # A binary "Python" file, on disk and opened.
    binary = small / "blob.py"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe from pkg.old import Thing\x00\n")
    assert hover(srv, 5, binary.as_uri())["result"] is None
    srv.notify("textDocument/didOpen", {"textDocument": {
        "uri": binary.as_uri(), "languageId": "python", "version": 1,
        "text": "\x00\x01\x02 from pkg.old import Thing \x00\ufffd\n"}})
    # A 10 MB document with one deprecated import at the top.
    huge = small / "huge.py"
    text = "from pkg.old import Thing\n" + "value_0000000 = 'x' * 10\n" * 420_000
    assert len(text) > 10_000_000
    srv.notify("textDocument/didOpen", {"textDocument": {
        "uri": huge.as_uri(), "languageId": "python", "version": 1, "text": text}})
    published = srv.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == huge.as_uri(), timeout=120)
    assert [d["code"] for d in published["params"]["diagnostics"]] == ["IW002"]
    # And the server still answers.
    result = hover(srv, 6, (small / "app.py").as_uri())["result"]
    assert "pkg.old" in result["contents"]["value"]
    srv.request(99, "shutdown")
    srv.response(99)
    srv.notify("exit")
    assert srv.proc.wait(timeout=20) == 0
