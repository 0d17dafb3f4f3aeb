"""``Project``: the one engine API the CLI and the language server both call.

A project is settings + the merged registry + the workspace index. ``check_source`` turns one
file's text into findings: extract the imports, run the rules, drop what noqa silences, plan
fix edits, apply severity overrides. The batch path (``importwarden.project.batch``) runs the
same steps through ``analyze`` with cached extraction results, so both report the same findings.

The imports made inside functions below are for start-up time only (the registry parsers, the
index and libcst are loaded when first needed); they all point down the layers.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from importwarden.analysis.findings import Finding, Fix
from importwarden.analysis.imports import FileImports, ImportRef
from importwarden.analysis.rules import RuleContext, check_refs, effective_services
from importwarden.analysis.suppress import (
    apply_noqa,
    apply_severity,
    enabled_for,
    file_ignores,
    skip_file,
)
from importwarden.config import Settings
from importwarden.errors import RegistryLoadError
from importwarden.registry.model import Registry, Target
from importwarden.workspace.contract import IndexView, resolves


def load_registry_files(paths: Sequence[Path]) -> tuple[Registry, list[str]]:
    """Load and merge registries; a file that cannot be read is left out with a one-line error
    (the others still load). Returns the registry and the error messages."""
    from importwarden.registry.load import load_registries

    if not paths:
        return Registry(), []
    try:
        return load_registries(list(paths)), []
    except RegistryLoadError:
        pass
    good: list[Path] = []
    errors: list[str] = []
    for path in paths:
        try:
            load_registries([path])
        except RegistryLoadError as exc:
            errors.append(str(exc))
        else:
            good.append(path)
    registry = load_registries(good) if good else Registry()
    return registry, errors


def registry_paths(settings: Settings) -> tuple[list[Path], list[str]]:
    """The registry files to load, and one-line errors for those that are missing (the run
    goes on with the rest, or with an empty registry)."""
    from importwarden.config import discover_registries

    try:
        return [Path(p) for p in discover_registries(settings)], []
    except RegistryLoadError as exc:
        if not settings.registry:
            return [], [str(exc)]
    good: list[Path] = []
    errors: list[str] = []
    for path in settings.registry:
        if Path(path).is_file():
            good.append(Path(path))
        else:
            what = "not found" if not Path(path).exists() else "not a file"
            errors.append(str(RegistryLoadError(f"registry file {what}", file=str(path))))
    return good, errors


class Project:
    """Settings, registry and workspace index of one project root."""

    def __init__(self, settings: Settings, registry: Registry, index: IndexView | None,
                 registry_errors: Sequence[str] = (), registry_paths: Sequence[Path] = ()):
        self.settings = settings
        self.registry = registry
        self.index = index
        self.registry_errors = list(registry_errors)
        self.registry_paths = list(registry_paths)
        self._ctx: RuleContext | None = None

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def load(cls, root: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None, *,
             config_file: Path | None = None, index: IndexView | None = None) -> "Project":
        """Settings from ``root`` (plus overrides), the discovered or configured registries, and
        the workspace index (built unless one is passed in, e.g. restored from the cache)."""
        from importwarden.config import load_settings

        settings = load_settings(Path(root), overrides, config_file)
        return cls.from_settings(settings, index=index)

    @classmethod
    def from_settings(cls, settings: Settings, *, index: IndexView | None = None,
                      registry: Registry | None = None) -> "Project":
        paths, errors = registry_paths(settings)
        if registry is None:
            registry, load_errors = load_registry_files(paths)
            errors += load_errors
        if index is None:
            from importwarden.workspace.index import WorkspaceIndex

            index = WorkspaceIndex.build(settings)
        return cls(settings, registry, index, errors, paths)

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings
        self._ctx = None

    def use_index(self, index: IndexView) -> None:
        """Check against ``index`` from now on (a built or updated workspace index)."""
        self.index = index
        self._ctx = None

    def use_registry(self, registry: Registry, errors: Sequence[str] | None = None) -> None:
        """Check against ``registry`` from now on; ``errors``: its load errors (None keeps
        the current ones)."""
        self.registry = registry
        if errors is not None:
            self.registry_errors = list(errors)
        self._ctx = None

    # --- queries ----------------------------------------------------------------------------

    @property
    def context(self) -> RuleContext:
        if self._ctx is None:
            s = self.settings
            self._ctx = RuleContext(
                registry=self.registry,
                index=self.index,
                services=effective_services(self.registry, s.services_members, s.services_shared),
                enabled=s.rule_enabled,
            )
        return self._ctx

    def abs_path(self, path: str | os.PathLike[str]) -> Path:
        p = Path(path)
        return p if p.is_absolute() else self.settings.root / p

    def rel_path(self, path: str | os.PathLike[str]) -> str:
        """The path findings carry: relative to the project root (posix), else absolute."""
        p = self.abs_path(path)
        try:
            return p.relative_to(self.settings.root).as_posix()
        except ValueError:
            try:
                return Path(os.path.abspath(p)).relative_to(
                    os.path.abspath(self.settings.root)).as_posix()
            except ValueError:
                return p.as_posix()

    def module_for(self, path: str | os.PathLike[str]) -> tuple[str | None, bool]:
        found = self.index.module_for_path(self.abs_path(path)) if self.index is not None else None
        if not found:
            return None, False
        module, is_package = found
        return module, bool(is_package)

    def extract(self, path: str | os.PathLike[str], source: str) -> FileImports:
        from importwarden.analysis.imports import extract

        module, is_package = self.module_for(path)
        return extract(source, module, is_package)

    def update_file(self, path: str | os.PathLike[str], source: str | None) -> None:
        """Tell the index a file changed (``source``) or was deleted (None)."""
        self.index.update_file(self.abs_path(path), source)

    # --- checking ---------------------------------------------------------------------------

    def check_source(self, path: str | os.PathLike[str], source: str) -> list[Finding]:
        """Findings for one file's text (need not be saved). Fixable findings carry edits."""
        return self.check_extracted(path, source)

    def check_extracted(self, path: str | os.PathLike[str], source: str,
                        refs: Sequence[ImportRef] | None = None, *,
                        with_edits: bool = True) -> list[Finding]:
        """``check_source`` with the refs already extracted from ``source`` (the index's).
        ``with_edits=False``: fixes are not planned (``plan_fix`` does it when one is asked
        for)."""
        if skip_file(source):
            return []
        if refs is None:
            refs = self.extract(path, source).refs
        module, _ = self.module_for(path)
        return self.analyze(self.rel_path(path), module, refs, source, with_edits=with_edits)

    def plan_fix(self, finding: Finding, source: str) -> Finding:
        """``finding`` from ``check_extracted(..., with_edits=False)`` with its fix's edits
        (or without a fix, when the fix engine refuses it)."""
        return plan_edits(finding, source, self._exists)

    def check_file(self, path: str | os.PathLike[str]) -> list[Finding]:
        """Read a file (keeping its encoding) and check it. Raises OSError/SourceDecodeError."""
        from importwarden.textio import read_source

        return self.check_source(path, read_source(self.abs_path(path)).text)

    def analyze(self, rel_path: str, module: str | None, refs: Sequence[ImportRef],
                source: str | None, *, with_edits: bool = True,
                fixable_only: bool = False) -> list[Finding]:
        """Rules + suppression + fixes for refs already extracted from ``source``.
        ``fixable_only`` (with ``with_edits=False``): a fix the engine would refuse is dropped,
        as planning drops it, but the kept ones carry no edits (``unplanned``)."""
        ctx = self.context
        ignored = file_ignores(rel_path, self.settings.per_file_ignores)
        if ignored:
            ctx = replace(ctx, enabled=enabled_for(ctx.enabled, ignored))
        findings = check_refs(refs, path=rel_path, module=module, ctx=ctx)
        if source is not None:
            findings = apply_noqa(findings, source)
            if with_edits:
                findings = [plan_edits(f, source, self._exists) for f in findings]
            elif fixable_only:
                findings = [keep_if_fixable(f, source, self._exists) for f in findings]
        findings = apply_severity(findings, self.settings.severity)
        findings.sort(key=Finding.sort_key)
        return findings


    def _exists(self, target: Target) -> bool | None:
        """Whether a fix's replacement exists (the fix is refused when it surely does not)."""
        return resolves(self.index, target.module, target.name)


def unplanned(finding: Finding) -> bool:
    """Whether ``finding`` has a fix whose edits were not planned (``fixable_only``): a
    planned fix always has at least one edit."""
    return finding.fix is not None and not finding.fix.edits


def keep_if_fixable(finding: Finding, source: str, exists: Any = None) -> Finding:
    """``finding`` as ``plan_edits`` would leave it, but without the edits: its fix is kept
    exactly when planning would give one (``fixes.can_fix``)."""
    if finding.fix is None or finding.replacement is None or finding.ref is None:
        return finding
    from importwarden.analysis.imports import RefKind
    from importwarden.fixes import can_fix

    if finding.ref.kind is RefKind.MOCK:
        exists = None  # (as in ``plan_edits``)
    if can_fix(source, finding.ref, finding.replacement, finding.fix.applicability, exists):
        return finding
    return replace(finding, fix=None)


def plan_edits(finding: Finding, source: str, exists: Any = None) -> Finding:
    """Attach the fix engine's edits to a fixable finding; a refused fix is dropped (the
    message still names the replacement)."""
    if finding.fix is None or finding.replacement is None or finding.ref is None:
        return finding
    from importwarden.analysis.imports import RefKind
    from importwarden.fixes import plan_fix

    if finding.ref.kind is RefKind.MOCK:
        exists = None  # a mock replacement is a dotted attribute path, not an importable target
    planned = plan_fix(source, finding.ref, finding.replacement, finding.fix.applicability, exists)
    if isinstance(planned, Fix):
        return replace(finding, fix=Fix(finding.fix.applicability,
                                        planned.message or finding.fix.message, planned.edits))
    return replace(finding, fix=None)

