"""Bad input over a raw pipe: garbage and truncated JSON-RPC, unknown methods, requests about
files that are not open or do not exist, binary and 10 MB documents. The server answers or
logs, and keeps running (and exits cleanly when asked)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .conftest import SERVER
from .wire import RawServer


@pytest.fixture
def server(small: Path):
    srv = RawServer(small, SERVER)
    srv.request(1, "initialize", {"processId": None, "rootUri": small.as_uri(),
                                  "capabilities": {}})
    assert "capabilities" in srv.response(1)["result"]
    srv.notify("initialized", {})
    yield srv
    srv.kill()


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
    # A 10 MB document with one deprecated import at the top: larger than `check` reads (5 MB),
    # so one notice says why it is not checked.
    huge = small / "huge.py"
    text = "from pkg.old import Thing\n" + "value_0000000 = 'x' * 10\n" * 420_000
    assert len(text) > 10_000_000
    srv.notify("textDocument/didOpen", {"textDocument": {
        "uri": huge.as_uri(), "languageId": "python", "version": 1, "text": text}})
    published = srv.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == huge.as_uri(), timeout=120)
    [note] = published["params"]["diagnostics"]
    assert "not checked: larger than 5 MB" in note["message"] and note["severity"] == 3
    assert hover(srv, 7, huge.as_uri())["result"] is None
    # And the server still answers.
    result = hover(srv, 6, (small / "app.py").as_uri())["result"]
    assert "pkg.old" in result["contents"]["value"]
    srv.request(99, "shutdown")
    srv.response(99)
    srv.notify("exit")
    assert srv.proc.wait(timeout=20) == 0


# --- framing: each malformed message is answered or skipped, and the next one is served -----

def still_answers(srv: RawServer, id: int, small: Path) -> None:
    result = hover(srv, id, (small / "app.py").as_uri())["result"]
    assert result is not None and "pkg.old" in result["contents"]["value"]


def parse_errors(srv: RawServer) -> list[dict]:
    return [m for m in srv.seen if "error" in m and m["error"]["code"] == -32700]


def test_a_body_that_is_not_utf8_gets_a_parse_error(server: RawServer, small: Path):
    # The id can still be read: the request is answered, so the client does not wait for it.
    server.frame(b'{"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover\xff\xfe"}')
    error = server.response(3)
    assert error["error"]["code"] == -32700 and "UTF-8" in error["error"]["message"]
    # Not even the id can be read: id null.
    server.frame(b'\xff\xfe\x00{"jsonrpc": "2.0", "id": 5')
    error = server.wait(lambda m: "error" in m and m["id"] is None)
    assert error["error"]["code"] == -32700
    still_answers(server, 4, small)


def test_bad_json_gets_a_parse_error_with_id_null(server: RawServer, small: Path):
    server.frame(b'{"jsonrpc": "2.0", "id": 3, "method": ')
    error = server.wait(lambda m: "error" in m)
    assert error == {"jsonrpc": "2.0", "id": None,
                     "error": {"code": -32700, "message": error["error"]["message"]}}
    still_answers(server, 4, small)


def test_json_that_is_not_a_message_is_an_invalid_request(server: RawServer, small: Path):
    server.frame(b"[1, 2, 3]")
    server.frame(b'"just a string"')
    errors = [server.wait(lambda m: "error" in m)]
    still_answers(server, 4, small)
    errors = [m for m in server.seen if "error" in m]
    assert [(e["id"], e["error"]["code"]) for e in errors] == [(None, -32600), (None, -32600)]


@pytest.mark.parametrize("header", [b"Content-Length: twelve\r\n", b"Content-Length: -5\r\n",
                                    b"Content-Length: 0x10\r\n", b"Content-Type: text/x\r\n"],
                         ids=["words", "negative", "hex", "missing"])
def test_a_bad_or_missing_content_length_is_skipped(server: RawServer, small: Path,
                                                    header: bytes):
    body = json.dumps({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}).encode()
    server.raw(header + b"\r\n" + body)
    still_answers(server, 4, small)  # the next well-framed message is read again
    assert not any(m.get("id") == 3 for m in server.seen), "a message without a length was read"
    logged = " ".join(m["params"]["message"] for m in server.seen
                      if m.get("method") == "window/logMessage")
    assert "Content-Length" in logged


def test_lf_only_headers_are_read(server: RawServer, small: Path):
    body = json.dumps({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": (small / "app.py").as_uri()},
        "position": {"line": 0, "character": 22}}}).encode()
    server.raw(b"Content-Length: %d\n\n" % len(body) + body)
    assert "pkg.old" in server.response(3)["result"]["contents"]["value"]
    still_answers(server, 4, small)


def test_header_names_are_case_insensitive(server: RawServer, small: Path):
    body = json.dumps({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}).encode()
    server.raw(b"content-length: %d\r\n\r\n" % len(body) + body)
    assert server.response(3)["result"] is None


def test_a_huge_content_length_exits_non_zero_with_a_reason(server: RawServer):
    server.raw(b"Content-Length: 99999999999\r\n\r\n{}")
    assert server.exit_code(timeout=10) == 1
    time.sleep(0.2)  # the stderr reader thread catches up
    assert "99999999999" in server.tail() and "MiB" in server.tail()


def test_a_request_after_shutdown_is_an_invalid_request(server: RawServer, small: Path):
    server.request(2, "shutdown")
    assert server.response(2)["result"] is None
    server.request(3, "textDocument/hover", {"textDocument": {"uri": (small / "app.py").as_uri()},
                                             "position": {"line": 0, "character": 22}})
    assert server.response(3)["error"]["code"] == -32600
    server.notify("exit")
    assert server.exit_code(timeout=10) == 0


def test_exit_without_shutdown_exits_1(server: RawServer):
    server.notify("exit")
    assert server.exit_code(timeout=10) == 1


def test_exit_after_a_10mb_document_is_honoured(server: RawServer, small: Path):
    huge = small / "huge.py"
    text = "from pkg.old import Thing\n" + "value_0000000 = 'x' * 10\n" * 420_000
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": huge.as_uri(), "languageId": "python", "version": 1, "text": text}})
    server.request(2, "shutdown")
    sent = server.notify("exit")
    assert server.exit_code(timeout=10) == 0
    assert time.perf_counter() - sent < 3.0


def test_a_big_document_under_the_limit_does_not_block_the_server(server: RawServer,
                                                                   small: Path):
    """4 MB with 3,000 fixable imports: checked on the analysis thread while requests about
    other documents, shutdown and exit are answered."""
    big = small / "big.py"
    block = "from pkg.old import Thing\n" + "value = 'x' * 10\n" * 80
    text = block * 3_000
    assert 3_500_000 < len(text) < 5 * 1024 * 1024
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": big.as_uri(), "languageId": "python", "version": 1, "text": text}})
    published = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == big.as_uri(), timeout=120)
    assert len(published["params"]["diagnostics"]) == 3_000
    # Fixes are planned for the asked range only: a quick fix for the 2,000th import.
    line = 2_000 * 81
    server.request(3, "textDocument/codeAction", {
        "textDocument": {"uri": big.as_uri()},
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
        "context": {"diagnostics": [], "only": ["quickfix"]}})
    titles = [a["title"] for a in server.response(3, timeout=60)["result"]]
    assert any("pkg.new" in t for t in titles), titles
    # A new version is being checked; shutdown and exit do not wait for it.
    server.notify("textDocument/didChange", {"textDocument": {"uri": big.as_uri(), "version": 2},
                                             "contentChanges": [{"text": text + "# end\n"}]})
    time.sleep(0.3)
    sent = server.request(4, "shutdown")
    at, _ = server.wait_timed(lambda m: m.get("id") == 4, timeout=30)
    server.notify("exit")
    assert server.exit_code(timeout=10) == 0
    assert at - sent < 2.0, f"shutdown answered after {at - sent:.1f} s"
