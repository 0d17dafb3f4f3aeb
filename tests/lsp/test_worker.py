"""The analysis thread (lsp/worker.py): one job at a time; a request (completion, hover)
goes before the diagnostics runs waiting, so it never queues behind them."""

from __future__ import annotations

import asyncio
import threading

from importwarden.lsp.worker import AnalysisThread


def test_requests_go_before_waiting_diagnostics_runs():
    order: list[str] = []
    release = threading.Event()

    def job(name: str, wait: bool = False) -> str:
        if wait:
            release.wait(5)
        order.append(name)
        return name

    async def main() -> list[str]:
        thread = AnalysisThread()
        running = thread.run_background(job, "check 1", True)  # in progress
        await asyncio.sleep(0.05)
        waiting = [thread.run_background(job, f"check {i}") for i in (2, 3, 4)]
        hover = thread.run(job, "hover")
        completion = thread.run(job, "completion")
        release.set()
        return list(await asyncio.gather(running, *waiting, hover, completion))

    results = asyncio.run(main())
    assert results == ["check 1", "check 2", "check 3", "check 4", "hover", "completion"]
    # the one in progress finishes; then the requests, in the order asked; then the checks
    assert order == ["check 1", "hover", "completion", "check 2", "check 3", "check 4"]
