"""Suggestions as text: the Markdown section and TOML tables ``--write`` appends, and JSON.

The Markdown form is the one hand-kept registries use: an entry line with its marker
(``# ❌ BROKEN PATH``, ``# ⚠️ DEPRECATED``, ``# COMPATIBILITY``) and a ``# USE INSTEAD:`` line
below it. The comment line above each entry is its evidence; the loader keeps it as the
entry's note, so ``registry show`` shows where the entry came from. The evidence comment uses no
status words (the loader would read them as markers). Entries are separated by blank lines so
that no two of them form one run (the loader pairs entries within a run).
"""

from __future__ import annotations

import json
import re

from importwarden.history.suggest import Evidence, Suggestion, Suggestions
from importwarden.registry.model import Status, Target

HEADING = "Suggested by importwarden from git history"
NOTE_PREFIX = "suggested by importwarden:"
_MARKER = {Status.BROKEN: "\u274c BROKEN PATH", Status.DEPRECATED: "\u26a0\ufe0f DEPRECATED",
           Status.COMPATIBLE: "COMPATIBILITY path"}
_WHAT = {"module-moved": "moved", "shim": "became a shim", "name-moved": "moved",
         "name-removed": "removed", "module-deleted": "deleted"}


def note(s: Suggestion) -> str:
    """One line of evidence: what happened, in which commit, when, by whom, which files."""
    if not s.evidence:
        return f"{NOTE_PREFIX} added from the editor (no commit found for it)"
    first: Evidence = s.evidence[0]
    more = f" (+{len(s.evidence) - 1} later)" if len(s.evidence) > 1 else ""
    files = " -> ".join(first.files) if s.kind == "module-moved" else ", ".join(first.files)
    return (f"{NOTE_PREFIX} {_WHAT.get(s.kind, s.kind)} in {first.short()} "
            f"{first.date[:10]} by {first.author}{more}: {files}")


_NOTE = re.compile(rf"^{re.escape(NOTE_PREFIX)} (?P<what>.+?) in (?P<commit>[0-9a-f]{{7,40}}) "
                   r"(?P<date>\d{4}-\d{2}-\d{2}) by (?P<author>.*?)(?: \(\+\d+ later\))?: "
                   r"(?P<files>.*)$")


def evidence_from_note(note: str) -> str | None:
    """The Markdown an editor shows for an entry ``--write`` wrote (its note is the evidence):
    which commit introduced the move, when, by whom; None for a hand-written note."""
    for line in note.splitlines():
        match = _NOTE.match(line.strip())
        if match:
            return (f"{match['what'].capitalize()} in commit `{match['commit']}` "
                    f"({match['date']}, {match['author']}): {match['files']}")
    return None


def _statement(target: Target) -> str:
    return f"from {target.module} import {target.name}" if target.name else \
        f"import {target.module}"


def markdown_section(result: Suggestions, date: str, newline: str = "\n") -> str:
    lines = [f"## {HEADING} ({date})", "", "```python"]
    for i, s in enumerate(result.suggestions):
        if i:
            lines.append("")
        lines.append(f"# {note(s)}")
        lines.append(f"{_statement(s.target)}  # {_MARKER[s.status]}")
        if s.replacement is not None:
            lines.append(f"# USE INSTEAD: {_statement(s.replacement)}")
    lines.append("```")
    return newline.join(lines) + newline


def _s(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def toml_section(result: Suggestions, date: str, *, table: str = "import",
                 newline: str = "\n") -> str:
    lines = [f"# {HEADING} ({date})"]
    for s in result.suggestions:
        lines += ["", f"[[{table}]]", f"target = {_s(str(s.target))}",
                  f"status = {_s(s.status.value)}"]
        if s.replacement is not None:
            lines.append(f"use = {_s(str(s.replacement))}")
        lines.append(f"note = {_s(note(s))}")
        if s.evidence:
            lines.append(f"source = {_s('git:' + s.evidence[0].commit)}")
    return newline.join(lines) + newline


def json_text(result: Suggestions) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"


def contradiction_lines(result: Suggestions) -> list[str]:
    return [f"{c.where}: {c.message}" for c in result.contradictions]
