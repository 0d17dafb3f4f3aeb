"""The ``importwarden`` command line: one sub-module per command, each with
``add_arguments(parser)`` and ``run(args) -> int``.

Exit codes: 0 nothing found (or --exit-zero), 1 findings/problems, 2 usage, config or registry
load error: one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from importwarden import __version__
from importwarden.errors import ImportwardenError

COMMANDS = {
    "check": ("importwarden.cli.check", "check files against the registry and the workspace"),
    "fix": ("importwarden.cli.fix", "rewrite imports and mock targets to their canonical paths"),
    "registry": ("importwarden.cli.registry", "show, lint or export the import registry"),
    "report": ("importwarden.cli.report", "findings by rule along the git history"),
    "lsp": ("importwarden.cli.lsp", "run the language server"),
}


class UsageError(Exception):
    """A problem with what the user asked for: printed as one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="importwarden",
        description="Keep imports on the paths your import registry names as canonical.",
    )
    parser.add_argument("--version", action="version", version=f"importwarden {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # A command whose module is not there (a partial install or checkout) is left out
            # rather than breaking every other command; any other import error still surfaces.
            if exc.name != module_name:
                raise
            continue
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def err(message: str) -> None:
    """One line on stderr, the way every command reports what it could not do."""
    print(f"importwarden: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args._run(args) or 0)
    except (UsageError, ImportwardenError) as exc:
        err(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


_kept: tuple = ()


def keep_until_exit(*objects: object) -> None:
    """Keep a run's big structures referenced after ``run`` returns, so that ``entry`` exits
    without freeing them (one slot: a later run in the same process releases the earlier)."""
    global _kept
    _kept = objects


def entry() -> None:
    """The console script: ``main``, then exit without tearing the heap down.

    A run that loaded the index holds ~10^6 objects; freeing them one by one at exit costs
    0.1 s, half of the budget of a re-check after one change (mypy exits the same way).
    Output is flushed first; every file ``fix`` writes is closed and renamed by then.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
    os._exit(code)
