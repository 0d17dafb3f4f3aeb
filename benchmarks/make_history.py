"""Turn a generated corpus into a git history, for the ``report`` benchmark.

    python benchmarks/make_history.py CORPUS OUT [--commits 50] [--per-commit 200] [--seed 0]

Commit 1 is the whole corpus. Each later commit changes ``--per-commit`` files: about a tenth
of them migrate one planted broken/deprecated import to its replacement (the registry's
``USE INSTEAD`` with the same names, so the findings converge), the rest get an edited helper
function (an ordinary change that moves no import). The commits in ``--registry-steps``
(default: 25) also edit the registry (one unverified entry loses its ``❓``), as a team's
registry changes along a migration: every file is checked again there. Deterministic for a
seed; author and dates are fixed (one commit per hour), so the history's shas are the same on
every machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
       "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def _git(out: Path, *args: str, hour: int = 0) -> str:
    stamp = f"2026-10-{1 + hour // 24:02d}T{hour % 24:02d}:00:00+00:00"
    env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    return subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "gc.auto=0", *args],
                          cwd=out, env=env, check=True, capture_output=True, text=True).stdout


REGISTRY_STEPS = (25,)


def make_history(corpus: Path, out: Path, commits: int = 50, per_commit: int = 200,
                 seed: int = 0, registry_steps: tuple[int, ...] = REGISTRY_STEPS) -> list[str]:
    """Build the history in ``out`` (replaced); return the shas, oldest first."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(corpus, out, ignore=shutil.ignore_patterns(".lock", ".importwarden_cache"))
    info = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    _git(out, "init", "-q", "-b", "main")
    _git(out, "add", "-A")
    _git(out, "commit", "-q", "-m", "corpus", hour=0)
    rng = random.Random(seed)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.py"))
    migrations = [(p["old_module"], p["new_module"]) for p in info["planted"]
                  if p["kind"] in ("broken_moved", "deprecated") and p["names"] == p["new_names"]]
    users: dict[str, list[str]] = {}
    for rel in files:
        text = (out / rel).read_text(encoding="utf-8")
        for old, new in migrations:
            if f"from {old} import " in text:
                users.setdefault(rel, []).append(old)
    by_old = dict(migrations)
    pending = sorted(users)
    rng.shuffle(pending)
    for k in range(1, commits):
        changed: set[str] = set()
        for rel in pending[:per_commit // 10]:
            path = out / rel
            text = path.read_text(encoding="utf-8")
            for old in users[rel]:
                text = text.replace(f"from {old} import ", f"from {by_old[old]} import ")
            path.write_text(text, encoding="utf-8")
            changed.add(rel)
        pending = pending[per_commit // 10:]
        while len(changed) < per_commit:
            rel = rng.choice(files)
            if rel in changed:
                continue
            with open(out / rel, "a", encoding="utf-8") as fh:
                fh.write(f"\n\ndef _history_step_{k}(value):\n    return value + {k}\n")
            changed.add(rel)
        subject = f"step {k}: {len(changed)} files"
        if k in registry_steps:
            registry = out / info["registry"]
            text = registry.read_text(encoding="utf-8")
            assert "  # \u2753" in text, "the corpus registry has no unverified entry left"
            registry.write_text(text.replace("  # \u2753", "", 1), encoding="utf-8")
            subject += " and the registry"
        _git(out, "add", "-A")
        _git(out, "commit", "-q", "-m", subject, hour=k)
    return _git(out, "rev-list", "--reverse", "HEAD").split()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--commits", type=int, default=50)
    parser.add_argument("--per-commit", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--registry-steps", default=",".join(map(str, REGISTRY_STEPS)),
                        help="commits (numbered from 0) that also edit the registry, "
                             "comma-separated; empty for none")
    args = parser.parse_args(argv)
    steps = tuple(int(k) for k in args.registry_steps.split(",") if k.strip())
    shas = make_history(args.corpus, args.out, args.commits, args.per_commit, args.seed, steps)
    print(f"{len(shas)} commits in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
