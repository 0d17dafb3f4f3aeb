"""``--help`` and the documented flags say the same (docs/check.md, docs/fix.md): every option
the parser has is documented, and every documented option exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b")


def help_text(cli, command: str) -> str:
    result = cli(command, "--help", cwd=REPO)
    assert result.returncode == 0, result
    return result.stdout.split("options:", 1)[1]


def aliases(help_out: str) -> dict[str, str]:
    """Short option -> its long form, from help lines such as ``-o FILE, --output-file FILE``."""
    return {m[1]: m[2] for m in re.finditer(r"^\s+(-[a-zA-Z])\b[^,\n]*, (--[a-z-]+)", help_out,
                                           re.M)}


def canonical(options: set[str], alias: dict[str, str]) -> set[str]:
    return {alias.get(o, o) for o in options}


def help_options(cli, command: str) -> set[str]:
    out = help_text(cli, command)
    return canonical(set(OPTION.findall(out)), aliases(out)) - {"-h", "--help"}


def synopsis_options(page: Path, command: str) -> set[str]:
    text = page.read_text(encoding="utf-8")
    block = re.search(rf"```\nimportwarden {command} (.*?)```", text, re.S)
    assert block, f"no synopsis of `importwarden {command}` in {page}"
    return set(OPTION.findall(block.group(1)))


def table_options(page: Path) -> set[str]:
    """Options in the first column of the page's option table."""
    found: set[str] = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `-"):
            found |= set(OPTION.findall(line.split("|")[1]))
    return found


@pytest.mark.parametrize("command, page", [("check", "docs/check.md"), ("fix", "docs/fix.md")])
def test_help_and_synopsis_list_the_same_options(cli, command, page):
    alias = aliases(help_text(cli, command))
    assert help_options(cli, command) == canonical(synopsis_options(REPO / page, command), alias)


def test_check_option_table_is_complete(cli):
    alias = aliases(help_text(cli, "check"))
    assert help_options(cli, "check") == canonical(table_options(REPO / "docs" / "check.md"),
                                                   alias)


def test_fix_no_cache_help_agrees_with_the_docs(cli):
    out = cli("fix", "--help", cwd=REPO).stdout
    assert "symmetry" not in out  # it does change what the check pass reads and writes
    assert "neither read nor write the cache" in " ".join(out.split())
    docs = " ".join((REPO / "docs" / "fix.md").read_text(encoding="utf-8").split())
    assert "`--no-cache` neither reads nor writes the cache in the `check` pass" in docs
