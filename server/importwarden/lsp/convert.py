"""Engine <-> lsprotocol conversion: positions, ranges, findings, edits.

The engine counts columns in code points (Python ``str`` indices); the client counts them in the
position encoding negotiated at ``initialize`` (UTF-8, UTF-16 or UTF-32). Every conversion
between the two happens in this module and nowhere else, so the rest of the server never has to
think about surrogate pairs or multi-byte characters.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from lsprotocol import types

from importwarden.analysis.codes import RULES
from importwarden.analysis.findings import Finding, Position, Range, Severity, TextEdit
from importwarden.textio import split_lines

if TYPE_CHECKING:
    from importwarden.registry.model import Problem

SOURCE = "importwarden"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


class RawJson(str):
    """A request's result already serialised (``json.dumps``) on the analysis thread: the
    server writes it into the response as it is (``server.ImportwardenProtocol``), so the loop
    thread does not serialise a large answer (300 completion items) while the analysis thread
    holds the interpreter for the next diagnostics run."""

    __slots__ = ()


def encoding_name(kind: types.PositionEncodingKind | str | None) -> str:
    """``utf-8`` / ``utf-16`` / ``utf-32`` (the LSP default is UTF-16)."""
    value = getattr(kind, "value", kind) or "utf-16"
    return value if value in ("utf-8", "utf-16", "utf-32") else "utf-16"


def units_of(text: str, encoding: str) -> int:
    """How many code units ``text`` takes in ``encoding``."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    return len(text.encode("utf-8", "surrogatepass"))


def _char_units(ch: str, encoding: str) -> int:
    cp = ord(ch)
    if encoding == "utf-16":
        return 2 if cp > 0xFFFF else 1
    if cp < 0x80:
        return 1
    return 2 if cp < 0x800 else 3 if cp < 0x10000 else 4


def column_to_client(line: str, column: int, encoding: str) -> int:
    """Code-point column -> client units (clamped to the line)."""
    column = max(0, min(column, len(line)))
    if encoding == "utf-32":
        return column
    return units_of(line[:column], encoding)


def column_from_client(line: str, units: int, encoding: str) -> int:
    """Client units -> code-point column. A unit count inside a character (half a surrogate
    pair, part of a UTF-8 sequence) lands after it; past the end, at the end."""
    if units <= 0:
        return 0
    if encoding == "utf-32" or line.isascii():
        return min(units, len(line))
    seen = 0
    for index, ch in enumerate(line):
        if seen >= units:
            return index
        seen += _char_units(ch, encoding)
    return len(line)


class DocumentPositions:
    """Position conversion for one version of one document's text."""

    __slots__ = ("lines", "encoding")

    def __init__(self, text: str, encoding: str):
        self.lines: Sequence[str] = split_lines(text)
        self.encoding = encoding

    def _line(self, line: int) -> str:
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    def to_client(self, pos: Position) -> types.Position:
        if pos.line >= len(self.lines):  # past the end: the end of the document
            last = len(self.lines) - 1
            return types.Position(last, units_of(self.lines[last], self.encoding))
        return types.Position(
            max(pos.line, 0), column_to_client(self._line(pos.line), pos.character, self.encoding)
        )

    def range_to_client(self, rng: Range) -> types.Range:
        return types.Range(self.to_client(rng.start), self.to_client(rng.end))

    def from_client(self, pos: types.Position) -> Position:
        if pos.line >= len(self.lines):
            last = len(self.lines) - 1
            return Position(last, len(self.lines[last]))
        return Position(pos.line, column_from_client(self._line(pos.line), pos.character,
                                                     self.encoding))

    def range_from_client(self, rng: types.Range) -> Range:
        return Range(self.from_client(rng.start), self.from_client(rng.end))

    def whole_line(self, line: int) -> types.Range:
        """The text of a line without its leading indentation (for registry problems)."""
        text = self._line(line)
        start = len(text) - len(text.lstrip())
        return types.Range(
            types.Position(line, column_to_client(text, start, self.encoding)),
            types.Position(line, units_of(text, self.encoding)),
        )

    def edit(self, edit: TextEdit) -> types.TextEdit:
        return types.TextEdit(range=self.range_to_client(edit.range), new_text=edit.content)


# --- findings -> diagnostics ---------------------------------------------------------------

def path_to_uri(path: str | Path) -> str:
    return Path(path).resolve().as_uri()


def line_location(path: str | Path, line: int) -> types.Location:
    """A location for a 1-based line of a file we do not have open (whole line, column 0)."""
    zero = max(line - 1, 0)
    return types.Location(
        uri=path_to_uri(path),
        range=types.Range(types.Position(zero, 0), types.Position(zero + 1, 0)),
    )


def finding_data(finding: Finding) -> dict:
    """What a code action needs to find this finding again (kept small and JSON-only)."""
    return {"code": finding.code, "line": finding.range.start.line,
            "character": finding.range.start.character}


def finding_to_diagnostic(finding: Finding, positions: DocumentPositions,
                          root: Path | None = None) -> types.Diagnostic:
    rule = RULES.get(finding.code)
    related: list[types.DiagnosticRelatedInformation] = []
    if finding.registry is not None:
        file = Path(finding.registry.file)
        if not file.is_absolute() and root is not None:
            file = root / file
        related.append(types.DiagnosticRelatedInformation(
            location=line_location(file, finding.registry.line),
            message="registry entry" + (f": {finding.registry.note}" if finding.registry.note
                                        else ""),
        ))
    for path, rng, message in finding.related:
        file = Path(path)
        if not file.is_absolute() and root is not None:
            file = root / file
        related.append(types.DiagnosticRelatedInformation(
            location=types.Location(uri=path_to_uri(file),
                                    range=_other_file_range(file, rng, positions.encoding)),
            message=message,
        ))
    return types.Diagnostic(
        range=positions.range_to_client(finding.range),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule.docs_url) if rule else None,
        source=SOURCE,
        tags=[types.DiagnosticTag.Deprecated] if finding.deprecated_tag else None,
        related_information=related or None,
        data=finding_data(finding),
    )


def _other_file_range(file: Path, rng: Range, encoding: str) -> types.Range:
    """A range in a file that is not the document at hand: its text decides the columns."""
    from importwarden.textio import read_source

    try:
        return DocumentPositions(read_source(file).text, encoding).range_to_client(rng)
    except (OSError, ValueError):
        return types.Range(types.Position(rng.start.line, rng.start.character),
                           types.Position(rng.end.line, rng.end.character))


def findings_to_diagnostics(findings: Iterable[Finding], positions: DocumentPositions,
                            root: Path | None = None) -> list[types.Diagnostic]:
    return [finding_to_diagnostic(f, positions, root) for f in findings]


def notice(message: str) -> types.Diagnostic:
    """A note about the whole document (why it was not checked), on its first character."""
    start = types.Position(0, 0)
    return types.Diagnostic(range=types.Range(start, start), message=message, source=SOURCE,
                            severity=types.DiagnosticSeverity.Information)


_PROBLEM_SEVERITY = {
    "IWR009": types.DiagnosticSeverity.Error,
    "IWR010": types.DiagnosticSeverity.Error,
    "IWR002": types.DiagnosticSeverity.Warning,
    "IWR003": types.DiagnosticSeverity.Warning,
    "IWR004": types.DiagnosticSeverity.Warning,
    "IWR001": types.DiagnosticSeverity.Warning,
    "IWR011": types.DiagnosticSeverity.Warning,
}


def problems_to_diagnostics(problems: Iterable["Problem"], positions: DocumentPositions
                            ) -> list[types.Diagnostic]:
    """A registry file's problems, each on its whole line, once per (line, code, message)."""
    seen: set[tuple[int, str, str]] = set()
    out = []
    for problem in problems:
        key = (problem.line, problem.code, problem.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(types.Diagnostic(
            range=positions.whole_line(max(problem.line - 1, 0)),
            message=problem.message,
            severity=_PROBLEM_SEVERITY.get(problem.code, types.DiagnosticSeverity.Information),
            code=problem.code,
            source=SOURCE,
        ))
    return out
