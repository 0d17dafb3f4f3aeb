"""Registry loading and look-up speed (targets from the issue).

- load the real 1,037-line registry (``netra_2025-09-17``): <= 50 ms
- load a generated 10,000-entry Markdown registry: <= 1 s (and its TOML export)
- look-ups (``module``, ``module:name``, a submodule under a module-level entry): <= 2 µs each
- text repair: ftfy on the whole file vs only the lines that need it
- a 200,000-line registry in the shapes issue 15 timed (``lines_registry``): <= 5 s

Loading is timed in-process (median of several runs after one warm-up), since the target is the
loader's cost; the cold cost of a fresh interpreter importing importwarden.registry and loading
the real registry is measured once as a subprocess for context.

    .venv/bin/python benchmarks/bench_registry.py            # print and record results
    .venv/bin/python benchmarks/bench_registry.py --no-record
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    REPO_ROOT,
    RESULTS_DIR,
    machine_info,
    machine_info_markdown,
    markdown_table,
    record_section,
    shell_join,
    today,
)

NETRA = REPO_ROOT / "tests" / "fixtures" / "registries" / "netra_2025-09-17_SSOT_IMPORT_REGISTRY.md"
SEED = REPO_ROOT / "tests" / "fixtures" / "registries" / "seed_2025-09-11_SSOT_IMPORT_REGISTRY.md"
TARGETS = {"real": 0.050, "10k": 1.0, "lookup": 2e-6, "200k lines": 5.0}


def median_time(fn, repeat: int) -> tuple[float, float, float]:
    """Median and min wall seconds, and median CPU seconds of this process (``process_time``:
    what the loader costs, less sensitive than wall time to other work on a shared machine)."""
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), min(times), statistics.median(cpu)


def generate_registry(entries: int, seed: int = 0) -> str:
    """A Markdown registry shaped like the real one: services, VERIFIED/BROKEN sections,
    captions, trailing markers, USE INSTEAD lines, compatibility pairs, mojibake lines."""
    rng = random.Random(seed)
    services = ["netra_backend", "auth_service", "analytics_service", "shared"]
    out = ["# SSOT IMPORT REGISTRY", ""]
    count = 0
    section = 0
    while count < entries:
        service = services[section % len(services)]
        section += 1
        kind = rng.choice(["verified", "verified", "broken", "compat"])
        heading = {"verified": "#### ✅ VERIFIED IMPORTS (Working):",
                   "broken": "#### \u00e2\u0152 BROKEN IMPORTS (Do Not Use):",  # lost-byte mojibake
                   "compat": "#### ✅ BACKWARD COMPATIBILITY MAINTAINED:"}[kind]
        out += [f"### {service} Service", "", heading, "```python"]
        for group in range(10):
            out.append(f"# Group {group} (VERIFIED 2025-09-{10 + group % 20})")
            for _ in range(5):
                module = f"{service}.app.m{section}.g{group}.mod{rng.randrange(1000)}"
                names = [f"Name{count + i}" for i in range(rng.choice([1, 1, 2, 3]))]
                count += len(names)
                if kind == "broken":
                    out.append(f"from {module} import {', '.join(names)}  # \u00e2\u0152 BROKEN PATH")
                    out.append(f"# USE INSTEAD: from {module}_new import {', '.join(names)}")
                elif kind == "compat":
                    out.append(f"from {module} import {', '.join(names)}  # New compatibility alias")
                    out.append(f"from {module}_ssot import {', '.join(names)}  # Original SSOT location")
                    count += len(names)
                else:
                    mark = rng.choice(["", "", "  # ✅", "  # \u00e2\u0153\u2026 VERIFIED",
                                       "  # ❓", "  # CANONICAL"])
                    out.append(f"from {module} import {', '.join(names)}{mark}")
            out.append("")
        out += ["```", ""]
    out += ["### Service Isolation Rules:",
            "1. **NEVER import between services** (except shared utilities)", ""]
    return "\n".join(out)


def lines_registry(lines: int = 200_000) -> str:
    """A registry of ``lines`` entry lines in one fenced block, the shapes issue 15 timed:
    imports with markers, commented-out imports, replacement lines (also what
    tests/security/test_linear_time.py reads in <= 5 s)."""
    rows = []
    for i in range(lines // 4):
        rows.append(f"from pkg.module{i} import Name{i % 50}  # DEPRECATED")
        rows.append(f"# USE INSTEAD: from pkg.new{i} import Name{i % 50}")
        rows.append(f"# from pkg.gone{i} import Thing{i % 50}  # BROKEN")
        rows.append(f"from pkg.ok{i} import Item{i % 50}  # VERIFIED")
    return "# Registry\n\n```python\n" + "\n".join(rows) + "\n```\n"


def bench_load(path: Path, repeat: int) -> dict:
    from importwarden.registry.load import load_registries

    registry = load_registries([path])
    med, best, cpu = median_time(lambda: load_registries([path]), repeat)
    lines = path.read_text(encoding="utf-8").count("\n") + 1
    return {"registry": registry, "median": med, "min": best, "cpu": cpu, "lines": lines,
            "entries": len(registry.entries)}


def bench_lookups(registry) -> dict[str, float]:
    """Seconds per look-up, for each kind (median of 5 timeit rounds)."""
    from importwarden.registry.model import Target

    named = [e.target for e in registry.entries.values() if e.target.name][:1000]
    modules = [t.module for t in named]
    registry.entries.setdefault(Target("bench_pkg.moved"), next(iter(registry.entries.values())))
    registry.reindex()
    lookup = registry.lookup
    cases = {
        "module:name": lambda: [lookup(t.module, t.name) for t in named],
        "module": lambda: [lookup(m) for m in modules],
        "prefix (submodule of a module-level entry)":
            lambda: [lookup("bench_pkg.moved.a.b.c", "X") for _ in named],
        "miss (not in the registry)": lambda: [lookup("other.pkg.mod", "Y") for _ in named],
    }
    out = {}
    for label, fn in cases.items():
        rounds = timeit.repeat(fn, number=20, repeat=5)
        out[label] = statistics.median(rounds) / (20 * len(named))
    return out


def bench_repair(path: Path) -> dict[str, float]:
    import ftfy

    from importwarden.registry.text import decode_bytes, repair

    text = decode_bytes(path.read_bytes())
    whole = median_time(lambda: ftfy.fix_text(text), 5)[2]
    per_line = median_time(lambda: repair(text), 5)[2]
    return {"ftfy.fix_text on the whole file": whole, "repair (only lines that need it)": per_line}


def cold_start() -> float:
    code = ("import time; t=time.perf_counter(); "
            "from importwarden.registry.load import load_registries; "
            f"load_registries([{str(NETRA)!r}]); print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def ok(value: float, target: float) -> str:
    return "yes" if value <= target else "**NO**"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-record", action="store_true", help="print only")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--lines", type=int, default=200_000,
                        help="entry lines of the big registry (issue 15: 200,000 in <= 5 s)")
    args = parser.parse_args()

    rows = []

    def row(label: str, result: dict, target: str, limit: float) -> list:
        return [label, result["lines"], result["entries"], fmt(result["median"]),
                fmt(result["min"]), fmt(result["cpu"]), target,
                f"wall {ok(result['min'], limit)}, CPU {ok(result['cpu'], limit)}"]

    real = bench_load(NETRA, args.repeat)
    rows.append(row("netra_2025-09-17 (real)", real, "<= 50 ms", TARGETS["real"]))
    seed = bench_load(SEED, args.repeat)
    rows.append(row("seed_2025-09-11 (real, mojibake)", seed, "<= 50 ms", TARGETS["real"]))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "GENERATED_IMPORT_REGISTRY.md"
        big.write_text(generate_registry(args.entries), encoding="utf-8")
        gen = bench_load(big, max(3, args.repeat // 3))
        rows.append(row(f"generated ({args.entries:,} entries written)", gen, "<= 1 s",
                        TARGETS["10k"]))
        from importwarden.registry.export import to_toml

        exported = Path(tmp) / "importwarden.toml"
        exported.write_text(to_toml(gen["registry"]), encoding="utf-8")
        toml = bench_load(exported, max(3, args.repeat // 3))
        rows.append(row("its TOML export", toml, "<= 1 s", TARGETS["10k"]))
        lookups = bench_lookups(gen["registry"])
        lined = Path(tmp) / "LINES_IMPORT_REGISTRY.md"
        lined.write_text(lines_registry(args.lines), encoding="utf-8")
        many = bench_load(lined, max(1, args.repeat // 5))
        rows.append(row(f"{args.lines:,} entry lines (issue 15 shapes)", many, "<= 5 s",
                        TARGETS["200k lines"]))
    repair = bench_repair(SEED)
    cold = cold_start()

    load_table = markdown_table(["registry", "lines", "entries", "wall median", "wall min",
                                 "CPU median", "target", "met (min wall / CPU)"], rows)
    lookup_table = markdown_table(
        ["look-up (10k registry)", "per call", "target", "met"],
        [[k, fmt(v), "<= 2 µs", ok(v, TARGETS["lookup"])] for k, v in lookups.items()])
    repair_table = markdown_table(["text repair (seed, 719 lines, mojibake)", "CPU median"],
                                  [[k, fmt(v)] for k, v in repair.items()])
    body = "\n\n".join([
        f"Command: `{shell_join(['.venv/bin/python', 'benchmarks/bench_registry.py', *sys.argv[1:]])}`",
        machine_info_markdown(machine_info()),
        "### Loading (in-process, read + decode + repair + parse + combine)",
        ("Wall time on this shared machine depends on what else runs (see the load average "
         "above); CPU time is the loader's own cost."),
        load_table,
        (f"Cold: a fresh interpreter importing `importwarden.registry` and loading the real "
         f"registry: {fmt(cold)} (imports of markdown-it-py and ftfy included)."),
        "### Look-ups", lookup_table,
        "### Text repair", repair_table,
    ])
    print(body)
    if not args.no_record:
        record_section(RESULTS_DIR / "registry.md", f"{today()} bench_registry", body,
                       intro="# Recorded benchmark results: registry loading and look-ups\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
