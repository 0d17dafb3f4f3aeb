"""The editor's "Add to registry" entry (``history.editor.registry_addition``), without git and
with it: the evident replacement, or the one the removing commit gives."""

from __future__ import annotations

from pathlib import Path

from importwarden.history.editor import registry_addition
from importwarden.project.engine import Project
from importwarden.registry.combine import build
from importwarden.registry.load import load_text
from importwarden.registry.model import Target

REGISTRY = "# Registry\n\n```python\nfrom pkg.keep import x  # \u2705 VERIFIED\n```\n"


def _files(root: Path) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "new.py").write_text("def helper():\n    return 1\n")
    (root / "app.py").write_text("from pkg.old import helper\n")
    (root / "IMPORT_REGISTRY.md").write_text(REGISTRY)


def _reads_back(path: Path, text: str) -> dict:
    registry = build([load_text(text, str(path))])
    return {str(t): e for t, e in registry.entries.items()}


def test_without_git_the_evident_replacement_is_used(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    _files(root)
    project = Project.load(root)
    found = registry_addition(project, Target("pkg.old", "helper"), Target("pkg.new", "helper"))
    assert found is not None
    path, addition, entry = found
    assert path.name == "IMPORT_REGISTRY.md" and entry.evidence == ()
    assert addition.startswith("\n## Suggested by importwarden from git history (")
    entries = _reads_back(path, REGISTRY + addition)
    assert str(entries["pkg.old:helper"].replacement) == "pkg.new:helper"
    assert entries["pkg.old:helper"].provenance.note.startswith(
        "suggested by importwarden: added from the editor")


def test_unsaved_registry_text_is_what_the_addition_follows(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    _files(root)
    project = Project.load(root)
    unsaved = REGISTRY.rstrip("\n")  # no final newline in the buffer
    _, addition, _ = registry_addition(project, Target("pkg.old", "helper"), None, unsaved)
    assert addition.startswith("\n\n## Suggested")
    entry = _reads_back(root / "IMPORT_REGISTRY.md", unsaved + addition)["pkg.old:helper"]
    assert entry.replacement is None and entry.status.value == "broken"
