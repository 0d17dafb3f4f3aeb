"""``importwarden/status``: tell the client which registry is loaded and how it is doing.

A custom server -> client notification, sent whenever the registry's state is recomputed
(project load, index built, registry reloaded). The VS Code extension shows it in its status
bar; other clients ignore unknown notifications, as LSP requires. Shape (docs/vscode.md):
``{"state": "ok"|"warning"|"error"|"loading", "message": str,
   "registry": {"files": [abs paths], "entries": int, "problems": int}}``.
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
    if project.registry_errors:
        state, message = "error", project.registry_errors[0]
    elif not files:
        state, message = "error", "no import registry found"
    elif problems:
        state = "warning"
        message = f"{entries} entries, {problems} registry problem{'s' if problems != 1 else ''}"
    elif not session.index_ready:
        state, message = "loading", f"{entries} entries; indexing the workspace"
    else:
        state, message = "ok", f"{entries} entries from {len(files)} file{'s' if len(files) != 1 else ''}"
    return {"state": state, "message": message,
            "registry": {"files": files, "entries": entries, "problems": problems}}


def publish(session: "Session") -> None:
    try:
        session.server.protocol.notify(STATUS_NOTIFICATION, payload(session))
    except Exception as exc:  # no connection yet (or any more): nothing to tell
        log.debug("status not sent: %s", exc)

