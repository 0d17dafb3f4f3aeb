"""``importwarden lsp``: run the language server over stdio (default) or TCP (for debugging)."""

from __future__ import annotations

import argparse
import logging
import sys


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    try:
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}") from None
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"port out of range: {number}")
    return host or "127.0.0.1", number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    mode.add_argument("--tcp", metavar="HOST:PORT", type=_host_port,
                      help="listen on a TCP socket instead (for debugging)")
    parser.add_argument("--log-level", default="warning",
                        choices=("debug", "info", "warning", "error"),
                        help="server log level on stderr (default: warning)")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level.upper()),
                        format="importwarden %(levelname)s %(name)s: %(message)s")
    from importwarden import workers

    # The index build uses a process pool from a background thread while another thread sits
    # in stdin.readline(): a forked worker would inherit that thread's lock on stdin and hang
    # when multiprocessing closes stdin in the child. Workers from a fork server don't; it is
    # started so that it cannot import from the workspace (the current directory).
    workers.use_fork_server()
    from importwarden.lsp.server import create_server

    server = create_server()
    if args.tcp:
        host, port = args.tcp
        server.start_tcp(host, port)
        return 0
    # stdout carries the protocol: anything else printed there would corrupt it.
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    server.start_io(stdin, stdout)
    return 0
