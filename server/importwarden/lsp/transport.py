"""Reading JSON-RPC from stdin so that no input leaves the server deaf.

pygls' own reader (``pygls.io_.run_async``) wants exactly ``Content-Length: N\\r\\n``, reads any
length into memory, and after a malformed header waits forever for a message it has lost
track of. This one, on a daemon thread (the event loop never waits for stdin, and a blocked
read never keeps the process from exiting):

- reads header names case-insensitively and accepts ``\\n`` as well as ``\\r\\n`` line ends;
- skips a message whose ``Content-Length`` is missing or not a decimal number, with a logged
  reason, and finds the next message by its ``Content-Length`` header (even one glued to the
  end of the skipped body);
- answers a body that is not UTF-8 or not JSON with ``-32700`` (Parse error) and one that is
  not a JSON-RPC message with ``-32600`` (Invalid Request); the id is ``null`` unless it could
  be read;
- exits with code 1 and a logged reason on a body larger than ``MAX_BODY_BYTES``: its length
  cannot be trusted and its bytes cannot be skipped safely, so the client should restart us;
- after ``exit`` (or the end of stdin) ends the process within ``EXIT_GRACE`` seconds even if
  the event loop is busy: ``exit`` is always honoured.

Messages are handed to the event loop in arrival order; everything sent back is written by
the loop thread only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024  # one message; a 5 MB document is ~6 MB of JSON
MAX_HEADER_BYTES = 64 * 1024  # one header line is read at most this long at a time
EXIT_GRACE = 2.0  # seconds between `exit` (or EOF) and a forced end of the process

PARSE_ERROR = -32700
INVALID_REQUEST = -32600

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)
_DIGITS = re.compile(rb"[0-9]+")
_GLUE = 32  # bytes of a piece kept to find a header split across two reads


@dataclass(frozen=True)
class Message:
    """A JSON-RPC message (a JSON object)."""

    data: dict


@dataclass(frozen=True)
class Invalid:
    """A message that can be answered only with an error."""

    code: int
    reason: str
    id: Any = None


@dataclass(frozen=True)
class Unreadable:
    """Bytes that were not a message; the reason is logged. ``fatal``: the stream cannot be
    followed any more, and the server exits with code 1."""

    reason: str
    fatal: bool = False


class FrameReader:
    """Messages from a binary stream, one ``next()`` at a time (None at the end)."""

    def __init__(self, stream: BinaryIO, max_body: int = MAX_BODY_BYTES):
        self.stream = stream
        self.max_body = max_body

    def next(self) -> Message | Invalid | Unreadable | None:
        length: int | None = None
        problem: str | None = None
        headers = False
        tail = b""
        while True:
            line = self.stream.readline(MAX_HEADER_BYTES)
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                if length is not None:
                    return self._body(length)
                if headers:
                    return Unreadable(problem or "a message without a Content-Length header")
                continue  # a stray line break between messages
            headers = True
            # A header glued to the end of a skipped body, or split across two reads.
            match = _CONTENT_LENGTH.search(tail + line)
            tail = b"" if line.endswith(b"\n") else line[-_GLUE:]
            if match is None:
                continue
            value = match.group(1).strip()
            if _DIGITS.fullmatch(value):
                length, problem = int(value), None
            else:
                length = None
                problem = f"a bad Content-Length header ({value[:40].decode('latin-1')!r})"

    def _body(self, length: int) -> Message | Invalid | Unreadable | None:
        if length > self.max_body:
            return Unreadable(f"a message of {length} bytes is larger than the "
                              f"{self.max_body // (1024 * 1024)} MiB limit", fatal=True)
        body = self.stream.read(length)
        if len(body) < length:
            return None
        return parse(body)


def parse(body: bytes) -> Message | Invalid:
    """One message body: a JSON-RPC message, or the error it must be answered with."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Answer the request (if its id can be read) instead of leaving the client waiting.
        try:
            data = json.loads(body.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            data = None
        msg_id = data.get("id") if isinstance(data, dict) else None
        return Invalid(PARSE_ERROR, f"Parse error: the body is not UTF-8 ({exc.reason} at "
                                    f"byte {exc.start})", _valid_id(msg_id))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return Invalid(PARSE_ERROR, f"Parse error: {exc}")
    if not isinstance(data, dict):
        return Invalid(INVALID_REQUEST, f"Invalid Request: expected a JSON object, got "
                                        f"{type(data).__name__}")
    msg_id = _valid_id(data.get("id"))
    if data.get("jsonrpc") != "2.0":
        return Invalid(INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"', msg_id)
    if "method" in data:
        if not isinstance(data["method"], str):
            return Invalid(INVALID_REQUEST, 'Invalid Request: "method" must be a string',
                           msg_id)
    elif "id" not in data:
        return Invalid(INVALID_REQUEST, "Invalid Request: neither a request, a notification "
                                        "nor a response")
    return Message(data)


def _valid_id(value: Any) -> Any:
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else None


class StdinThread:
    """Runs a ``FrameReader`` on a daemon thread, handing what it reads to the event loop.

    ``deliver(item)`` is called on the loop thread for every item, then ``None`` at the end of
    the stream. The thread watches for ``exit``: once it has read one (or the stream ended),
    the process ends after ``EXIT_GRACE`` seconds whatever the loop is doing, with code 0 after
    a ``shutdown`` request and 1 without.
    """

    def __init__(self, stream: BinaryIO, loop: asyncio.AbstractEventLoop,
                 deliver: Callable[[Any], None], max_body: int = MAX_BODY_BYTES):
        self.reader = FrameReader(stream, max_body)
        self.loop = loop
        self.deliver = deliver
        self.shutdown_seen = False
        self.thread = threading.Thread(target=self._run, name="importwarden-stdin",
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                item = self.reader.next()
            except (OSError, ValueError) as exc:  # stdin closed under us
                item = Unreadable(f"reading stdin failed: {exc}", fatal=True)
            self._hand_over(item)
            fatal = isinstance(item, Unreadable) and item.fatal
            if item is None or fatal:
                break
            if isinstance(item, Message):
                method = item.data.get("method")
                if method == "shutdown" and "id" in item.data:
                    self.shutdown_seen = True
                elif method == "exit":
                    break
        self._force_exit_later(1 if fatal or not self.shutdown_seen else 0)

    def _hand_over(self, item: Any) -> None:
        try:
            self.loop.call_soon_threadsafe(self.deliver, item)
        except RuntimeError:  # the loop is closed: the process is on its way out
            pass

    @staticmethod
    def _force_exit_later(code: int) -> None:
        time.sleep(EXIT_GRACE)
        log.error("importwarden: the server did not stop within %.0f s of exit; ending it",
                  EXIT_GRACE)
        end_process(code)


def end_process(code: int) -> None:
    """Flush what was written and end the process now, whatever other threads are doing."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
