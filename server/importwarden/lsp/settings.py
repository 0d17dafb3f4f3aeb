"""Editor settings: ``initializationOptions``, ``workspace/configuration`` and
``workspace/didChangeConfiguration``, layered over the project's ``pyproject.toml``.

The setting names are the CLI's (``registry``, ``select``, ``ignore``, ``perFileIgnores``,
``exclude``, ``roots``, ``services``, ``severity``, ``completion.autoImport``), optionally nested
under ``importwarden``; ``importwarden.config.settings_from_editor`` validates them. Invalid
values fall back to the project's value with a ``window/logMessage``; nothing here raises.

A few options belong to the server itself and are read from ``initializationOptions`` only:
``diagnosticMode`` (``auto`` | ``push`` | ``pull``), ``debounce`` (ms: the least time between
the starts of two diagnostics runs of one document; ``diagnostics.py`` says how runs coalesce)
and ``configurationTimeout`` (ms, how long to wait for ``workspace/configuration``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from lsprotocol import types

from importwarden.config import Settings

if TYPE_CHECKING:
    from importwarden.lsp.server import ImportwardenServer
    from importwarden.lsp.session import Session

SECTION = "importwarden"
SERVER_KEYS = {"diagnosticmode", "debounce", "configurationtimeout"}

# The server's defaults, defined here only (``ServerOptions`` and ``Session`` use them).
# Seconds between the starts of two diagnostics runs of one document. 0: a change is checked
# at once when none is running, and the changes made during a run become one run after it.
DEFAULT_DEBOUNCE = 0.0
DEFAULT_CONFIGURATION_TIMEOUT = 2.0  # seconds to wait for workspace/configuration


@dataclass(frozen=True)
class ServerOptions:
    diagnostic_mode: str = "auto"
    debounce: float = DEFAULT_DEBOUNCE
    configuration_timeout: float = DEFAULT_CONFIGURATION_TIMEOUT


def _unwrap(mapping: Any) -> Any:
    if isinstance(mapping, Mapping) and isinstance(mapping.get(SECTION), Mapping):
        return mapping[SECTION]
    return mapping


def _norm(key: str) -> str:
    return key.replace("-", "").replace("_", "").lower()


def server_options(init_options: Mapping[str, Any] | None) -> ServerOptions:
    raw = _unwrap(init_options or {})
    if not isinstance(raw, Mapping):
        return ServerOptions()
    opts = {_norm(str(k)): v for k, v in raw.items() if _norm(str(k)) in SERVER_KEYS}
    mode = opts.get("diagnosticmode", "auto")
    if mode not in ("auto", "push", "pull"):
        mode = "auto"

    def seconds(key: str, default: float) -> float:
        value = opts.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 60_000:
            return value / 1000
        return default

    return ServerOptions(mode, seconds("debounce", DEFAULT_DEBOUNCE),
                         seconds("configurationtimeout", DEFAULT_CONFIGURATION_TIMEOUT))


def editor_mapping(raw: Any) -> Any:
    """The engine's part of an editor settings object (server-only keys removed)."""
    raw = _unwrap(raw)
    if not isinstance(raw, Mapping):
        return raw
    return {k: v for k, v in raw.items() if _norm(str(k)) not in SERVER_KEYS}


def merged_editor_settings(session: "Session") -> Any:
    """initializationOptions, overridden key by key by workspace/configuration."""
    base = editor_mapping(session.init_options)
    override = editor_mapping(session.editor_settings)
    if not isinstance(base, Mapping):
        return override if override else base
    if not isinstance(override, Mapping):
        return override if override not in (None, {}) else dict(base)
    return {**base, **override}


def build_settings(session: "Session") -> tuple[Settings, list[str]]:
    """pyproject.toml (or defaults when it is broken), then the editor's settings."""
    from importwarden.config import default_roots, load_settings, settings_from_editor
    from importwarden.errors import ImportwardenError

    root = session.root or Path.cwd()
    warnings: list[str] = []
    try:
        base = load_settings(root)
    except ImportwardenError as exc:
        warnings.append(f"importwarden: {exc}; using default settings")
        base = Settings(root=root, roots=default_roots(root))
    settings, more = settings_from_editor(merged_editor_settings(session), base)
    return settings, warnings + more


async def fetch_configuration(ls: "ImportwardenServer", session: "Session") -> bool:
    """Ask the client for the ``importwarden`` section; True when it answered in time.

    A client that never answers costs ``configuration_timeout`` seconds once, then defaults.
    """
    if not session.support.configuration:
        return False
    params = types.ConfigurationParams(items=[types.ConfigurationItem(
        scope_uri=session.root.as_uri() if session.root else None, section=SECTION)])
    future = ls.workspace_configuration_async(params)
    try:
        # shield: a late answer must find its future still pending, not cancelled.
        result = await asyncio.wait_for(asyncio.shield(future), session.configuration_timeout)
    except asyncio.TimeoutError:
        session.log(f"importwarden: the client did not answer workspace/configuration within "
                    f"{session.configuration_timeout:g} s; using initializationOptions and "
                    "pyproject.toml", types.MessageType.Warning)
        return False
    except Exception as exc:
        session.log(f"importwarden: workspace/configuration failed ({exc}); using defaults",
                    types.MessageType.Warning)
        return False
    # One item asked, one answer (a list; pygls may hand it over as a tuple).
    value = result[0] if isinstance(result, (list, tuple)) and result else None
    session.editor_settings = value if isinstance(value, Mapping) else {}
    if value is not None and not isinstance(value, Mapping):
        session.log(f"importwarden settings: expected an object, found {type(value).__name__};"
                    " ignored", types.MessageType.Warning)
    return True


def log_warnings(session: "Session", warnings: list[str]) -> None:
    for warning in warnings:
        session.log(warning, types.MessageType.Warning)
