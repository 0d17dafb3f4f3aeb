"""``--output-format sarif``: SARIF 2.1.0, one rule per code with its help URI.

Columns are code points (``run.columnKind = "unicodeCodePoints"``), lines 1-based.
"""

from __future__ import annotations

from typing import Any

from importwarden import __version__
from importwarden.analysis.codes import RULES
from importwarden.analysis.findings import Finding, Severity
from importwarden.output.context import OutputContext
from importwarden.output.encode import pretty

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def _region(rng) -> dict[str, int]:
    return {
        "startLine": rng.start.line + 1,
        "startColumn": rng.start.character + 1,
        "endLine": rng.end.line + 1,
        "endColumn": rng.end.character + 1,
    }


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/:")


def _result(finding: Finding, ctx: OutputContext, index: dict[str, int]) -> dict[str, Any]:
    uri = _uri(ctx.path(finding.path))
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "region": _region(finding.range),
            }
        }],
    }
    if finding.registry is not None:
        result["relatedLocations"] = [{
            "id": 0,
            "message": {"text": "registry entry"},
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(ctx.path(finding.registry.file)),
                                     "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": finding.registry.line},
            },
        }]
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [{
            "description": {"text": finding.fix.message},
            "artifactChanges": [{
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "replacements": [
                    {"deletedRegion": _region(e.range), "insertedContent": {"text": e.content}}
                    for e in finding.fix.edits
                ],
            }],
        }]
        result["properties"] = {"applicability": finding.fix.applicability.value}
    return result


def document(findings: list[Finding], ctx: OutputContext) -> dict[str, Any]:
    rules = list(RULES.values())
    index = {r.code: i for i, r in enumerate(rules)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "importwarden",
                "version": __version__,
                "informationUri": "https://github.com/importwarden/importwarden",
                "rules": [{
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "helpUri": r.docs_url,
                    "defaultConfiguration": {"level": _LEVEL[r.severity]},
                    "properties": {"fix": r.fix},
                } for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, ctx, index) for f in findings],
        }],
    }


def render(findings: list[Finding], ctx: OutputContext) -> str:
    return pretty(document(findings, ctx)) + "\n"
