"""``importwarden lsp`` (console script, stdio), ``python -m importwarden lsp`` (the pytest-lsp
tests), and ``--tcp HOST:PORT`` for debugging."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .wire import RawServer, encode, read_message


def _read(sock_file) -> dict:
    message = read_message(sock_file)
    assert message is not None, "connection closed"
    return message


def test_help_lists_the_transports():
    out = subprocess.run([sys.executable, "-m", "importwarden", "lsp", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "--stdio" in out.stdout and "--tcp HOST:PORT" in out.stdout


def test_bad_tcp_address_is_a_usage_error():
    out = subprocess.run([sys.executable, "-m", "importwarden", "lsp", "--tcp", "localhost:x"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "HOST:PORT" in out.stderr
    assert "Traceback" not in out.stderr


def test_console_script_over_stdio(small: Path):
    script = Path(sys.executable).parent / "importwarden"
    if not script.exists():
        pytest.fail("the importwarden console script is not installed")
    srv = RawServer(small, [str(script), "lsp", "--stdio"])
    try:
        srv.request(1, "initialize", {"processId": None, "rootUri": small.as_uri(),
                                      "capabilities": {}})
        info = srv.response(1)["result"]["serverInfo"]
        assert info["name"] == "importwarden"
        srv.request(2, "shutdown")
        srv.response(2)
        srv.notify("exit")
        assert srv.proc.wait(timeout=20) == 0
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()


def test_tcp(small: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "importwarden", "lsp", "--tcp",
                             f"127.0.0.1:{port}"], cwd=small, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not listen"
                time.sleep(0.1)
        with sock, sock.makefile("rb") as reader:
            sock.sendall(encode({"id": 1, "method": "initialize", "params": {
                "processId": None, "rootUri": small.as_uri(), "capabilities": {}}}))
            response = _read(reader)
            while "id" not in response:
                response = _read(reader)
            assert response["result"]["serverInfo"]["name"] == "importwarden"
            sock.sendall(encode({"id": 2, "method": "shutdown"}))
            sock.sendall(encode({"method": "exit"}))
    finally:
        proc.kill()
        proc.wait()
