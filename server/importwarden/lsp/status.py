"""``importwarden/status``: tell the client which registry is loaded and how it is doing.

A custom server -> client notification, sent whenever the registry's state is recomputed
(project load, index build started and ended, registry reloaded). The VS Code extension shows it in its status
bar; other clients ignore unknown notifications, as LSP requires. Shape (docs/vscode.md):
``{"state": "ok"|"warning"|"error"|"loading", "message": str, "indexing": bool,
   "registry": {"files": [abs paths], "entries": int, "problems": int}}``; ``loading`` while
the workspace index builds, registry warnings or not (``indexing`` says which loading it is).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importwarden.lsp.session import Session

STATUS_NOTIFICATION = "importwarden/status"

log = logging.getLogger(__name__)


def payload(session: "Session") -> dict[str, Any]:
    project = session.project
    if project is None:
        return {"state": "loading", "message": "loading the registry",
                "registry": {"files": [], "entries": 0, "problems": 0}}
    files = [str(p) for p in project.registry_paths]
    entries = len(project.registry)
    problems = len(session.registry.problems)
    problem_text = f"{problems} registry problem{'s' if problems != 1 else ''}"
    if project.registry_errors:
        state, message = "error", project.registry_errors[0]
    elif not files:
        state, message = "error", "no import registry found"
    elif not session.index_ready:
        # Indexing outranks registry warnings: the build takes seconds on a big tree, and
        # until it ends no diagnostics appear; the problems are still counted and named.
        state = "loading"
        message = f"indexing the workspace; {entries} entries" + (
            f", {problem_text}" if problems else "")
    elif problems:
        state, message = "warning", f"{entries} entries, {problem_text}"
    else:
        state, message = "ok", f"{entries} entries from {len(files)} file{'s' if len(files) != 1 else ''}"
    return {"state": state, "message": message, "indexing": not session.index_ready,
            "registry": {"files": files, "entries": entries, "problems": problems}}


def publish(session: "Session") -> None:
    try:
        session.server.protocol.notify(STATUS_NOTIFICATION, payload(session))
    except Exception as exc:  # no connection yet (or any more): nothing to tell
        log.debug("status not sent: %s", exc)

