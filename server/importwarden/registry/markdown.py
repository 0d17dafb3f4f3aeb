"""The Markdown registry loader (docs/registry.md, "Reading Markdown").

``load_markdown(text, file)`` repairs the text (``text.py``), finds headings and fenced code
blocks with markdown-it-py, classifies every line of every Python/unlabelled code block
(``classify``), walks each block (``_BlockWalker``) to give every entry its status, note and
written replacement, and returns a ``Claims`` bundle for ``combine.build``. It never raises on
content: whatever looks like an entry but cannot be read becomes an IWR001 problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from importwarden.registry import markers
from importwarden.registry.combine import Claims, MockClaim
from importwarden.registry.markers import (
    PLACEHOLDER,
    Markers,
    split_comment,
    split_nested_comment,
)
from importwarden.registry.model import (
    Claim,
    Problem,
    Provenance,
    ServiceOrigin,
    Services,
    Status,
    Target,
    most_severe,
)
from importwarden.registry.text import repair

# Code blocks read for entries: unlabelled and Python ones (a ```bash block is not a registry).
PYTHON_INFOS = {"", "python", "py", "python3", "py3", "pycon", "ipython", "pyi"}

_FROM = re.compile(r"^from\s+(?P<module>\S+)\s+import\b\s*(?P<names>.*)$", re.DOTALL)
_IMPORT = re.compile(r"^import\s+(?P<modules>.+)$", re.DOTALL)
_MOCK = re.compile(
    r"""(?<![\w.])(?:[A-Za-z_]\w*\.)*(?:patch(?:\.dict|\.multiple)?|setattr)\s*\(\s*"""
    r"""(?:target\s*=\s*)?(?P<q>['"])(?P<target>[^'"]*)(?P=q)""")
_PATCHISH = re.compile(r"(?<![\w.])(?:[A-Za-z_]\w*\.)*patch(?:\.dict|\.multiple)?\s*\(")
# ``# USE INSTEAD: …``, ``# ✅ CORRECTED: …`` (emoji/punctuation allowed before the keyword).
_REPLACEMENT = re.compile(
    r"^[\W_]*(?:use\s+instead|instead\s+use|corrected|replace(?:d)?\s+(?:with|by)|migrate\s+to"
    r"|use\s+this)\s*:\s*(?P<content>.+)$", re.IGNORECASE)
# A bare replacement name: ``UserExecutionEngine (canonical SSOT class)``, or a target.
# (One run of blanks before the optional parenthesis: two adjacent ``\s*`` backtrack
# quadratically over a long run of spaces.)
_BARE = re.compile(r"^(?P<name>[A-Za-z_][\w.:]*)\s*(?:\(.*\)\s*)?[.;]?$")
# ``# ❌ DEPRECATED: from M import X``: an optional marker prefix ending in ':' before the entry.
_COMMENTED_ENTRY = re.compile(r"^(?:(?P<prefix>[^:]*?):\s*|(?P<emoji>[^\w\s#]+)\s*)?"
                              r"(?P<entry>(?:from|import)\s.*|@?[\w.]*patch.*)$")
# A line that continues a parenthesised/backslashed import: names, commas, ``as``, ``)``.
# (Blanks after the ')' only: a '\s*' next to the name class backtracks quadratically.)
_CONTINUATION = re.compile(r"^[\w\s,.*]*(?:\)\s*)?\\?$")
# Decoration, name and trailing decoration are matched atomically (``(?=(?P<x>…))(?P=x)``):
# none gives characters back to the next, as the backtracking over ``_`` runs was quadratic.
# (So a name is never only underscores and digits: ``### __1 Service`` names nothing.)
_SERVICE_HEADING = re.compile(
    r"^(?=(?P<lead>[\W_]*))(?P=lead)(?=(?P<name>[A-Za-z_]\w*))(?P=name)\s+service\s*:?\s*$",
    re.IGNORECASE)
_ISOLATION_HEADING = re.compile(r"service\s+isolation", re.IGNORECASE)
_ISOLATION_RULE = re.compile(r"never\s+import\s+(?:between|across)\s+services", re.IGNORECASE)
_EXCEPT = re.compile(r"\bexcept\s+(?P<what>[^)\n]*)", re.IGNORECASE)
_DOTTED_PATH = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_PATH_PATTERNS_HEADING = re.compile(r"\bpath\s+patterns?\b", re.IGNORECASE)
_PATTERN_NAME = re.compile(
    r"^(?=(?P<lead>[`*_\s]*))(?P=lead)(?=(?P<name>[A-Za-z_]\w*))(?P=name)"
    r"(?=(?P<tail>[`*_\s]*))(?P=tail):?\s*$")
# (Only from the first blank of a run: a search from each blank of a long run backtracks
# through the rest of it, quadratic.)
_AS = re.compile(r"(?<!\s)\s+as\s+")
_EMPHASIS = re.compile(r"\*\*|__")
_WORD = re.compile(r"[A-Za-z_][\w.]*")
# What the registry says of a package everyone may use: not an isolated service.
_SHARED_WORDS = re.compile(r"\bshared\b|\btest(?:ing)?\s+infrastructure\b|\btest\s+framework\b"
                           r"|\butilit(?:y|ies)\b|\bcommon\s+(?:code|library|helpers)\b",
                           re.IGNORECASE)
# Words of "(except shared utilities)" that are not package names.
_NOT_PACKAGES = {"utilities", "utility", "utils", "and", "or", "the", "for", "packages", "package",
                 "modules", "module", "libraries", "library", "code", "helpers", "types"}


# --- line classification -----------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    """One classified line of a code block."""

    kind: str  # blank | comment | import | mock | replacement | problem | code
    number: int  # 1-based line in the file
    text: str = ""  # comment: its text without '#'; problem: the message
    targets: list[tuple[Target, bool]] = field(default_factory=list)  # (target, placeholder)
    mock_targets: list[str] = field(default_factory=list)
    own: Markers = markers.NONE  # the line's own markers (trailing comment, prefix, placeholder)
    trailing: str = ""  # the line's own comment (for its note)
    bare_name: str | None = None  # replacement line: ``USE INSTEAD: Name``
    span: int = 1  # lines the statement covers (parenthesised imports)


def parse_import(code: str) -> tuple[list[tuple[Target, bool]], str | None]:
    """``from M import a, b`` / ``import M`` -> ([(target, is_placeholder)], error)."""
    # The usual entry, ``from a.b import Name`` with single blanks, needs none of the general
    # path's normalising and splitting (a third of a 200,000-line registry's parse): any other
    # shape, including a relative module or a stray blank, takes the general path below.
    parts = code.split(" ")
    if len(parts) == 4 and parts[0] == "from" and parts[2] == "import" \
            and parts[3].isidentifier() and _dotted(parts[1]):
        return [(Target(parts[1], parts[3]), False)], None
    return parse_import_general(code)


def parse_import_general(code: str) -> tuple[list[tuple[Target, bool]], str | None]:
    """``parse_import`` without its fast path (tests/unit/registry/test_fast_paths.py compares
    the two over whole registries)."""
    # (Blanks are single spaces from here on: `" as " in part` is what `_AS` would find.)
    code = " ".join((code.replace("\\\n", " ") if "\\" in code else code).split())
    match = _FROM.match(code)
    if match:
        module, names = match.group("module", "names")
        if module.startswith("."):
            return [], f"relative import {module!r}: a registry entry needs an absolute module"
        if not _dotted(module):
            return [], f"{module!r} is not a module path"
        names = names.strip().rstrip(";").strip()
        if names.startswith("("):
            if not names.endswith(")"):
                return [], "unclosed '(' in import"
            names = names[1:-1]
        out: list[tuple[Target, bool]] = []
        # (one name, the usual entry: no split)
        parts = [p.strip() for p in names.split(",")] if "," in names else [names.strip()]
        if parts and parts[-1] == "" and len(parts) > 1:
            parts.pop()  # trailing comma
        if not parts or parts == [""]:
            return [], f"no names after 'from {module} import'"
        for part in parts:
            name = _AS.split(part)[0].strip() if " as " in part else part
            if name.isidentifier():
                out.append((Target(module, name), False))
            elif name == "*":
                out.append((Target(module), False))
            elif name.startswith("[") and PLACEHOLDER.match(name):
                out.append((Target(module), True))
            else:
                return [], f"cannot read name {part!r} in 'from {module} import …'"
        return out, None
    match = _IMPORT.match(code)
    if match:
        out = []
        for part in match["modules"].rstrip(";").split(","):
            module = part.strip()
            module = _AS.split(module)[0].strip() if " as " in module else module
            if not _dotted(module):
                return [], f"cannot read module {part.strip()!r} in 'import …'"
            out.append((Target(module), False))
        return out, None
    return [], "not an import statement"


def _dotted(text: str) -> bool:
    return bool(text) and all(map(str.isidentifier, text.split(".")))


def parse_mock(code: str) -> tuple[list[str], str | None]:
    """``@patch('a.b.C')`` -> (['a.b.C'], None); a ``patch(`` without a readable target is an
    error; ``patch.object(…)`` and other code -> ([], None)."""
    found = [m["target"] for m in _MOCK.finditer(code)]
    if found:
        bad = [t for t in found if not (_dotted(t) and "." in t)]
        if bad:
            return [], f"mock target {bad[0]!r} is not a dotted path"
        return found, None
    if _PATCHISH.search(code):
        return [], "patch(…) without a string target"
    return [], None


def classify(text: str, number: int, split: tuple[str, str] | None = None) -> Line:
    """Rule 3: what one code-block line is (``split``: its ``split_comment``, when the caller
    has it already)."""
    if split is None:
        stripped = text.strip()
        if not stripped:
            return Line("blank", number)
        if stripped.startswith("#"):
            return _classify_comment(stripped.lstrip("#").strip(), number)
        split = split_comment(stripped)
    code, trailing = split
    own = markers.read(trailing)
    if code.startswith(("from ", "import ")) or code in ("from", "import"):
        targets, error = parse_import(code)
        if error:
            return Line("problem", number, f"cannot read import: {error}")
        return _entry(number, targets, own, trailing)
    mocks, error = parse_mock(code)
    if error:
        return Line("problem", number, f"cannot read mock target: {error}")
    if mocks:
        return Line("mock", number, mock_targets=mocks, own=own, trailing=trailing)
    return Line("code", number, text=stripped)  # examples: ignored, even when marked


def _entry(number: int, targets: list[tuple[Target, bool]], own: Markers,
           trailing: str) -> Line:
    if (targets[0][1] if len(targets) == 1 else any(p for _t, p in targets)):
        own = own | Markers(frozenset({Status.UNVERIFIED}))
    return Line("import", number, targets=targets, own=own, trailing=trailing)


def _classify_comment(body: str, number: int) -> Line:
    replacement = _REPLACEMENT.match(body)
    if replacement:
        return _classify_replacement(replacement["content"].strip(), body, number)
    code, trailing = split_nested_comment(body)
    entry = _COMMENTED_ENTRY.match(code)
    if entry:
        prefix = entry["prefix"] or entry["emoji"] or ""
        own = markers.read(prefix) | markers.read(trailing)
        inner = entry["entry"].strip()
        if inner.startswith(("from ", "import ")):
            targets, error = parse_import(inner)
            if not error:
                line = _entry(number, targets, own, " ".join(filter(None, (prefix, trailing))))
                line.text = body
                return line
        else:
            mocks, error = parse_mock(inner)
            if mocks and not error:
                return Line("mock", number, body, mock_targets=mocks, own=own,
                            trailing=" ".join(filter(None, (prefix, trailing))))
        if error and own:
            # A marked commented-out entry that cannot be read; unmarked, it may be prose.
            return Line("problem", number, f"cannot read commented-out entry: {error}")
    if code and trailing and _DOTTED_PATH.search(code) and markers.read(trailing):
        # ``# netra_backend.app.gone.Thing  # ❌ BROKEN``: a path with a marker of its own, but
        # not an import to attach it to. Prose about a calling pattern
        # (``# ExecutionEngine() instantiation without parameters  # ❌ BROKEN …``) names no
        # path: it is a comment.
        return Line("problem", number, f"marker {trailing!r} on a line with no import path")
    return Line("comment", number, body)


def _classify_replacement(content: str, body: str, number: int) -> Line:
    code, _trailing = split_comment(content)
    if code.startswith(("from ", "import ")):
        targets, error = parse_import(code)
        if error:
            return Line("problem", number, f"cannot read replacement import: {error}")
        return Line("replacement", number, body, targets=targets)
    mocks, error = parse_mock(code)
    if error:
        return Line("problem", number, f"cannot read replacement mock target: {error}")
    if mocks:
        return Line("replacement", number, body, mock_targets=mocks)
    bare = _BARE.match(code)
    if bare:
        name = bare["name"]
        if ":" in name or "." in name:
            try:
                return Line("replacement", number, body, targets=[(Target.parse(name), False)])
            except ValueError:
                return Line("problem", number, f"cannot read replacement {name!r}")
        return Line("replacement", number, body, bare_name=name)
    return Line("comment", number, body)  # advice in prose ("Use create_…() instead"): a note


def _join_statements(lines: list[tuple[int, str]]) -> Iterator[Line]:
    """Classify a block's lines; a parenthesised or backslash-continued import is one line."""
    i = 0
    while i < len(lines):
        number, text = lines[i]
        stripped = text.strip()
        split = None
        if stripped.startswith(("from ", "import ")):
            split = split_comment(stripped)
            code = split[0]
            # The statement grows line by line: parts and a running paren balance, joined
            # once (re-joining and re-counting the whole statement per line was quadratic).
            parts = [code]
            depth = code.count("(") - code.count(")")
            comment = ""
            span = 1
            while (depth > 0 or parts[-1].endswith("\\")) and i + span < len(lines):
                nxt_code, nxt_comment = split_comment(lines[i + span][1].strip())
                if not nxt_code or not _CONTINUATION.match(nxt_code):
                    break  # not a name list: the statement is unclosed (reported below)
                parts[-1] = parts[-1].removesuffix("\\")
                parts.append(nxt_code)
                depth += nxt_code.count("(") - nxt_code.count(")")
                comment = nxt_comment
                span += 1
            if span > 1:
                code = " ".join(parts)
                stripped = code + (f"  # {comment}" if comment else "")
                line = classify(stripped, number)
                line.span = span
                yield line
                i += span
                continue
        yield classify(text, number, split)
        i += 1


# --- the block walker --------------------------------------------------------------------------


@dataclass(slots=True)
class _Pending:
    """An entry line being read: its claims are made once its replacement is known."""

    line: Line
    status: Status
    marked: bool
    run: tuple[str, int]
    note: str
    before: bool = False
    # The caption's markers when the status came from the comments above the run (rule 4.2).
    caption: Markers | None = None
    replacements: dict[int, tuple[Target | None, str | None, bool]] = field(
        default_factory=dict)  # target index -> (replacement, bare name, different_api)
    mock_replacement: str | None = None
    replacement_line: int | None = None


class _BlockWalker:
    """Reads one code block: statuses (rule 4), notes, replacements (rules 6-7)."""

    def __init__(self, loader: _Loader, heading: Markers, heading_path: tuple[str, ...]):
        self.loader = loader
        self.heading = heading
        self.heading_path = heading_path
        self.comments: list[str] = []  # comment lines since the last run of entries (rule 4)
        self.above: list[str] = []  # the comment lines directly above the current line
        self.entry_above: list[str] = []  # those above the current run of entries (notes)
        self.caption = ""  # their text, as each entry's note begins
        self.block_markers: Markers = markers.NONE
        self.group: list[_Pending] = []  # entries since the last blank/replacement line (rule 6)
        self.replacements: list[Line] = []  # consecutive replacement lines after the group
        self.before: list[_Pending] = []  # entries under "❌ BEFORE", waiting for "✅ AFTER"
        self.after_targets: list[Target] = []
        self.run_start: int | None = None
        self.run_entries: list[_Pending] = []  # the entries of the current run
        self.run_has_code = False
        self.last_kind = "blank"
        self.pending: list[_Pending] = []

    def walk(self, lines: list[tuple[int, str]]) -> None:
        kinds = self.loader.kinds
        for line in _join_statements(lines):
            kinds[line.number] = line.kind
            if line.span > 1:
                for number in range(line.number + 1, line.number + line.span):
                    kinds[number] = line.kind
            if line.kind != "replacement" and self.replacements:
                self._attach_replacements()
            if line.kind == "blank":
                self._settle_run()
                if self.run_has_code:
                    self.comments.clear()  # comments trailing a run belong to that run
                self.above.clear()
                self.group.clear()
                self.run_start, self.run_has_code = None, False
                self.last_kind = "blank"
                continue
            if self.run_start is None:
                self.run_start = line.number
            if line.kind == "comment":
                self.comments.append(line.text)
                if self.last_kind == "comment":
                    self.above.append(line.text)
                else:
                    self.above = [line.text]
            elif line.kind in ("import", "mock"):
                self._entry(line)
            elif line.kind == "replacement":
                self.replacements.append(line)
                self.run_has_code = True
            elif line.kind == "problem":
                self.loader.problem(line.number, line.text)
                self.run_has_code = True
            else:  # other code
                self.comments.clear()
                self.run_has_code = True
            self.last_kind = line.kind
        if self.replacements:
            self._attach_replacements()
        self._settle_run()
        self._attach_after()
        for pending in self.pending:
            self.loader.emit(pending, self.heading_path)

    def _entry(self, line: Line) -> None:
        if self.last_kind not in ("import", "mock"):
            self.block_markers = markers.NONE
            for comment in self.comments:
                self.block_markers = self.block_markers | markers.read(comment)
            self.comments.clear()
            self.entry_above = list(self.above) if self.last_kind == "comment" else []
            self.caption = _caption(self.entry_above)
        caption = None
        if line.own:
            status, marked = line.own.status, True
        elif self.block_markers:
            status, marked = self.block_markers.status, False
            caption = self.block_markers
        elif self.heading:
            status, marked = self.heading.status, False
        else:
            status, marked = Status.VERIFIED, False  # listed, and nothing says otherwise
        assert status is not None
        if not line.trailing:
            note = self.caption
        else:
            note = f"{self.caption}\n{line.trailing}" if self.entry_above else line.trailing
        pending = _Pending(line, status, marked, (self.loader.file, self.run_start or line.number),
                           note, before=self.block_markers.before and not line.own,
                           caption=caption)
        self.pending.append(pending)
        self.group.append(pending)
        self.run_entries.append(pending)
        self.run_has_code = True
        if pending.before:
            if self.after_targets:
                self._attach_after()
            self.before.append(pending)
        elif self.block_markers.after and not line.own.statuses - {Status.VERIFIED}:
            self.after_targets.extend(t for t, _p in line.targets)

    def _settle_run(self) -> None:
        """When lines of a run carry markers of their own, a compatibility caption is about
        those lines: a line with a comment of its own but no marker (``# Factory function``
        under "Added ExecutionTracker alias for backward compatibility") is not the alias, so
        the caption's compatibility word does not reach it."""
        run, self.run_entries = self.run_entries, []
        if not any(p.marked for p in run):
            return
        for pending in run:
            caption = pending.caption
            if pending.marked or caption is None or not pending.line.trailing \
                    or pending.status is not Status.COMPATIBLE:
                continue
            rest = caption.statuses - {Status.COMPATIBLE}
            pending.status = most_severe(rest) if rest else Status.VERIFIED

    def _attach_replacements(self) -> None:
        """Rule 6: replacement lines attach to the broken/deprecated entries just before them.

        One replacement line serves the whole group; as many lines as entries pair in order;
        otherwise all replacement targets form one pool (rule 7 maps names across)."""
        readable = self.replacements
        self.replacements = []
        group = [p for p in self.group if p.status.needs_action]
        self.group = []
        if not group:
            for line in readable:
                self.loader.problem(line.number, "replacement line follows no broken, deprecated "
                                                 "or compatibility entry to attach to")
            return
        if len(readable) == len(group) > 1:
            pairs = [(p, [line]) for p, line in zip(group, readable)]
        else:
            pairs = [(p, readable) for p in group]
        for pending, lines in pairs:
            pending.replacement_line = lines[0].number
            if pending.line.kind == "mock":
                mocks = [m for line in lines for m in line.mock_targets]
                if len(mocks) >= 1 and len(pending.line.mock_targets) == 1:
                    pending.mock_replacement = mocks[0]
                continue
            bare = [line.bare_name for line in lines if line.bare_name]
            pool = [t for line in lines for t, _p in line.targets]
            if bare and not pool:
                if len(pending.line.targets) == 1:
                    pending.replacements[0] = (None, bare[0], False)
                else:
                    self.loader.problem(lines[0].number, f"replacement name {bare[0]!r} cannot "
                                        "stand for the several names on the line above")
                continue
            _map_names(pending, pool, different_api=False)

    def _attach_after(self) -> None:
        """A BEFORE/AFTER migration pair: the AFTER imports replace the BEFORE ones (a
        different API, so unsafe)."""
        if self.before and self.after_targets:
            for pending in self.before:
                _map_names(pending, self.after_targets, different_api=True)
        if self.after_targets:
            self.before = []
        self.after_targets = []


# A note quotes at most this much of the comments above its run (the lines nearest the entry):
# every entry of the run carries it, so a 100,000-line comment above 100,000 entries would
# otherwise make notes of quadratic total size.
MAX_CAPTION_CHARS = 4000


def _caption(lines: list[str]) -> str:
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(line) + 1
        if size > MAX_CAPTION_CHARS + 1 and kept:
            break
        kept.append(line)
    return "\n".join(reversed(kept))[-MAX_CAPTION_CHARS:]


def _map_names(pending: _Pending, pool: list[Target], *, different_api: bool) -> None:
    """Rule 7: same name first; one name on each side is a rename; extra names are ignored."""
    targets = [t for t, _p in pending.line.targets]
    for index, target in enumerate(targets):
        if index in pending.replacements:
            continue
        same = next((r for r in pool if r.name is not None and r.name == target.name), None)
        if same is None and len(targets) == 1 and len(pool) == 1:
            same = pool[0]
        if same is None and target.is_module:
            modules = [r for r in pool if r.is_module]
            same = modules[0] if len(modules) == 1 else None
        if same is not None and same != target:
            pending.replacements[index] = (same, None, different_api)


# --- the file ----------------------------------------------------------------------------------


class _Loader:
    def __init__(self, file: str, lines: list[str]):
        self.file = file
        self.lines = lines
        self.claims: list[Claim] = []
        self.mocks: list[MockClaim] = []
        self.problems: list[Problem] = []
        self.kinds: dict[int, str] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, "IWR001", message))

    def emit(self, pending: _Pending, heading_path: tuple[str, ...]) -> None:
        line = pending.line
        raw = self.lines[line.number - 1].strip() if line.number <= len(self.lines) else ""
        provenance = Provenance(self.file, line.number, heading_path, raw, pending.note)
        for mock in line.mock_targets:
            status = pending.status
            self.mocks.append(MockClaim(mock, status, provenance, pending.mock_replacement))
        for index, (target, _placeholder) in enumerate(line.targets):
            replacement, bare, different_api = pending.replacements.get(index, (None, None, False))
            self.claims.append(Claim(
                target, pending.status, provenance, replacement=replacement,
                different_api=different_api, run=pending.run, marked=pending.marked,
                replacement_name=bare,
                replacement_line=pending.replacement_line if (replacement or bare) else None))


# Only block structure is needed (headings, fences): inline parsing would double the cost.
_PARSER = MarkdownIt("commonmark").disable(["inline", "linkify", "replacements", "smartquotes",
                                             "text_join"], ignoreInvalid=True)


# Runs of backticks, for ``inline_code_spans``.
_TICKS = re.compile(r"`+")


def inline_code_spans(line: str) -> list[tuple[int, int, int]]:
    r"""Inline code in prose (``Use `from a.b import C` ``, one or more backticks around it):
    (start, end, ticks) of each span, the spans the regex ``(`+)(.+?)\1`` finds with
    ``finditer`` (tests/security/test_linear_time.py keeps it as the reference), in linear
    time: the regex sought the end of the line from every backtick of a long run, once per
    shorter opener.

    What that search comes to: from a backtick with ``n`` more in its run (``n`` counting
    itself), the opener is the longest ``k <= n`` such that ``k`` backticks follow at least
    one character after it: inside the same run (``2k + 1 <= n``) or a later run on the line
    at least ``k`` long; the span closes at the first such place. Runs are found once, the
    longest later run is a suffix maximum, and each run is passed over at most once."""
    spans: list[tuple[int, int, int]] = []
    start = 0
    while True:  # (a span never crosses a line break: the regex's '.' stops there)
        stop = line.find("\n", start)
        _segment_spans(line, start, len(line) if stop < 0 else stop, spans)
        if stop < 0:
            return spans
        start = stop + 1


def _segment_spans(line: str, begin: int, end: int, spans: list[tuple[int, int, int]]) -> None:
    runs = [m.span() for m in _TICKS.finditer(line, begin, end)]
    longest_after = [0] * (len(runs) + 1)  # [r]: the longest run from run r on
    for r in range(len(runs) - 1, -1, -1):
        longest_after[r] = max(longest_after[r + 1], runs[r][1] - runs[r][0])
    r = 0
    pos = runs[0][0] if runs else 0
    while r < len(runs):
        run_end = runs[r][1]
        left = run_end - pos  # backticks from pos to the end of its run
        k = max(min(left, longest_after[r + 1]), (left - 1) // 2)
        if k == 0:
            return  # (no later run, at most two backticks left: nothing more can open)
        if 2 * k + 1 <= left:  # closed inside the same run
            close = pos + k + 1
        else:  # closed by the first later run long enough
            r += 1
            while runs[r][1] - runs[r][0] < k:
                r += 1
            close = runs[r][0]
        spans.append((pos, close + k, k))
        pos = close + k
        if pos >= runs[r][1]:
            r += 1
            if r < len(runs):
                pos = runs[r][0]


def _prose_imports(loader: _Loader, number: int, heading: Markers,
                   heading_path: tuple[str, ...]) -> None:
    """An import statement in inline code is an entry: prose is sometimes the only place a
    path is named. Its status comes from the words of its own line (outside the code), else
    the nearest heading with a marker, else verified; an import that cannot be read is an
    IWR001 problem naming the line."""
    raw = loader.lines[number - 1] if number <= len(loader.lines) else ""
    found = inline_code_spans(raw)
    codes = [code for start, end, ticks in found
             if (code := raw[start + ticks:end - ticks].strip()).startswith(("from ", "import "))]
    if not codes:
        return
    ends = [0] + [end for _start, end, _ticks in found]
    starts = [start for start, _end, _ticks in found] + [len(raw)]
    words = " ".join(raw[a:b] for a, b in zip(ends, starts))  # (each span becomes a blank)
    own = markers.read(words)
    status = own.status or heading.status or Status.VERIFIED
    note = _EMPHASIS.sub("", words).strip(" -*:")
    provenance = Provenance(loader.file, number, heading_path, raw.strip(), note)
    for code in codes:
        targets, error = parse_import(code)
        if error:
            loader.problem(number, f"cannot read import {code!r} in inline code: {error}")
            continue
        for target, placeholder in targets:
            loader.claims.append(Claim(
                target, Status.UNVERIFIED if placeholder else status, provenance,
                run=(loader.file, number), marked=bool(own) or placeholder))


def load_markdown(text: str, file: str) -> Claims:
    """Read a Markdown registry (already decoded) into claims. Never raises on content."""
    lines = repair(text)
    loader = _Loader(file, lines)
    tokens = _PARSER.parse("\n".join(lines))
    stack: list[tuple[int, str, Markers]] = []  # (level, text, markers) of enclosing headings
    headings: list[tuple[int, int, str]] = []  # (line, level, title)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            level = int(token.tag[1:])
            title = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title, markers.read(title)))
            headings.append((token.map[0] + 1, level, title))
        elif token.type == "inline" and token.map and "`" in token.content \
                and not (index and tokens[index - 1].type == "heading_open"):
            # (not the document's title: "SSOT IMPORT REGISTRY" says nothing of a paragraph)
            heading = next((m for lv, _t, m in reversed(stack) if m and lv > 1), markers.NONE)
            for number in range(token.map[0] + 1, token.map[1] + 1):
                _prose_imports(loader, number, heading, tuple(t for _l, t, _m in stack))
        elif token.type == "fence" and token.map:
            info = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
            if info not in PYTHON_INFOS:
                continue
            heading = next((m for _l, _t, m in reversed(stack) if m), markers.NONE)
            first = token.map[0] + 2  # 1-based number of the first content line
            content = token.content.split("\n")
            if content and content[-1] == "":
                content.pop()
            walker = _BlockWalker(loader, heading, tuple(t for _l, t, _m in stack))
            walker.walk([(first + i, text_line) for i, text_line in enumerate(content)])
    services = _services(lines, headings, file)
    return Claims(file, loader.claims, loader.mocks, services, loader.problems, loader.kinds)


def _services(lines: list[str], headings: list[tuple[int, int, str]], file: str
              ) -> Services | None:
    """Rule 12. The "Service Isolation Rules" list gives the rule ("NEVER import between
    services") and its exception ("(except shared utilities)" -> ``shared``); without the rule
    there is no isolation to enforce, so no services are returned. The services are the
    packages the *Path Patterns* section names (but the shared ones), else the
    ``### <name> Service`` headings; a package whose section describes it as shared, test
    infrastructure or utilities is shared, not isolated. Each package keeps the line that made
    it a service or shared."""
    def prov(number: int) -> Provenance:
        return Provenance(file, number, (), lines[number - 1].strip(), "")

    rule = _isolation_rule(lines, headings)
    if rule is None:
        return None
    origins: dict[str, ServiceOrigin] = {}
    exception = _EXCEPT.search(lines[rule - 1])
    if exception:
        for word in _WORD.findall(exception["what"]):
            if word.lower() not in _NOT_PACKAGES:
                origins.setdefault(word, ServiceOrigin(word, "shared", prov(rule)))
    sections = _sections(headings, len(lines))
    named = [(number, service["name"]) for number, _level, title in headings
             if (service := _SERVICE_HEADING.match(title))]
    heading_lines = {number for number, _level, _title in headings}
    for number, name in named:
        described = _described_as_shared(lines, number, sections[number], heading_lines)
        if described is not None and name not in origins:
            origins[name] = ServiceOrigin(name, "shared", prov(described))
    patterns = _path_pattern_names(headings, sections)
    for number, name in patterns or named:
        if name not in origins:
            origins[name] = ServiceOrigin(name, "service", prov(number))
    members = tuple(o.package for o in origins.values() if o.role == "service")
    shared = tuple(o.package for o in origins.values() if o.role == "shared")
    ordered = tuple(sorted(origins.values(), key=lambda o: o.role != "service"))
    return Services(members, shared, prov(rule), ordered)


def _isolation_rule(lines: list[str], headings: list[tuple[int, int, str]]) -> int | None:
    """The line of "NEVER import between services" under a "Service Isolation" heading."""
    starts = [number for number, _level, title in headings if _ISOLATION_HEADING.search(title)]
    heading_lines = [number for number, _level, _title in headings]
    for start in starts:
        end = next((h for h in heading_lines if h > start), len(lines) + 1)
        for number in range(start + 1, end):
            if _ISOLATION_RULE.search(lines[number - 1]):
                return number
    return None


def _sections(headings: list[tuple[int, int, str]], last: int) -> dict[int, int]:
    """Heading line -> the last line of its section (up to the next heading as high)."""
    ends: dict[int, int] = {}
    for i, (number, level, _title) in enumerate(headings):
        ends[number] = next((n - 1 for n, lv, _t in headings[i + 1:] if lv <= level), last)
    return ends


def _path_pattern_names(headings: list[tuple[int, int, str]], sections: dict[int, int]
                        ) -> list[tuple[int, str]]:
    """The packages the *Path Patterns* section names: its sub-headings ``#### netra_backend:``."""
    for number, level, title in headings:
        if not _PATH_PATTERNS_HEADING.search(title):
            continue
        end = sections[number]
        found = [(n, m["name"]) for n, lv, t in headings
                 if number < n <= end and lv > level and (m := _PATTERN_NAME.match(t))]
        if found:
            return found
    return []


def _described_as_shared(lines: list[str], heading: int, end: int,
                         heading_lines: set[int]) -> int | None:
    """The line that describes a ``### <name> Service`` section's package as shared, test
    infrastructure or utilities: the heading itself or the section's first line of text (its
    first caption, e.g. ``# SSOT Test Infrastructure``)."""
    if _SHARED_WORDS.search(lines[heading - 1]):
        return heading
    for number in range(heading + 1, end + 1):
        text = lines[number - 1].strip()
        if not text or text.startswith(("```", "~~~")) or number in heading_lines:
            continue
        return number if _SHARED_WORDS.search(text.lstrip("#")) else None
    return None
