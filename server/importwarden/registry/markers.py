"""Status markers in registry comments and headings (docs/registry.md, "Marker words").

A small table: pattern -> status. ``read(text)`` returns what a comment or heading says.

Reading decisions beyond the spec's list (docs/registry.md states them):
- A marker *word* says what an emoji only colours: when a text has any marker word, its emoji
  are not counted on their own (``❌ DEPRECATED: from M import X`` is deprecated, not broken;
  ``❌ DID NOT EXIST: Placeholder created for test compatibility`` is compatible).
- Historical phrases (``[FIXED]``, ``Fixed 2025-…``, ``DID NOT EXIST``, ``WAS BROKEN``) are cut
  out before matching, and an emoji next to one describes the past too (``❌ WAS BROKEN`` says
  nothing about today).
- ``BEFORE`` / ``AFTER`` count only at the start of a text (``❌ BEFORE (vulnerable):``), so
  prose such as "verify before importing" is not a migration pair.
- ``no longer working/works/exists/available`` is broken ("DEPRECATED (no longer working)").
- ``Preferred`` is canonical, like RECOMMENDED.
- RECOMMENDED, CANONICAL, Preferred and ✅ beat a mention of compatibility ("RECOMMENDED: Use
  alias for backward compatibility" is canonical, "✅ keeps compatibility" verified); SSOT does
  not ("SSOT compatibility export" stays compatible).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from importwarden.registry.model import Status, most_severe

_I = re.IGNORECASE

# Marker words -> status. Matched case-insensitively, as whole words. ("wrong … name" within
# 80 characters: an unbounded gap made a line of many "wrong" words quadratic.)
WORDS: tuple[tuple[Status, re.Pattern[str]], ...] = (
    (Status.BROKEN, re.compile(
        r"\bbroken\b|\bdo(?:es)?\s+not\s+exist\b|\bwrong\s+module\b|\bwrong\b[\w /]{0,80}?\bname\b"
        r"|\bdo\s+not\s+use\b|\bincorrect\b|\bno\s+longer\s+(?:working|works|exists?|available)\b",
        _I)),
    (Status.DEPRECATED, re.compile(r"\bdeprecat\w*|\blegacy\b", _I)),
    (Status.COMPATIBLE, re.compile(r"\bcompatib\w*|\bre-?exports?\b", _I)),
    (Status.CANONICAL, re.compile(
        r"\bcanonical\b|\brecommended\b|\bssot\b|\bsingle\s+source\s+of\s+truth\b|\bpreferred\b",
        _I)),
    (Status.UNVERIFIED, re.compile(
        r"\brequires?\s+verification\b|\bneeds?\s+verification\b|\bunverified\b"
        r"|\bnot\s+(?:yet\s+)?verified\b|\bto\s+be\s+verified\b", _I)),
    (Status.VERIFIED, re.compile(
        r"\bverified\b|\bworking\b|\bworks\b|\bconfirmed\b|\bavailable\b|\bcorrect\b", _I)),
)
# Emoji (clean form; text.py restores the mojibake forms before we get here).
EMOJI: tuple[tuple[Status, re.Pattern[str]], ...] = (
    (Status.BROKEN, re.compile("[\u274c\u2716\u26d4\U0001f6ab]")),  # ❌ ✖ ⛔ 🚫
    (Status.DEPRECATED, re.compile("\u26a0")),  # ⚠ (with or without U+FE0F)
    (Status.UNVERIFIED, re.compile("[\u2753\u2754]")),  # ❓ ❔
    (Status.VERIFIED, re.compile("[\u2705\u2714\u2611]")),  # ✅ ✔ ☑
)
# Words that recommend a path outright: they beat a mere mention of compatibility (SSOT does not:
# "SSOT compatibility export" is a compatibility layer).
_RECOMMENDS = re.compile(r"\bcanonical\b|\brecommended\b|\bpreferred\b", _I)
# The two halves of a migration pair, only at the start of the text (after emoji/punctuation).
BEFORE = re.compile(r"^[\W_]*before\b", _I)
AFTER = re.compile(r"^[\W_]*after\b", _I)
# The past: cut out before matching.
HISTORICAL = re.compile(
    r"\[\s*fixed\s*\]|\bfixed\b(?:\s+(?:on\s+)?\d{4}-\d{2}(?:-\d{2})?)?|\bdid\s+not\s+exist\b"
    r"|\b(?:was|were|had\s+been|previously)\s+(?:broken|failing|missing)\b"
    r"|\bpreviously\s+failing\b", _I)
# ``[AUTH_MODEL_CLASSES]``: a placeholder where names should be (rule 5: unverified).
PLACEHOLDER = re.compile(r"^\[[A-Za-z0-9_ .-]+\]$")


@dataclass(frozen=True)
class Markers:
    """What one comment or heading says."""

    statuses: frozenset[Status] = frozenset()
    before: bool = False  # ``❌ BEFORE …``: the old half of a migration pair
    after: bool = False  # ``✅ AFTER …``: the new half

    @property
    def status(self) -> Status | None:
        return most_severe(self.statuses) if self.statuses else None

    def __bool__(self) -> bool:
        return bool(self.statuses)

    def __or__(self, other: Markers) -> Markers:
        return Markers(self.statuses | other.statuses, self.before or other.before,
                       self.after or other.after)


NONE = Markers()


@functools.lru_cache(maxsize=1 << 14)
def read(text: str) -> Markers:
    """The markers in ``text`` (a comment without its ``#``, or a heading's text).

    Cached: a registry repeats the same few comments (``# DEPRECATED``) on thousands of lines,
    and a read is a dozen regex searches; ``Markers`` is immutable."""
    if not text:
        return NONE
    before = bool(BEFORE.match(text))
    after = not before and bool(AFTER.match(text))
    cleaned, historical = HISTORICAL.subn(" ", text)
    found = {status for status, pattern in WORDS if pattern.search(cleaned)}
    if before:
        found.add(Status.DEPRECATED)  # the old pattern still imports; it must not be used
    elif after:
        found.add(Status.VERIFIED)
    emoji = {status for status, pattern in EMOJI if pattern.search(cleaned)}
    if Status.COMPATIBLE in found and (_RECOMMENDS.search(cleaned) or (
            Status.VERIFIED in emoji and not historical)):
        # "RECOMMENDED: Use alias for backward compatibility": a recommendation (or a ✅) says
        # what the path is; the compatibility word only says why it exists.
        found.discard(Status.COMPATIBLE)
        if not found:
            found = {Status.VERIFIED}
    if not found and not historical:
        found = emoji
    if not found:
        return NONE
    return Markers(frozenset(found), before, after)


_NESTED_COMMENT = re.compile(r"\s#\s")


def split_nested_comment(body: str) -> tuple[str, str]:
    """Inside a comment, ``code  # comment`` (a ``#`` between blanks; ``#1116`` is text)."""
    match = _NESTED_COMMENT.search(body)
    if match is None:
        return body.rstrip(), ""
    return body[:match.start()].rstrip(), body[match.end():].strip()


# Code up to a comment: anything but quotes and '#', or whole string literals.
_CODE = re.compile(r"""(?:[^#'"]|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")*""")


def split_comment(line: str) -> tuple[str, str]:
    """``code  # comment`` -> (``code``, ``comment``), ignoring ``#`` inside string literals.

    The comment is returned without its ``#`` and surrounding blanks.
    """
    hash_at = line.find("#")
    if hash_at < 0:
        return line.rstrip(), ""
    if "'" in line or '"' in line:
        hash_at = _CODE.match(line).end()  # type: ignore[union-attr]
        if hash_at >= len(line) or line[hash_at] != "#":
            return line.rstrip(), ""  # '#' only inside strings (or an unclosed string)
    return line[:hash_at].rstrip(), line[hash_at:].lstrip("#").strip()
