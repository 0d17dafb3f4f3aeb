"""The editor's face of ``registry suggest``: an entry for one import that does not resolve
and has no registry entry, with the replacement history suggests (or, without history, the
one the engine finds evident: the unique module that defines the name).

Only the commit that removed the module's file is read (``git log -1 --diff-filter=D`` on its
possible paths, then that one commit's diff with rename detection), so the answer costs two
git calls however long the history is.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from importwarden.history.git import GitError, Repo
from importwarden.history.suggest import Suggestion, Suggestions, Workspace, suggest
from importwarden.history.write import section_for
from importwarden.registry.model import Registry, Status, Target


def _candidate_paths(module: str, roots, top: Path) -> list[str]:
    rel = module.replace(".", "/")
    out = []
    for root in roots:
        for path in (Path(root) / f"{rel}.py", Path(root) / rel / "__init__.py"):
            try:
                out.append(os.path.relpath(path, top).replace(os.sep, "/"))
            except ValueError:
                continue
    return [p for p in out if not p.startswith("../")]


def history_suggestion(root: Path, roots, registry: Registry, index, target: Target
                       ) -> Suggestion | None:
    """What the commit that removed ``target``'s module (or moved its name away) says."""
    if index is None:
        return None  # (the workspace is still being indexed: nothing to judge a move against)
    try:
        repo = Repo(root)
        if not repo.has_commits():
            return None
        paths = _candidate_paths(target.module, roots, repo.top)
        if not paths:
            return None
        sha = repo.run("log", "-1", "--diff-filter=D", "--format=%H", "HEAD", "--",
                       *paths).strip()
        if not sha:
            return None
        result = suggest(repo, roots, registry, Workspace(index), commits=[sha])
    except (GitError, OSError):
        return None
    found = {s.target: s for s in result.suggestions}
    exact = found.get(target)
    if exact is not None:
        return exact
    module = found.get(Target(target.module))
    if module is not None and target.name and module.replacement is not None:
        return Suggestion(target, module.status, module.replacement.with_name(target.name),
                          module.kind, module.evidence)
    return module


def registry_addition(project, target: Target, evident: Target | None,
                      registry_text: str | None = None) -> tuple[Path, str, Suggestion] | None:
    """(registry file, text to append to it, the entry) for ``target``; None when the project
    has no registry file to write to. ``registry_text``: the file's unsaved text, if open."""
    if not project.registry_paths:
        return None
    path = Path(project.registry_paths[-1])
    from importwarden.workspace.index import effective_roots

    entry = history_suggestion(Path(project.settings.root), effective_roots(project.settings),
                               project.registry, project.index, target)
    if entry is None:
        entry = Suggestion(target, Status.BROKEN, evident, "editor", ())
    if entry.replacement is None and evident is not None:
        entry = Suggestion(entry.target, entry.status, evident, entry.kind, entry.evidence)
    if registry_text is not None:
        existing = registry_text.encode("utf-8")
    else:
        try:
            existing = path.read_bytes()
        except OSError:
            return None
    date = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    section = section_for(path, existing, Suggestions([entry]), date)
    newline = "\r\n" if b"\r\n" in existing else "\n"
    text = existing.decode("utf-8", "replace")
    separator = "" if not text else newline if text.endswith(newline) else newline * 2
    return path, separator + section, entry
