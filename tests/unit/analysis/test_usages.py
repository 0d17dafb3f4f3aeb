"""Usage counts for a registry entry's hover: the index's refs, with an open document's refs
in place of its file's (an unsaved edit counts at once, before the index has it)."""

from __future__ import annotations

from pathlib import Path

from importwarden.analysis.imports import extract
from importwarden.analysis.usages import count_usages
from importwarden.registry.model import Target


class _Index:
    def __init__(self, files: dict[str, str]):
        self._files = {Path(p): extract(text, "m", False) for p, text in files.items()}

    def files(self):
        return list(self._files)

    def file_imports(self, path):
        return self._files.get(Path(path))


def test_open_documents_replace_their_files_and_add_new_ones(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    index = _Index({str(a): "from pkg.old import Thing\n", str(b): "import pkg.old\n"})
    thing = Target("pkg.old", "Thing")
    assert count_usages(index).of(thing) == 1
    edited = extract("from pkg.old import Thing\nfrom pkg.old import Thing as T\n", "m", False)
    new = extract("from pkg.old import Thing\n", "m", False)
    usages = count_usages(index, {a: edited.refs, tmp_path / "new.py": new.refs})
    assert usages.of(thing) == 3  # a.py's unsaved text (2) and the new, unsaved document (1)
    assert usages.of(Target("pkg.old")) == 4  # and b.py's module import, from the index
