"""``--output-format json``: a JSON array, one object per finding, in the stable shape docs/check.md documents.

Lines and columns are 1-based; columns count characters (code points).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from importwarden.analysis.codes import RULES, Severity
from importwarden.analysis.findings import Finding
from importwarden.output.context import OutputContext, fixable
from importwarden.output.encode import array_lines
from importwarden.registry.model import Applicability


# Enum ``.value`` goes through a descriptor: looked up once here, not twice per finding.
_SEVERITY = {s: s.value for s in Severity}
_APPLICABILITY = {a: a.value for a in Applicability}


def finding_to_json(finding: Finding, ctx: OutputContext) -> dict[str, Any]:
    r = finding.range
    start, end = r.start, r.end
    fix = finding.fix
    target = finding.target
    registry = finding.registry
    return {
        "code": finding.code,
        "name": RULES[finding.code].name,
        "severity": _SEVERITY[finding.severity],
        "message": finding.message,
        "path": ctx.path(finding.path),
        "line": start.line + 1,
        "column": start.character + 1,
        "end_line": end.line + 1,
        "end_column": end.character + 1,
        "target": None if target is None else {"module": target.module, "name": target.name},
        "registry": None if registry is None else {"file": ctx.path(registry.file),
                                                   "line": registry.line},
        "fix": None if fix is None else {
            "applicability": _APPLICABILITY[fix.applicability],
            "message": fix.message,
            "edits": [
                {
                    "line": e.range.start.line + 1,
                    "column": e.range.start.character + 1,
                    "end_line": e.range.end.line + 1,
                    "end_column": e.range.end.character + 1,
                    "content": e.content,
                }
                for e in fix.edits
            ],
        },
    }


def statistics(findings: list[Finding]) -> list[dict[str, Any]]:
    counts = Counter(f.code for f in findings)
    fixable_counts = Counter(f.code for f in findings if fixable(f))
    return [
        {"code": code, "name": RULES[code].name, "count": count,
         "fixable": fixable_counts.get(code, 0)}
        for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def render(findings: list[Finding], ctx: OutputContext) -> str:
    """A JSON array with one compact object per line."""
    if ctx.statistics:
        return array_lines(statistics(findings))
    return array_lines(finding_to_json(f, ctx) for f in findings)
