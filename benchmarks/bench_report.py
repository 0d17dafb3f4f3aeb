"""``importwarden report`` on the synthetic corpus turned into a 50-commit history.

    python benchmarks/bench_report.py [--commits 50] [--per-commit 200] [--record] [--profile]

Targets (issue 14): 50 commits of the 11,000-file corpus in <= 60 s on 2 cores, and each
further commit that changes <= 200 files in <= 2 s.

Measured:
- the whole walk, cold (``--no-cache``), as a subprocess pinned to 2 cores;
- the whole walk again with the blob cache filled by a previous run;
- the cost of each commit after the first inside one walk (in-process, from the progress
  callback's timestamps): the time a further commit adds, and how many files it checked.

``--profile`` (instead of the measurements): one in-process walk with ``jobs=1`` (all work in
one process, visible to cProfile), written to ``benchmarks/results/report_profile.txt``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    BENCH_DIR,
    REPO_ROOT,
    RESULTS_DIR,
    fmt_seconds,
    machine_info,
    machine_info_markdown,
    markdown_table,
    measure,
    record_section,
    today,
    using_corpus,
    venv_tool,
)
from make_history import REGISTRY_STEPS, make_history

HISTORY = BENCH_DIR / "corpus-history"


def _history(commits: int, per_commit: int) -> list[str]:
    marker = HISTORY.parent / "corpus-history.params"  # (outside the repository it describes)
    want = f"{commits} {per_commit} registry {','.join(map(str, REGISTRY_STEPS))}"
    if marker.exists() and marker.read_text() == want:
        return subprocess.run(["git", "rev-list", "--reverse", "HEAD"], cwd=HISTORY, check=True,
                              capture_output=True, text=True).stdout.split()
    with using_corpus() as _info:
        shas = make_history(BENCH_DIR / "corpus", HISTORY, commits, per_commit)
    marker.write_text(want)
    return shas


def _walk_in_process(**kwargs) -> tuple[list[float], list]:
    """One in-process walk: the seconds each commit took (from the progress callback's
    timestamps) and the rows."""
    sys.path.insert(0, str(REPO_ROOT / "server"))
    from importwarden.config import load_settings
    from importwarden.history.git import Repo
    from importwarden.history.report import build_report

    stamps: list[float] = []
    settings = load_settings(HISTORY)
    start = time.perf_counter()
    report = build_report(settings, Repo(HISTORY), cache_dir=None,
                          progress=lambda done, total: stamps.append(time.perf_counter()),
                          **kwargs)
    points = [start, *stamps]
    return [b - a for a, b in itertools.pairwise(points)], report.rows


def _profile() -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    cpu = time.process_time()
    profiler.enable()
    seconds, rows = _walk_in_process(jobs=1)
    profiler.disable()
    cpu = time.process_time() - cpu
    out = io.StringIO()
    load = os.getloadavg()
    slowest = max(range(1, len(seconds)), key=seconds.__getitem__)
    out.write(f"report walk in one process (jobs=1) under cProfile, {today()}, load "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
              f"total {sum(seconds):.2f} s wall, {cpu:.2f} s CPU of this process (git children "
              f"not counted); first commit {seconds[0]:.2f} s; further commits median "
              f"{statistics.median(seconds[1:]):.3f} s, max {seconds[slowest]:.3f} s (commit "
              f"{slowest + 1}, {rows[slowest].checked} files checked)\n\n")
    for key in ("cumulative", "tottime"):
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(key).print_stats(35)
    (RESULTS_DIR / "report_profile.txt").write_text(out.getvalue(), encoding="utf-8")
    print(out.getvalue()[:6000])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=50)
    parser.add_argument("--per-commit", type=int, default=200)
    parser.add_argument("--record", action="store_true",
                        help="write the results into benchmarks/results/report.md")
    parser.add_argument("--profile", action="store_true",
                        help="profile one in-process walk instead (results/report_profile.txt)")
    args = parser.parse_args(argv)
    shas = _history(args.commits, args.per_commit)
    if args.profile:
        _profile()
        return 0
    exe = venv_tool("importwarden")
    out = HISTORY.parent / "corpus-history-report.json"
    cache = HISTORY / ".importwarden_cache"
    load = os.getloadavg()
    cold = measure([exe, "report", "--no-cache", "-o", str(out)], cwd=HISTORY, cores=2)
    assert cold.returncode == 0, cold.stderr
    (cache / "history-blobs.bin").unlink(missing_ok=True)  # (a previous run's would be warm)
    fill = measure([exe, "report", "-o", str(out)], cwd=HISTORY, cores=2)
    warm = measure([exe, "report", "-o", str(out)], cwd=HISTORY, cores=2)
    assert warm.returncode == 0 and (cache / "history-blobs.bin").exists(), warm.stderr
    per_commit, walk_rows = _walk_in_process()
    load_after = os.getloadavg()
    # The walk's last row must be what ``check`` says of the same tree.
    import json
    from collections import Counter

    check = subprocess.run([exe, "check", "--output-format", "json", "--no-cache",
                            "--exit-zero"], cwd=HISTORY, capture_output=True, text=True,
                           check=True)
    expected = dict(Counter(f["code"] for f in json.loads(check.stdout)))
    last = json.loads(out.read_text(encoding="utf-8"))["rows"][-1]["counts"]
    assert last == expected, (last, expected)
    further = per_commit[1:]
    checked = [r.checked for r in walk_rows[1:]]
    slowest = max(range(len(further)), key=further.__getitem__)
    # (the commits that edit the registry check every file: shown apart from the others)
    plain = [s for k, s in enumerate(further, start=1) if k not in REGISTRY_STEPS]
    edits = [s for k, s in enumerate(further, start=1) if k in REGISTRY_STEPS]
    steps = ", ".join(map(str, REGISTRY_STEPS))
    rows = [
        ("whole walk, cold (--no-cache)", fmt_seconds(cold.seconds), fmt_seconds(cold.cpu_seconds),
         f"{cold.peak_rss_mb:.0f} MB"),
        ("whole walk, filling the blob cache", fmt_seconds(fill.seconds),
         fmt_seconds(fill.cpu_seconds), f"{fill.peak_rss_mb:.0f} MB"),
        ("whole walk, blob cache warm", fmt_seconds(warm.seconds), fmt_seconds(warm.cpu_seconds),
         f"{warm.peak_rss_mb:.0f} MB"),
        ("first commit inside the walk (all files)", fmt_seconds(per_commit[0]), "", ""),
        (f"each further commit ({args.per_commit} files): median", fmt_seconds(
            statistics.median(plain)), "", ""),
        (f"each further commit ({args.per_commit} files): max", fmt_seconds(max(plain)), "",
         ""),
        (f"a further commit that also edits the registry (commit {steps})",
         fmt_seconds(max(edits)) if edits else "n/a", "", ""),
        ("files checked per further commit: median / max / at the slowest commit",
         f"{statistics.median(checked):.0f} / {max(checked)} / {checked[slowest]} (commit {slowest + 1})",
         "", ""),
    ]
    table = markdown_table(("what", "wall", "CPU", "peak memory"), rows)
    quiet = max(load[0], load_after[0]) < 2.5
    body = (f"History: {len(shas)} first-parent commits of the 11,000-file corpus, each commit "
            f"after the first changing {args.per_commit} files, commit {steps} also the registry "
            f"(`benchmarks/make_history.py`). "
            f"The last row equals `importwarden check` on the same tree ({sum(expected.values())} "
            f"findings). Command: `.venv/bin/python benchmarks/bench_report.py --record`. "
            f"Load average (1, 5, 15 min) before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
            f"after: {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}"
            + (" (quiet)." if quiet else
               ": the machine was shared, so wall times are inflated; CPU times (the process "
               "and its children: workers and git) are beside them.")
            + " Peak memory: the sampled sum over the process tree (forked workers share "
              f"pages with the parent, so it over-counts); the largest single process: "
              f"{cold.maxrss_mb:.0f} MB cold, {warm.maxrss_mb:.0f} MB warm.\n\n"
            f"{table}\n\n{machine_info_markdown(machine_info())}")
    print(body)
    if args.record:
        revision = machine_info()["importwarden revision"]
        record_section(RESULTS_DIR / "report.md",
                       f"{today()} report, corpus history, revision {revision}", body,
                       intro="# Recorded benchmark results: `importwarden report`\n\n"
                             "Written by `benchmarks/bench_report.py`; newest first.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
