"""Errors that end a command with exit 2 and one line on stderr (never a traceback)."""

from __future__ import annotations


class ImportwardenError(Exception):
    """Base: ``str(exc)`` is the whole one-line message, with file and line when known."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        self.file, self.line, self.reason = file, line, message
        where = f"{file}:{line}: " if file and line else f"{file}: " if file else ""
        super().__init__(f"{where}{message}")


class ConfigError(ImportwardenError):
    """Bad ``[tool.importwarden]`` settings or CLI options."""


class RegistryLoadError(ImportwardenError):
    """No registry, or a registry file that cannot be read at all."""


class NoRegistryFound(RegistryLoadError):
    """Discovery found no registry (and none is configured): the CLI goes on with the rules
    that need no registry (IW005, IW007); the language server reports it in its status."""
