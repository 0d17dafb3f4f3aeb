"""``--output-format json``: a JSON array, one object per finding, in DESIGN.md's stable shape.

Lines and columns are 1-based; columns count characters (code points).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from importwarden.analysis.codes import RULES
from importwarden.analysis.findings import Finding
from importwarden.output.context import OutputContext, fixable


def finding_to_json(finding: Finding, ctx: OutputContext) -> dict[str, Any]:
    r = finding.range
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability.value,
            "message": finding.fix.message,
            "edits": [
                {
                    "line": e.range.start.line + 1,
                    "column": e.range.start.character + 1,
                    "end_line": e.range.end.line + 1,
                    "end_column": e.range.end.character + 1,
                    "content": e.content,
                }
                for e in finding.fix.edits
            ],
        }
    target = None
    if finding.target is not None:
        target = {"module": finding.target.module, "name": finding.target.name}
    registry = None
    if finding.registry is not None:
        registry = {"file": ctx.path(finding.registry.file), "line": finding.registry.line}
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": ctx.path(finding.path),
        "line": r.start.line + 1,
        "column": r.start.character + 1,
        "end_line": r.end.line + 1,
        "end_column": r.end.character + 1,
        "target": target,
        "registry": registry,
        "fix": fix,
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
    """A JSON array with one object per line (the C encoder: ``indent`` would force the
    pure-Python one, seconds on large outputs)."""
    data: Any = statistics(findings) if ctx.statistics else [finding_to_json(f, ctx) for f in findings]
    if not data:
        return "[]\n"
    body = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in data)
    return "[\n" + body + "\n]\n"
