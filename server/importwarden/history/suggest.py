"""``registry suggest``: registry entries read from the git history.

One pass over ``git log --raw -M`` (oldest first) collects events:

- a ``.py`` file renamed (git's rename detection) -> the old module moved to the new one;
- a module whose definitions gave way to imports only -> a re-export shim;
- a definition that left one module and appeared in another in the same commit (same name and
  kind, source similar by ``difflib`` ratio) -> the name moved;
- a definition that left and went nowhere -> removed.

Then each event is judged against today's workspace (the index of the work tree): a move is
followed to where the module or name lives now, a removal counts only while the workspace still
imports the name, and nothing the registry already says is suggested again. Where the registry
says a path works that history deleted, that is a contradiction, reported and never written.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from importwarden.history.definitions import Module, read_module
from importwarden.history.git import LOG_FORMAT, BlobReader, Change, Commit, Repo, parse_raw
from importwarden.registry.model import Registry, Status, Target

# A name that left one module and appeared in another with the same name and kind is a move
# when its source is at least this similar (difflib ratio); a rewrite in passing stays a move.
SIMILARITY = 0.6


@dataclass(frozen=True)
class Evidence:
    commit: str
    date: str
    author: str
    subject: str
    files: tuple[str, ...]
    what: str  # "moved" | "shim" | "name moved" | "removed" | "deleted"

    def short(self) -> str:
        return self.commit[:12]

    def to_json(self) -> dict:
        return {"commit": self.commit, "date": self.date, "author": self.author,
                "subject": self.subject, "files": list(self.files), "what": self.what}


@dataclass(frozen=True)
class Suggestion:
    target: Target
    status: Status
    replacement: Target | None
    kind: str  # "module-moved" | "shim" | "name-moved" | "name-removed" | "module-deleted"
    evidence: tuple[Evidence, ...]

    def sort_key(self) -> tuple:
        return (self.target.module, self.target.name or "", self.kind)

    def to_json(self) -> dict:
        return {"target": str(self.target), "status": self.status.value,
                "replacement": str(self.replacement) if self.replacement else None,
                "kind": self.kind, "evidence": [e.to_json() for e in self.evidence]}


@dataclass(frozen=True)
class Contradiction:
    target: Target
    status: Status  # what the registry says
    where: str  # file:line of the registry entry
    message: str
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict:
        return {"target": str(self.target), "registry_status": self.status.value,
                "where": self.where, "message": self.message,
                "evidence": [e.to_json() for e in self.evidence]}


@dataclass
class Suggestions:
    suggestions: list[Suggestion] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)
    commits: int = 0

    def to_json(self) -> dict:
        return {"suggestions": [s.to_json() for s in self.suggestions],
                "contradictions": [c.to_json() for c in self.contradictions],
                "commits": self.commits}


class Workspace:
    """What today's work tree says (the engine's workspace index), as suggest asks it."""

    def __init__(self, index) -> None:
        self.index = index
        self._imported: set[tuple[str, str | None]] | None = None

    def resolves(self, target: Target) -> bool:
        return bool(self.index.resolves(target.module, target.name))

    def first_party(self, module: str) -> bool:
        return bool(self.index.is_first_party(module))

    def module(self, name: str) -> Module | None:
        path = self.index.path_of(name)
        if path is None:
            return None
        try:
            text = Path(path).read_bytes()
        except OSError:
            return None
        return read_module(text, name, Path(path).name == "__init__.py")

    def imports(self, target: Target) -> bool:
        """Whether some file of the workspace imports ``target`` (module or module:name)."""
        if self._imported is None:
            found: set[tuple[str, str | None]] = set()
            for path in self.index.files():
                fi = self.index.file_imports(path)
                for ref in fi.refs if fi else ():
                    found.add((ref.module, ref.name))
                    found.add((ref.module, None))
            self._imported = found
        return (target.module, target.name) in self._imported


@dataclass
class _Walk:
    """Events collected from the history, oldest first."""

    module_moves: dict[str, tuple[str, Evidence]] = field(default_factory=dict)
    deleted: dict[str, Evidence] = field(default_factory=dict)
    shims: dict[str, Evidence] = field(default_factory=dict)
    name_moves: dict[tuple[str, str], tuple[tuple[str, str], Evidence]] = field(
        default_factory=dict)
    removed: dict[tuple[str, str], Evidence] = field(default_factory=dict)
    commits: int = 0


def walk(repo: Repo, roots: Iterable[Path], since: str | None = None,
         commits: Sequence[str] | None = None) -> _Walk:
    """The events of ``since..HEAD`` (all of HEAD's history by default), or of ``commits``
    only."""
    roots = tuple(roots)
    if not repo.has_commits():
        return _Walk()
    if commits is not None:
        revs = ["--no-walk=sorted", *commits]
    else:
        revs = [f"{repo.resolve(since)}..HEAD" if since else "HEAD"]
    text = repo.run("log", "--reverse", "-z", "--raw", "--no-abbrev", "-M", "--no-merges",
                    LOG_FORMAT, *revs, "--", "*.py")
    out = _Walk()
    top = str(repo.top)

    def module_of(path: str | None) -> tuple[str, bool] | None:
        from importwarden.workspace.index import module_for_path_in

        if path is None or not path.endswith(".py"):
            return None
        return module_for_path_in(roots, os.path.join(top, *path.split("/")))

    history = parse_raw(text)
    out.commits = len(history)
    with BlobReader(repo) as blobs:
        for commit, changes in history:
            _commit_events(commit, changes, module_of, blobs, out)
    return out


def _evidence(commit: Commit, files: Iterable[str], what: str) -> Evidence:
    return Evidence(commit.sha, commit.date, commit.author, commit.subject,
                    tuple(dict.fromkeys(files)), what)


def _commit_events(commit: Commit, changes: list[Change], module_of, blobs: BlobReader,
                   out: _Walk) -> None:
    wanted = [b for c in changes for b in (c.old_blob, c.new_blob) if b]
    texts = blobs.read_many(sorted(set(wanted)))
    removed: dict[tuple[str, str], tuple[str, str, str]] = {}  # (module, name) -> kind, body, path
    added: dict[str, list[tuple[str, str, str, str]]] = {}  # name -> [(module, kind, body, path)]
    renames: list[tuple[Change, str, str, Module, Module]] = []
    for change in changes:
        old = module_of(change.old_path)
        new = module_of(change.new_path)
        before = read_module(texts.get(change.old_blob, b""), *old) if old and change.old_blob \
            else Module()
        after = read_module(texts.get(change.new_blob, b""), *new) if new and change.new_blob \
            else Module()
        if change.status == "R" and old and new and old[0] != new[0]:
            renames.append((change, old[0], new[0], before, after))
            out.deleted.pop(new[0], None)
        elif change.status == "D" and old:
            out.deleted[old[0]] = _evidence(commit, (change.old_path,), "deleted")
        elif change.status == "A" and new:
            out.deleted.pop(new[0], None)
        if change.status == "M" and old and before.definitions and after.shim:
            out.shims[old[0]] = _evidence(commit, (change.old_path,), "shim")
        if old:
            for name, d in before.definitions.items():
                if name not in after.definitions or (new and new[0] != old[0]
                                                     and change.status != "R"):
                    removed[(old[0], name)] = (d.kind, d.body, change.old_path or "")
        if new:
            for name, d in after.definitions.items():
                if name not in before.definitions or (old and old[0] != new[0]
                                                      and change.status != "R"):
                    added.setdefault(name, []).append((new[0], d.kind, d.body,
                                                       change.new_path or ""))
    for (module, name), (kind, body, path) in sorted(removed.items()):
        best: tuple[float, str, str] | None = None
        for other, other_kind, other_body, other_path in added.get(name, ()):
            if other == module or other_kind != kind:
                continue
            matcher = difflib.SequenceMatcher(None, body, other_body, autojunk=False)
            if matcher.quick_ratio() < SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio >= SIMILARITY and (best is None or ratio > best[0]):
                best = (ratio, other, other_path)
        if best is not None:
            out.name_moves[(module, name)] = ((best[1], name), _evidence(
                commit, (path, best[2]), "name moved"))
            out.removed.pop((module, name), None)
        else:
            out.removed[(module, name)] = _evidence(commit, (path,), "removed")
    moved_out = {module for (module, _), (_, e) in out.name_moves.items() if e.commit == commit.sha}
    for change, old_module, new_module, before, after in renames:
        files = (change.old_path or "", change.new_path or "")
        if old_module not in moved_out:
            out.module_moves[old_module] = (new_module, _evidence(commit, files, "moved"))
            continue
        # A split: git paired the file with one of its parts, but names also left for other
        # modules. No one module replaces it; each name goes where it went.
        out.deleted[old_module] = _evidence(commit, (change.old_path or "",), "split")
        for name in sorted(set(before.definitions) & set(after.definitions)):
            out.name_moves[(old_module, name)] = ((new_module, name),
                                                  _evidence(commit, files, "name moved"))


def _follow_module(module: str, moves: dict[str, tuple[str, Evidence]]
                   ) -> tuple[str, list[Evidence]]:
    chain: list[Evidence] = []
    seen = {module}
    while module in moves:
        module, evidence = moves[module]
        chain.append(evidence)
        if module in seen:
            break
        seen.add(module)
    return module, chain


def _relocate(target: Target, walk_: _Walk) -> tuple[Target, list[Evidence]]:
    """Where ``target`` lives after every later move of its name or module."""
    chain: list[Evidence] = []
    seen = set()
    while target not in seen:
        seen.add(target)
        if target.name and (target.module, target.name) in walk_.name_moves:
            (module, name), evidence = walk_.name_moves[(target.module, target.name)]
            target, chain = Target(module, name), chain + [evidence]
            continue
        if target.module in walk_.module_moves:
            module, more = _follow_module(target.module, walk_.module_moves)
            target, chain = Target(module, target.name), chain + more
            continue
        break
    return target, chain


def suggest(repo: Repo, roots: Iterable[Path], registry: Registry, workspace: Workspace,
            since: str | None = None, commits: Sequence[str] | None = None) -> Suggestions:
    events = walk(repo, roots, since, commits)
    found: dict[Target, Suggestion] = {}

    def add(s: Suggestion) -> None:
        if s.target not in found:
            found[s.target] = s

    # Re-export shims that are still shims today.
    for module, evidence in sorted(events.shims.items()):
        today = workspace.module(module)
        if today is None or not today.shim:
            continue
        status = Status.DEPRECATED if today.warns else Status.COMPATIBLE
        sources = sorted({m for m in [*today.reexports.values(), *today.star_sources]
                          if workspace.first_party(m)})
        if len(sources) == 1:
            add(Suggestion(Target(module), status, Target(sources[0]), "shim", (evidence,)))
        else:
            for name, origin in sorted(today.reexports.items()):
                if workspace.first_party(origin):
                    add(Suggestion(Target(module, name), status, Target(origin, name), "shim",
                                   (evidence,)))
    # Modules that moved.
    for module, (_, evidence) in sorted(events.module_moves.items()):
        if workspace.resolves(Target(module)):
            continue  # something lives there again (a shim is judged above)
        final, chain = _follow_module(module, events.module_moves)
        replacement = Target(final) if workspace.resolves(Target(final)) else None
        add(Suggestion(Target(module), Status.BROKEN, replacement, "module-moved",
                       tuple(chain)))
    # Names that moved to another module.
    for (module, name), (_, evidence) in sorted(events.name_moves.items()):
        target = Target(module, name)
        if module in events.shims and Target(module) in found:
            continue  # the module entry says it
        final, chain = _relocate(target, events)
        if not workspace.resolves(final):
            continue
        today = workspace.module(module)
        if today is not None and name in today.definitions:
            continue  # defined here again
        if workspace.resolves(target):
            status = Status.COMPATIBLE  # still importable here, through an import
        else:
            status = Status.BROKEN
        module_entry = found.get(Target(module))
        if module_entry and module_entry.replacement == Target(final.module):
            continue  # the module's entry already leads there
        add(Suggestion(target, status, final, "name-moved", tuple(chain)))
    # Modules deleted outright, and names removed, that the workspace still imports.
    for module, evidence in sorted(events.deleted.items()):
        target = Target(module)
        if module in events.module_moves or workspace.resolves(target):
            continue
        if workspace.imports(target) or any(m == module for m, _ in events.name_moves):
            add(Suggestion(target, Status.BROKEN, None, "module-deleted", (evidence,)))
    for (module, name), evidence in sorted(events.removed.items()):
        target = Target(module, name)
        if Target(module) in found or workspace.resolves(target):
            continue
        if workspace.imports(target):
            add(Suggestion(target, Status.BROKEN, None, "name-removed", (evidence,)))

    result = Suggestions(commits=events.commits)
    for s in sorted(found.values(), key=Suggestion.sort_key):
        contradiction = _against_registry(s, registry)
        if contradiction is not None:
            result.contradictions.extend(contradiction)
        if not _already_said(s, registry):
            result.suggestions.append(s)
    result.contradictions.sort(key=lambda c: (c.target.module, c.target.name or "", c.where))
    return result


def _already_said(s: Suggestion, registry: Registry) -> bool:
    entry = registry.entries.get(s.target)
    if entry is not None:
        return True
    if s.target.name:
        module_entry = registry.entries.get(Target(s.target.module))
        if module_entry is not None and s.replacement is not None and \
                module_entry.replacement == Target(s.replacement.module):
            return True
    return False


def _against_registry(s: Suggestion, registry: Registry) -> list[Contradiction] | None:
    """A registry entry that says a path works where history says it no longer imports."""
    if s.status is not Status.BROKEN and s.kind != "shim":
        return None
    out = []
    for target, entry in sorted(registry.entries.items(), key=lambda item: str(item[0])):
        covered = target == s.target or (s.target.is_module and target.module == s.target.module)
        if not covered or not entry.status.preferred:
            continue
        what = {"module-moved": "moved away", "module-deleted": "was deleted",
                "name-moved": "moved away", "name-removed": "was removed",
                "shim": "became a re-export shim"}.get(s.kind, "changed")
        where = f"{s.replacement}" if s.replacement else "nowhere"
        out.append(Contradiction(
            target, entry.status, entry.provenance.location(),
            f"the registry says {target} is {entry.status.value}, but {s.target} {what} in "
            f"{s.evidence[0].short()} ({s.evidence[0].date[:10]}; now: {where})", s.evidence))
    return out or None
