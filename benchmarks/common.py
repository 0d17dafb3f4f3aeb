"""Shared helpers for the benchmark scripts: timing a command, its peak memory, medians,
machine info, markdown tables and recorded-results files.

Every bench script (``run_check.py``, ``bench_registry.py``, ``bench_index.py``,
``bench_fix.py``, ``bench_lsp.py``) measures a *subprocess* with :func:`measure` so that
numbers include interpreter start-up, exactly what a user waits for, and so that memory is
the real peak of the process tree rather than of the harness.

Peak memory is taken two ways and the larger is reported:
- ``ru_maxrss`` from ``os.wait4`` (kernel-exact, but per process: the largest single process
  of the tree);
- the sum of ``VmRSS`` over the process tree, sampled from ``/proc`` every few milliseconds
  (catches parallel workers that are alive at the same time; can miss very short spikes).

The summed RSS counts a page that forked workers share with their parent (copy-on-write) once
per process. The same sampler also sums ``Pss`` (``/proc/PID/smaps_rollup``: a shared page
split between the processes sharing it), which counts every page of the tree once:
``tree_pss_mb`` / ``Series.peak_pss_mb``, what the tree really holds (benchmarks/README.md).

Stdlib only, so the scripts run from any Python with the repository checked out.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "benchmarks"
DEFAULT_CORPUS = BENCH_DIR / "corpus"
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = REPO_ROOT / ".venv" / "bin"


def venv_tool(name: str) -> str:
    """Path of a console script in the project's venv, else the bare name (found on PATH)."""
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else name


# --------------------------------------------------------------------------- measuring


@dataclass
class RunResult:
    """One run of one command."""

    argv: list[str]
    seconds: float
    returncode: int
    peak_rss_mb: float  # max(ru_maxrss of the tree's largest process, sampled tree sum)
    maxrss_mb: float  # ru_maxrss from wait4 (largest single process)
    tree_rss_mb: float  # sampled sum of VmRSS over the process tree
    cpu_seconds: float = 0.0  # user + system time of the tree (waited-for descendants included)
    stdout: str = ""
    stderr: str = ""
    tree_pss_mb: float = 0.0  # sampled sum of Pss over the process tree (0: not sampled)


@dataclass
class Series:
    """Several runs of the same command; medians are what tables show."""

    label: str
    runs: list[RunResult] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        """Median CPU time: less sensitive than wall time to other load on the machine."""
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)

    @property
    def peak_pss_mb(self) -> float:
        """The largest sampled sum of PSS over the process tree (shared pages counted once)."""
        return max(r.tree_pss_mb for r in self.runs)

    @property
    def returncodes(self) -> set[int]:
        return {r.returncode for r in self.runs}


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ')'.
        rest = stat[stat.rfind(b")") + 2 :].split()
        tree.setdefault(int(rest[1]), []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root_pid: int) -> list[int]:
    """``root_pid`` and its descendants: through /proc/<pid>/task/<tid>/children when the
    kernel has it (cheap), else by scanning every process's parent."""
    try:
        found, stack = [], [root_pid]
        while stack:
            pid = stack.pop()
            found.append(pid)
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", "rb") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        return found
    except FileNotFoundError as exc:
        if "children" not in str(exc):
            return found  # the process is gone
    tree = _children_of()
    found, stack = [], [root_pid]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(tree.get(pid, ()))
    return found


def tree_rss_mb(root_pid: int) -> float:
    """Current sum of VmRSS over ``root_pid`` and all its descendants, in MB."""
    return sum(_rss_kb(pid) for pid in _descendants(root_pid)) / 1024


def _rss_pss_kb(pid: int) -> tuple[int, int]:
    """(Rss, Pss) of one process from ``smaps_rollup`` (Linux 4.14+); (VmRSS, 0) without it."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            rss = pss = 0
            for line in fh:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                    break
            return rss, pss
    except OSError:
        return _rss_kb(pid), 0


def tree_rss_pss_mb(root_pid: int) -> tuple[float, float]:
    """Current sums of RSS and of PSS over ``root_pid`` and its descendants, in MB."""
    rss = pss = 0
    for pid in _descendants(root_pid):
        r, p = _rss_pss_kb(pid)
        rss, pss = rss + r, pss + p
    return rss / 1024, pss / 1024


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.peak_pss = pid, interval, 0.0, 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            rss, pss = tree_rss_pss_mb(self.pid)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _cpu_pinning(cores: int | None):
    if not cores or not hasattr(os, "sched_setaffinity"):
        return None
    available = sorted(os.sched_getaffinity(0))
    chosen = set(available[:cores])

    def preexec() -> None:  # runs in the child before exec
        os.sched_setaffinity(0, chosen)

    return preexec


def measure(
    argv: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    cores: int | None = None,
    sample_memory: bool = True,
    sample_interval: float = 0.02,
    timeout: float | None = None,
) -> RunResult:
    """Run ``argv`` once; return wall time, exit code, output and peak memory.

    ``cores`` pins the process tree to the first N CPUs (the benchmark targets assume 2).
    Output is captured to temporary files so a chatty tool cannot block on a full pipe.
    """
    import tempfile

    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=full_env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=_cpu_pinning(cores),
        )
        sampler = _TreeSampler(proc.pid, sample_interval) if sample_memory else None
        if sampler:
            sampler.start()
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin)
            proc.stdin.close()
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    maxrss = usage.ru_maxrss / 1024  # Linux reports KiB
    tree = sampler.peak if sampler else 0.0
    return RunResult(
        argv=list(argv),
        seconds=seconds,
        returncode=proc.returncode,
        peak_rss_mb=max(maxrss, tree),
        maxrss_mb=maxrss,
        tree_rss_mb=tree,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        stdout=stdout,
        stderr=stderr,
        tree_pss_mb=sampler.peak_pss if sampler else 0.0,
    )


def measure_series(
    label: str,
    argv: Sequence[str],
    *,
    repeat: int = 3,
    before_each=None,
    **kwargs,
) -> Series:
    """``repeat`` runs of ``argv``; ``before_each()`` (e.g. clear a cache, touch a file) runs
    before every run and is not timed."""
    series = Series(label)
    for _ in range(repeat):
        if before_each is not None:
            before_each()
        series.runs.append(measure(argv, **kwargs))
    return series


def time_call(fn, *args, repeat: int = 3, **kwargs) -> tuple[float, object]:
    """Median wall seconds of an in-process call (for micro-benchmarks), and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --------------------------------------------------------------------------- reporting


def fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_mb(mb: float | None) -> str:
    return "n/a" if mb is None else f"{mb:.0f} MB"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def tool_version(argv: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(argv), check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc.__class__.__name__})"
    text = " ".join(line.strip() for line in (out.stdout or out.stderr).strip().splitlines())
    return text or f"exit {out.returncode}"


def git_revision() -> str:
    """Short HEAD, flagged when server/ has uncommitted changes (what actually ran)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], check=False,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "server"], check=False,
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"
    if not head:
        return "unknown"
    return f"{head} + uncommitted changes in server/" if dirty else head


def machine_info(extra_tools: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """nproc, CPU model, memory, Python, git revision and the given tools' versions."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // 1024} MB"
                break
    except OSError:
        pass
    info = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "usable cpus": str(len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else "?",
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cpu": cpu,
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "importwarden revision": git_revision(),
    }
    for name, argv in (extra_tools or {}).items():
        info[name] = tool_version(argv)
    return info


def machine_info_markdown(info: Mapping[str, str]) -> str:
    return "\n".join(f"- {k}: {v}" for k, v in info.items())


_SECTION_RE = re.compile(r"^## ", re.MULTILINE)


def record_section(results_file: Path, title: str, body: str, intro: str | None = None) -> None:
    """Write ``## title`` + body into ``results_file``, replacing a section with the same title
    (a title carries the date, so re-running on the same day replaces that day's section and
    earlier days are kept). Newest section first, after the file's intro."""
    results_file.parent.mkdir(parents=True, exist_ok=True)
    text = results_file.read_text(encoding="utf-8") if results_file.exists() else ""
    starts = [m.start() for m in _SECTION_RE.finditer(text)]
    head = text[: starts[0]] if starts else text
    sections = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    sections = [s for s in sections if s.splitlines()[0].strip() != f"## {title}"]
    if not head.strip():
        head = (intro or f"# Recorded benchmark results: {results_file.stem}\n") + "\n"
    new = f"## {title}\n\n{body.strip()}\n\n"
    results_file.write_text(head.rstrip() + "\n\n" + new + "".join(sections).rstrip() + "\n", encoding="utf-8")


def today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")


def shell_join(argv: Sequence[str]) -> str:
    """The command as one would type it (for the results file)."""
    return " ".join(shlex.quote(a) for a in argv)


# --------------------------------------------------------------------------- corpus


def load_corpus_info(corpus: Path) -> dict:
    import json

    return json.loads((corpus / "corpus.json").read_text(encoding="utf-8"))


LOCK_NAME = ".lock"  # inside the corpus directory; the generator never deletes it


@contextlib.contextmanager
def corpus_lock(corpus: Path, exclusive: bool):
    """Several bench scripts share ``benchmarks/corpus``: hold this shared while measuring on
    it; (re)generating takes it exclusive, so it waits until no benchmark is using the corpus."""
    import fcntl

    corpus.mkdir(parents=True, exist_ok=True)
    fd = os.open(corpus / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def ensure_corpus(corpus: Path = DEFAULT_CORPUS, files: int = 11000, seed: int = 0, **options) -> dict:
    """Generate the corpus into ``corpus`` unless a matching one (same files/seed/options and
    generator version) is already there; return its ``corpus.json``."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        import generate_corpus
    finally:
        sys.path.pop(0)
    want = generate_corpus.CorpusParams(files=files, seed=seed, **options)

    def current() -> dict | None:
        if (corpus / "corpus.json").exists():
            info = load_corpus_info(corpus)
            if info.get("params") == want.as_dict() and info.get("generator_version") == generate_corpus.VERSION:
                return info
        return None

    with corpus_lock(corpus, exclusive=False):
        info = current()
    if info is not None:
        return info
    with corpus_lock(corpus, exclusive=True):
        return current() or generate_corpus.generate(corpus, want)


@contextlib.contextmanager
def using_corpus(corpus: Path = DEFAULT_CORPUS, files: int = 11000, seed: int = 0, **options):
    """``ensure_corpus`` then hold the corpus (shared lock) for the block: nobody regenerates
    it under a running benchmark. Yields its ``corpus.json``."""
    ensure_corpus(corpus, files, seed, **options)
    with corpus_lock(corpus, exclusive=False):
        yield load_corpus_info(corpus)
