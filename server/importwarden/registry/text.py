"""Text repair for hand-written registries: any encoding, BOM, CRLF and mojibake.

Registries get pasted through tools that decode UTF-8 as Windows-1252 (``✅`` becomes ``âœ…``).
``ftfy`` undoes that, but only where it can: cp1252 has no character for the bytes 0x81, 0x8D,
0x8F, 0x90 and 0x9D, so those bytes were *lost* on the way (``❌`` = E2 9D 8C became ``âŒ``).
No library can restore a lost byte, and ftfy's best guess there is wrong (``âŒ `` + space
becomes ``⌠``), so the handful of marker emoji whose encoding contains such a byte are restored
from their known damaged forms first; ftfy then repairs the rest. UTF-8 read as Mac Roman
(``‚úÖ``, which ftfy does not recognise) is undone run by run (``_undo_mac_roman``).

Only lines that contain non-ASCII text are looked at, and ftfy runs only on lines its own
``badness`` heuristic flags: a clean registry costs one ``str.isascii`` per line.
"""

from __future__ import annotations

import codecs
import re

import ftfy
from ftfy.badness import is_bad

# Damaged forms (UTF-8 read as cp1252, the byte cp1252 lacks dropped) of emoji registries use as
# markers. Key: the damaged text; value: the emoji. Longest first, so ``⚠️`` wins over ``⚠``.
_LOST_BYTE_FORMS: dict[str, str] = {
    "\u00e2\u0161\u00a0\u00ef\u00b8": "\u26a0\ufe0f",  # ⚠️ (E2 9A A0 EF B8 8F, 8F lost)
    "\u00e2\u0161\u00a0": "\u26a0",  # ⚠ followed by whatever
    "\u00e2\u0152": "\u274c",  # ❌ (E2 9D 8C)
    "\u00e2\u201c": "\u2753",  # ❓ (E2 9D 93)
    "\u00e2\u2014": "\u2757",  # ❗ (E2 9D 97)
    # 🔍 (F0 9F 94 8D) only before a space: ``ðŸ”„`` is a whole 🔄. Decoration, but ftfy's
    # guess for it (🔠) would eat the space after it.
    "\u00f0\u0178\u201d": "\U0001f50d",
}
_LOST_BYTE_RE = re.compile("|".join(
    re.escape(k) + (r"(?=\s|$)" if k.startswith("\u00f0") else "")
    for k in sorted(_LOST_BYTE_FORMS, key=len, reverse=True)))
# ftfy must not straighten quotes (content) nor eat a space as a lost no-break space.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, restore_byte_a0=False, normalization="NFC",
                             fix_line_breaks=False, explain=False)
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")


def decode_bytes(raw: bytes) -> str:
    """Bytes to text, whatever the encoding: UTF-8 (with or without BOM), UTF-16/32 with a BOM,
    else ftfy's guess (cp1252/MacRoman/latin-1). Never raises."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                break
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text, _encoding = ftfy.guess_bytes(raw)
        return text
    except UnicodeError:
        return raw.decode("latin-1")  # maps every byte: cannot fail


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def _undo_mac_roman(match: re.Match[str]) -> str:
    """``‚úÖ`` -> ``✅``: UTF-8 read as Mac Roman (as some Mac tools do). ftfy's heuristics do
    not flag it, so each run of non-ASCII characters is tried on its own: it is taken when its
    Mac Roman bytes are valid UTF-8 that decodes to symbols (U+0800 and up: emoji, arrows,
    dingbats); real accented text ("café", "–") never forms such sequences."""
    run = match.group(0)
    try:
        fixed = run.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run
    return fixed if any(ord(ch) >= 0x800 for ch in fixed) else run


def repair_line(line: str) -> str:
    """One line with mojibake undone (a line that is plain ASCII is returned as is)."""
    if line.isascii():
        return line
    if "\u00e2" in line or "\u00f0" in line:
        line = _LOST_BYTE_RE.sub(lambda m: _LOST_BYTE_FORMS[m.group(0)], line)
    if "\u201a" in line or "\uf8ff" in line:  # how Mac Roman reads the lead bytes E2 and F0
        line = _NON_ASCII_RUN.sub(_undo_mac_roman, line)
    if is_bad(line):
        line = ftfy.fix_text(line, _FTFY)
    if line and line[0] == "\ufeff":
        line = line[1:]
    return line


def repair(text: str) -> list[str]:
    """Text to repaired lines: newlines normalised (CRLF, CR), BOM dropped, mojibake undone.

    Line ``i`` of the result is line ``i + 1`` of the file (line numbers do not move).
    """
    text = text.removeprefix("\ufeff")
    return [repair_line(line) for line in _NEWLINES.sub("\n", text).split("\n")]
