"""Stress ``fix`` against an editor saving the same files: no saved edit may be lost.

    python benchmarks/stress_fix.py [--seconds 60] [--files 8] [--json]

An editor process saves the files in a tight loop: it reads a file, checks that its own last
save is still there (the comment ``# edit F-K`` it wrote, on the import ``fix`` may have
rewritten meanwhile), and saves ``from old.mod import Thing  # edit F-K+1`` (a fixable import,
so ``fix`` always has work), half of the time in place (``open(…, "wb")``, as most editors do)
and half of the time through a temp file and a rename (as the others do). A save that is not
there when the editor next reads the file is a lost edit. Meanwhile this process runs the real
engine behind ``importwarden fix`` (``project.fix_run.fix_files``, in-process so that thousands
of runs fit in a minute) over the same files, again and again.

At the end each file must hold the editor's last save (fixed or not) and compile. Prints the tries and results (``--json``: one JSON object).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import tempfile
import time
from pathlib import Path

LINE = "from old.mod import Thing  # edit {f}-{k}\nprint(Thing)\n"


def _editor(root: str, files: int, seconds: float, queue) -> None:
    rng = random.Random(os.getpid())
    saved = [0] * files
    lost: list[str] = []
    stale_reads = 0
    modes = {"in place": 0, "rename": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        f = rng.randrange(files)
        path = os.path.join(root, "app", f"m{f}.py")
        with open(path, "rb") as fh:
            text = fh.read()
        mark = f"# edit {f}-{saved[f]}\n".encode()
        if mark not in text:
            # Not there: lost, or ``fix`` is between its swap and the swap back (it shows its
            # own text for microseconds while it checks the old file, longer when the machine
            # is loaded and it is descheduled in between). Look again for up to ~1 s: a lost
            # save never comes back.
            for pause in (0.02, 0.05, 0.1, 0.2, 0.6):
                time.sleep(pause)
                with open(path, "rb") as fh:
                    text = fh.read()
                if mark in text:
                    break
            if mark in text:
                stale_reads += 1
            else:
                lost.append(f"{f}-{saved[f]}")
        k = saved[f] + 1
        data = LINE.format(f=f, k=k).encode()
        if rng.random() < 0.5:
            with open(path, "wb") as fh:
                fh.write(data)
            modes["in place"] += 1
        else:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".editor-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            modes["rename"] += 1
        saved[f] = k
        if rng.random() < 0.3:
            time.sleep(rng.random() / 1000)
    queue.put((saved, lost, stale_reads, modes))


def make_project(root: Path, files: int):
    from importwarden.config import Settings
    from importwarden.project.engine import Project
    from importwarden.registry.model import (Entry, Provenance, Registry, Status, Target,
                                             replacement_applicability)

    (root / ".git").mkdir(parents=True)
    for pkg, text in (("old", ""), ("new", "class Thing: ...\n")):
        (root / pkg).mkdir()
        (root / pkg / "__init__.py").write_text("")
        (root / pkg / "mod.py").write_text(text)
    (root / "app").mkdir()
    paths = []
    for f in range(files):
        path = root / "app" / f"m{f}.py"
        path.write_text(LINE.format(f=f, k=0))
        paths.append(path)
    old, new = Target.parse("old.mod:Thing"), Target.parse("new.mod:Thing")
    registry = Registry(entries={old: Entry(
        old, Status.BROKEN, Provenance("REG.md", 1), new,
        replacement_applicability(old, new, inferred=False, different_api=False))})
    return Project(Settings(root=root), registry, None), paths


def stress(seconds: float, files: int) -> dict:
    from importwarden.project.fix_run import fix_files

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        project, paths = make_project(root, files)
        queue = multiprocessing.get_context("fork").Queue()
        editor = multiprocessing.get_context("fork").Process(
            target=_editor, args=(str(root), files, seconds, queue))
        editor.start()
        runs = fixed = changed = 0
        errors: dict[str, int] = {}
        while editor.is_alive():
            runs += 1
            for done in fix_files(project, paths, diff=False, unsafe=False):
                fixed += len(done.applied)
                if done.error is not None:
                    key = re.sub(r"^\S+: ", "", done.error)
                    if "changed" in key:
                        changed += 1
                    errors[key] = errors.get(key, 0) + 1
        saved, lost, stale_reads, modes = queue.get(timeout=30)
        editor.join()
        not_compiling = 0
        for f, path in enumerate(paths):
            text = path.read_text()
            if f"# edit {f}-{saved[f]}\n" not in text:
                lost.append(f"{f}-{saved[f]}")
            try:
                compile(text, str(path), "exec")
            except SyntaxError:
                not_compiling += 1
        leftovers = [p.name for p in (root / "app").iterdir() if p.name.endswith(".iw-tmp")]
    return {"seconds": seconds, "files": files, "edits saved": sum(saved),
            "edits in place": modes["in place"], "edits by rename": modes["rename"],
            "last saves checked": sum(saved) + files,
            "fix runs": runs, "fixes applied": fixed, "files left (changed meanwhile)": changed,
            "other errors": {k: v for k, v in errors.items() if "changed" not in k},
            "reads that saw fix's text for a moment": stale_reads,
            "lost edits": len(lost), "lost": lost[:20], "files not compiling": not_compiling,
            "temp files left": len(leftovers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = stress(args.seconds, args.files)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
