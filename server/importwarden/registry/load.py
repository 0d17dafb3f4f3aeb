"""``load_registries(paths)``: read registry files of any supported form and merge them.

Dispatch by file type: ``.md``/``.markdown``/``.txt`` (and anything unknown) -> Markdown
(lenient); ``pyproject.toml`` -> its ``[tool.importwarden.registry]`` table; other ``.toml`` ->
the strict TOML form. Files merge in the order given, a later one overriding an earlier one
entry by entry (reported as IWR008 on the overridden entry).

Never raises on content. ``RegistryLoadError`` (exit 2) only when a file cannot be read at all,
or is a ``.toml`` that is not TOML (see toml.py); with ``toml_errors_as_problems=True`` (for
the language server, which should show a diagnostic while the user types) that last case is an
IWR009 problem instead and the file contributes nothing.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from importwarden.errors import RegistryLoadError
from importwarden.registry.combine import Claims, build
from importwarden.registry.model import Problem, Registry
from importwarden.registry.text import decode_bytes


def read_file(path: str | os.PathLike[str]) -> str:
    """The decoded text of a registry file; ``RegistryLoadError`` when it cannot be read."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise RegistryLoadError("registry file not found", file=str(path)) from None
    except IsADirectoryError:
        raise RegistryLoadError("registry path is a directory, not a file",
                                file=str(path)) from None
    except OSError as exc:
        raise RegistryLoadError(f"cannot read registry: {exc.strerror or exc}",
                                file=str(path)) from None
    return decode_bytes(raw)


def load_text(text: str, file: str, *, kind: str | None = None,
              toml_errors_as_problems: bool = False) -> Claims:
    """Claims from text already in memory (an open editor buffer). ``kind``: markdown, toml or
    pyproject; by default from the file name."""
    with _no_gc():
        return _load_text(text, file, kind=kind, toml_errors_as_problems=toml_errors_as_problems)


def _load_text(text: str, file: str, *, kind: str | None,
               toml_errors_as_problems: bool) -> Claims:
    kind = kind or kind_of(file)
    if kind == "markdown":
        from importwarden.registry.markdown import load_markdown

        return load_markdown(text, file)
    from importwarden.registry.toml import load_toml

    try:
        return load_toml(text.lstrip("\ufeff"), file, pyproject=kind == "pyproject")
    except RegistryLoadError as exc:
        if not toml_errors_as_problems:
            raise
        return Claims(file, problems=[Problem(file, exc.line or 1, "IWR009", exc.reason)])


def kind_of(file: str | os.PathLike[str]) -> str:
    name = Path(file).name.lower()
    if name == "pyproject.toml":
        return "pyproject"
    if name.endswith(".toml"):
        return "toml"
    return "markdown"


def load_registries(paths: Sequence[str | os.PathLike[str]], *,
                    toml_errors_as_problems: bool = False,
                    texts: Mapping[str | os.PathLike[str], str] | None = None) -> Registry:
    """Load and merge registry files (later overrides earlier). ``texts`` maps a path (str or
    Path, as given or resolved) to unsaved editor text to use instead of the file on disk."""
    overlays = {_resolved(k): v for k, v in texts.items()} if texts else {}
    with _no_gc():
        bundles = []
        for path in paths:
            file = str(path)
            text = overlays.get(_resolved(path)) if overlays else None
            if text is None:
                text = read_file(path)
            bundles.append(load_text(text, file,
                                     toml_errors_as_problems=toml_errors_as_problems))
        return build(bundles)


@contextlib.contextmanager
def _no_gc():
    """Loading allocates many small objects and makes no reference cycles worth collecting;
    the cyclic GC would rescan them all several times (about 15% of a 10,000-entry load, and
    more than half of a 200,000-line one: 11.1 s of CPU with it, 4.7 s without). Also around
    ``load_text`` alone, for callers that read text they hold (the history report)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                # The objects allocated while paused are all in the youngest generation: the
                # first allocation after enable() would scan them all (0.5 s after a
                # 200,000-line load). freeze() + unfreeze() moves them to the oldest one
                # without a scan, where the GC's usual amortised full passes see them.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _resolved(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path)
