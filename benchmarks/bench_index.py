"""Benchmark the import scanner and the workspace index.

    .venv/bin/python benchmarks/bench_index.py [--corpus DIR] [--repeat 3] [--cores 2]

Measures, and records in ``benchmarks/results/index.md``:
1. scanner throughput (lines/s, CPU time of this process, one core) of ``scanner.scan`` and
   ``scanner.scan_all`` (refs + bindings) against ``ast.parse`` on the running CPython's stdlib
   and on the corpus, plus a "read the files and run one regex" floor;
2. ``WorkspaceIndex.build`` on the corpus as a subprocess pinned to ``--cores`` CPUs (start-up
   included): cold with 1 and 2 worker processes, and warm from the index cache.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

RESULTS = common.RESULTS_DIR / "index.md"
INTRO = (
    "# Recorded benchmark results: scanner and workspace index\n\n"
    "Written by `benchmarks/bench_index.py`; newest first. Throughput is CPU time of one "
    "process; build times are wall time of a subprocess pinned to the given cores, median of "
    "the repeats.\n"
)

BUILD_SNIPPET = """
import sys
from pathlib import Path
from importwarden.config import Settings
from importwarden.workspace.index import WorkspaceIndex
root, jobs, cache = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
idx = WorkspaceIndex.build(Settings(root=root), jobs=jobs,
                           cache=False if cache == "none" else Path(cache))
print(len(idx.files()), len(idx.modules()), len(idx.notices))
"""


def _texts(paths: list[Path]) -> list[str]:
    out = []
    for p in paths:
        try:
            out.append(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            pass
    return out


def throughput(label: str, texts: list[str]) -> list[list[str]]:
    from importwarden.analysis.scanner import scan, scan_all

    lines = sum(t.count("\n") + 1 for t in texts)
    rows = []
    floor = re.compile(r"import|from|#|'|\"")

    def run(name: str, fn) -> None:
        best = None
        for _ in range(2):
            start = time.process_time()
            for t in texts:
                fn(t)
            dt = time.process_time() - start
            best = dt if best is None else min(best, dt)
        rows.append([label, name, f"{len(texts):,}", f"{lines:,}", common.fmt_seconds(best),
                     f"{lines / best / 1e6:.2f} M"])

    def parse(t: str) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(t)
        except (SyntaxError, ValueError, RecursionError):
            pass

    run("one regex finditer (floor)", lambda t: sum(1 for _ in floor.finditer(t)))
    run("scanner.scan (refs)", lambda t: scan(t, "pkg.mod"))
    run("scanner.scan_all (refs + bindings)", lambda t: scan_all(t, "pkg.mod"))
    run("ast.parse", parse)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=common.DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--no-record", action="store_true", help="print only")
    args = ap.parse_args(argv)

    if args.corpus == common.DEFAULT_CORPUS:
        with common.using_corpus(args.corpus) as info:  # nobody regenerates it meanwhile
            return _bench(args, info)
    return _bench(args, common.load_corpus_info(args.corpus))


def _bench(args: argparse.Namespace, info: dict) -> int:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    std_files = [p for p in sorted(stdlib.rglob("*.py")) if "site-packages" not in p.parts]
    corpus_files = sorted(args.corpus.rglob("*.py"))

    rows = throughput("stdlib", _texts(std_files))
    rows += throughput("corpus", _texts(corpus_files))
    table1 = common.markdown_table(
        ["files", "what", "n", "lines", "CPU time", "lines/s"], rows)
    print(table1)

    python = str(common.VENV_BIN / "python") if (common.VENV_BIN / "python").exists() \
        else sys.executable
    cache_dir = Path(tempfile.mkdtemp(prefix="iw-index-cache-"))
    build = [python, "-c", BUILD_SNIPPET, str(args.corpus)]
    rows2 = []
    try:
        for jobs in (1, 2):
            s = common.measure_series(f"cold, {jobs} process(es)", [*build, str(jobs), "none"],
                                      repeat=args.repeat, cores=args.cores)
            rows2.append(s)
        # warm: the first run fills the cache (not timed), the others load it
        common.measure([*build, "2", str(cache_dir)], cores=args.cores)
        rows2.append(common.measure_series("warm (index cache)", [*build, "2", str(cache_dir)],
                                           repeat=args.repeat, cores=args.cores))
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    table2_rows = []
    for s in rows2:
        secs = [r.seconds for r in s.runs]
        cpu = [r.cpu_seconds for r in s.runs]
        mem = max(r.peak_rss_mb for r in s.runs)
        bad = [r for r in s.runs if r.returncode != 0]
        if bad:
            print(bad[0].stderr, file=sys.stderr)
            return 1
        table2_rows.append([s.label, common.fmt_seconds(statistics.median(secs)),
                            common.fmt_seconds(statistics.median(cpu)), common.fmt_mb(mem),
                            s.runs[-1].stdout.strip()])
    table2 = common.markdown_table(
        ["index build (corpus)", "wall (median)", "CPU", "peak RSS", "files modules notices"],
        table2_rows)
    print(table2)
    stats = info.get("stats", {})
    corpus_lines = stats.get("lines")
    corpus_desc = (f"{stats.get('files', len(corpus_files)):,} files"
                   + (f", {corpus_lines:,} lines" if isinstance(corpus_lines, int) else ""))
    header = (f"Corpus: `{args.corpus.name}` ({corpus_desc}); stdlib: {len(std_files):,} files "
              f"of {stdlib}. Cores: {args.cores}. Command: "
              "`.venv/bin/python benchmarks/bench_index.py`.")
    body = "\n\n".join([
        header,
        common.machine_info_markdown(common.machine_info()),
        "### Scanner throughput (one core)", table1,
        "### Workspace index build", table2,
    ])
    if not args.no_record:
        common.record_section(RESULTS, f"{common.today()} index, {args.corpus.name}", body, INTRO)
        print(f"recorded in {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
