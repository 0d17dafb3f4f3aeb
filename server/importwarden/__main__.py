"""``python -m importwarden``: the console script's entry point, minus the current directory.

``python -m`` puts the current directory first on ``sys.path``; in a checked-out repository
that would let its ``pathspec.py``, ``rich/`` or ``libcst/`` stand in for ours, and run. It is
dropped before anything else is imported (``sys`` and ``os`` are already loaded at start-up).
What Python itself imports before this file runs (``runpy`` and what it needs) is beyond its
reach: ``python -P -m importwarden`` or the ``importwarden`` script avoid that too.
"""

import os
import sys


def _drop_current_directory() -> None:
    if sys.flags.safe_path or not sys.path:  # (-P / PYTHONSAFEPATH: nothing was added)
        return
    first = sys.path[0]
    try:
        here = first == "" or os.path.samefile(first, os.getcwd())
    except OSError:
        here = False
    if here:
        del sys.path[0]


_drop_current_directory()

from importwarden.cli import entry  # noqa: E402 (after the sys.path fix, on purpose)

entry()
