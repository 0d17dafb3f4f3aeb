"""``registry suggest --write``: append the suggestions to the registry file they were read
against, in its own form, leaving every existing byte as it was."""

from __future__ import annotations

from pathlib import Path

from importwarden.errors import ImportwardenError
from importwarden.history.render import markdown_section, toml_section
from importwarden.history.suggest import Suggestions


def section_for(path: Path, existing: bytes, result: Suggestions, date: str) -> str:
    newline = "\r\n" if b"\r\n" in existing else "\n"
    name = path.name.lower()
    if name.endswith(".toml"):
        table = "tool.importwarden.registry.import" if name == "pyproject.toml" else "import"
        return toml_section(result, date, table=table, newline=newline)
    return markdown_section(result, date, newline=newline)


def append(path: Path, result: Suggestions, date: str) -> int:
    """Append a dated section with ``result``'s suggestions; returns how many were written
    (0 writes nothing at all)."""
    if not result.suggestions:
        return 0
    try:
        existing = path.read_bytes()
    except OSError as exc:
        raise ImportwardenError(f"cannot read the registry: {exc.strerror}",
                                file=str(path)) from None
    newline = b"\r\n" if b"\r\n" in existing else b"\n"
    # One blank line between the file's last line and the new section.
    separator = b"" if not existing else newline if existing.endswith(newline) else newline * 2
    text = section_for(path, existing, result, date).encode("utf-8")
    try:
        with path.open("ab") as out:
            out.write(separator + text)
    except OSError as exc:
        raise ImportwardenError(f"cannot write the registry: {exc.strerror}",
                                file=str(path)) from None
    return len(result.suggestions)
