"""``--output-format text``: ``path:line:col: IW001 message [*]`` lines and a ruff-like summary."""

from __future__ import annotations

from collections import Counter

from importwarden.analysis.codes import RULES
from importwarden.analysis.findings import Finding, Severity
from importwarden.output.context import OutputContext, fixable, unsafe_fixable


def line(finding: Finding, ctx: OutputContext) -> str:
    start = finding.range.start
    mark = " [*]" if fixable(finding) else ""
    return (f"{ctx.path(finding.path)}:{start.line + 1}:{start.character + 1}: "
            f"{finding.code} {finding.message}{mark}")


def summary(findings: list[Finding]) -> str:
    n = len(findings)
    if n == 0:
        return "All checks passed!"
    safe = sum(1 for f in findings if fixable(f))
    unsafe = sum(1 for f in findings if unsafe_fixable(f))
    parts = []
    if safe:
        parts.append(f"{safe} fixable with `importwarden fix`")
    if unsafe:
        parts.append(f"{unsafe} more with `importwarden fix --unsafe-fixes`")
    return f"Found {_by_severity(findings)}" + (f" ({', '.join(parts)})" if parts else "") + "."


# (singular, plural) per severity, most severe first: "1 error, 2 warnings and 1 info".
_SEVERITY_NOUNS = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings"),
                   Severity.INFORMATION: ("info", "info"), Severity.HINT: ("hint", "hints")}


def _by_severity(findings: list[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts[s]} {one if counts[s] == 1 else many}"
             for s, (one, many) in _SEVERITY_NOUNS.items() if counts[s]]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def statistics(findings: list[Finding]) -> str:
    """One line per code, most frequent first (ruff's ``--statistics``)."""
    counts = Counter(f.code for f in findings)
    if not counts:
        return ""
    fixable_codes = {f.code for f in findings if fixable(f)}
    width = len(str(max(counts.values())))
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "\n".join(
        f"{count:>{width}}\t{code}\t{'[*]' if code in fixable_codes else '[ ]'} {RULES[code].name}"
        for code, count in rows
    ) + "\n"


def render(findings: list[Finding], ctx: OutputContext) -> str:
    if ctx.statistics:
        return statistics(findings)
    body = "".join(line(f, ctx) + "\n" for f in findings)
    return body + summary(findings) + "\n"
