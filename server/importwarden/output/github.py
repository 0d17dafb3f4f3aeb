"""``--output-format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=IW001 broken-import::message``
(error for errors, warning for warnings, notice for information and hints).
"""

from __future__ import annotations

from importwarden.analysis.findings import Finding, Severity
from importwarden.output.context import OutputContext

_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "notice",
    Severity.HINT: "notice",
}


def _escape_data(text: str) -> str:
    # actions/toolkit command.ts escapeData
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # actions/toolkit command.ts escapeProperty
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def line(finding: Finding, ctx: OutputContext) -> str:
    r = finding.range
    props = [
        ("file", ctx.path(finding.path)),
        ("line", str(r.start.line + 1)),
        ("col", str(r.start.character + 1)),
        ("endLine", str(r.end.line + 1)),
        ("endColumn", str(r.end.character + 1)),
        ("title", f"{finding.code} {finding.name}"),
    ]
    joined = ",".join(f"{k}={_escape_property(v)}" for k, v in props)
    return f"::{_LEVEL[finding.severity]} {joined}::{_escape_data(finding.message)}"


def render(findings: list[Finding], ctx: OutputContext) -> str:
    return "".join(line(f, ctx) + "\n" for f in findings)
