"""``--output-format json``: a JSON array, one object per finding, in the stable shape docs/check.md documents.

Lines and columns are 1-based; columns count characters (code points).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from importwarden.analysis.codes import RULES, Severity
from importwarden.analysis.findings import Finding
from importwarden.output.context import OutputContext, fixable
from importwarden.output.encode import array_lines, array_lines_bytes
from importwarden.registry.model import Applicability


# Enum ``.value`` goes through a descriptor: looked up once here, not twice per finding.
_SEVERITY = {s: s.value for s in Severity}
_APPLICABILITY = {a: a.value for a in Applicability}


def finding_to_json(finding: Finding, ctx: OutputContext) -> dict[str, Any]:
    return _Converter(ctx).finding(finding)


class _Converter:
    """Findings as JSON objects. One per render: a finding's target and registry entry are
    objects shared by many findings (the cache decodes each once), so their JSON objects are
    built once too (by identity: the findings keep them alive), and each path is shown once."""

    def __init__(self, ctx: OutputContext):
        self.show = ctx.path
        self.names = {code: rule.name for code, rule in RULES.items()}
        self.targets: dict[int, dict[str, Any]] = {}
        self.registries: dict[int, dict[str, Any]] = {}
        self.paths: dict[str, str] = {}

    def finding(self, finding: Finding) -> dict[str, Any]:
        r = finding.range
        start, end = r.start, r.end
        fix = finding.fix
        target = finding.target
        registry = finding.registry
        path = self.paths.get(finding.path)
        if path is None:
            path = self.paths[finding.path] = self.show(finding.path)
        if target is not None:
            target_json = self.targets.get(id(target))
            if target_json is None:
                target_json = self.targets[id(target)] = {"module": target.module,
                                                          "name": target.name}
        else:
            target_json = None
        if registry is not None:
            registry_json = self.registries.get(id(registry))
            if registry_json is None:
                registry_json = self.registries[id(registry)] = {
                    "file": self.show(registry.file), "line": registry.line}
        else:
            registry_json = None
        return {
            "code": finding.code,
            "name": self.names[finding.code],
            "severity": _SEVERITY[finding.severity],
            "message": finding.message,
            "path": path,
            "line": start.line + 1,
            "column": start.character + 1,
            "end_line": end.line + 1,
            "end_column": end.character + 1,
            "target": target_json,
            "registry": registry_json,
            "fix": None if fix is None else {
                "applicability": _APPLICABILITY[fix.applicability],
                "message": fix.message,
                "edits": [_edit(e) for e in fix.edits],
            },
        }


def _edit(e: Any) -> dict[str, Any]:
    start, end = e.range.start, e.range.end
    return {
        "line": start.line + 1,
        "column": start.character + 1,
        "end_line": end.line + 1,
        "end_column": end.character + 1,
        "content": e.content,
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
    convert = _Converter(ctx).finding
    return array_lines(map(convert, findings))


def render_bytes(findings: list[Finding], ctx: OutputContext) -> bytes:
    """``render`` as UTF-8."""
    if ctx.statistics:
        return array_lines_bytes(statistics(findings))
    return array_lines_bytes(map(_Converter(ctx).finding, findings))
