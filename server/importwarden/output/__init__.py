"""Output formats for ``importwarden check``: one module per format (text, json, sarif, github).

Each module has ``render(findings, ctx) -> str``. ``OutputContext`` (in ``context``) says how
to print paths: findings carry paths relative to the project root; output shows them relative
to the cwd.
"""

from __future__ import annotations

from importwarden.analysis.findings import Finding
from importwarden.output.context import OutputContext

FORMATS = ("text", "json", "sarif", "github")


# The formats that print each fix's edits; the others show only whether a finding is fixable.
_PRINT_EDITS = ("json", "sarif")


def prints_edits(fmt: str, statistics: bool = False) -> bool:
    """Whether ``render(fmt, ...)`` prints the fixes' edits (counts per code do not)."""
    return fmt in _PRINT_EDITS and not (statistics and fmt == "json")


def render_bytes(fmt: str, findings: list[Finding], ctx: OutputContext) -> bytes:
    """``render`` as UTF-8 bytes (JSON is built as bytes: no 10 MB string to encode again)."""
    if fmt == "json":
        from importwarden.output import json as json_mod

        return json_mod.render_bytes(findings, ctx)
    return render(fmt, findings, ctx).encode("utf-8")


def render(fmt: str, findings: list[Finding], ctx: OutputContext) -> str:
    if fmt == "text":
        from importwarden.output import text as mod
    elif fmt == "json":
        from importwarden.output import json as mod  # type: ignore[no-redef]
    elif fmt == "sarif":
        from importwarden.output import sarif as mod  # type: ignore[no-redef]
    elif fmt == "github":
        from importwarden.output import github as mod  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown output format {fmt!r}")
    return mod.render(findings, ctx)
