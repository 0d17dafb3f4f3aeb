"""A language server in a subprocess, spoken to in raw JSON-RPC bytes over its stdio.

Shared by the raw-input tests (``tests/lsp/test_bad_input.py``) and the benchmark
(``benchmarks/bench_lsp.py``): framing is written here once. Messages read back are kept with
their arrival time (``time.perf_counter``). The reader is deliberately independent of the
server's own framing code, so a framing bug in the server cannot hide itself.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable

_CONTENT_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


def encode(message: dict) -> bytes:
    """One JSON-RPC message, framed (``"jsonrpc": "2.0"`` added)."""
    return frame(json.dumps({"jsonrpc": "2.0", **message}).encode())


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream: Any) -> dict | None:
    """The next framed message from a binary stream (a pipe or ``socket.makefile("rb")``);
    None at the end of the stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        match = _CONTENT_LENGTH.match(line)
        if match:
            length = int(match.group(1))
        elif line in (b"\r\n", b"\n") and length is not None:
            return json.loads(stream.read(length))


class RawServer:
    """``cmd`` started in ``cwd``; ``raw``/``frame``/``send`` write, ``wait`` reads."""

    def __init__(self, cwd: Path, cmd: list[str], *, keep_stderr: bool = True):
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE if keep_stderr else subprocess.DEVNULL)
        self.inbox: queue.Queue = queue.Queue()  # (arrival time, message)
        self.seen_timed: list[tuple[float, dict]] = []  # everything read so far
        self.stderr: list[bytes] = []
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()
        if keep_stderr:
            threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr),
                             daemon=True).start()

    def _read(self) -> None:
        while (message := read_message(self.proc.stdout)) is not None:
            self.inbox.put((time.perf_counter(), message))

    # --- writing ----------------------------------------------------------------------------

    def raw(self, data: bytes) -> float:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        return time.perf_counter()

    def frame(self, body: bytes) -> float:
        return self.raw(frame(body))

    def send(self, message: dict) -> float:
        return self.raw(encode(message))

    def request(self, id: int, method: str, params: Any = None) -> float:
        return self.send({"id": id, "method": method, "params": params})

    def notify(self, method: str, params: Any = None) -> float:
        return self.send({"method": method, "params": params})

    def call(self, method: str, params: Any = None, timeout: float = 120.0
             ) -> tuple[float, dict]:
        """Send a request with the next id; (seconds until its answer, the answer)."""
        msg_id = self.next_id
        self.next_id += 1
        sent = self.request(msg_id, method, params)
        at, message = self.wait_timed(lambda m: m.get("id") == msg_id and "method" not in m,
                                      timeout)
        return at - sent, message

    # --- reading ----------------------------------------------------------------------------

    def wait_timed(self, predicate: Callable[[dict], Any], timeout: float = 60.0
                   ) -> tuple[float, dict]:
        """The first message (already seen or arriving within ``timeout``) that matches, with
        its arrival time. Requests from the server that need an answer before it goes on
        (``window/workDoneProgress/create``) are answered on the way."""
        for at, message in self.seen_timed:
            if predicate(message):
                return at, message
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                at, message = self.inbox.get(timeout=0.1)
            except queue.Empty:
                assert self.proc.poll() is None, f"the server exited\n{self.tail()}"
                continue
            self.seen_timed.append((at, message))
            if message.get("method") == "window/workDoneProgress/create":
                self.send({"id": message["id"], "result": None})
            if predicate(message):
                return at, message
        raise AssertionError(f"timed out; seen: {repr(self.seen[-5:])[-3000:]}\n{self.tail()}")

    def wait(self, predicate: Callable[[dict], Any], timeout: float = 60.0) -> dict:
        return self.wait_timed(predicate, timeout)[1]

    def response(self, id: Any, timeout: float = 60.0) -> dict:
        return self.wait(lambda m: m.get("id") == id and "method" not in m, timeout)

    def tail(self) -> str:
        return b"".join(self.stderr).decode(errors="replace")[-3000:]

    def exit_code(self, timeout: float) -> int:
        """The process's exit code; fails if it is still running after ``timeout`` s."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout} s\n{self.tail()}") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def seen(self) -> list[dict]:
        return [message for _, message in self.seen_timed]
