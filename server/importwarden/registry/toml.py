"""The strict TOML registry loader (docs/registry.md, "TOML form").

``importwarden.toml`` holds ``[[import]]``, ``[[mock]]`` and ``[services]`` at the top level
(next to settings, which config.py reads); ``pyproject.toml`` holds the same tables under
``[tool.importwarden.registry]``. Every unknown key and bad value is an IWR009 problem with file
and line, and the entry it is in is skipped; the rest of the file still loads (ruff's
"one bad entry does not hide the others" for lint results, while a file that is not TOML at all
is a ``RegistryLoadError``: nothing in it can be trusted, as ruff does with a broken config).

tomllib gives no positions, so lines are found by scanning the text: the n-th
``[[import]]`` header is the n-th array element, and a key's line is the first ``key =`` line
inside that table.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Mapping
from typing import Any

from importwarden.config_keys import SETTING_KEYS
from importwarden.errors import RegistryLoadError
from importwarden.registry.combine import Claims, MockClaim
from importwarden.registry.model import (
    Applicability,
    Claim,
    Problem,
    Provenance,
    Services,
    Status,
    Target,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

IMPORT_KEYS = ("target", "status", "use", "fix", "note", "source", "conflict", "works_status",
               "inferred")
MOCK_KEYS = ("target", "status", "use", "fix", "note", "source")
SERVICES_KEYS = ("members", "shared")
REGISTRY_KEYS = ("import", "mock", "services")
_STATUSES = ", ".join(s.value for s in Status)
_FIXES = ", ".join(a.value for a in Applicability)


_ERROR_LINE = re.compile(r"line (\d+)")


def table_header(line: str) -> str | None:
    r"""The name in a ``[table]`` / ``[[array.of.tables]]`` header line (blanks around it
    removed), else None: what group 1 of ``^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$`` is
    (tests/security/test_linear_time.py keeps that regex as the reference), in linear time.
    The regex backtracked over every split of a run of blanks between its ``\s*`` and the
    lazy name, seeking a ``]`` each time: quadratic on ``[`` and many blanks.

    What it comes to: the name is what lies between the opening ``[`` (or ``[[`` when
    something follows it) and the first ``]``, stripped; only blanks: the last blank (the
    lazy name takes one character); after the ``]``: another ``]``, blanks, a comment."""
    first = len(line) - len(line.lstrip())
    if not line.startswith("[", first):
        return None
    close = line.find("]", first + 1)
    if close < 0:
        return None
    tail = line[close + 1:]
    tail = (tail[1:] if tail.startswith("]") else tail).lstrip()
    if tail and not (tail[0] == "#" and tail.find("\n") in (-1, len(tail) - 1)):
        return None  # (``.*$`` of the comment: no line break but a last one)
    opened = first + 2 if line.startswith("[", first + 1) and close > first + 2 else first + 1
    content = line[opened:close]
    if not content:
        return None
    return content.strip() or content[-1]


def undotted(name: str) -> str:
    r"""A dotted table name without the blanks around its dots (``a . b`` -> ``a.b``): what
    ``re.sub(r"\s*\.\s*", ".", name)`` gives, without searching a run of blanks again from
    each of its blanks (quadratic on a long run that no dot ends)."""
    parts = name.split(".")
    if len(parts) == 1:
        return name
    return ".".join([parts[0].rstrip(), *(part.strip() for part in parts[1:-1]),
                     parts[-1].lstrip()])


class _Lines:
    """Find the line of a table or key in TOML text (tomllib has no positions)."""

    def __init__(self, text: str, prefix: str):
        self.lines = text.splitlines()
        dotted = re.escape(prefix + ".") if prefix else ""
        self._headers: dict[str, list[int]] = {}
        self._all_headers: list[int] = []
        self._keys: dict[int, dict[str, int]] = {}  # table start -> key -> first line
        for number, line in enumerate(self.lines, 1):
            header = table_header(line) if "[" in line else None
            if header is not None:
                self._all_headers.append(number)
                name = undotted(header).replace('"', "")
                if prefix and not re.match(dotted, name + "."):
                    continue
                self._headers.setdefault(name[len(prefix) + 1 if prefix else 0:], []).append(
                    number)

        self.root = self._headers.get("", [1])[0] if prefix else 1

    def text_of(self, number: int) -> str:
        return self.lines[number - 1].strip() if 0 < number <= len(self.lines) else ""

    def table(self, name: str, index: int = 0) -> int:
        """The header line of the ``index``-th ``[name]``/``[[name]]``, else its key line."""
        found = self._headers.get(name, [])
        if index < len(found):
            return found[index]
        return self.key(self.root, name)

    def key(self, start: int, key: str) -> int:
        """The line of ``key =`` in the table starting at line ``start`` (else ``start``)."""
        after = bisect.bisect_right(self._all_headers, start)
        end = self._all_headers[after] if after < len(self._all_headers) else len(self.lines) + 1
        if "=" in key or '"' in key or key != key.strip():
            # (rare: the table's key map below cannot hold it) the line of ``key =``
            pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
            for number in range(start, end):
                if pattern.match(self.lines[number - 1]):
                    return number
            return start
        keys = self._keys.get(start)
        if keys is None:
            keys = self._keys[start] = self._key_lines(start, end)
        return keys.get(key, start)

    def _key_lines(self, start: int, end: int) -> dict[str, int]:
        """Key -> its first ``key =`` line in lines ``start..end-1``: one pass per table (a
        scan per key made a table of many bad keys quadratic). The text before a line's first
        ``=``, blanks and one optional quote on each side removed, is the key it can name
        (a key without ``=``, quotes or outer blanks: the others take the slow path above)."""
        keys: dict[str, int] = {}
        for number in range(start, end):
            line = self.lines[number - 1]
            before, equals, _rest = line.partition("=")
            if not equals:
                continue
            written = before.strip()
            for name in {written, written.removeprefix('"'), written.removesuffix('"'),
                         written.removeprefix('"').removesuffix('"')}:
                keys.setdefault(name, number)
        return keys


def load_toml(text: str, file: str, *, pyproject: bool = False) -> Claims:
    """Read a TOML registry. Raises ``RegistryLoadError`` only when the text is not TOML."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _ERROR_LINE.search(str(exc))
        if match:
            line = int(match.group(1))
        else:  # "(at end of document)": a string or array left open runs to the last line
            line = text.count("\n") + 1 if "end of document" in str(exc) else None
        raise RegistryLoadError(f"invalid TOML: {exc}", file=file, line=line) from None
    problems: list[Problem] = []
    if pyproject:
        prefix = "tool.importwarden.registry"
        table = data.get("tool", {}).get("importwarden", {}).get("registry")
        lines = _Lines(text, prefix)
        if table is None:
            return Claims(file, problems=[Problem(file, 1, "IWR009",
                                                  "no [tool.importwarden.registry] table")])
        if not isinstance(table, dict):
            return Claims(file, problems=[Problem(file, lines.root, "IWR009",
                                                  "tool.importwarden.registry must be a table")])
        allowed_extra: tuple[str, ...] = ()
    else:
        prefix = ""
        table = data
        lines = _Lines(text, prefix)
        allowed_extra = tuple(k for k in SETTING_KEYS if k not in REGISTRY_KEYS)
    return _read_tables(table, file, lines, problems, allowed_extra)


def _read_tables(table: Mapping[str, Any], file: str, lines: _Lines, problems: list[Problem],
                 allowed_extra: tuple[str, ...]) -> Claims:
    bundle = Claims(file, problems=problems, infer=False)

    def problem(line: int, message: str) -> None:
        problems.append(Problem(file, line, "IWR009", message))

    for key in table:
        if key not in REGISTRY_KEYS and key not in allowed_extra \
                and key.replace("_", "-") not in allowed_extra:
            problem(lines.table(key), f"unknown key {key!r} (expected one of: {', '.join(REGISTRY_KEYS)})")
    for kind in ("import", "mock"):
        items = table.get(kind, [])
        if not isinstance(items, list):
            problem(lines.table(kind), f"{kind!r} must be an array of tables ([[{kind}]])")
            continue
        for index, item in enumerate(items):
            start = lines.table(kind, index)
            if not isinstance(item, dict):
                problem(start, f"[[{kind}]] entry {index + 1} must be a table")
                continue
            if kind == "import":
                _read_import(item, file, start, lines, problem, bundle)
            else:
                _read_mock(item, file, start, lines, problem, bundle)
    services = table.get("services")
    if services is not None:
        bundle.services = _read_services(services, file, lines, problem)
    return bundle


def _common(item: Mapping[str, Any], keys: tuple[str, ...], kind: str, start: int,
            lines: _Lines, problem) -> dict[str, Any] | None:
    """Check keys and the shared values; None when the entry must be skipped."""
    ok = True
    for key in item:
        if key not in keys:
            problem(lines.key(start, key),
                    f"unknown key {key!r} in [[{kind}]] (expected: {', '.join(keys)})")
            ok = False
    out: dict[str, Any] = {}
    for key in ("target", "status"):
        if key not in item:
            problem(start, f"[[{kind}]] needs {key!r}")
            ok = False
    for key in ("target", "status", "use", "fix", "note", "source", "works_status"):
        if key in item and not isinstance(item[key], str):
            problem(lines.key(start, key), f"{key!r} must be a string")
            ok = False
    status = _enum(Status, item["status"]) if isinstance(item.get("status"), str) else None
    if status is None and isinstance(item.get("status"), str):
        problem(lines.key(start, "status"),
                f"status {item['status']!r} is not one of: {_STATUSES}")
        ok = False
    out["status"] = status
    fix = None
    if isinstance(item.get("fix"), str):
        fix = _enum(Applicability, item["fix"])
        if fix is None:
            problem(lines.key(start, "fix"), f"fix {item['fix']!r} is not one of: {_FIXES}")
            ok = False
        elif fix is not Applicability.NONE and "use" not in item:
            problem(lines.key(start, "fix"), f"fix {item['fix']!r} without 'use'")
            ok = False
    out["fix"] = fix
    return out if ok else None


def _read_import(item: Mapping[str, Any], file: str, start: int, lines: _Lines, problem,
                 bundle: Claims) -> None:
    common = _common(item, IMPORT_KEYS, "import", start, lines, problem)
    if common is None:
        return
    try:
        target = Target.parse(item["target"])
    except ValueError as exc:
        problem(lines.key(start, "target"), str(exc))
        return
    replacement = None
    if "use" in item:
        try:
            replacement = Target.parse(item["use"])
        except ValueError as exc:
            problem(lines.key(start, "use"), str(exc))
            return
    conflict = item.get("conflict", False)
    if not isinstance(conflict, bool):
        problem(lines.key(start, "conflict"), "'conflict' must be true or false")
        return
    inferred = item.get("inferred", False)
    if not isinstance(inferred, bool) or (inferred and replacement is None):
        problem(lines.key(start, "inferred"), "'inferred' must be true or false, and true only "
                "with 'use'")
        return
    works_status = None
    if "works_status" in item:
        works_status = _enum(Status, item["works_status"])
        if works_status is None or not works_status.works or common["status"].works \
                or not conflict:
            problem(lines.key(start, "works_status"),
                    "works_status (the status of the working claim in a conflict) needs "
                    "conflict = true, status = \"broken\" and a working status")
            return
    elif conflict and not common["status"].works:
        works_status = Status.VERIFIED
    provenance = Provenance(file, start, (), lines.text_of(lines.key(start, "target")),
                            item.get("note", ""), item.get("source", ""))
    claim = Claim(target, common["status"], provenance, replacement, common["fix"],
                  inferred=inferred)
    if conflict:
        # A conflict is its two claims; the one that wins without a workspace comes last.
        other = Status.BROKEN if common["status"].works else works_status
        assert other is not None
        bundle.claims.append(Claim(target, other, provenance))
    bundle.claims.append(claim)


def _read_mock(item: Mapping[str, Any], file: str, start: int, lines: _Lines, problem,
               bundle: Claims) -> None:
    common = _common(item, MOCK_KEYS, "mock", start, lines, problem)
    if common is None:
        return
    for key in ("target", "use"):
        if key in item and not _dotted(item[key]):
            problem(lines.key(start, key), f"{key} {item[key]!r} is not a dotted path")
            return
    provenance = Provenance(file, start, (), lines.text_of(lines.key(start, "target")),
                            item.get("note", ""), item.get("source", ""))
    bundle.mocks.append(MockClaim(item["target"], common["status"], provenance,
                                  item.get("use"), common["fix"]))


def _read_services(services: Any, file: str, lines: _Lines, problem) -> Services | None:
    start = lines.table("services")
    if not isinstance(services, dict):
        problem(start, "services must be a table with 'members' and 'shared'")
        return None
    values: dict[str, tuple[str, ...]] = {}
    for key, value in services.items():
        if key not in SERVICES_KEYS:
            problem(lines.key(start, key),
                    f"unknown key {key!r} in [services] (expected: members, shared)")
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and v.isidentifier()
                                                  for v in value):
            problem(lines.key(start, key), f"services.{key} must be an array of package names")
            continue
        values[key] = tuple(value)
    return Services(values.get("members", ()), values.get("shared", ()),
                    Provenance(file, start, (), "[services]", ""))


def _enum(kind, value: str):
    try:
        return kind(value.strip().lower())
    except ValueError:
        return None


def _dotted(text: str) -> bool:
    return isinstance(text, str) and bool(text) and all(
        p.isidentifier() for p in text.split("."))
