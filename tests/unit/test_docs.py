"""The documentation stands alone: every relative link in README.md and docs/ resolves (the file,
and the ``#anchor`` when it names a heading of a Markdown file), and nothing in the repository
cites a reference text that lives outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[2]
# Built from pieces so that this file does not cite them itself.
OUTSIDE_TEXTS = ("REGISTRY_FORMAT" + ".md", "DESIGN" + ".md", "../" + "shared", "/work/" + "shared")
_MD = MarkdownIt("commonmark").enable("table")


def documentation() -> list[Path]:
    return [REPO / "README.md", REPO / "vscode-extension" / "README.md",
            *sorted((REPO / "docs").rglob("*.md"))]


def _heading_text(inline) -> str:
    return "".join(child.content for child in inline.children or ()
                   if child.type in ("text", "code_inline"))


def slug(text: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens,
    ``-1``, ``-2``… for repeats."""
    base = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
    count = seen.get(base, 0)
    seen[base] = count + 1
    return base if count == 0 else f"{base}-{count}"


def anchors(path: Path) -> set[str]:
    tokens = _MD.parse(path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    return {slug(_heading_text(tokens[i + 1]), seen)
            for i, token in enumerate(tokens) if token.type == "heading_open"}


def links(path: Path) -> list[tuple[int, str]]:
    """(line, href) of every link and image in the file."""
    found = []
    for token in _MD.parse(path.read_text(encoding="utf-8")):
        for child in token.children or ():
            href = child.attrGet("href") if child.type == "link_open" else (
                child.attrGet("src") if child.type == "image" else None)
            if href is not None:
                found.append(((token.map or (0, 0))[0] + 1, str(href)))
    return found


def broken_links(path: Path, root: Path = REPO) -> list[str]:
    problems = []
    for line, href in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):  # https:, mailto:, vscode:
            continue
        target_part, _, anchor = href.partition("#")
        target = (path.parent / unquote(target_part)).resolve() if target_part else path
        where = f"{path.relative_to(root)}:{line}: {href}"
        if not target.exists():
            problems.append(f"{where}: no such file")
        elif root not in target.parents:
            problems.append(f"{where}: points outside the repository")
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            problems.append(f"{where}: no heading with that anchor")
    return problems


@pytest.mark.parametrize("path", documentation(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(path):
    assert broken_links(path) == []


def test_the_link_check_can_fail(tmp_path):
    (tmp_path / "other.md").write_text("# Some heading: with `code`\n\n## Twice\n## Twice\n")
    page = tmp_path / "page.md"
    page.write_text("[ok](other.md#some-heading-with-code) [ok2](other.md#twice-1)\n"
                    "[web](https://example.com/x.md) [self](#top)\n\n# Top\n\n"
                    "[gone](missing.md) [bad anchor](other.md#nope)\n")
    assert broken_links(page, tmp_path) == [
        "page.md:6: missing.md: no such file",
        "page.md:6: other.md#nope: no heading with that anchor",
    ]


def test_design_and_registry_docs_exist():
    for name in ("registry-format.md", "design.md", "architecture.md"):
        assert (REPO / "docs" / name).is_file(), name


def cites_outside(text: str) -> list[str]:
    return [needle for needle in OUTSIDE_TEXTS if needle in text]


def test_nothing_cites_texts_outside_the_repository():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    citing = []
    for name in files:
        path = REPO / name
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        citing += [f"{name}: {needle}" for needle in cites_outside(text)]
    assert citing == []


def test_the_citation_check_can_fail():
    assert cites_outside("see ../" + "shared/DESIGN" + ".md") == [OUTSIDE_TEXTS[1], OUTSIDE_TEXTS[2]]
