"""The progress bar ``check`` and ``fix`` show on a terminal (stderr), and nowhere else."""

from __future__ import annotations

import sys
from typing import Any, Callable


class ProgressBar:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int, enabled: bool, label: str = "checking"):
        self.label = label
        self.total = total
        self.enabled = enabled and total > 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> "ProgressBar":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task(self.label, total=self.total)
        return self

    def set(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)


def terminal_progress() -> Callable[[int, str], Any]:
    """The engine's progress display (``project.batch.ProgressFactory``): a bar on a terminal."""
    enabled = sys.stderr.isatty()
    return lambda total, label: ProgressBar(total, enabled, label)
