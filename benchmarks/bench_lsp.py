"""Benchmark the language server as an editor user feels it (issue 13), on real files.

    python benchmarks/bench_lsp.py [--tree synthetic,real] [--repeat 5] [--cores 2]
                                   [--files 2] [--results benchmarks/results/lsp.md | --no-record]

``--tree``: ``synthetic`` (benchmarks/corpus, its two 5,000-line files), ``real`` (the Ansible
12.3.0 tree of ``real_corpus.py``, its biggest files of 4-5k lines), or both (the default).
Each tree is hard-linked into a temporary directory first: the server writes its index cache
into the workspace, and the shared corpora must stay as they are.

The real server (``python -m importwarden lsp``) runs in a subprocess pinned to ``--cores``
CPUs with the **shipped settings** (no ``initializationOptions``), driven over stdio by the
minimal client in this file (framing from ``tests/lsp/wire.py``). A time runs from the moment
the client wrote a message to the moment the answer (or the ``publishDiagnostics`` that
reflects it) was read back. Next to wall times is the server's CPU time
(``/proc/<pid>/task/*/schedstat``): on a loaded machine the wall time mostly measures waiting
for a core.

Scenarios and the targets of issue 13:

| scenario | target |
|---|---|
| ``initialize`` alone (the server already reading; then start + initialize) | <= 200 ms |
| index in the background (initialized -> ``$/progress`` end), cold | <= 10 s |
| the same from the index cache (second start) | <= 1 s |
| first open after indexing, a big file with an unresolved import (``definers``) | <= 100 ms |
| open -> diagnostics, the big files (first open of each, then close/reopen) | <= 100 ms |
| typing: keystroke -> the publish that reflects it, keys every 60-120 ms | p50 <= 50, p95 <= 100 ms |
| typing: publishes per burst (one burst = one line typed) | bounded (reported) |
| completion while typing (trigger characters, every 3rd other key) | p95 <= 30 ms |
| pull mode: ``workspace/diagnostic/refresh`` per session, full reports per refresh | only when an open importer can change |
| server memory (VmHWM) at the end | <= 400 MB |
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import common  # noqa: E402
from common import markdown_table  # noqa: E402
from lsp.wire import RawServer  # noqa: E402

TARGETS = {
    "initialize": 0.200, "index_cold": 10.0, "index_cached": 1.0, "first_open": 0.100,
    "open": 0.100, "typing_p50": 0.050, "typing_p95": 0.100, "completion_p95": 0.030,
    "memory_mb": 400.0,
}
KEY_INTERVAL = (0.060, 0.120)  # seconds between two keystrokes, as a person types
QUIET = 2.0  # seconds without a publish after the last key: the burst is over
MISSING_NAME = "iw_bench_not_defined_anywhere"

CAPABILITIES = {
    "general": {"positionEncodings": ["utf-16"]},
    "window": {"workDoneProgress": True},
    "workspace": {"configuration": False},
    "textDocument": {"publishDiagnostics": {"versionSupport": True},
                     "completion": {"completionItem": {"snippetSupport": False}}},
}
PULL_CAPABILITIES = {
    **CAPABILITIES,
    "workspace": {"configuration": False, "diagnostics": {"refreshSupport": True}},
    "textDocument": {**CAPABILITIES["textDocument"],
                     "diagnostic": {"dynamicRegistration": False,
                                    "relatedDocumentSupport": False}},
}


class Client(RawServer):
    """The server over stdio. Every message read goes through ``pump``, which answers the
    server's requests (progress tokens, refresh) and keeps what the scenarios look at."""

    def __init__(self, root: Path, cores: int | None, capabilities: dict | None = None):
        cmd = [sys.executable, "-m", "importwarden", "lsp"]
        if cores and shutil.which("taskset"):
            cmd = ["taskset", "-c", ",".join(str(c) for c in range(cores)), *cmd]
        self.spawned = time.perf_counter()
        super().__init__(root, cmd, keep_stderr=False)
        self.root = root
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.publishes: list[tuple[float, str, int | None]] = []  # (arrival, uri, version)
        self.answers: dict[int, tuple[float, dict]] = {}
        self.refreshes = 0
        self.index_end: float | None = None
        # The server reads stdin once its imports are done: an unknown request answered
        # means it is ready, so `initialize` is timed alone.
        probe = self._send_request("importwarden/bench-probe", None)
        self.await_answer(probe, timeout=120)
        self.ready = time.perf_counter()
        sent, init_id = self._send_request_timed("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "capabilities": capabilities or CAPABILITIES})
        at, _ = self.await_answer(init_id, timeout=120)
        self.initialize = at - sent
        self.start_and_initialize = at - self.spawned
        self.initialized_at = self.notify("initialized", {})

    # --- reading ----------------------------------------------------------------------------

    def pump(self, timeout: float) -> bool:
        """Handle one message if one arrives within ``timeout`` s; False when none did."""
        try:
            at, message = self.inbox.get(timeout=max(0.0, timeout))
        except queue.Empty:
            assert self.proc.poll() is None, "the server exited"
            return False
        method = message.get("method")
        if method is not None and "id" in message:  # a request from the server
            if method == "workspace/diagnostic/refresh":
                self.refreshes += 1
            self.send({"id": message["id"], "result": None})
        elif method == "textDocument/publishDiagnostics":
            params = message["params"]
            self.publishes.append((at, params["uri"], params.get("version")))
        elif method == "$/progress":
            if message["params"]["value"].get("kind") == "end":
                self.index_end = at
        elif method is None and "id" in message:
            self.answers[message["id"]] = (at, message)
        return True

    def pump_until(self, done, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError("timed out")
            self.pump(min(0.05, deadline - time.monotonic()))

    def pump_for(self, seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            self.pump(left)

    def await_answer(self, msg_id: int, timeout: float = 120.0) -> tuple[float, dict]:
        self.pump_until(lambda: msg_id in self.answers, timeout)
        return self.answers.pop(msg_id)

    def _send_request(self, method: str, params) -> int:
        return self._send_request_timed(method, params)[1]

    def _send_request_timed(self, method: str, params) -> tuple[float, int]:
        msg_id = self.next_id
        self.next_id += 1
        return self.request(msg_id, method, params), msg_id

    def request_timed(self, method: str, params) -> tuple[float, dict]:
        sent, msg_id = self._send_request_timed(method, params)
        at, message = self.await_answer(msg_id)
        return at - sent, message.get("result")

    def wait_index(self) -> float:
        self.pump_until(lambda: self.index_end is not None, timeout=900)
        return self.index_end - self.initialized_at

    def published_since(self, uri: str, version: int, since: float) -> float | None:
        for at, u, v in self.publishes:
            if u == uri and at >= since and v is not None and v >= version:
                return at
        return None

    def wait_published(self, uri: str, version: int, since: float, timeout: float = 120.0) -> float:
        self.pump_until(lambda: self.published_since(uri, version, since) is not None, timeout)
        return self.published_since(uri, version, since) - since

    # --- documents --------------------------------------------------------------------------

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def open(self, rel: str, text: str) -> float:
        """didOpen; seconds until its diagnostics are published."""
        uri = self.uri(rel)
        self.versions[uri] = self.versions.get(uri, 0) + 1
        self.texts[uri] = text
        sent = self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": self.versions[uri], "text": text}})
        return self.wait_published(uri, self.versions[uri], sent)

    def open_pull(self, rel: str, text: str) -> None:
        uri = self.uri(rel)
        self.versions[uri] = 1
        self.texts[uri] = text
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})

    def close_doc(self, rel: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": self.uri(rel)}})

    def insert(self, uri: str, line: int, col: int, text: str) -> tuple[float, int]:
        """Incremental didChange inserting ``text`` at (line, col): (sent at, version)."""
        self.versions[uri] += 1
        lines = self.texts[uri].split("\n")
        lines[line] = lines[line][:col] + text + lines[line][col:]
        self.texts[uri] = "\n".join(lines)
        sent = self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [{"range": {"start": {"line": line, "character": col},
                                          "end": {"line": line, "character": col}},
                                "text": text}]})
        return sent, self.versions[uri]

    def delete_lines(self, uri: str, line: int, count: int) -> tuple[float, int]:
        self.versions[uri] += 1
        lines = self.texts[uri].split("\n")
        del lines[line:line + count]
        self.texts[uri] = "\n".join(lines)
        sent = self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                          "end": {"line": line + count, "character": 0}},
                                "text": ""}]})
        return sent, self.versions[uri]

    # --- the process ------------------------------------------------------------------------

    def cpu(self) -> float:
        """Seconds the server has run on a CPU so far (all threads; ns resolution)."""
        total = 0
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
        return total / 1e9

    def memory_mb(self) -> float:
        # taskset execs the server in place: the pid is the server's
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            self.request_timed("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


# --- the trees --------------------------------------------------------------------------------

def mirror(tree: Path, into: Path) -> Path:
    """A hard-linked copy of ``tree`` (no data copied; the server never writes a source file,
    only its cache directory, which is not linked)."""
    dest = into / tree.name
    subprocess.run(["cp", "-al", str(tree), str(dest)], check=True)
    shutil.rmtree(dest / ".importwarden_cache", ignore_errors=True)
    shutil.rmtree(dest / ".bench", ignore_errors=True)
    return dest


def pick_files(tree: str, root: Path, info: dict, count: int) -> list[str]:
    """The big files the issue names: the synthetic corpus's 5,000-line files; the real tree's
    biggest files of 4-5k lines."""
    if tree == "synthetic":
        return [b["path"] for b in info["big_files"] if b["lines"] >= 5000][:count]
    sized = []
    for path in root.rglob("*.py"):
        try:
            lines = path.read_bytes().count(b"\n")
        except OSError:
            continue
        if 4000 <= lines <= 5000:
            sized.append((lines, path.relative_to(root).as_posix()))
    sized.sort(key=lambda item: (-item[0], item[1]))
    return [rel for _, rel in sized[:count]]


def module_of(rel: str) -> str:
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


_IMPORT_STMT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))",
                          re.MULTILINE)


def importers_of(root: Path, module: str, limit: int) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if module in text and any(module in (a or b) for a, b in _IMPORT_STMT.findall(text)):
            found.append(path.relative_to(root).as_posix())
            if len(found) >= limit:
                break
    return found


def defined_name(text: str) -> str:
    """A name the module defines at top level (for the `from M import N` typed)."""
    m = re.search(r"^(?:class|def)[ \t]+([A-Za-z_]\w*)", text, re.MULTILINE)
    return m.group(1) if m else "name"


# --- the scenarios ----------------------------------------------------------------------------

def type_burst(client: Client, uri: str, line: int, text: str, rng: random.Random
               ) -> tuple[list[float], list[float], list[float], int]:
    """Type ``text`` into ``uri`` at the start of ``line``, one character per didChange at
    human intervals; completion on trigger characters and every 3rd other key. Returns
    (keystroke -> publish latencies, completion latencies, completion server CPU, publishes
    in the burst)."""
    sent: list[tuple[float, int]] = []
    completions: list[float] = []
    completion_cpu: list[float] = []
    start = time.perf_counter()
    col = 0
    row = line
    for i, ch in enumerate(text):
        at, version = client.insert(uri, row, col, ch)
        sent.append((at, version))
        if ch == "\n":
            row, col = row + 1, 0
        else:
            col += 1
        if ch in ". " or i % 3 == 2:
            cpu = client.cpu()
            elapsed, _ = client.request_timed("textDocument/completion", {
                "textDocument": {"uri": uri}, "position": {"line": row, "character": col}})
            completion_cpu.append(client.cpu() - cpu)
            completions.append(elapsed)
        wait = rng.uniform(*KEY_INTERVAL) - (time.perf_counter() - at)
        client.pump_for(max(0.0, wait))
    last_version = sent[-1][1]
    client.pump_until(lambda: client.published_since(uri, last_version, sent[-1][0]) is not None)
    client.pump_for(0.3)  # (a late publish of the same burst still counts)
    latencies = []
    for at, version in sent:
        published = client.published_since(uri, version, at)
        assert published is not None
        latencies.append(published - at)
    count = sum(1 for at, u, _v in client.publishes if u == uri and at >= start)
    return latencies, completions, completion_cpu, count


def run_push(tree: str, root: Path, info: dict, files: list[str], repeat: int,
             cores: int | None) -> dict:
    results: dict = {"files": files}
    shutil.rmtree(root / ".importwarden_cache", ignore_errors=True)
    client = Client(root, cores)
    try:
        results["initialize"] = client.initialize
        results["start_and_initialize"] = client.start_and_initialize
        results["index_cold"] = client.wait_index()
        texts = {rel: (root / rel).read_text(encoding="utf-8") for rel in files}
        # The first open after indexing: a big file with an import the workspace cannot
        # resolve, which asks the index who defines the name (`definers`).
        first = files[0]
        target = module_of(files[-1])
        cpu = client.cpu()
        results["first_open"] = client.open(
            first, f"from {target} import {MISSING_NAME}\n" + texts[first])
        results["first_open_cpu"] = client.cpu() - cpu
        client.close_doc(first)
        opens, opens_cpu = [], []
        for i in range(repeat):
            for rel in files:
                cpu = client.cpu()
                opens.append(client.open(rel, texts[rel]))
                opens_cpu.append(client.cpu() - cpu)
                if i < repeat - 1:
                    client.close_doc(rel)
        results["open"], results["open_cpu"] = opens, opens_cpu
        # typing: one line typed per burst at the top of each big file
        rng = random.Random(13)
        keys, comps, comps_cpu, per_burst = [], [], [], []
        module_text = texts[files[-1]]
        line = f"from {target} import {defined_name(module_text)}\n"
        for i in range(repeat):
            for rel in files:
                uri = client.uri(rel)
                lat, comp, comp_cpu, count = type_burst(client, uri, 0, line, rng)
                keys += lat
                comps += comp
                comps_cpu += comp_cpu
                per_burst.append(count)
                at, version = client.delete_lines(uri, 0, 1)  # back to the file's text
                client.wait_published(uri, version, at)
        results["typing"], results["typing_keys_per_burst"] = keys, len(line)
        results["publishes_per_burst"] = per_burst
        results["completion"], results["completion_cpu"] = comps, comps_cpu
        results["memory_mb"] = client.memory_mb()
    finally:
        client.close()
    client = Client(root, cores)  # the same index, from the cache
    try:
        results["index_cached"] = client.wait_index()
        results["initialize_cached"] = client.initialize
    finally:
        client.close()
    return results


def run_pull(root: Path, info: dict, files: list[str], cores: int | None) -> dict:
    """A pull-mode session: the most-imported module and 5 of its importers open, plus a big
    file. A line typed in the big file (nobody imports it) and a function typed into the
    module (its importers are open): how many refreshes, and how many full reports after
    each."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run_check

    hub = run_check.most_imported_module_file(root, info).relative_to(root).as_posix()
    importers = [r for r in importers_of(root, module_of(hub), 6) if r != hub][:5]
    client = Client(root, cores, PULL_CAPABILITIES)
    out: dict = {"hub": hub, "importers": len(importers)}
    try:
        client.wait_index()
        docs = [hub, *importers, files[0]]
        results: dict[str, str | None] = {}
        for rel in docs:
            client.open_pull(rel, (root / rel).read_text(encoding="utf-8"))

        def pull(rel: str) -> str:
            _elapsed, report = client.request_timed("textDocument/diagnostic", {
                "textDocument": {"uri": client.uri(rel)},
                "previousResultId": results.get(rel)})
            results[rel] = report.get("resultId")
            return report.get("kind")

        for rel in docs:
            pull(rel)
        rng = random.Random(7)

        def burst(rel: str, text: str) -> tuple[int, int, int]:
            """Type ``text`` into ``rel`` (the client pulls it after each key, as VS Code
            does); re-pull every document after each refresh. (keys, refreshes, full)."""
            before = client.refreshes
            full = 0
            uri = client.uri(rel)
            lines = client.texts[uri].split("\n")
            row, col = len(lines) - 1, 0
            for ch in text:
                client.insert(uri, row, col, ch)
                row, col = (row + 1, 0) if ch == "\n" else (row, col + 1)
                pull(rel)
                client.pump_for(rng.uniform(*KEY_INTERVAL))
            client.pump_for(QUIET)
            for _ in range(client.refreshes - before):
                full += sum(1 for other in docs if other != rel and pull(other) == "full")
            return len(text), client.refreshes - before, full

        out["leaf"] = burst(files[0], "\nfrom os import path as iw_bench_path\n")
        out["hub_edit"] = burst(hub, "\ndef iw_bench_function():\n    return 1\n")
    finally:
        client.close()
    return out


# --- reporting --------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def report(results: dict, pull: dict | None) -> str:
    def both(key: str) -> tuple[str, str]:
        wall, cpu = results[key], results.get(f"{key}_cpu")
        return (f"{ms(pct(wall, 0.5))} / {ms(pct(wall, 0.95))}",
                f"{ms(pct(cpu, 0.5))} / {ms(pct(cpu, 0.95))}" if cpu else "")

    per_burst = results["publishes_per_burst"]
    rows = [
        ("`initialize` alone (start + initialize)",
         f"{ms(results['initialize'])} ({ms(results['start_and_initialize'])})", "",
         "<= 200 ms"),
        ("index, cold (background)", f"{results['index_cold']:.2f} s", "", "<= 10 s"),
        ("index, from the cache (second start)", f"{results['index_cached']:.2f} s", "",
         "<= 1 s"),
        ("first open after indexing (unresolved import)", ms(results["first_open"]),
         ms(results["first_open_cpu"]), "<= 100 ms"),
        ("open -> diagnostics, big files", *both("open"), "<= 100 ms"),
        ("typing: keystroke -> publish reflecting it", *both_wall(results["typing"]), "",
         "p50 <= 50, p95 <= 100 ms"),
        (f"typing: publishes per burst of {results['typing_keys_per_burst']} keys",
         f"{min(per_burst)}-{max(per_burst)} (median {sorted(per_burst)[len(per_burst) // 2]})",
         "", "bounded"),
        ("completion while typing", *both("completion"), "p95 <= 30 ms"),
        ("server memory (VmHWM)", f"{results['memory_mb']:.0f} MB", "", "<= 400 MB"),
    ]
    if pull is not None:
        for key, what in (("leaf", "a line typed in a file nobody imports"),
                          ("hub_edit", f"a function typed into the hub ({pull['importers']} "
                                       "importers open)")):
            keys, refreshes, full = pull[key]
            rows.append((f"pull: {what}", f"{refreshes} refreshes for {keys} keys, "
                         f"{full} full reports after them", "",
                         "refresh only when an open importer can change"))
    return markdown_table(["scenario", "wall p50 / p95", "server CPU p50 / p95", "target"], rows)


def both_wall(values: list[float]) -> tuple[str]:
    return (f"{ms(pct(values, 0.5))} / {ms(pct(values, 0.95))} (n={len(values)})",)


def prepare(tree: str, work: Path) -> tuple[Path, dict]:
    if tree == "synthetic":
        corpus = common.DEFAULT_CORPUS
        info = common.ensure_corpus(corpus)
    else:
        import real_corpus

        corpus = real_corpus.DEFAULT_TREE.resolve()
        info = real_corpus.ensure(corpus)
    return mirror(corpus.resolve(), work), info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", default="synthetic,real",
                        help="synthetic, real or both, comma-separated (default both)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="opens per file and typing bursts per file (default 5)")
    parser.add_argument("--files", type=int, default=2, help="big files per tree (default 2)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-pull", action="store_true", help="skip the pull-mode session")
    parser.add_argument("--results", type=Path, default=common.RESULTS_DIR / "lsp.md")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--label", default="", help="added to the recorded section's title")
    args = parser.parse_args(argv)
    trees = [t.strip() for t in args.tree.split(",") if t.strip()]
    for tree in trees:
        if tree not in ("synthetic", "real"):
            parser.error(f"--tree: unknown tree {tree!r} (synthetic, real)")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    sections = []
    with tempfile.TemporaryDirectory(prefix="bench_lsp_") as tmp:
        for tree in trees:
            root, info = prepare(tree, Path(tmp))
            files = pick_files(tree, root, info, args.files)
            results = run_push(tree, root, info, files, args.repeat, args.cores)
            pull = None if args.no_pull else run_pull(root, info, files, args.cores)
            table = report(results, pull)
            print(f"## {tree}: {', '.join(files)}\n\n{table}\n", flush=True)
            sections.append((tree, files, table))
    if not args.no_record:
        command = common.shell_join([sys.executable, "benchmarks/bench_lsp.py",
                                     *(argv if argv is not None else sys.argv[1:])])
        info = common.machine_info()
        info["load average"] = (f"{load_before} (before), "
                                + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (after)")
        for tree, files, table in sections:
            body = (f"Command: `{command}`\n\nFiles: {', '.join(f'`{f}`' for f in files)}\n\n"
                    f"{table}\n\n" + common.machine_info_markdown(info))
            title = f"{common.today()} ({tree}{', ' + args.label if args.label else ''})"
            common.record_section(args.results, title, body,
                                  intro="# Language server benchmark (benchmarks/bench_lsp.py)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
