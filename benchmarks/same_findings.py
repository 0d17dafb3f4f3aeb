"""Are the findings the same? Before and after a change, serial and parallel, cold and warm.

    .venv/bin/python benchmarks/same_findings.py --before 18a25d3             # all trees
    .venv/bin/python benchmarks/same_findings.py --trees real --no-record      # only serial/parallel/warm

For each tree (the synthetic corpus, the ``--scale`` corpus, the Ansible tree; see
``benchmarks/README.md``; each copied to a temporary directory first), it runs ``importwarden check --no-cache --output-format json`` (the
user's path: parallel on a multi-core machine), the same check in one process (``CheckSession``
with ``jobs=1``), and a warm run from the cache that the cold run left; with ``--before REV``
also the cold check of revision ``REV`` (its ``server/`` exported with ``git archive`` and put
first on ``PYTHONPATH``). Every run's JSON (findings with their fixes and edits) is compared
with the parallel cold run's, finding by finding; a difference is printed and makes the script
exit 1. The result is recorded as a dated section in ``benchmarks/results/findings.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "findings.md"

# One process, no pool: what the batch engine finds with jobs=1 (argv: root).
SERIAL = """
import sys
from pathlib import Path
from importwarden.config import load_settings
from importwarden.output import OutputContext, render
from importwarden.project.batch import CheckSession
root = Path(sys.argv[1])
settings = load_settings(root, {}, None)
found = CheckSession(settings, cwd=root, use_cache=False, jobs=1).check([])
sys.stdout.write(render("json", found, OutputContext(root=settings.root, cwd=root)))
"""


def trees(names: list[str]) -> dict[str, Path]:
    """The trees ``run_check.py`` measures, generated or fetched when missing."""
    import generate_corpus
    import real_corpus

    out = {}
    for name in names:
        if name == "synthetic":
            out[name] = common.BENCH_DIR / "corpus"
            common.ensure_corpus(out[name])
        elif name == "scale":
            out[name] = common.BENCH_DIR / "corpus-scale"
            common.ensure_corpus(out[name], generate_corpus.SCALE_FILES,
                                 **generate_corpus.SCALE_PARAMS)
        elif name == "real":
            out[name] = real_corpus.DEFAULT_TREE.resolve()
            real_corpus.ensure(out[name])
        else:
            raise SystemExit(f"unknown tree {name!r} (synthetic, scale, real)")
    return out


def export_revision(rev: str, into: Path) -> Path:
    """``server/`` of ``rev``, unpacked under ``into``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "server"],
                             check=True, capture_output=True).stdout
    tmp = into / "server.tar"
    tmp.write_bytes(archive)
    with tarfile.open(tmp) as tar:
        tar.extractall(into, filter="data")
    return into / "server"


def run(argv: list[str], cwd: Path, pythonpath: Path | None = None) -> tuple[list[dict], float]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:4])}… in {cwd}: exit {proc.returncode}\n"
                         f"{proc.stderr[-2000:]}")
    return json.loads(proc.stdout), seconds


def key(f: dict) -> tuple:
    return (f["path"], f["line"], f["column"], f["code"], f["message"])


def differences(reference: list[dict], other: list[dict], limit: int = 5) -> list[str]:
    ref = {key(f): f for f in reference}
    oth = {key(f): f for f in other}
    out = []
    for k in sorted(ref.keys() - oth.keys())[:limit]:
        out.append(f"missing: {k}")
    for k in sorted(oth.keys() - ref.keys())[:limit]:
        out.append(f"extra: {k}")
    for k in sorted(ref.keys() & oth.keys()):
        if ref[k] != oth[k] and len(out) < 3 * limit:
            out.append(f"differs: {k}: {json.dumps(ref[k], sort_keys=True)[:300]} vs "
                       f"{json.dumps(oth[k], sort_keys=True)[:300]}")
    if not out and len(reference) != len(other):
        out.append(f"{len(reference)} vs {len(other)} findings (duplicates)")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trees", default="synthetic,scale,real",
                   help="comma-separated: synthetic, scale, real (empty: none)")
    p.add_argument("--root", action="append", default=[], type=Path,
                   help="also this tree (a project directory), by path; repeatable")
    p.add_argument("--before", help="a revision to compare the cold findings with")
    p.add_argument("--no-record", action="store_true")
    args = p.parse_args(argv)
    python = common.venv_tool("python")
    cli = [python, "-m", "importwarden", "check", "--output-format", "json", "--exit-zero"]
    rows, failures = [], []
    with tempfile.TemporaryDirectory(prefix="iw-same-") as tmp:
        before_path = export_revision(args.before, Path(tmp)) if args.before else None
        named = trees([t for t in args.trees.split(",") if t])
        named.update({path.resolve().name: path.resolve() for path in args.root})
        for name, source in named.items():
            # A private copy: other benchmarks may edit (and restore) files of the shared
            # trees, or clear their caches, while this runs.
            root = Path(tmp) / name
            shutil.copytree(source, root, symlinks=True,
                            ignore=shutil.ignore_patterns(".importwarden_cache", ".bench"))
            reference, t_cold = run([*cli, "--no-cache"], root)
            # the warm run needs a cache: one cold run that writes it, then the warm one
            run(cli, root)
            warm, t_warm = run(cli, root)
            serial, t_serial = run([python, "-c", SERIAL, str(root)], root)
            runs = {"serial (jobs=1)": (serial, t_serial), "warm (from the cache)": (warm, t_warm)}
            if before_path is not None:
                runs[f"before ({args.before}, cold)"] = run([*cli, "--no-cache"], root,
                                                            before_path)
            shutil.rmtree(root)
            for label, (found, seconds) in runs.items():
                diff = differences(reference, found)
                if diff:
                    failures.append((name, label, diff))
                rows.append([name, label, f"{len(found):,}", f"{len(reference):,}",
                             "identical" if not diff else f"**{len(diff)} differences**",
                             f"{seconds:.1f} s"])
            print(f"{name}: {len(reference):,} findings, parallel cold {t_cold:.1f} s", flush=True)
    table = common.markdown_table(
        ["tree", "run", "findings", "parallel cold (reference)", "compared finding by finding",
         "time"], rows)
    print(table)
    for name, label, diff in failures:
        print(f"\n{name}, {label}:", *diff, sep="\n  ")
    if not args.no_record:
        command = common.shell_join([sys.executable, "benchmarks/same_findings.py",
                                     *(argv if argv is not None else sys.argv[1:])])
        body = (f"Command: `{command}`\n\nEach run's JSON findings (with their fixes and edits) "
                "against the parallel cold run of the current revision.\n\n" + table + "\n\n"
                + common.machine_info_markdown(common.machine_info()))
        common.record_section(RESULTS, f"{common.today()}: same findings ({args.trees})", body)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
