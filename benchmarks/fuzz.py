"""Fuzz campaigns against importwarden's untrusted inputs, with recorded figures (issue 15).

    python benchmarks/fuzz.py [--campaigns registries,sources,lsp,cache] [--seed 0]
                              [--tries 1000] [--seconds 600] [--corpora workspace,synthetic,real]
                              [--cli-every 100] [--out benchmarks/fuzz-out]
                              [--results benchmarks/results/fuzz.md | --no-record]

Each campaign is deterministic for ``--seed`` (the inputs; which try is slowest depends on the
machine) and stops after ``--tries`` tries or ``--seconds`` seconds, whichever comes first.
Per campaign it counts tries, tracebacks, wrong outputs and lost data, and keeps the slowest
input. Every input that gave a traceback, a wrong output or lost data, and each area's slowest
input, is saved under ``--out`` (git-ignored) with a ``.json`` that says what was done to it.
The exit code is 1 when any campaign counted a traceback, a wrong output or lost data.

- **registries**: the registry fixtures (``tests/fixtures``), the corpora's registries and their
  TOML exports, mutated (bytes flipped and inserted, spans deleted, truncation, lines shuffled,
  duplicated and deleted, other encodings and mojibake, CRLF/CR, huge lines, unclosed fences,
  TOML strings and brackets), read in-process the way ``registry lint``/``show``/``export`` and
  ``check`` do (``load_registries``, ``lint.lint`` against a workspace index, ``export``, and
  ``Project.check_source`` of workspace files against the registry), and every ``--cli-every``
  tries through the CLI in a subprocess. Wrong: an error or problem without the file and a
  line inside it; two equivalent spellings of one text (LF, CRLF, CR for Markdown, UTF-8 BOM,
  UTF-16) read differently; the TOML export does not load back to the same entries; the CLI's
  ``registry show --format json`` differs from the in-process read.
- **sources**: Python files of the corpora (the fixture workspace, the synthetic corpus, the
  Ansible tree), mutated (tokens inserted and deleted, imports respelt with backslashes,
  parentheses, aliases and ``;``, CRLF/CR, BOM, non-UTF-8 bytes and cookies, form feeds and
  other line-break-like characters, deep nesting, half-typed imports). Each is checked and
  fixed by the engine (``Project.check_source``, ``fixes.fix_source``), then fixed on disk by
  ``project.fix_run.fix_file`` on a copy (every ``--cli-every`` tries: ``importwarden check``
  and ``fix`` in a subprocess, on a copy of the fixture workspace). Wrong: a file that compiled
  before the fix and not after; a line that is no import statement, import use or mock target
  changed; a newline style the file did not have; a second fix that changes more. Lost data:
  after the write, a byte outside those lines missing, the BOM or encoding changed, the file
  gone, or a temp file left.
- **lsp**: the real server over stdio (``tests/lsp/wire.py``'s ``RawServer``, as
  ``bench_lsp.py``), one per position encoding (UTF-8, UTF-16, UTF-32), on a copy of the
  fixture workspace: random incremental ``didChange`` sequences (several changes per message,
  columns past the end of a line, whole-text replacements) over texts holding every
  line-break-like character. Wrong: the diagnostics or the fix-all edit after the sequence
  differ from those of a fresh open of the final text (the fuzzer applies the edits with its
  own arithmetic), a fix-all edit past the end of a line, no diagnostics for the last version,
  no hover answer. Tracebacks: in the server's stderr and log messages.
- **cache**: the cache files of a checked copy of the fixture workspace damaged (bits flipped,
  truncated, emptied, garbage appended, one file or the whole directory swapped in from
  another project, files swapped with each other), then ``check`` (the CLI's ``main``
  in-process; every ``--cli-every`` tries the CLI in a subprocess). Wrong: output or exit code
  differ from a ``--no-cache`` run. Lost data: any file outside the cache changed.

Results: ``benchmarks/results/fuzz.md`` (a dated section per run: command, revision, load).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import difflib
import hashlib
import io
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "security"))

import common

AREAS = ("registries", "sources", "lsp", "cache")
FIXTURES = REPO / "tests" / "fixtures"
WORKSPACE = FIXTURES / "workspace"
CORPORA = {
    "workspace": WORKSPACE,
    "synthetic": BENCH / "corpus",
    "real": BENCH / "corpus-real" / "ansible-12.3.0",
}
DEFAULT_OUT = BENCH / "fuzz-out"
LSP_BREAK = re.compile(r"\r\n|\r|\n")  # what LSP and Python count as line breaks
# Every character str.splitlines breaks at, besides LSP's three.
OTHER_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


# --------------------------------------------------------------------------- bookkeeping


@dataclass
class Tally:
    """What one campaign counted."""

    area: str
    out: Path
    tries: int = 0
    tracebacks: int = 0
    wrong: int = 0
    lost: int = 0
    kinds: Counter = field(default_factory=Counter)  # "wrong: <what>" -> count
    notes: Counter = field(default_factory=Counter)  # things seen that are not failures
    slowest: float = 0.0
    slowest_what: str = ""
    seconds: float = 0.0
    saved: list[str] = field(default_factory=list)

    def save(self, name: str, data: bytes, meta: dict[str, Any], suffix: str = "") -> str:
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / f"{self.area}-{name}{suffix}"
        path.write_bytes(data)
        path.with_name(path.name + ".json").write_text(json.dumps(meta, indent=2, default=str))
        return str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)

    def failure(self, column: str, what: str, name: str, data: bytes, meta: dict[str, Any],
                suffix: str = "") -> None:
        """Count a traceback / wrong output / lost data, print it, keep the input."""
        setattr(self, column, getattr(self, column) + 1)
        self.kinds[f"{column}: {what}"] += 1
        kept = self.save(f"{column}-{len(self.saved):03d}", data,
                         {"what": what, "input": name, **meta}, suffix)
        self.saved.append(kept)
        print(f"  {self.area} try {self.tries}: {column}: {what} ({kept})", flush=True)

    def timed(self, seconds: float, what: str, name: str, data: bytes, meta: dict[str, Any],
              suffix: str = "") -> None:
        if seconds > self.slowest:
            self.slowest, self.slowest_what = seconds, what
            for old in self.out.glob(f"{self.area}-slowest*"):
                old.unlink()
            self.save("slowest", data, {"seconds": seconds, "what": what, "input": name, **meta},
                      suffix)

    @property
    def failed(self) -> bool:
        return bool(self.tracebacks or self.wrong or self.lost)


class Budget:
    def __init__(self, tries: int, seconds: float):
        self.tries, self.deadline = tries, time.monotonic() + seconds
        self.started = time.monotonic()

    def more(self, tally: Tally) -> bool:
        return tally.tries < self.tries and time.monotonic() < self.deadline


def _tb() -> str:
    return traceback.format_exc(limit=12)


@contextlib.contextmanager
def _quiet():
    """The engine and the CLI's main print; the campaign's own output stays readable."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def _run_cli(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    from hostile import cli_env

    return subprocess.run([sys.executable, "-m", "importwarden", *args], cwd=cwd,
                          env=cli_env(), capture_output=True, timeout=timeout, check=False)


def _copy_workspace(dest: Path) -> Path:
    from hostile import copy_workspace

    return copy_workspace(dest)


# --------------------------------------------------------------------------- byte mutations

HOSTILE_BYTES = [b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe2\x9c", b"\xed\xa0\x80", b"\r", b"\r\n",
                 b"\n", b"\xc2\x85", "\u2028".encode(), "\u2029".encode(), b"\x0c", b"\x0b",
                 b"\x1c", b"\t", b"`", b"```", b'"', b'"""', b"'''", b"[", b"]", b"{", b"(",
                 b"#", b"\\", b" " * 40, "\u200f".encode(), codecs.BOM_UTF8, b"\xef\xbf\xbd"]


def flip_bits(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if not data:
        return data, "flip (empty)"
    buf = bytearray(data)
    n = rng.choice([1, 1, 2, 4, 16])
    for _ in range(n):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf), f"flip {n} bits"


def insert_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    i = rng.randrange(len(data) + 1)
    chunk = rng.choice(HOSTILE_BYTES) * rng.choice([1, 1, 1, 3])
    return data[:i] + chunk + data[i:], f"insert {chunk[:12]!r} at {i}"


def delete_span(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if not data:
        return data, "delete (empty)"
    i = rng.randrange(len(data))
    n = rng.choice([1, 2, 7, 50, 400, 3000])
    return data[:i] + data[i + n:], f"delete {n} bytes at {i}"


def truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    i = rng.randrange(len(data) + 1)
    return data[:i], f"truncate at {i}"


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def shuffle_lines(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = _lines(data)
    what = rng.choice(["swap", "reverse block", "duplicate", "delete", "move"])
    i, j = sorted(rng.randrange(len(lines)) for _ in range(2))
    j = min(j, i + rng.choice([1, 3, 10, 40]))
    if what == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif what == "reverse block":
        lines[i:j + 1] = lines[i:j + 1][::-1]
    elif what == "duplicate":
        lines[i:i] = lines[i:j + 1]
    elif what == "delete":
        del lines[i:j + 1]
    else:
        block = lines[i:j + 1]
        del lines[i:j + 1]
        k = rng.randrange(len(lines) + 1)
        lines[k:k] = block
    return b"".join(lines), f"lines {what} {i}..{j}"


def reencode(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    text = data.decode("utf-8", "replace")
    codec = rng.choice(["utf-16", "utf-16-be", "utf-32", "utf-8-sig", "cp1252", "mac_roman",
                        "latin-1", "mojibake-cp1252", "mojibake-mac_roman"])
    if codec.startswith("mojibake-"):  # UTF-8 read as a one-byte code page, saved as UTF-8
        one_byte = codec.split("-", 1)[1]
        return text.encode("utf-8").decode(one_byte, "replace").encode("utf-8"), codec
    return text.encode(codec, "replace"), f"encode {codec}"


def newlines(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    style = rng.choice(["crlf", "cr", "mixed", "lf"])
    lines = re.split(rb"\r\n|\r|\n", data)
    if style == "mixed":
        seps = [rng.choice([b"\n", b"\r\n", b"\r"]) for _ in lines[:-1]]
        return b"".join(line + sep for line, sep in zip(lines, seps + [b""])), "newlines mixed"
    sep = {"crlf": b"\r\n", "cr": b"\r", "lf": b"\n"}[style]
    return sep.join(lines), f"newlines {style}"


def _at_line_start(rng: random.Random, data: bytes, chunk: bytes) -> tuple[bytes, int]:
    starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]
    i = rng.choice(starts)
    return data[:i] + chunk + data[i:], i


MD_FRAGMENTS = [
    "```python\n", "```\n", "~~~\n", "## netra_backend Service\n", "### auth_service Service\n",
    "### \u274c BROKEN IMPORTS (Do Not Use)\n", "#### \u2705 VERIFIED IMPORTS (Working):\n",
    "## \u26a0\ufe0f DEPRECATED\n", "from netra_backend.app.core import (Alpha,\n",
    "from a.b import (C,\n" + "    D,\n" * 30,
    "from old.mod import Name  # USE INSTEAD:" + " " * 2000 + "new.mod.Name\n",
    "# \u2705 USE INSTEAD: UserExecutionEngine (the factory)\n",
    "\u274c from old.mod import Name  # \u2705 USE INSTEAD: from new.mod import Name\n",
    "# \u26a0\ufe0f DEPRECATED: from x.y import Z\n", "# from commented.out import name\n",
    "patch('netra_backend.app.agents.state.DeepAgentState')\n", "from . import relative\n",
    "import a.b as c, d.e\n", "from a.b import *\n", "| target | status |\n|---|---|\n",
    "COMPATIBILITY: from x import y\nRECOMMENDED: from z import y\n", "\u2753 from q.r import S\n",
    "from netra_backend.app.agents.state import DeepAgentState  # wrong name: DeepState\n",
]
TOML_FRAGMENTS = [
    "[[import]]\n", 'target = "', 'note = """', "note = '''", 'use = ["a", [\n', "[import\n",
    'status = "broken"\n', "[services]\nmembers = [\n", 'fix = "unsafe"\n', 'source = "x:1"\n',
    '[[import]]\ntarget = "a.b:C"\nstatus = "deprecated"\nuse = "a.c:C"\n', '"\\u0000"\n',
    'target = "\\', "[[mock]]\ntarget = 'a.b.C'\n", "x = 1979-05-27T07:32:00Z\n", "= 1\n",
    'note = """\n[' + "[" * 200 + "\n", "inferred = true\n", "[[import]]\ntarget = 3\n",
]


def fragment(fragments: list[str]) -> Callable[[random.Random, bytes], tuple[bytes, str]]:
    def op(rng: random.Random, data: bytes) -> tuple[bytes, str]:
        text = rng.choice(fragments)
        new, i = _at_line_start(rng, data, text.encode())
        return new, f"insert {text[:30]!r} at {i}"
    return op


HUGE_PUMPS = [" ", "a.", "(", "`", "#", "from a.b import (C,", "x" * 7, "\u2705 ", "[", '"""',
              "\\", "\t"]


def huge_line(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    pump = rng.choice(HUGE_PUMPS)
    size = rng.choice([5_000, 20_000, 60_000, 120_000])
    shape = rng.choice(["bare", "import", "use instead", "fenced", "toml string", "names"])
    body = pump * (size // len(pump))
    line = {
        "bare": body,
        "import": f"from a.b import {body}",
        "use instead": f"from old.mod import Name  # USE INSTEAD:{body}new.mod",
        "fenced": f"```python\n{body}\n```",
        "toml string": f'note = "{body}"',
        "names": "from a.b import " + ", ".join(f"N{i}" for i in range(size // 6)),
    }[shape]
    new, i = _at_line_start(rng, data, (line + "\n").encode())
    return new, f"huge line {shape} {pump[:8]!r} x{size // len(pump)} at {i}"


def mutate(rng: random.Random, data: bytes, ops: list, limit: int = 1_500_000
           ) -> tuple[bytes, list[str]]:
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        op = rng.choice(ops)
        data, what = op(rng, data)
        done.append(what)
        if len(data) > limit:
            data = data[:limit]
            done.append(f"cut to {limit}")
    return data, done


REGISTRY_OPS = [flip_bits, insert_bytes, delete_span, truncate, shuffle_lines, shuffle_lines,
                reencode, newlines, huge_line]


# --------------------------------------------------------------------------- registries


def registry_seeds(corpora: list[str]) -> list[tuple[str, str, bytes]]:
    """(name, kind, bytes): the Markdown fixtures and corpus registries, and TOML exports of
    each (the strict form)."""
    from importwarden.registry import export
    from importwarden.registry.load import load_registries

    paths = sorted((FIXTURES / "registries").glob("*.md"))
    paths += [WORKSPACE / "SSOT_IMPORT_REGISTRY.md", FIXTURES / "migration" / "SSOT_IMPORT_REGISTRY.md"]
    paths += [CORPORA[c].resolve() / "SSOT_IMPORT_REGISTRY.md" for c in corpora if c != "workspace"]
    seeds: list[tuple[str, str, bytes]] = []
    for path in paths:
        if not path.is_file():
            continue
        raw = path.read_bytes()
        seeds.append((path.name if path.parent.name == "registries" else
                      f"{path.parent.name}/{path.name}", "markdown", raw))
        toml = export.to_toml(load_registries([path]), relative_to=path.parent)
        seeds.append((f"{seeds[-1][0]} (TOML export)", "toml", toml.encode()))
    return seeds


def _read_registry(path: Path) -> tuple[str, Any]:
    """("ok", registry) or ("error", RegistryLoadError): as ``registry lint`` reads a file."""
    from importwarden.errors import RegistryLoadError
    from importwarden.registry.load import load_registries

    try:
        return "ok", load_registries([path])
    except RegistryLoadError as exc:
        return "error", exc


def _registry_view(outcome: tuple[str, Any]) -> Any:
    """What a user sees of one read, comparable across spellings."""
    from importwarden.registry import export

    state, value = outcome
    if state == "error":
        return ["error", value.line]
    return ["ok", export.to_json(value)]


def _equivalent_spellings(raw: bytes, kind: str) -> tuple[str, list[tuple[str, bytes]]] | None:
    """The same text spelt differently: (the text, [(name, bytes)]); None when ``raw`` is not
    UTF-8 (a guessed encoding has no single equivalent)."""
    body = raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if kind == "toml" and re.search(r"\r(?!\n)", text):
        return None  # a lone CR is not a TOML line break: LF would change the meaning
    base = LSP_BREAK.sub("\n", text)
    spellings = [("LF", base.encode()), ("CRLF", base.replace("\n", "\r\n").encode()),
                 ("BOM", codecs.BOM_UTF8 + base.encode())]
    try:
        spellings.append(("UTF-16", base.encode("utf-16")))
    except UnicodeEncodeError:  # lone surrogates cannot be UTF-16
        pass
    if kind == "markdown":
        spellings.append(("CR", base.replace("\n", "\r").encode()))
    return base, spellings


def _workspace_texts(root: Path) -> dict[str, str]:
    """Path -> text of the workspace's Python files that decode (as ``check`` reads them)."""
    from importwarden.textio import SourceDecodeError, read_source

    texts = {}
    for path in sorted(root.rglob("*.py")):
        try:
            texts[str(path)] = read_source(path).text
        except SourceDecodeError:
            continue
    return texts


class Watched:
    """``fn(*args)`` in a forked child that has everything the parent had (the project, its
    index), given ``timeout`` seconds: a super-linear input cannot stall the campaign, it is
    killed, counted and kept. Answers: ("ok", value), ("traceback", text) or ("slow", None)."""

    def __init__(self, fn: Callable):
        import multiprocessing

        self.fn, self.ctx = fn, multiprocessing.get_context("fork")
        self._start()

    def _start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=self._serve, args=(child,), daemon=True)
        self.proc.start()

    def _serve(self, conn) -> None:
        while True:
            args = conn.recv()
            try:
                conn.send(("ok", self.fn(*args)))
            except Exception:  # noqa: BLE001 (what the campaign counts)
                conn.send(("traceback", _tb()))

    def call(self, *args, timeout: float) -> tuple[str, Any]:
        self.conn.send(args)
        if self.conn.poll(timeout):
            try:
                return self.conn.recv()
            except EOFError:
                pass  # the child died (a crash in C code): counted as a traceback
            self.close()
            self._start()
            return "traceback", "the worker process died"
        self.close()
        self._start()
        return "slow", None

    def close(self) -> None:
        self.proc.kill()
        self.proc.join()


def campaign_registries(args, tally: Tally, scratch: Path) -> None:
    from importwarden.project.engine import Project
    from importwarden.registry import export, lint
    from importwarden.registry.load import load_registries
    from importwarden.registry.text import decode_bytes

    rng = random.Random(f"registries-{args.seed}")
    seeds = registry_seeds(args.corpora)
    ws = _copy_workspace(scratch / "ws")
    with _quiet():
        project = Project.load(ws)
    index = project.index
    texts = _workspace_texts(ws)
    sources = sorted(texts)

    def resolves(target) -> bool:
        return index.resolves(target.module, target.name)

    def one_try(path: Path, data: bytes, kind: str, checked: list[str],
                spellings: list[tuple[str, bytes]]) -> dict[str, Any]:
        """Read, lint, export and check with the mutated registry; read the equivalent
        spellings. Runs in the watched child."""
        path.write_bytes(data)
        # (lines as the broadest reader counts them: Markdown also breaks at U+2028/9, \x85)
        n_lines = len(re.split(r"\r\n|\r|\n|\u2028|\u2029|\x85", decode_bytes(data))) + 1
        started = time.perf_counter()
        outcome = _read_registry(path)
        state, value = outcome
        out: dict[str, Any] = {"state": state}
        if state == "ok":
            problems = sorted({*value.problems, *lint.lint(value, resolves)})
            export.to_json(value)
            toml = export.to_toml(value, relative_to=scratch)
            project.use_registry(value, [])
            for source in checked:
                project.check_source(source, texts[source])
            out["bad problems"] = [str(p) for p in problems
                                   if p.file != str(path) or not 1 <= p.line <= n_lines]
            back = scratch / "export.toml"
            back.write_text(toml, encoding="utf-8")
            out["round trip"] = _entry_model(load_registries([back])) == _entry_model(value)
        else:
            out["error"] = str(value)
            out["error has file:line"] = value.file == str(path) and bool(value.line)
        out["seconds"] = time.perf_counter() - started
        out["view"] = _registry_view(outcome)
        out["spellings"] = {}
        for spelling, variant in spellings:
            path.write_bytes(variant)
            try:
                out["spellings"][spelling] = _registry_view(_read_registry(path))
            except Exception:  # noqa: BLE001
                out["spellings"][spelling] = ["traceback", _tb()]
        path.write_bytes(data)
        return out

    worker = Watched(one_try)
    ops = {"markdown": REGISTRY_OPS + [fragment(MD_FRAGMENTS)] * 3,
           "toml": REGISTRY_OPS + [fragment(TOML_FRAGMENTS)] * 3}
    budget = Budget(args.tries, args.seconds)
    print(f"registries: {len(seeds)} seeds", flush=True)
    try:
        while budget.more(tally):
            name, kind, seed = rng.choice(seeds)
            data, done = mutate(rng, seed, ops[kind])
            tally.tries += 1
            path = scratch / ("SSOT_IMPORT_REGISTRY.md" if kind == "markdown" else "registry.toml")
            meta = {"seed": name, "kind": kind, "mutations": done, "file name": path.name}
            suffix = path.suffix
            spellings = _equivalent_spellings(data, kind)
            variants = rng.sample(spellings[1], 2) if spellings else []
            started = time.perf_counter()
            answer, out = worker.call(path, data, kind, rng.sample(sources, 3), variants,
                                      timeout=args.slow)
            what = f"{name}: {', '.join(done)} ({len(data):,} bytes)"
            if answer == "slow":
                tally.notes[f"open: slower than {args.slow:g} s (killed)"] += 1
                tally.saved.append(tally.save(
                    f"slow-{tally.notes[f'open: slower than {args.slow:g} s (killed)']:03d}",
                    data, {"what": f"over {args.slow:g} s", **meta}, suffix))
                tally.timed(time.perf_counter() - started, f"over {args.slow:g} s (killed): {what}",
                            name, data, meta, suffix)
                print(f"  registries try {tally.tries}: slower than {args.slow:g} s: {what}", flush=True)
                continue
            if answer == "traceback":
                tally.failure("tracebacks", "in-process read/lint/export/check", name, data,
                              {**meta, "traceback": out}, suffix)
                continue
            tally.timed(out["seconds"], what, name, data, meta, suffix)
            # Errors and problems carry the file and a line inside it.
            if out["state"] == "error":
                if not out["error has file:line"]:
                    tally.failure("wrong", "load error without file:line", name, data,
                                  {**meta, "error": out["error"]}, suffix)
                tally.notes[f"load error ({kind})"] += 1
            else:
                if out["bad problems"]:
                    tally.failure("wrong", "problem without file:line in the file", name, data,
                                  {**meta, "problems": out["bad problems"][:5]}, suffix)
                # The export loads back to the same entries (docs/registry-format.md).
                if not out["round trip"]:
                    tally.failure("wrong", "TOML export does not load back to the same entries",
                                  name, data, meta, suffix)
            # Equivalent spellings read the same (the mutated bytes are one of them).
            if spellings is None:
                tally.notes["not UTF-8 (no equivalent spelling)"] += 1
            else:
                views = out["spellings"]
                for spelling, view in views.items():
                    if view[0] == "traceback":
                        tally.failure("tracebacks", f"reading the {spelling} spelling", name,
                                      data, {**meta, "traceback": view[1]}, suffix)
                different = {s: v for s, v in views.items() if v != out["view"] and v[0] != "traceback"}
                if different:
                    tally.failure("wrong", f"spellings read differently ({', '.join(different)} "
                                  "vs as mutated)", name, data,
                                  {**meta, "diff": _json_diff(out["view"], different)}, suffix)
                tally.notes["equivalent spellings compared"] += 1
            if args.cli_every and (tally.tries - 1) % args.cli_every == 0:
                path.write_bytes(data)
                _registry_cli(tally, ws, path, out["view"], name, data, meta, suffix)
    finally:
        worker.close()


def _entry_model(registry) -> list:
    rows = [(str(e.target), e.status.value, str(e.replacement), e.fix.value)
            for e in registry.entries.values()]
    rows += [(m.target, m.status.value, str(m.replacement), m.fix.value) for m in registry.mocks.values()]
    return sorted(rows)


def _json_diff(a: Any, views: dict[str, Any]) -> str:
    left = json.dumps(a, indent=1, ensure_ascii=False, default=str).splitlines()
    out = []
    for name, view in views.items():
        right = json.dumps(view, indent=1, ensure_ascii=False, default=str).splitlines()
        out += list(difflib.unified_diff(left, right, "as mutated", name, lineterm="", n=1))[:40]
    return "\n".join(out)


def _registry_cli(tally: Tally, ws: Path, path: Path, view, name: str, data: bytes,
                  meta: dict, suffix: str) -> None:
    """``registry lint``, ``registry show --format json`` and ``check`` in a subprocess;
    ``view``: the in-process read (``_registry_view``)."""
    tally.notes["CLI samples"] += 1
    runs = {
        "lint": ["registry", "lint", "--registry", str(path), "--no-workspace"],
        "show": ["registry", "show", "--registry", str(path), "--format", "json"],
        "check": ["check", "--registry", str(path), "--no-cache", "--output-format", "json"],
    }
    for what, argv in runs.items():
        try:
            proc = _run_cli(argv, ws)
        except subprocess.TimeoutExpired:
            tally.failure("wrong", f"CLI {what} took over 120 s", name, data, meta, suffix)
            continue
        stderr = proc.stderr.decode("utf-8", "replace")
        if "Traceback" in stderr or proc.returncode not in (0, 1, 2):
            tally.failure("tracebacks", f"CLI {what} (exit {proc.returncode})", name, data,
                          {**meta, "stderr": stderr[-3000:]}, suffix)
            continue
        if proc.returncode == 2 and path.name not in stderr:
            tally.failure("wrong", f"CLI {what}: exit 2 without the file name", name, data,
                          {**meta, "stderr": stderr[-3000:]}, suffix)
        if what == "show" and proc.returncode == 0 and view[0] == "ok" and \
                json.loads(proc.stdout) != json.loads(json.dumps(view[1])):
            tally.failure("wrong", "CLI registry show differs from the in-process read",
                          name, data, meta, suffix)


# --------------------------------------------------------------------------- sources

SOURCE_TOKENS = ["import", "from", " import ", "(", ")", ",", ":", ";", " as ", "*", ".", "'",
                 '"', '"""', "#", "  # noqa", "\\\n", "\t", "    ", "\n", "\r\n", "\r", "if ",
                 "def f():\n", "try:\n", "except ImportError:\n", "TYPE_CHECKING", "lambda",
                 "__future__", "patch('", "yield", "async ", "await", "\\", "0x", "rb'", "f'{"]


def _import_lines(text: str) -> list[int]:
    lines = LSP_BREAK.split(text)
    return [i for i, line in enumerate(lines) if re.match(r"\s*(from\s+\S+\s+import|import)\s", line)]


def _respell_import(rng: random.Random, text: str) -> tuple[str, str]:
    """An import statement written another valid way (backslash continuation, parentheses,
    alias, ``;``, comment): the file still compiles, and the fix must keep it so."""
    lines = LSP_BREAK.split(text)
    breaks = LSP_BREAK.findall(text)
    singles = [i for i, line in enumerate(lines)
               if re.fullmatch(r"(\s*)from\s+([\w.]+)\s+import\s+([\w, ]+)", line)]
    if not singles:
        return text, "respell (no simple from-import)"
    i = rng.choice(singles)
    m = re.fullmatch(r"(\s*)from\s+([\w.]+)\s+import\s+([\w, ]+)", lines[i])
    indent, module, names = m.group(1), m.group(2), [n.strip() for n in m.group(3).split(",") if n.strip()]
    nl = breaks[i] if i < len(breaks) else "\n"
    style = rng.choice(["backslash", "backslash-names", "parens", "parens-multi", "alias",
                        "semicolon", "comment", "split"])
    if style == "backslash":
        new = f"{indent}from {module} \\{nl}{indent}    import {', '.join(names)}"
    elif style == "backslash-names":
        new = f"{indent}from {module} import {names[0]}" + "".join(f", \\{nl}{indent}    {n}" for n in names[1:])
    elif style == "parens":
        new = f"{indent}from {module} import ({', '.join(names)},)"
    elif style == "parens-multi":
        new = f"{indent}from {module} import ({nl}" + "".join(f"{indent}    {n},{nl}" for n in names) + f"{indent})"
    elif style == "alias":
        new = f"{indent}from {module} import " + ", ".join(f"{n} as {n}" for n in names)
    elif style == "semicolon":
        new = f"{indent}import os; from {module} import {', '.join(names)}"
    elif style == "comment":
        new = f"{indent}from {module} import {', '.join(names)}  # keep: a comment"
    else:
        new = nl.join(f"{indent}from {module} import {n}" for n in names)
    lines[i] = new
    return "".join(line + sep for line, sep in zip(lines, breaks + [""])), f"respell line {i + 1} {style}"


def source_text_op(rng: random.Random, text: str) -> tuple[str, str]:
    what = rng.choice(["token", "token", "delete token", "respell", "respell", "breaks",
                       "form feed", "nest", "half import", "indent import", "cookie"])
    if what == "token":
        tok = rng.choice(SOURCE_TOKENS)
        candidates = _import_lines(text)
        if candidates and rng.random() < 0.6:  # near an import: where the fixer works
            starts = [0, *(m.end() for m in LSP_BREAK.finditer(text))]
            i = starts[rng.choice(candidates)] + rng.randrange(40)
        else:
            i = rng.randrange(len(text) + 1)
        i = min(i, len(text))
        return text[:i] + tok + text[i:], f"insert {tok!r} at {i}"
    if what == "delete token":
        toks = list(re.finditer(r"\w+|[^\w\s]", text))
        if not toks:
            return text, "delete (nothing)"
        t = rng.choice(toks)
        return text[:t.start()] + text[t.end():], f"delete {t.group(0)!r} at {t.start()}"
    if what == "respell":
        return _respell_import(rng, text)
    if what == "breaks":
        style = rng.choice(["crlf", "cr", "mixed"])
        lines = LSP_BREAK.split(text)
        if style == "mixed":
            seps = [rng.choice(["\n", "\r\n", "\r"]) for _ in lines[:-1]]
        else:
            seps = [{"crlf": "\r\n", "cr": "\r"}[style]] * (len(lines) - 1)
        return "".join(line + sep for line, sep in zip(lines, seps + [""])), f"newlines {style}"
    if what == "form feed":  # legal at a line start (Python resets the indentation there)
        ch = rng.choice(["\f", "\f"] + OTHER_BREAKS)
        starts = [0, *(m.end() for m in LSP_BREAK.finditer(text))]
        where = rng.choice(["line start", "anywhere", "in comment"])
        if where == "line start":
            i = rng.choice(starts)
        elif where == "in comment" and "#" in text:
            hashes = [m.end() for m in re.finditer("#", text)]
            i = rng.choice(hashes)
        else:
            i = rng.randrange(len(text) + 1)
        return text[:i] + ch + text[i:], f"insert {ch!r} at {where} {i}"
    if what == "nest":
        depth = rng.choice([5, 30, 90])
        kind = rng.choice(["if", "paren"])
        if kind == "if":
            block = "".join("    " * d + "if True:\n" for d in range(depth))
            block += "    " * depth + "from netra_backend.app.agents.state import DeepAgentState\n"
        else:
            block = "x = " + "(" * depth + "1" + ")" * depth + "\n"
        lines = _import_lines(text)
        starts = [0, *(m.end() for m in LSP_BREAK.finditer(text))]
        i = starts[rng.choice(lines)] if lines else 0
        return text[:i] + block + text[i:], f"nest {kind} x{depth} at {i}"
    if what == "half import":
        lines = _import_lines(text)
        if not lines:
            return text, "half import (none)"
        starts = [0, *(m.end() for m in LSP_BREAK.finditer(text)), len(text) + 1]
        k = rng.choice(lines)
        a, b = starts[k], starts[k + 1] - 1
        cut = rng.randrange(a, max(a + 1, b))
        return text[:cut] + text[b:], f"half-typed import line {k + 1} (cut at {cut - a})"
    if what == "indent import":
        lines = _import_lines(text)
        if not lines:
            return text, "indent (none)"
        starts = [0, *(m.end() for m in LSP_BREAK.finditer(text))]
        i = starts[rng.choice(lines)]
        head = rng.choice(["if TYPE_CHECKING:\n    ", "try:\n    ", "def f():\n    "])
        end = text.find("\n", i)
        end = len(text) if end < 0 else end
        tail = {"try:\n    ": "\nexcept ImportError:\n    pass", "if TYPE_CHECKING:\n    ": "",
                "def f():\n    ": ""}[head]
        return text[:i] + head + text[i:end].lstrip() + tail + text[end:], f"indent import at {i} ({head.strip()})"
    # cookie: declare a one-byte encoding (the bytes are re-encoded with it later)
    return "# -*- coding: latin-1 -*-\n" + text, "latin-1 cookie"


def source_bytes_op(rng: random.Random, text: str, cookie: bool) -> tuple[bytes, str]:
    if cookie:
        return text.encode("latin-1", "replace"), "encoded latin-1"
    what = rng.choice(["utf-8"] * 16 + ["bom", "bom", "bad byte", "latin-1 no cookie", "surrogate"])
    if what == "bom":
        return codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass"), "BOM"
    if what == "bad byte":
        data = text.encode("utf-8", "surrogatepass")
        i = rng.randrange(len(data) + 1)
        return data[:i] + rng.choice([b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80"]) + data[i:], f"bad byte at {i}"
    if what == "latin-1 no cookie":
        return (text + "# caf\u00e9\n").encode("latin-1", "replace"), "latin-1 without a cookie"
    if what == "surrogate":
        return text.encode("utf-8", "surrogatepass") + b"\xed\xb2\x80", "lone surrogate bytes"
    return text.encode("utf-8", "surrogatepass"), "utf-8"


def mutate_source(rng: random.Random, raw: bytes) -> tuple[bytes, list[str]]:
    text = raw.decode("utf-8", "replace")
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        text, what = source_text_op(rng, text)
        done.append(what)
    data, what = source_bytes_op(rng, text, "latin-1 cookie" in done)
    done.append(what)
    return data, done


def _compiles(data: bytes) -> bool:
    with warnings.catch_warnings():  # (mutated code draws SyntaxWarnings: not our business)
        warnings.simplefilter("ignore")
        try:
            compile(data, "<fuzz>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return False
    return True


def _ref_lines(project, path: str, text: str) -> set[int]:
    """0-based lines a fix may change: import statements, attribute uses of module imports,
    mock target strings (every ref the scanner reports)."""
    lines: set[int] = set()
    for ref in project.extract(path, text).refs:
        for rng in (ref.statement_range, ref.range):
            lines.update(range(rng.start.line, rng.end.line + 1))
    return lines


def _split_keep(text: str) -> list[str]:
    starts = [0, *(m.end() for m in LSP_BREAK.finditer(text)), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(starts) if b > a or a == 0]


def _untouched_violations(project, path: str, before: str, after: str) -> list[str]:
    """Lines changed by the fix that are not a ref's line before (removed/replaced) or after
    (added): one string per bad hunk."""
    old, new = _split_keep(before), _split_keep(after)
    allowed_old = _ref_lines(project, path, before)
    allowed_new = _ref_lines(project, path, after)
    bad = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if any(i not in allowed_old for i in range(i1, i2)) or \
                any(j not in allowed_new for j in range(j1, j2)):
            bad.append(f"{tag} old {i1 + 1}-{i2} {old[i1:i2][:3]!r} -> new {j1 + 1}-{j2} {new[j1:j2][:3]!r}")
    return bad


def _newline_kinds(text: str) -> set[str]:
    return set(LSP_BREAK.findall(text))


def source_seeds(corpora: list[str], rng: random.Random, scratch: Path, per_corpus: int
                 ) -> list[tuple[Any, str, bytes]]:
    """(project, path, bytes): per corpus, files with fixable findings first (the fixer's
    work), then others; the workspace index is built with its cache outside the corpus."""
    from importwarden.config import load_settings
    from importwarden.project.engine import Project
    from importwarden.textio import decode_source
    from importwarden.workspace.index import WorkspaceIndex

    seeds = []
    for name in corpora:
        # Resolved: the corpora have no config file, and a relative root would let the
        # settings search find this checkout's pyproject.toml instead.
        root = CORPORA[name].resolve()
        if name == "workspace":
            root = _copy_workspace(scratch / "seed-ws")
        if not root.is_dir():
            print(f"sources: no {name} corpus at {root}; skipped", flush=True)
            continue
        started = time.perf_counter()
        with _quiet():
            settings = load_settings(root)
            index = WorkspaceIndex.build(settings, cache=scratch / f"index-cache-{name}")
            project = Project.from_settings(settings, index=index)
        files = sorted(root.rglob("*.py"))
        rng.shuffle(files)
        fixable, plain = [], []
        for path in files[: per_corpus * 20]:
            raw = path.read_bytes()
            if len(raw) > 400_000 or b"\x00" in raw:
                continue
            try:
                findings = project.check_source(str(path), decode_source(raw).text)
            except Exception:  # noqa: BLE001 (a seed that fails is found by the campaign)
                findings = []
            if any(f.fix is not None for f in findings):
                fixable.append((project, str(path), raw))
            elif len(plain) < max(2, per_corpus // 6):
                plain.append((project, str(path), raw))
            if len(fixable) >= per_corpus:
                break
        chosen = fixable + plain
        print(f"sources: {name}: {len(fixable)} fixable + {len(plain)} other seed files "
              f"(index {time.perf_counter() - started:.1f} s, "
              f"{len(project.registry.entries)} registry entries)", flush=True)
        if not fixable:
            raise RuntimeError(f"no seed file with a fixable finding in {root}: wrong project?")
        seeds.extend(chosen)
    return seeds


def campaign_sources(args, tally: Tally, scratch: Path) -> None:
    from importwarden import fixes
    from importwarden.project.fix_run import fix_file
    from importwarden.textio import SourceDecodeError, decode_source

    rng = random.Random(f"sources-{args.seed}")
    seeds = source_seeds(args.corpora, rng, scratch, per_corpus=args.source_seeds)
    copies = scratch / "copies"
    copies.mkdir()
    cli_ws = _copy_workspace(scratch / "cli-ws")
    cli_files = sorted(p for p in cli_ws.rglob("*.py") if p.stat().st_size)
    budget = Budget(args.tries, args.seconds)
    while budget.more(tally):
        project, path, seed = rng.choice(seeds)
        data, done = mutate_source(rng, seed)
        tally.tries += 1
        rel = os.path.relpath(path, project.settings.root)
        meta = {"seed": rel, "root": str(project.settings.root), "mutations": done}
        if b"\x00" in data:
            tally.notes["NUL bytes (fix skips binary files)"] += 1
        try:
            src = decode_source(data)
        except SourceDecodeError:
            src = None
            tally.notes["not decodable (check reports it)"] += 1
        started = time.perf_counter()
        try:
            if src is not None:
                project.check_source(path, src.text)
                result = fixes.fix_source(project, path, src.text)
                again = fixes.fix_source(project, path, result.new_source) if result.applied else None
        except Exception:  # noqa: BLE001
            tally.failure("tracebacks", "engine check/fix", rel, data, {**meta, "traceback": _tb()}, ".py")
            continue
        elapsed = time.perf_counter() - started
        tally.timed(elapsed, f"{rel}: {', '.join(done)} ({len(data):,} bytes)", rel, data, meta, ".py")
        if src is not None and result.applied:
            tally.notes["fixed files"] += 1
            after = src.encode(result.new_source)
            compiled = _compiles(data)
            tally.notes["fixed files that compiled before"] += compiled
            if compiled and not _compiles(after):
                tally.failure("wrong", "compiled before the fix, not after", rel, data,
                              {**meta, "after": result.new_source[-4000:]}, ".py")
            bad = _untouched_violations(project, path, src.text, result.new_source)
            if bad:
                tally.failure("wrong", "a line that is no import/use/mock target changed", rel,
                              data, {**meta, "hunks": bad[:5]}, ".py")
            had, has = _newline_kinds(src.text), _newline_kinds(result.new_source)
            if had and not has <= had:
                tally.failure("wrong", "a newline style the file did not have", rel, data,
                              {**meta, "before": sorted(_newline_kinds(src.text)),
                               "after": sorted(_newline_kinds(result.new_source))}, ".py")
            if again is not None and again.applied and again.new_source != result.new_source:
                tally.failure("wrong", "a second fix changes more (not idempotent)", rel, data,
                              {**meta, "second": [f.code for f in again.applied]}, ".py")
        # On disk: fix_file on a copy (named explicitly: the copy lies outside the project).
        copy = copies / f"t{tally.tries}" / Path(path).name
        copy.parent.mkdir()
        copy.write_bytes(data)
        try:
            outcome = fix_file(project, copy, diff=False, unsafe=False,
                               explicit=frozenset({os.path.realpath(copy)}))
        except Exception:  # noqa: BLE001
            tally.failure("tracebacks", "fix_file", rel, data, {**meta, "traceback": _tb()}, ".py")
            shutil.rmtree(copy.parent)
            continue
        _check_written(tally, project, copy, data, outcome, rel, meta)
        shutil.rmtree(copy.parent)
        if args.cli_every and (tally.tries - 1) % args.cli_every == 0:
            _sources_cli(tally, cli_ws, rng.choice(cli_files), rng)


def _check_written(tally: Tally, project, copy: Path, data: bytes, outcome, rel: str, meta: dict) -> None:
    """Lost data: after ``fix_file``, the file holds the original bytes, or (when fixed) every
    line outside the refs kept byte for byte, in order, with its BOM and encoding."""
    from importwarden.textio import decode_source

    leftovers = [p.name for p in copy.parent.iterdir() if p.name != copy.name]
    if leftovers:
        tally.failure("lost", f"files left beside the fixed one: {leftovers[:3]}", rel, data, meta, ".py")
    if not copy.exists():
        tally.failure("lost", "the file is gone", rel, data, meta, ".py")
        return
    written = copy.read_bytes()
    if not outcome.applied or outcome.error:
        if written != data:
            tally.failure("lost", "not fixed, yet the bytes changed", rel, data,
                          {**meta, "error": outcome.error}, ".py")
        return
    before, after = decode_source(data), decode_source(written)
    if (before.encoding, before.bom) != (after.encoding, after.bom):
        tally.failure("lost", "encoding or BOM changed", rel, data, meta, ".py")
        return
    allowed = _ref_lines(project, str(copy), before.text)
    kept = [line for i, line in enumerate(_split_keep(before.text)) if i not in allowed]
    new_lines = iter(_split_keep(after.text))
    missing = [line for line in kept if not any(line == n for n in new_lines)]
    if missing:
        tally.failure("lost", "lines outside the fixed statements lost", rel, data,
                      {**meta, "missing": missing[:5]}, ".py")


def _sources_cli(tally: Tally, ws: Path, target: Path, rng: random.Random) -> None:
    """The CLI in a subprocess: a mutated workspace file, ``check`` then ``fix`` twice."""
    original = target.read_bytes()
    data, done = mutate_source(rng, original)
    rel = str(target.relative_to(ws))
    meta = {"seed": f"workspace/{rel}", "mutations": done, "via": "CLI"}
    target.write_bytes(data)
    tally.notes["CLI samples"] += 1
    try:
        runs = [("check", ["check", "--no-cache", "--output-format", "json", rel]),
                ("fix", ["fix", "--no-cache", rel]), ("fix again", ["fix", "--no-cache", rel])]
        outputs = {}
        for what, argv in runs:
            proc = _run_cli(argv, ws)
            stderr = proc.stderr.decode("utf-8", "replace")
            outputs[what] = proc.stdout.decode("utf-8", "replace")
            if "Traceback" in stderr or proc.returncode not in (0, 1, 2):
                tally.failure("tracebacks", f"CLI {what} (exit {proc.returncode})", rel, data,
                              {**meta, "stderr": stderr[-3000:]}, ".py")
                return
            if what == "fix":
                after_first = target.read_bytes()
        if _compiles(data) and not _compiles(after_first):
            tally.failure("wrong", "CLI fix: compiled before, not after", rel, data, meta, ".py")
        if target.read_bytes() != after_first:
            tally.failure("wrong", "CLI fix: a second run changes more", rel, data,
                          {**meta, "second": outputs["fix again"][-2000:]}, ".py")
    finally:
        target.write_bytes(original)


# --------------------------------------------------------------------------- LSP

LSP_ALPHABET = ["a", "b", " ", "\n", "\r", "\r\n", *OTHER_BREAKS, "\u00e9", "\u20ac",
                "\U0001f600", "\U0001d518", "import ", "from ", "netra_backend.app.", "(", ")",
                ",", "#", "'", "\t", "    ", "\\"]


def units(text: str, encoding: str) -> int:
    """Code units of ``text`` in an LSP position encoding (the fuzzer's own arithmetic, not
    the server's ``convert.py``)."""
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


def editor_position(text: str, offset: int, encoding: str) -> dict:
    """Where an editor puts ``offset``: LSP breaks before it, code units since the last."""
    breaks = list(LSP_BREAK.finditer(text, 0, offset))
    start = breaks[-1].end() if breaks else 0
    return {"line": len(breaks), "character": units(text[start:offset], encoding)}


def _line_end(text: str, offset: int) -> int:
    m = LSP_BREAK.search(text, offset)
    return m.start() if m else len(text)


def random_changes(rng: random.Random, text: str, encoding: str) -> tuple[list[dict], str]:
    """One ``contentChanges`` array (applied in order, each on the previous result) and the
    text after it, computed here."""
    changes = []
    for _ in range(rng.choice([1, 1, 1, 2, 4])):
        if rng.random() < 0.03:
            text = "".join(rng.choice(LSP_ALPHABET) for _ in range(rng.randrange(200)))
            changes.append({"text": text})
            continue
        lo = rng.randrange(len(text) + 1)
        hi = min(len(text), lo + rng.choice([0] * 6 + [1] * 4 + [2, 2, 5, 5, 30, 300]))
        # No LSP position names the point between the \r and the \n of a \r\n.
        if 0 < lo < len(text) and text[lo - 1] == "\r" and text[lo] == "\n":
            lo -= 1
        if 0 < hi < len(text) and text[hi - 1] == "\r" and text[hi] == "\n":
            hi += 1
        insert = "".join(rng.choice(LSP_ALPHABET) for _ in range(rng.choice([0, 1, 1, 3, 12])))
        start, end = editor_position(text, lo, encoding), editor_position(text, hi, encoding)
        if hi == _line_end(text, hi) and rng.random() < 0.2:
            end = {**end, "character": end["character"] + 40}  # past the end: the line's end
        changes.append({"range": {"start": start, "end": end}, "text": insert})
        text = text[:lo] + insert + text[hi:]
    return changes, text


def _lsp_seed_text(rng: random.Random, text: str) -> str:
    for _ in range(rng.choice([1, 3, 8])):
        i = rng.randrange(len(text) + 1)
        text = text[:i] + rng.choice(OTHER_BREAKS + ["\r", "\r\n", "\U0001f600"]) + text[i:]
    if rng.random() < 0.3:
        text = LSP_BREAK.sub("\r\n", text)
    return text


class FuzzServer:
    """The real server over stdio in ``root``, for one position encoding."""

    def __init__(self, root: Path, encoding: str):
        from lsp.wire import RawServer

        self.root, self.encoding = root, encoding
        self.srv = RawServer(root, [sys.executable, "-m", "importwarden", "lsp"])
        capabilities = {
            "general": {"positionEncodings": [encoding]},
            "window": {"workDoneProgress": True},
            "workspace": {"configuration": False},
            "textDocument": {"publishDiagnostics": {"versionSupport": True},
                             "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {
                                 "valueSet": ["quickfix", "source.fixAll"]}}}},
        }
        _, answer = self.srv.call("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                                 "capabilities": capabilities,
                                                 "initializationOptions": {"debounce": 0}})
        self.negotiated = answer["result"]["capabilities"].get("positionEncoding", "utf-16")
        self.srv.notify("initialized", {})
        self.srv.wait(lambda m: m.get("method") == "$/progress"
                      and m["params"]["value"].get("kind") == "end", timeout=120)
        self.messages_seen = 0

    def published(self, uri: str, version: int, timeout: float = 60) -> list[dict]:
        message = self.srv.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == uri and m["params"].get("version") == version,
                                timeout)
        return message["params"]["diagnostics"]

    def fix_all(self, uri: str, text: str) -> Any:
        end = editor_position(text, len(text), self.encoding)
        _, answer = self.srv.call("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": end},
            "context": {"diagnostics": [], "only": ["source.fixAll"]}}, timeout=60)
        return answer

    def tracebacks(self) -> int:
        logged = [m for m in self.srv.seen if m.get("method") in ("window/logMessage", "window/showMessage")
                  and "Traceback" in str(m["params"].get("message", ""))]
        stderr = b"".join(self.srv.stderr).count(b"Traceback (most recent call last)")
        return stderr + len(logged)

    def trim(self) -> None:
        """A long campaign must not keep every message (the traceback count is kept)."""
        self.messages_seen += len(self.srv.seen_timed)
        self.srv.seen_timed[:] = [(t, m) for t, m in self.srv.seen_timed
                                  if "Traceback" in str(m.get("params", ""))]

    def close(self) -> None:
        try:
            self.srv.call("shutdown", None, timeout=10)
            self.srv.notify("exit", None)
            self.srv.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 (a dead server is counted already)
            self.srv.kill()


def _diagnostic_view(diagnostics: list[dict]) -> list:
    keys = ("range", "severity", "code", "source", "message", "tags")
    return sorted(json.dumps({k: d.get(k) for k in keys}, sort_keys=True) for d in diagnostics)


def _edits_of(answer: dict) -> list:
    edits = []
    for action in answer.get("result") or []:
        change = action.get("edit") or {}
        for doc in change.get("documentChanges") or []:
            edits += doc.get("edits", [])
        for doc_edits in (change.get("changes") or {}).values():
            edits += doc_edits
    return edits


def _past_line_end(text: str, edits: list, encoding: str) -> list:
    lines = LSP_BREAK.split(text)
    bad = []
    for edit in edits:
        for pos in (edit["range"]["start"], edit["range"]["end"]):
            if pos["line"] >= len(lines) or pos["character"] > units(lines[pos["line"]], encoding):
                bad.append(edit)
    return bad


def campaign_lsp(args, tally: Tally, scratch: Path) -> None:
    rng = random.Random(f"lsp-{args.seed}")
    ws = _copy_workspace(scratch / "lsp-ws")
    from importwarden.project.engine import Project

    with _quiet():
        project = Project.load(ws)
    texts = _workspace_texts(ws)
    # Files with findings (diagnostics and fix-all edits to compare), and a few without.
    with_findings = [p for p, text in texts.items() if project.check_source(p, text)]
    others = [p for p, text in texts.items() if text and p not in with_findings]
    seeds = [(Path(p).relative_to(ws).as_posix(), texts[p])
             for p in with_findings * 4 + others]
    budget = Budget(args.tries, args.seconds)
    servers: dict[str, FuzzServer] = {}
    counted_tracebacks = Counter()
    try:
        while budget.more(tally):
            encoding = ("utf-8", "utf-16", "utf-32")[tally.tries % 3]
            if encoding not in servers:
                servers[encoding] = FuzzServer(ws, encoding)
                if servers[encoding].negotiated != encoding:
                    tally.failure("wrong", f"asked for {encoding}, got {servers[encoding].negotiated}",
                                  "init", b"", {})
            server = servers[encoding]
            rel, seed = rng.choice(seeds)
            # (the fixture files are short: two of them give the edits more to work on)
            text = _lsp_seed_text(rng, seed + rng.choice(seeds)[1])
            # A new file beside the seed (same package): each sequence starts from a fresh open.
            uri = (ws / Path(rel).with_name(f"fuzz_{tally.tries}.py")).as_uri()
            tally.tries += 1
            steps = []
            meta = {"encoding": encoding, "seed": rel, "start": text, "steps": steps}

            def save(meta=meta) -> bytes:
                return json.dumps(meta, ensure_ascii=False).encode()

            try:
                server.srv.notify("textDocument/didOpen", {"textDocument": {
                    "uri": uri, "languageId": "python", "version": 1, "text": text}})
                version = 1
                for _ in range(rng.choice([1, 3, 10, 30])):
                    changes, text = random_changes(rng, text, encoding)
                    version += 1
                    steps.append(changes)
                    sent = server.srv.notify("textDocument/didChange", {
                        "textDocument": {"uri": uri, "version": version}, "contentChanges": changes})
                incremental = server.published(uri, version)
                elapsed = time.perf_counter() - sent
                fix_incremental = server.fix_all(uri, text)
                server.srv.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                server.srv.notify("textDocument/didOpen", {"textDocument": {
                    "uri": uri, "languageId": "python", "version": version + 1, "text": text}})
                fresh = server.published(uri, version + 1)
                fix_fresh = server.fix_all(uri, text)
                position = (incremental[0]["range"]["start"] if incremental
                            else {"line": 0, "character": 0})
                _, hover = server.srv.call("textDocument/hover", {
                    "textDocument": {"uri": uri}, "position": position}, timeout=60)
                server.srv.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            except AssertionError as exc:  # timed out or the server exited
                alive = server.srv.proc.poll() is None
                tally.failure("wrong", "server stopped answering" if alive else "server exited",
                              rel, save(), {"error": str(exc)[-3000:]}, ".json")
                tally.tracebacks += server.tracebacks() - counted_tracebacks[encoding]
                counted_tracebacks[encoding] = 0
                server.srv.kill()
                del servers[encoding]
                continue
            meta["final"] = text
            tally.timed(elapsed, f"{len(steps)} changes on {rel} ({encoding}, {len(text):,} chars)",
                        rel, save(), {}, ".json")
            if _diagnostic_view(incremental) != _diagnostic_view(fresh):
                tally.failure("wrong", "diagnostics differ from a fresh open", rel, save(),
                              {"incremental": incremental, "fresh": fresh}, ".json")
            edits_a, edits_b = _edits_of(fix_incremental), _edits_of(fix_fresh)
            if edits_a != edits_b:
                tally.failure("wrong", "fix-all edit differs from a fresh open", rel, save(),
                              {"incremental": edits_a, "fresh": edits_b}, ".json")
            if _past_line_end(text, edits_b, encoding):
                tally.failure("wrong", "fix-all edit past the end of a line", rel, save(),
                              {"edits": edits_b}, ".json")
            if "error" in hover:
                tally.failure("wrong", "hover answered with an error", rel, save(),
                              {"hover": hover}, ".json")
            if incremental:
                tally.notes["sequences with diagnostics"] += 1
            if edits_b:
                tally.notes["sequences with a fix-all edit"] += 1
            new = server.tracebacks() - counted_tracebacks[encoding]
            if new > 0:  # (one failure kept per sequence; every traceback counted)
                tally.failure("tracebacks", "in the server's stderr or log", rel, save(),
                              {"stderr": server.srv.tail()}, ".json")
                tally.tracebacks += new - 1
                counted_tracebacks[encoding] += new
            server.trim()
    finally:
        for server in servers.values():
            server.close()


# --------------------------------------------------------------------------- cache

CACHE_SOURCE = Path("netra_backend/app/routes/clean.py")  # edited to send a run down the slow path


def _tree_digest(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".importwarden_cache" not in path.parts:
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def damage_cache(rng: random.Random, ws: Path, other: Path) -> str:
    cache = ws / ".importwarden_cache"
    files = sorted(p for p in cache.rglob("*") if p.is_file())
    what = rng.choice(["flip", "flip", "truncate", "empty", "append", "swap", "swap-dir",
                       "exchange", "header"])
    if what == "swap-dir" or not files:  # project B's whole cache directory over A's
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(other / ".importwarden_cache", cache)
        return "swap-dir"
    target = rng.choice(files)
    data = target.read_bytes()
    name = target.relative_to(cache).as_posix()
    if what == "flip":
        new, how = flip_bits(rng, data)
        target.write_bytes(new)
        return f"{how} in {name}"
    if what == "truncate":
        target.write_bytes(data[: rng.randrange(len(data) + 1)])
    elif what == "empty":
        target.write_bytes(b"")
    elif what == "append":
        target.write_bytes(data + rng.choice([b"\x00" * 64, data[:200], os.urandom(33)]))
    elif what == "header":  # the payload kept, the first bytes (magic, kind, version) damaged
        target.write_bytes(os.urandom(16) + data[16:])
    elif what == "exchange":  # two files of this cache swapped with each other
        other_file = rng.choice(files)
        a, b = target.read_bytes(), other_file.read_bytes()
        target.write_bytes(b)
        other_file.write_bytes(a)
        return f"exchange {name} <-> {other_file.relative_to(cache).as_posix()}"
    else:  # the same file from project B
        twin = other / target.relative_to(ws)
        if not twin.exists():
            twin = rng.choice(sorted(p for p in (other / ".importwarden_cache").rglob("*") if p.is_file()))
        shutil.copyfile(twin, target)
    return f"{what} {name}"


def campaign_cache(args, tally: Tally, scratch: Path) -> None:
    from hostile import check_in_process as check

    rng = random.Random(f"cache-{args.seed}")
    ws = _copy_workspace(scratch / "a")
    other = _copy_workspace(scratch / "b")
    (other / CACHE_SOURCE).write_text("import shared.b\n")  # (B's entries differ from A's)
    check(other)
    expected: dict[str, tuple[int, str]] = {}  # tree digest -> the --no-cache answer
    budget = Budget(args.tries, args.seconds)
    while budget.more(tally):
        if tally.tries % 3 == 0:  # a change in the tree: the index is consulted, not only the state
            source = ws / CACHE_SOURCE
            source.write_text(source.read_text() + f"import os  # {tally.tries}\n")
        check(ws)  # (a cache to damage)
        what = damage_cache(rng, ws, other)
        tally.tries += 1
        tree = _tree_digest(ws)
        key = json.dumps(tree, sort_keys=True)
        meta = {"damage": what}
        started = time.perf_counter()
        try:
            got = check(ws)
        except Exception:  # noqa: BLE001
            tally.failure("tracebacks", what, "cache", b"", {**meta, "traceback": _tb()})
            continue
        elapsed = time.perf_counter() - started
        tally.timed(elapsed, what, "cache", b"", meta)
        if _tree_digest(ws) != tree:
            tally.failure("lost", f"a file outside the cache changed ({what})", "cache", b"", meta)
        if key not in expected:
            expected[key] = check(ws, "--no-cache")
        if got != expected[key]:
            tally.failure("wrong", f"findings differ from --no-cache ({what})", "cache", b"",
                          {**meta, "got": got, "expected": expected[key]})
        if args.cli_every and (tally.tries - 1) % args.cli_every == 0:
            check(ws)
            damage_cache(rng, ws, other)
            proc = _run_cli(["check", "--output-format", "json"], ws)
            tally.notes["CLI samples"] += 1
            stderr = proc.stderr.decode("utf-8", "replace")
            if "Traceback" in stderr:
                tally.failure("tracebacks", "CLI check", "cache", b"", {"stderr": stderr[-3000:]})
            elif (proc.returncode, proc.stdout.decode()) != expected.setdefault(
                    json.dumps(_tree_digest(ws), sort_keys=True), check(ws, "--no-cache")):
                tally.failure("wrong", "CLI check differs from --no-cache", "cache", b"", {})


# --------------------------------------------------------------------------- main

CAMPAIGNS = {"registries": campaign_registries, "sources": campaign_sources,
             "lsp": campaign_lsp, "cache": campaign_cache}
WRONG_MEANS = {
    "registries": "an error/problem without file:line in the file; two equivalent spellings "
                  "(LF/CRLF/CR/BOM/UTF-16) read differently; the TOML export does not load "
                  "back; the CLI's `registry show` differs from the in-process read",
    "sources": "compiled before fix and not after; a line that is no import/use/mock target "
               "changed; a new newline style; a second fix changes more",
    "lsp": "diagnostics or fix-all edit after the edits differ from a fresh open of the final "
           "text; a fix-all edit past a line's end; no publish for the last version; no hover",
    "cache": "output or exit code differs from a --no-cache run",
}


def run_campaign(area: str, args) -> Tally:
    tally = Tally(area, args.out)
    for old in args.out.glob(f"{area}-*"):  # a previous run's inputs
        old.unlink()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"iw-fuzz-{area}-") as tmp:
        try:
            CAMPAIGNS[area](args, tally, Path(tmp))
        except Exception:  # noqa: BLE001 (the harness itself, or a set-up step of the engine)
            tally.failure("tracebacks", "campaign set-up or harness", "harness", b"",
                          {"traceback": _tb()})
            print(_tb(), file=sys.stderr)
    tally.seconds = time.monotonic() - started
    return tally


def _row(t: Tally) -> list[str]:
    kinds = "; ".join(f"{k} ×{n}" for k, n in sorted(t.kinds.items()))
    notes = "; ".join(f"{k}: {n:,}" for k, n in sorted(t.notes.items()))
    slowest = f"{common.fmt_seconds(t.slowest)}: {t.slowest_what}" if t.tries else "-"
    return [t.area, f"{t.tries:,}", str(t.tracebacks), str(t.wrong), str(t.lost),
            f"{t.seconds:.0f} s", slowest, "; ".join(x for x in (kinds, notes) if x)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaigns", default=",".join(AREAS),
                        help=f"comma-separated: {', '.join(AREAS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tries", type=int, default=1000, help="per campaign")
    parser.add_argument("--seconds", type=float, default=600, help="budget per campaign")
    parser.add_argument("--corpora", default="workspace,synthetic,real",
                        help="seed trees for the registries and sources campaigns "
                             "(workspace = tests/fixtures/workspace; missing corpora are skipped)")
    parser.add_argument("--source-seeds", type=int, default=120,
                        help="seed files per corpus with fixable findings (sources)")
    parser.add_argument("--cli-every", type=int, default=100,
                        help="one try in this many also goes through the CLI in a subprocess "
                             "(0: never)")
    parser.add_argument("--slow", type=float, default=30,
                        help="registries: a try slower than this is killed, counted and kept "
                             "(an open finding: reading must be linear)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where failing and slowest inputs are saved (git-ignored)")
    parser.add_argument("--results", type=Path, default=common.RESULTS_DIR / "fuzz.md")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    areas = [a.strip() for a in args.campaigns.split(",") if a.strip()]
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown campaign {', '.join(unknown)} (choose from {', '.join(AREAS)})")
    args.corpora = [c.strip() for c in args.corpora.split(",") if c.strip()]
    if any(c not in CORPORA for c in args.corpora):
        parser.error(f"--corpora: choose from {', '.join(CORPORA)}")
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    tallies = []
    for area in areas:
        print(f"== {area}", flush=True)
        tally = run_campaign(area, args)
        tallies.append(tally)
        print(common.markdown_table(HEADERS, [_row(tally)]), flush=True)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    table = common.markdown_table(HEADERS, [_row(t) for t in tallies])
    print(table)
    if not args.no_record:
        info = common.machine_info()
        command = common.shell_join([".venv/bin/python", "benchmarks/fuzz.py",
                                     *(argv if argv is not None else sys.argv[1:])])
        body = "\n".join([
            f"Command: `{command}`", "",
            (f"Revision {info['importwarden revision']}; {info['nproc']} CPUs ({info['cpu']}), "
             f"Python {info['python']}; load average {load_before} before, {load_after} after "
             "(other agents share the machine: times are wall times under that load)."), "",
            table, "",
            *(f"- **{t.area}** wrong = {WRONG_MEANS[t.area]}." for t in tallies),
            "", "Inputs kept (git-ignored): " + (", ".join(
                sorted({*[s for t in tallies for s in t.saved]})) or "only the slowest per area")
            + f", `{args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}/<area>-slowest.*`.",
        ])
        common.record_section(args.results, f"{common.today()} {', '.join(areas)} (seed {args.seed})", body)
    return 1 if any(t.failed for t in tallies) else 0


HEADERS = ["area", "tries", "tracebacks", "wrong outputs", "lost data", "wall", "slowest input",
           "what was seen"]

if __name__ == "__main__":
    sys.exit(main())
