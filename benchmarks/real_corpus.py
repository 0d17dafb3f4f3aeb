"""The real corpus: the public Ansible 12.3.0 distribution from PyPI, with a generated registry.

    python benchmarks/real_corpus.py [OUT]          # default: benchmarks/corpus-real/ansible-12.3.0

Real trees differ from the synthetic one in ways that matter for speed: more findings per file,
many files per package, big re-export hubs, long generated modules (cisco.dnac has 200+ KB
files), namespace packages without ``__init__.py``. This script makes such a tree reproducible:

1. ``pip download --no-deps ansible==12.3.0`` into ``benchmarks/corpus-real/download/``
   (gitignored), and the wheel's sha256 must be :data:`WHEEL_SHA256`;
2. the wheel is unzipped into OUT (15,259 ``.py`` files, 4.7 M lines);
3. ``SSOT_IMPORT_REGISTRY.md`` is written at OUT's root, in the Markdown style of a hand-kept
   registry, declaring about 40 real modules that the tree imports as moved (broken, with
   ``USE INSTEAD``) or deprecated, with the names the tree imports from them, and verified
   entries for the most-used paths. The tree is then made a migration in progress: each moved
   module's file really moves to its new path (``…/module_utils/_consolidated/``), each
   deprecated one is copied there. The new paths are invented (nothing in Ansible moved): this
   gives the checker a real migration's workload; it is not advice about Ansible;
4. ``corpus.json`` records the stats, the banned targets (for ruff's TID251) and the most
   imported module (the file the "one edit" scenario touches), in the shape
   ``generate_corpus.py`` writes, so ``run_check.py`` treats both corpora alike.

Deterministic: the registry is chosen from import counts with ties broken by name.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

VERSION = 1  # bump when the registry or the stats change shape: ensure() then rewrites OUT
PACKAGE = "ansible==12.3.0"
WHEEL_NAME = "ansible-12.3.0-py3-none-any.whl"
WHEEL_SHA256 = "cd156f82fa87f7a899212b0efa9f7ca3a24d609212de9f78428a572eb01e5414"
REAL_DIR = common.BENCH_DIR / "corpus-real"
DEFAULT_TREE = REAL_DIR / "ansible-12.3.0"

# Real deprecations of ansible-core paths that the collections still import (ansible-core is
# not in this wheel, so these paths do not resolve in the tree: broken entries give IW001).
CORE_ENTRIES = [
    ("broken", "ansible.module_utils._text", ["to_native", "to_text", "to_bytes"],
     "ansible.module_utils.common.text.converters"),
    ("deprecated", "ansible.module_utils.six", ["string_types", "iteritems"], "six"),
    ("broken", "ansible.module_utils.six.moves.urllib.parse", ["urlparse", "quote"], "urllib.parse"),
    ("broken", "ansible.module_utils.six.moves.urllib.error", ["HTTPError", "URLError"], "urllib.error"),
    ("deprecated", "ansible.module_utils.common._collections_compat", ["Mapping", "MutableMapping"],
     "collections.abc"),
    ("deprecated", "ansible.module_utils.compat.version", ["LooseVersion"], "packaging.version"),
]
VERIFIED_CORE = [
    ("ansible.module_utils.basic", ["AnsibleModule"]),
    ("ansible.module_utils.connection", ["Connection", "ConnectionError"]),
    ("ansible.errors", ["AnsibleError"]),
    ("ansible.module_utils.common.text.converters", ["to_native", "to_text"]),
]
N_MOVED = 22  # collection modules moved in the tree (broken + USE INSTEAD)
N_DEPRECATED = 14  # collection modules copied to a new path, the old one kept (deprecated)

_FROM_RE = re.compile(
    r"^[ \t]*from[ \t]+((?:ansible_collections|ansible)\.[\w.]+)[ \t]+import[ \t]+\(?[ \t]*([\w \t,]+)",
    re.MULTILINE)


def fetch_wheel(download_dir: Path = REAL_DIR / "download") -> Path:
    """The wheel, downloaded once; its sha256 is checked every time."""
    wheel = download_dir / WHEEL_NAME
    if not wheel.exists():
        download_dir.mkdir(parents=True, exist_ok=True)
        print(f"real_corpus: pip download --no-deps {PACKAGE} -> {download_dir}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", PACKAGE,
                        "-d", str(download_dir)], check=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"real_corpus: {wheel}: sha256 {digest} is not the recorded {WHEEL_SHA256}")
    return wheel


def import_counts(tree: Path) -> tuple[Counter, Counter, dict]:
    """Files importing each module (``from M import ...``), files importing each (module, name),
    and line stats."""
    modules: Counter = Counter()
    names: Counter = Counter()
    files = lines = size = 0
    per_file_lines: list[int] = []
    for path in sorted(tree.rglob("*.py")):
        data = path.read_bytes()
        text = data.decode("utf-8", "replace")
        files += 1
        size += len(data)
        n = text.count("\n")
        lines += n
        per_file_lines.append(n)
        seen: set[str] = set()
        for m in _FROM_RE.finditer(text):
            module = m.group(1)
            for name in m.group(2).split(","):
                name = name.strip().split(" ")[0]
                if name and (module, name) not in seen:
                    seen.add((module, name))  # type: ignore[arg-type]
                    names[(module, name)] += 1
            if module not in seen:
                seen.add(module)
                modules[module] += 1
    per_file_lines.sort()
    stats = {"files": files, "lines": lines, "bytes": size,
             "median_lines": per_file_lines[len(per_file_lines) // 2] if per_file_lines else 0,
             "max_lines": per_file_lines[-1] if per_file_lines else 0}
    return modules, names, stats


def _module_file(tree: Path, module: str) -> Path | None:
    base = tree / module.replace(".", "/")
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


def plan(tree: Path, modules: Counter, names: Counter) -> dict:
    """Choose the registry's entries from what the tree imports (most-imported first, ties by
    name): collection modules that exist as files, ranked 3rd onwards (the top two hubs would
    make every fortinet file a finding)."""
    ranked = sorted(((c, m) for m, c in modules.items()
                     if m.startswith("ansible_collections.") and _module_file(tree, m)),
                    key=lambda cm: (-cm[0], cm[1]))
    chosen = [m for _, m in ranked[2:2 + N_MOVED + N_DEPRECATED]]

    def top_names(module: str, k: int) -> list[str]:
        found = sorted(((c, n) for (m, n), c in names.items() if m == module), key=lambda cn: (-cn[0], cn[1]))
        return [n for _, n in found[:k]] or ["*"]

    def moved_to(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:-1] + ["_consolidated", parts[-1]])

    entries = []
    for status, module, nms, new in CORE_ENTRIES:
        entries.append({"kind": status, "old": module, "names": nms, "new": new, "new_names": nms})
    for i, module in enumerate(chosen):
        nms = [n for n in top_names(module, 2) if n != "*"]
        if i < N_MOVED:
            entries.append({"kind": "broken", "old": module, "names": nms, "new": moved_to(module), "new_names": nms})
        else:
            entries.append({"kind": "deprecated", "old": module, "names": nms, "new": moved_to(module),
                            "new_names": nms})
    most_imported = ranked[0][1] if ranked else None
    return {"entries": entries, "most_imported": most_imported}


def _imp(module: str, names: list[str]) -> str:
    return f"from {module} import {', '.join(names)}" if names else f"import {module}"


def render_registry(entries: list[dict]) -> str:
    out = [
        "# SSOT IMPORT REGISTRY",
        "**SINGLE SOURCE OF TRUTH - MASTER IMPORT REFERENCE**",
        "",
        "Generated by benchmarks/real_corpus.py for the Ansible 12.3.0 tree: a migration in progress,",
        "not advice about Ansible.",
        "",
        "## ansible-core paths",
        "",
        "#### ✅ VERIFIED IMPORTS (Working):",
        "```python",
    ]
    out += [_imp(m, n) + "  # ✅ CANONICAL" for m, n in VERIFIED_CORE]
    out += ["```", "", "#### ❌ BROKEN IMPORTS (Do Not Use):", "```python"]
    for e in entries[:len(CORE_ENTRIES)]:
        marker = "❌ BROKEN PATH" if e["kind"] == "broken" else "⚠️ DEPRECATED (generates warnings)"
        out += ["", _imp(e["old"], e["names"]) + f"  # {marker}", "# USE INSTEAD: " + _imp(e["new"], e["new_names"])]
    out += ["```", "", "## Collections", ""]
    by_collection: dict[str, list[dict]] = {}
    for e in entries[len(CORE_ENTRIES):]:
        by_collection.setdefault(".".join(e["old"].split(".")[:3]), []).append(e)
    for collection in sorted(by_collection):
        out += [f"### {collection}", "", "```python"]
        for e in by_collection[collection]:
            if e["kind"] == "broken":
                out += ["", "# CRITICAL: module moved during consolidation",
                        _imp(e["old"], e["names"]) + "  # ❌ BROKEN PATH",
                        "# USE INSTEAD: " + _imp(e["new"], e["new_names"])]
            else:
                out += ["", _imp(e["old"], e["names"]) + "  # ⚠️ DEPRECATED (generates warnings)",
                        "# USE INSTEAD: " + _imp(e["new"], e["new_names"])]
        out += ["```", ""]
    return "\n".join(out) + "\n"


def banned(entries: list[dict]) -> list[dict]:
    """ruff TID251 targets: the old module of each moved or deprecated entry."""
    return [{"target": e["old"], "status": e["kind"], "message": f"use {e['new']} instead"} for e in entries]


def migrate(tree: Path, entries: list[dict]) -> None:
    """Make the tree a migration in progress: a moved collection module's file goes to its new
    path (its importers now break: IW001, fixable); a deprecated one is copied there and the
    old file kept (IW002, fixable). ansible-core paths are not in the tree: nothing to move."""
    for e in entries:
        old = _module_file(tree, e["old"])
        if old is None or old.name == "__init__.py":
            continue
        new = tree / (e["new"].replace(".", "/") + ".py")
        new.parent.mkdir(parents=True, exist_ok=True)
        if e["kind"] == "broken":
            old.rename(new)
        else:
            shutil.copyfile(old, new)


def build(out: Path) -> dict:
    wheel = fetch_wheel()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(out)
    modules, names, stats = import_counts(out)
    chosen = plan(out, modules, names)
    migrate(out, chosen["entries"])
    (out / "SSOT_IMPORT_REGISTRY.md").write_text(render_registry(chosen["entries"]), encoding="utf-8")
    most = chosen["most_imported"]
    info = {
        "kind": "real",
        "params": {"package": PACKAGE, "sha256": WHEEL_SHA256},
        "generator_version": VERSION,
        "stats": {**stats, "import_statements": sum(modules.values()),
                  "imports_per_file": round(sum(modules.values()) / max(1, stats["files"]), 1),
                  "first_party_share": None,
                  "files_using_registry_targets": None},
        "expected_uses": {},
        "big_files": [],
        "banned": banned(chosen["entries"]),
        "registry_entries": len(chosen["entries"]) + len(VERIFIED_CORE),
        "touch_file": str(_module_file(out, most).relative_to(out)) if most else None,
        "touch_module_importers": modules[most] if most else 0,
    }
    (out / "corpus.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def ensure(out: Path = DEFAULT_TREE) -> dict:
    """The tree with its registry, built when missing or made by another VERSION."""
    info_file = out / "corpus.json"
    if info_file.exists():
        info = json.loads(info_file.read_text(encoding="utf-8"))
        if info.get("generator_version") == VERSION:
            return info
    return build(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, nargs="?", default=DEFAULT_TREE)
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = p.parse_args(argv)
    info = build(args.out) if args.force else ensure(args.out)
    st = info["stats"]
    print(f"{args.out}: {st['files']} files, {st['lines']:,} lines, {len(info['banned'])} banned targets, "
          f"{info['registry_entries']} registry entries; touch file {info['touch_file']} "
          f"({info['touch_module_importers']} importers)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    sys.exit(main())
