"""One thread for all engine work, so the event loop only speaks the protocol.

Checking a document, planning its fixes, answering hover or completion and changing the
project (index, registry, settings) run here, one job at a time, so the engine never sees two
threads. Jobs run in the order asked, except that diagnostics runs (``run_background``) let
every other job waiting go first: a completion or hover asked while typing waits for the one
job in progress at most, never for a queue of diagnostics runs. The loop thread meanwhile keeps reading messages: ``exit``,
``$/cancelRequest`` and document changes are taken at once however long a check runs. The
thread is a daemon: a process asked to exit never waits for it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from typing import Any, Callable, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST, BACKGROUND = 0, 1  # job priorities: requests and project changes, diagnostics runs


class AnalysisThread:
    def __init__(self) -> None:
        # (priority, order asked, job): the order breaks ties, so equal jobs stay in order
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def run(self, job: Callable[..., T], *args: Any) -> "asyncio.Future[T]":
        """``job(*args)`` on the analysis thread; its result (or exception) on the loop. A job
        whose future was cancelled before it started is skipped."""
        return self._submit(FIRST, job, args)

    def run_background(self, job: Callable[..., T], *args: Any) -> "asyncio.Future[T]":
        """``run``, after every job not run in the background that is waiting or comes before
        this one starts."""
        return self._submit(BACKGROUND, job, args)

    def _submit(self, priority: int, job: Callable[..., T], args: tuple) -> "asyncio.Future[T]":
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="importwarden-analysis",
                                            daemon=True)
            self._thread.start()
        self._jobs.put((priority, next(self._order), (loop, future, job, args)))
        return future

    def on_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def _serve(self) -> None:
        while True:
            _priority, _order, (loop, future, job, args) = self._jobs.get()
            if future.cancelled():
                continue
            try:
                result = job(*args)
            except BaseException as exc:  # handed to the awaiting coroutine
                _call(loop, settle, future, None, exc)
            else:
                _call(loop, settle, future, result, None)


def _call(loop: asyncio.AbstractEventLoop, fn: Callable, *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:  # the loop is closed: the server is exiting
        pass


def settle(future: asyncio.Future, value: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)
