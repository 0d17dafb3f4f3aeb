"""Settings: ``[tool.importwarden]`` in pyproject.toml (or importwarden.toml), CLI options and
editor settings, merged into one ``Settings`` object (later sources override earlier ones).

CONTRACT: fields of ``Settings`` are what the engine, CLI and server read.

- ``load_settings(start, overrides, config_file)``: find the configuration by walking up from
  ``start``, read and validate it (unknown keys and bad values are a ``ConfigError`` naming the
  file and line), then apply CLI overrides.
- ``discover_registries(settings)``: the registry files to load (explicit, else discovered).
- ``settings_from_editor(mapping, base)``: the language server's settings on top of ``base``;
  never raises, an invalid value keeps the base value and yields a warning.

Every setting has one name in three spellings, accepted everywhere: kebab-case (TOML, like
ruff), snake_case and camelCase (editor settings). ``docs/configuration.md`` lists them all.

``settings_for_paths`` is the CLI's entry: the project root from the paths being checked
(``find_project``), never ``$HOME``, the temporary directory or ``/``.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from collections.abc import Callable, Mapping, Sequence
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from importwarden.analysis.findings import Severity
from importwarden.config_keys import SETTING_KEYS
from importwarden.errors import ConfigError, NoRegistryFound, RegistryLoadError


@dataclass(frozen=True)
class Settings:
    root: Path  # project root (directory of the pyproject.toml that configured us, else cwd)
    registry: tuple[Path, ...] = ()  # explicit registry files; empty -> discovery
    roots: tuple[Path, ...] = ()  # first-party roots; empty -> root (+ root/src when present)
    select: frozenset[str] | None = None  # None = all rules; code prefixes allowed ("IW00")
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (glob, codes)
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, plus .gitignore itself
    services_members: tuple[str, ...] | None = None  # overrides the registry's services
    services_shared: tuple[str, ...] | None = None
    severity: dict[str, Severity] = field(default_factory=dict)  # per-code overrides
    completion_auto_import: bool = True
    # Findings at this severity or above fail a run (exit 1); information and hints do not.
    fail_level: Severity = Severity.WARNING
    config_file: Path | None = None  # where the settings came from, for messages

    def fails(self, severity: Severity) -> bool:
        """Whether a finding of ``severity`` makes the run exit 1 (``fail-level``)."""
        return SEVERITY_RANK[severity] <= SEVERITY_RANK[self.fail_level]

    def rule_enabled(self, code: str) -> bool:
        if any(code.startswith(p) for p in self.ignore):
            return False
        return self.select is None or any(code.startswith(p) for p in self.select)


SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFORMATION: 2,
                 Severity.HINT: 3}
PYPROJECT = "pyproject.toml"
CONFIG_TOML = "importwarden.toml"
# Top-level tables of importwarden.toml that are a registry (docs/registry.md, "TOML form").
REGISTRY_TABLES = ("import", "mock", "services")
# Discovered registry names, in load order (a later file overrides an earlier one entry by entry,
# so the "single source of truth" file and the strict TOML form win).
REGISTRY_NAMES = ("IMPORT_REGISTRY.md", "SSOT_IMPORT_REGISTRY.md")
REGISTRY_DIRS = ("", "docs")  # the project root, then docs/
_SUFFIXES = ("_IMPORT_REGISTRY.MD", "-IMPORT_REGISTRY.MD")  # e.g. netra_2025-09-17_SSOT_…
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


# --- finding the configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRoot:
    """Where a project starts, and why: ``marker`` is ``"config"``, ``"registry"``, ``".git"``
    or ``"pyproject.toml"`` (a plain one: the weakest marker, used only when nothing else is
    found)."""

    root: Path
    config_file: Path | None
    marker: str


def find_project(start: Path) -> ProjectRoot | None:
    """The project that ``start`` (a file or directory) belongs to, or None.

    Walking up from ``start``, the first directory that holds a config file (pyproject.toml
    with a ``[tool.importwarden]`` table, or importwarden.toml), a discoverable registry (in it
    or in its ``docs/``) or ``.git`` is the root, as ruff finds its settings. A pyproject.toml
    without the table is passed over (a monorepo's sub-packages have their own), unless no
    other marker exists above ``start`` at all.
    """
    # The walk follows the path as written, not where its links lead: a file (or directory)
    # of the project that links outside it still belongs to the project it was named in.
    start = Path(os.path.abspath(start))
    here = start if start.is_dir() and not start.is_symlink() else start.parent
    fallback: Path | None = None
    for directory in (here, *here.parents):
        config = _config_in(directory)
        if config is not None:
            return ProjectRoot(directory.resolve(), config.resolve(), "config")
        if _registries_in(directory) or _registries_in(directory / "docs"):
            return ProjectRoot(directory.resolve(), None, "registry")
        if (directory / ".git").exists():
            return ProjectRoot(directory.resolve(), None, ".git")
        if fallback is None and (directory / PYPROJECT).is_file():
            fallback = directory
    return ProjectRoot(fallback.resolve(), None, PYPROJECT) if fallback is not None else None


def find_config(start: Path) -> tuple[Path, Path | None]:
    """The project root and its config file (None when the project has none), from ``start``
    (``find_project``; with no marker at all, ``start``'s directory)."""
    found = find_project(start)
    if found is not None:
        return found.root, found.config_file
    start = Path(start).resolve()
    return (start if start.is_dir() else start.parent), None


def not_a_project_dirs() -> set[Path]:
    """Directories that are never indexed as a project unless configured there: the home
    directory, the temporary directory and the filesystem root (a stray ``.git`` in ``$HOME``
    must not make a dotfiles checkout of every file the user has)."""
    import tempfile

    dirs = {Path("/").resolve(), Path(tempfile.gettempdir()).resolve()}
    for candidate in (Path.home(), Path("/tmp")):
        try:
            dirs.add(candidate.resolve())
        except (OSError, RuntimeError):
            pass
    return dirs


def _config_in(directory: Path) -> Path | None:
    """The config file of ``directory``: importwarden.toml wins when it holds settings."""
    pyproject, own = directory / PYPROJECT, directory / CONFIG_TOML
    py_table = _pyproject_table(pyproject) if pyproject.is_file() else None
    if not own.is_file():
        return pyproject if py_table is not None else None
    own_doc = _read_toml(own)
    own_settings = [k for k in own_doc.data if k not in REGISTRY_TABLES]
    if own_settings and py_table:
        raise ConfigError(
            f"both {CONFIG_TOML} and {PYPROJECT} [tool.importwarden] configure importwarden "
            "in this directory; keep one", file=str(own), line=own_doc.line_of((own_settings[0],)))
    if own_settings or py_table is None:
        return own
    return pyproject


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    """``[tool.importwarden]`` of a pyproject.toml, or None (not parsed when not mentioned)."""
    try:
        if "importwarden" not in path.read_text(encoding="utf-8", errors="replace"):
            return None
    except OSError:
        return None
    doc = _read_toml(path)
    tool = doc.data.get("tool", {})
    table = tool.get("importwarden") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError("[tool.importwarden] must be a table", file=str(path),
                          line=doc.line_of(("tool", "importwarden")))
    return table


@dataclass
class _TomlDoc:
    """A parsed TOML file plus what is needed to point at a line in it."""

    path: Path
    text: str
    data: dict[str, Any]
    _index: list[tuple[int, tuple[str, ...]]] | None = None

    def line_of(self, keypath: tuple[str, ...], needle: str | None = None) -> int:
        """1-based line that defines ``keypath`` (or its nearest defined parent).

        tomllib keeps no positions, so the text is scanned for table headers and ``key =``
        lines; ``needle`` (a bad array item) moves the answer to the line holding it.
        """
        if self._index is None:
            self._index = _index_toml(self.text)
        best_line, best_len = 1, -1
        for line, path in self._index:
            n = len(path)
            if n > best_len and path == keypath[:n]:
                best_line, best_len = line, n
        if needle is not None:
            lines = self.text.splitlines()
            for i in range(best_line - 1, min(len(lines), best_line + 200)):
                if f'"{needle}"' in lines[i] or f"'{needle}'" in lines[i]:
                    return i + 1
        return best_line


_KEY_PART = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER_RE = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN_RE = re.compile(rf"^\s*({_DOTTED})\s*=")


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip().strip("\"'") for p in re.findall(_KEY_PART, dotted))


def _index_toml(text: str) -> list[tuple[int, tuple[str, ...]]]:
    index: list[tuple[int, tuple[str, ...]]] = []
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if m := _HEADER_RE.match(line):
            table = _split_key(m.group(1))
            index.append((number, table))
        elif m := _ASSIGN_RE.match(line):
            index.append((number, table + _split_key(m.group(1))))
    return index


# Parsed TOML by path, reused while the bytes are the same: discovery, settings and registry
# checks read the same file up to three times per load, and an importwarden.toml registry can be
# large. (Keyed on content, not mtime: two quick same-size edits must not hit a stale entry.)
_TOML_CACHE: dict[str, tuple[bytes, _TomlDoc]] = {}


def _read_toml(path: Path) -> _TomlDoc:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"cannot read config file: {reason}", file=str(path)) from None
    hit = _TOML_CACHE.get(str(path))
    if hit is not None and hit[0] == raw:
        return hit[1]
    doc = _parse_toml(path, raw)
    if len(_TOML_CACHE) > 64:
        _TOML_CACHE.clear()
    _TOML_CACHE[str(path)] = (raw, doc)
    return doc


def _parse_toml(path: Path, raw: bytes) -> _TomlDoc:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file is not UTF-8 ({exc.reason} at byte {exc.start})",
                          file=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
        line = int(m.group(1)) if m else None
        if m is None and (m := re.search(r"\s*\(at end of document\)", message)):
            line = max(1, len(text.splitlines()))
        reason = message[: m.start()] if m else message
        raise ConfigError(f"invalid TOML: {reason}", file=str(path), line=line) from None
    return _TomlDoc(path, text, data)


# --- validating values ----------------------------------------------------------------------------


class _BadValue(Exception):
    """A setting's value is wrong; ``keys`` is its path below the settings table."""

    def __init__(self, message: str, keys: tuple[str, ...], needle: str | None = None,
                 *, unknown_setting: bool = False):
        super().__init__(message)
        self.message, self.keys, self.needle = message, keys, needle
        self.unknown_setting = unknown_setting  # the editor ignores it (nothing to fall back to)


def _type_name(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
             tuple: "array", dict: "table"}
    return names.get(type(value), type(value).__name__)


def _known_codes() -> set[str]:
    from importwarden.analysis.codes import RULES
    from importwarden.registry.model import PROBLEM_CODES

    return set(RULES) | set(PROBLEM_CODES)


def _strings(value: object, key: str, *, split_commas: bool) -> list[str]:
    """A string or an array of strings (comma-separated strings from the CLI)."""
    if isinstance(value, str):
        items = value.split(",") if split_commas else [value]
        return [s.strip() for s in items if s.strip()]
    if isinstance(value, (list, tuple)):
        for item in value:
            if not isinstance(item, (str, Path)):
                raise _BadValue(f"expected an array of strings, found {_type_name(item)} item",
                                (key,))
        return [str(item).strip() for item in value]
    raise _BadValue(f"expected a string or an array of strings, found {_type_name(value)}", (key,))


def _codes(value: object, key: str, keys: tuple[str, ...] | None = None) -> frozenset[str]:
    known = _known_codes()
    codes = set()
    for code in _strings(value, key, split_commas=True):
        upper = code.upper()
        # Prefixes select families ("IW00", "IWR"), as in ruff; "ALL" is every code.
        if upper != "ALL" and (len(upper) < 2 or not any(k.startswith(upper) for k in known)):
            raise _BadValue(f"unknown rule code {code!r} (expected IW001…IW008, IWR001…, "
                            "or a prefix such as IW00)", keys or (key,), needle=code)
        codes.add(upper)
    return frozenset(codes)


def _paths(value: object, key: str, base: Path, *, must_be_dir: bool = False) -> tuple[Path, ...]:
    paths = []
    for item in _strings(value, key, split_commas=False):
        try:
            path = Path(item).expanduser()
            path = (base / path).resolve() if not path.is_absolute() else path.resolve()
        except (ValueError, OSError, RuntimeError) as exc:  # NUL byte, no home directory, loop
            raise _BadValue(f"not a usable path: {item!r} ({exc})", (key,), needle=item) from None
        if must_be_dir and not path.is_dir():
            raise _BadValue(f"not a directory: {item}", (key,), needle=item)
        paths.append(path)
    return tuple(paths)


def _table(value: object, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _BadValue(f"expected a table, found {_type_name(value)}", (key,))
    return value


_INLINE = "inline"  # registry = a table: the config file itself holds the registry


def _parse_registry(value: object, base: Path, *, allow_inline: bool) -> tuple[Path, ...] | str:
    if isinstance(value, Mapping):
        if not allow_inline:
            raise _BadValue("expected a path or an array of paths (registry tables belong "
                            "at the top level: [[import]], [[mock]], [services])", ("registry",))
        return _INLINE
    return _paths(value, "registry", base)


def _parse_per_file_ignores(value: object) -> tuple[tuple[str, frozenset[str]], ...]:
    table = _table(value, "per-file-ignores")
    result = []
    for glob, codes in table.items():
        if not isinstance(glob, str) or not glob.strip():
            raise _BadValue("expected glob patterns as keys", ("per-file-ignores",))
        result.append((glob, _codes(codes, "per-file-ignores", ("per-file-ignores", glob))))
    return tuple(result)


def _parse_services(value: object, key_style: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
    table = _table(value, "services")
    out: dict[str, tuple[str, ...]] = {}
    for raw_key, item in table.items():
        key = key_style(raw_key)
        if key not in ("members", "shared"):
            raise _BadValue(f"unknown key {raw_key!r} in services (expected members, shared)",
                            ("services", raw_key))
        names = _strings(item, raw_key, split_commas=True)
        for name in names:
            if not name.isidentifier():
                raise _BadValue(f"not a top-level package name: {name!r}", ("services", raw_key),
                                needle=name)
        out[key] = tuple(names)
    return out


_SEVERITY_ALIASES = {"warn": "warning", "info": "information"}  # as the VS Code client accepts


def _parse_severity(value: object) -> dict[str, Severity]:
    from importwarden.analysis.codes import RULES

    table = _table(value, "severity")
    out: dict[str, Severity] = {}
    for code, level in table.items():
        if code.upper() not in RULES:
            raise _BadValue(f"unknown rule code {code!r} in severity (expected IW001…IW008)",
                            ("severity", code))
        try:
            if not isinstance(level, str):
                raise ValueError(level)
            name = level.lower()
            out[code.upper()] = Severity(_SEVERITY_ALIASES.get(name, name))
        except ValueError:
            raise _BadValue(f"severity of {code} must be one of error, warning, information, "
                            f"hint; found {level!r}", ("severity", code)) from None
    return out


def _parse_level(value: object, key: str) -> Severity:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        name = value.lower()
        return Severity(_SEVERITY_ALIASES.get(name, name))
    except ValueError:
        raise _BadValue(f"expected one of error, warning, information, hint; found {value!r}",
                        (key,)) from None


def _parse_completion(value: object, key_style: Callable[[str], str]) -> bool | None:
    table = _table(value, "completion")
    auto: bool | None = None
    for raw_key, item in table.items():
        if key_style(raw_key) != "auto-import":
            raise _BadValue(f"unknown key {raw_key!r} in completion (expected auto-import)",
                            ("completion", raw_key))
        if not isinstance(item, bool):
            raise _BadValue(f"expected a boolean, found {_type_name(item)}",
                            ("completion", raw_key))
        auto = item
    return auto


def _kebab(key: str) -> str:
    """``per_file_ignores`` / ``perFileIgnores`` / ``per-file-ignores`` -> ``per-file-ignores``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).replace("_", "-").lower()


def _kebab_file(key: str) -> str:
    """TOML keys: kebab-case as in ruff, snake_case and camelCase too (the editor settings'
    spelling, so a key copied from an editor's settings works in pyproject.toml)."""
    return _kebab(key)


def _parse_layer(mapping: Mapping[str, Any], base: Path, *, key_style: Callable[[str], str],
                 allow_inline: bool, on_error: Callable[[_BadValue], None],
                 skip: Callable[[str], bool] = lambda key: False) -> dict[str, Any]:
    """Validate one source of settings into ``{canonical-key: normalised value}``.

    Every bad key/value is handed to ``on_error`` (which raises for files and CLI options and
    records a warning for editor settings); the valid ones are kept.
    """
    layer: dict[str, Any] = {}
    for raw_key, value in mapping.items():
        if skip(raw_key):
            continue
        key = key_style(str(raw_key))
        try:
            if key not in SETTING_KEYS:
                close = difflib.get_close_matches(key, SETTING_KEYS, n=1)
                hint = (f"did you mean {close[0]!r}?" if close
                        else "known: " + ", ".join(SETTING_KEYS))
                raise _BadValue(f"unknown setting {raw_key!r} ({hint})", (raw_key,),
                                unknown_setting=True)
            if key == "registry":
                layer[key] = _parse_registry(value, base, allow_inline=allow_inline)
            elif key == "roots":
                layer[key] = _paths(value, key, base, must_be_dir=True)
            elif key in ("select", "ignore"):
                layer[key] = _codes(value, key)
            elif key == "per-file-ignores":
                layer[key] = _parse_per_file_ignores(value)
            elif key in ("exclude", "extend-exclude"):
                layer[key] = tuple(_strings(value, key, split_commas=False))
            elif key == "services":
                layer[key] = _parse_services(value, key_style)
            elif key == "severity":
                layer[key] = _parse_severity(value)
            elif key == "fail-level":
                layer[key] = _parse_level(value, key)
            elif key == "completion":
                auto = _parse_completion(value, key_style)
                if auto is not None:
                    layer[key] = auto
        except _BadValue as exc:
            # Report the key as the user spelled it.
            exc.keys = (str(raw_key), *exc.keys[1:])
            on_error(exc)
    return layer


def _apply_layer(settings: Settings, layer: Mapping[str, Any]) -> Settings:
    """Later source wins, key by key; ``extend-exclude`` adds to whatever ``exclude`` is."""
    changes: dict[str, Any] = {}
    if "registry" in layer:
        changes["registry"] = () if layer["registry"] == _INLINE else layer["registry"]
    if "roots" in layer:
        changes["roots"] = layer["roots"]
    if "select" in layer:
        changes["select"] = None if "ALL" in layer["select"] else layer["select"]
    if "ignore" in layer:
        changes["ignore"] = layer["ignore"]
    if "per-file-ignores" in layer:
        changes["per_file_ignores"] = layer["per-file-ignores"]
    if "exclude" in layer or "extend-exclude" in layer:
        exclude = layer.get("exclude", settings.exclude)
        changes["exclude"] = tuple(dict.fromkeys((*exclude, *layer.get("extend-exclude", ()))))
    if "services" in layer:
        services = layer["services"]
        if "members" in services:
            changes["services_members"] = services["members"]
        if "shared" in services:
            changes["services_shared"] = services["shared"]
    if "severity" in layer:
        changes["severity"] = {**settings.severity, **layer["severity"]}
    if "completion" in layer:
        changes["completion_auto_import"] = layer["completion"]
    if "fail-level" in layer:
        changes["fail_level"] = layer["fail-level"]
    return replace(settings, **changes)


def default_roots(root: Path) -> tuple[Path, ...]:
    """First-party roots when none are configured: the root, plus root/src when present."""
    src = root / "src"
    return (root, src) if src.is_dir() else (root,)


# --- public API -----------------------------------------------------------------------------------


def config_table(config_file: Path) -> tuple[_TomlDoc, dict[str, Any], tuple[str, ...]]:
    """The settings table of a config file: (document, table, its key path in the file)."""
    doc = _read_toml(config_file)
    if config_file.name == PYPROJECT:
        table = doc.data.get("tool", {}).get("importwarden", {})
        prefix: tuple[str, ...] = ("tool", "importwarden")
        if not isinstance(table, dict):
            raise ConfigError("[tool.importwarden] must be a table", file=str(config_file),
                              line=doc.line_of(prefix))
        return doc, table, prefix
    return doc, doc.data, ()


def load_settings(start: Path, overrides: Mapping[str, object] | None = None,
                  config_file: Path | None = None) -> Settings:
    """Settings for the project containing ``start``: config file, then ``overrides``.

    ``config_file`` skips the search: a file named pyproject.toml is read for
    ``[tool.importwarden]``, any other file as importwarden.toml, and its directory is the
    root. ``overrides`` use the setting names (CLI options); their relative paths are relative
    to the current directory. Raises ``ConfigError`` (file and line) for unknown keys, bad
    values and invalid TOML. (The CLI finds its root from the paths it checks instead:
    ``settings_for_paths``.)
    """
    if config_file is not None:
        config_file = _existing_config(config_file)
        root: Path = config_file.parent
    else:
        root, config_file = find_config(start)
    return _build_settings(root, config_file, config_file.parent if config_file else root,
                           (), overrides)


class NotAProjectError(ConfigError):
    """The paths to check are not inside a project (or only inside $HOME, /tmp or /)."""


def settings_for_paths(paths: Sequence[Path], cwd: Path,
                       overrides: Mapping[str, object] | None = None,
                       config_file: Path | None = None,
                       config_overrides: Sequence[str] = ()) -> Settings:
    """The CLI's settings: the project is found from the paths being checked (from ``cwd``
    when none are given), never from where the command happens to run.

    Every path must belong to the same project (``find_project``); a path in no project, or
    whose only marker puts the root at ``$HOME``, the temporary directory or ``/``, is a
    ``NotAProjectError`` (one line; nothing is indexed). ``config_file`` (``--config FILE``)
    replaces the project's configuration but not its root, as in ruff: its relative paths are
    relative to ``cwd``. Only when nothing marks a project above the paths does the config
    file's directory become the root, if the paths lie inside it. ``config_overrides``
    (``--config KEY=VALUE``) are TOML lines applied after the configuration, before
    ``overrides`` (the dedicated options).
    """
    cwd = Path(cwd).resolve()
    if config_file is not None:
        config_file = _existing_config(config_file if Path(config_file).is_absolute()
                                       else cwd / config_file)
    found: dict[Path, tuple[Path, ProjectRoot]] = {}
    for given in (paths or [cwd]):
        start = Path(given) if Path(given).is_absolute() else cwd / given
        project = find_project(start)
        if project is None and config_file is not None:
            home = config_file.parent
            if home not in not_a_project_dirs() and (
                    Path(os.path.abspath(start)).is_relative_to(home)
                    or Path(start).resolve().is_relative_to(home)):
                project = ProjectRoot(home, config_file, "config")
        shown = str(given) if paths else str(cwd)
        if project is None:
            raise NotAProjectError(
                f"{shown}: not inside a project (no pyproject.toml with [tool.importwarden], "
                "importwarden.toml, import registry or .git in it or above it); nothing checked")
        if project.marker != "config" and project.root in not_a_project_dirs():
            raise NotAProjectError(
                f"{shown}: the only project marker above it ({project.marker}) is in "
                f"{project.root}, which is never indexed as a project; add an "
                "importwarden.toml (or [tool.importwarden] in pyproject.toml) to the project's "
                "directory; nothing checked")
        found.setdefault(project.root, (Path(shown), project))
    if len(found) > 1:
        (first, a), (second, b) = list(found.values())[:2]
        raise ConfigError(f"the paths belong to different projects: {first} (in {a.root}) and "
                          f"{second} (in {b.root}); check each project on its own")
    ((_, project),) = found.values()
    if config_file is not None:
        return _build_settings(project.root, config_file, cwd, config_overrides, overrides)
    config = project.config_file
    return _build_settings(project.root, config, config.parent if config else project.root,
                           config_overrides, overrides)


def _existing_config(path: Path) -> Path:
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError("config file not found" if not path.exists()
                          else "config file is not a file", file=str(path))
    return path


def parse_config_override(text: str) -> dict[str, Any]:
    """One ``--config KEY=VALUE`` as TOML (``select = ["IW001"]``, ``fail-level = "hint"``,
    ``severity.IW003 = "hint"``); a bare word on the right is taken as a string."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        key, sep, value = text.partition("=")
        if sep and value.strip() and value.strip()[0] not in "[{\"'":
            try:
                return tomllib.loads(f"{key.strip()} = {_toml_string(value.strip())}")
            except tomllib.TOMLDecodeError:
                pass
    raise ConfigError(f"option --config: {text!r} is neither a file nor a TOML "
                      "KEY = VALUE pair (e.g. 'ignore = [\"IW004\"]')")


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _build_settings(root: Path, config_file: Path | None, config_base: Path,
                    config_overrides: Sequence[str],
                    overrides: Mapping[str, object] | None) -> Settings:
    """Settings of ``root``: ``config_file`` (its relative paths against ``config_base``), then
    ``--config KEY=VALUE`` lines, then ``overrides``."""
    settings = Settings(root=root, config_file=config_file)

    if config_file is not None:
        doc, table, prefix = config_table(config_file)
        is_pyproject = config_file.name == PYPROJECT

        def fail_in_file(exc: _BadValue) -> None:
            raise ConfigError(exc.message, file=str(config_file),
                              line=doc.line_of(prefix + exc.keys, exc.needle))

        layer = _parse_layer(table, config_base, key_style=_kebab_file,
                             allow_inline=is_pyproject, on_error=fail_in_file,
                             skip=lambda k: not is_pyproject and k in REGISTRY_TABLES)
        settings = _apply_layer(settings, layer)
        # An importwarden.toml that lists registries and holds registry tables itself means
        # both: its own tables load last (they are the most local statement).
        own_tables = not is_pyproject and any(k in table for k in REGISTRY_TABLES)
        if settings.registry and own_tables and config_file not in settings.registry:
            settings = replace(settings, registry=(*settings.registry, config_file))

    for text in config_overrides:
        def fail_override(exc: _BadValue, text: str = text) -> None:
            raise ConfigError(f"option --config {text!r}: {exc.message}")

        layer = _parse_layer(parse_config_override(text), Path.cwd(), key_style=_kebab_file,
                             allow_inline=False, on_error=fail_override)
        settings = _apply_layer(settings, layer)

    if overrides:
        def fail_option(exc: _BadValue) -> None:
            option = "--" + _kebab(exc.keys[0])
            raise ConfigError(f"option {option}: {exc.message}")

        layer = _parse_layer(overrides, Path.cwd(), key_style=_kebab, allow_inline=False,
                             on_error=fail_option)
        settings = _apply_layer(settings, layer)

    if not settings.roots:
        settings = replace(settings, roots=default_roots(settings.root))
    return settings


# Editor settings that belong to the client (the VS Code extension) or to the language server
# process itself (lsp/settings.py), not to the engine: never warned about.
CLIENT_ONLY_SETTINGS = frozenset({"enable", "path", "interpreter", "trace", "server", "args",
                                  "log-level", "log-file", "import-strategy", "diagnostic-mode",
                                  "debounce", "configuration-timeout"})


def settings_from_editor(mapping: object, base: Settings) -> tuple[Settings, list[str]]:
    """Apply the editor's settings (``initializationOptions`` / ``workspace/configuration``).

    Same names as the CLI options, in camelCase, kebab-case or snake_case; a mapping nested
    under ``"importwarden"`` is unwrapped. ``null`` and empty values mean "not set" (editors
    send their defaults), so they keep the project's value. Invalid values keep ``base``'s
    value and add one warning each; this never raises.
    """
    warnings: list[str] = []
    if mapping is None:
        return base, warnings
    if not isinstance(mapping, Mapping):
        found = _type_name(mapping)
        return base, [f"importwarden settings: expected an object, found {found}; using the "
                      "project's settings"]
    if isinstance(mapping.get("importwarden"), Mapping):
        mapping = mapping["importwarden"]

    def warn(exc: _BadValue) -> None:
        name = ".".join(exc.keys)
        outcome = "ignored" if exc.unknown_setting else "using the project's value"
        warnings.append(f"importwarden setting {name!r}: {exc.message}; {outcome}")

    def skip(key: object) -> bool:
        value = mapping[key]  # type: ignore[index]
        unset = value is None or (isinstance(value, (list, tuple, dict, str)) and not value)
        return unset or _kebab(str(key)) in CLIENT_ONLY_SETTINGS

    root = base.root
    expanded = {k: _expand_workspace(v, root) for k, v in mapping.items()}
    layer = _parse_layer(expanded, root, key_style=_kebab, allow_inline=False, on_error=warn,
                         skip=skip)
    for path in layer.get("registry", ()):
        if not path.is_file():
            shown = str(path) if str(path).isprintable() else repr(str(path))  # one line
            warnings.append(f"importwarden setting 'registry': file not found: {shown}; "
                            "using the project's value")
            layer.pop("registry")
            break
    return _apply_layer(base, layer), warnings


# The variables VS Code users write in settings (it does not expand them for extensions):
# ${workspaceFolder}, ${userHome} and ${env:NAME} (an unset variable is empty, as in VS Code).
_EDITOR_VARIABLE = re.compile(r"\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}")


def _expand_workspace(value: object, root: Path) -> object:
    """Editor settings' ``${workspaceFolder}``, ``${userHome}`` and ``${env:NAME}``."""
    if isinstance(value, str):
        def variable(m: re.Match[str]) -> str:
            if m[1] == "workspaceFolder":
                return str(root)
            if m[1] == "userHome":
                return str(Path.home())
            return os.environ.get(m[2], "")

        return _EDITOR_VARIABLE.sub(variable, value)
    if isinstance(value, list):
        return [_expand_workspace(v, root) for v in value]
    return value


# --- registry discovery ---------------------------------------------------------------------------


def _registries_in(directory: Path) -> list[Path]:
    """Registry files in one directory, in load order (later overrides earlier).

    Exact names first: IMPORT_REGISTRY.md, SSOT_IMPORT_REGISTRY.md (any case), then
    importwarden.toml when it holds registry tables. With none of those, files whose name ends
    in ``_IMPORT_REGISTRY.md`` / ``-IMPORT_REGISTRY.md``; of those that carry a date
    (``netra_2025-09-17_SSOT_IMPORT_REGISTRY.md``) only the newest, since older dated copies
    are snapshots.
    """
    try:
        files = {p.name.upper(): p for p in directory.iterdir() if p.is_file()}
    except OSError:
        return []
    found = [files[n.upper()] for n in REGISTRY_NAMES if n.upper() in files]
    own = files.get(CONFIG_TOML.upper())
    if own is not None and _has_registry_tables(own):
        found.append(own)
    if found:
        return found
    matches = sorted(p for name, p in files.items() if name.endswith(_SUFFIXES))
    undated = [p for p in matches if not _DATE.search(p.name)]
    dated = sorted((p for p in matches if _DATE.search(p.name)),
                   key=lambda p: (_DATE.search(p.name).groups(), p.name))  # type: ignore[union-attr]
    return undated + dated[-1:]


def _has_registry_tables(path: Path) -> bool:
    try:
        data = _read_toml(path).data
    except ConfigError:
        # A broken importwarden.toml is still meant as one: let the loader report it.
        return True
    if path.name == PYPROJECT:
        return isinstance(data.get("tool", {}).get("importwarden", {}).get("registry"), dict)
    return any(k in data for k in REGISTRY_TABLES)


def discover_registries(settings: Settings) -> list[Path]:
    """The registry files to load, in order.

    An explicit ``registry`` setting is used as is (a missing file is a ``RegistryLoadError``).
    Otherwise the project root and then ``docs/`` are searched (see ``_registries_in``; the
    first directory with any wins), and a ``[tool.importwarden.registry]`` table in the
    pyproject.toml that configured us is loaded last.
    """
    if settings.registry:
        for path in settings.registry:
            if not path.exists():
                raise RegistryLoadError("registry file not found", file=str(path))
            if not path.is_file():
                raise RegistryLoadError("registry path is not a file", file=str(path))
        return list(settings.registry)
    found: list[Path] = []
    for sub in REGISTRY_DIRS:
        found = _registries_in(settings.root / sub if sub else settings.root)
        if found:
            break
    config = settings.config_file
    if config is not None and config.name == PYPROJECT and _has_registry_tables(config):
        found.append(config)
    if not found:
        where = " and ".join(str(settings.root / sub) if sub else str(settings.root)
                             for sub in REGISTRY_DIRS)
        raise NoRegistryFound(
            "no import registry found: looked for SSOT_IMPORT_REGISTRY.md, IMPORT_REGISTRY.md, "
            f"*_IMPORT_REGISTRY.md and importwarden.toml in {where}; set [tool.importwarden] "
            'registry = "path/to/registry.md" in pyproject.toml or pass --registry FILE')
    return found
