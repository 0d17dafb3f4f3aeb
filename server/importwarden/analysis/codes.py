"""The stable rule codes (docs/design.md, "Rule codes"). Never renumber; add at the end."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"


DOCS_BASE_URL = "https://github.com/importwarden/importwarden/blob/main/docs/rules/"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    deprecated_tag: bool
    fix: str  # what fixes it, for docs and SARIF
    summary: str

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE_URL}{self.code}.md"


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("IW001", "broken-import", Severity.ERROR, False, "registry replacement",
             "Import of a path the registry marks broken."),
        Rule("IW002", "deprecated-import", Severity.WARNING, True, "registry replacement",
             "Import of a path the registry marks deprecated (or broken but still resolving)."),
        Rule("IW003", "non-canonical-import", Severity.INFORMATION, True, "canonical path",
             "Import through a compatibility path when a canonical one exists."),
        Rule("IW004", "unverified-import", Severity.HINT, False, "none",
             "Import of a path the registry says still needs verification."),
        Rule("IW005", "unresolved-import", Severity.ERROR, False,
             "the unique place that defines the name (unsafe)",
             "First-party module or name that does not exist in the workspace."),
        Rule("IW006", "cross-service-import", Severity.WARNING, False, "none",
             "Import from another service (services must not import each other)."),
        Rule("IW007", "broken-mock-target", Severity.ERROR, False, "registry/derived replacement",
             "patch() target that is registry-broken or does not resolve."),
        Rule("IW008", "deprecated-mock-target", Severity.WARNING, True, "canonical target",
             "patch() target through a deprecated or compatibility path."),
    )
}
