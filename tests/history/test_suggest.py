"""``registry suggest`` on real git histories: moves, shims, split modules, removed names,
renames mixed with big edits; ``--write`` round-trips through the registry reader."""

from __future__ import annotations

import json
from pathlib import Path


def suggestions(cli, root: Path, *args: str) -> dict:
    result = cli("registry", "suggest", "--format", "json", *args, cwd=root)
    assert result.returncode == 0, result
    return json.loads(result.stdout)


REGISTRY = "# Import registry\n\n## Verified\n\n```python\nfrom pkg.keep import Kept  # \u2705 VERIFIED\n```\n"
BODY = ("class Client:\n    \"\"\"A client.\"\"\"\n\n    def get(self, key):\n"
        "        return {'key': key, 'value': 'data from the client'}\n")


def _base(repo, registry: str = REGISTRY, name: str = "IMPORT_REGISTRY.md") -> None:
    repo.commit("start", {
        name: registry,
        "pkg/__init__.py": "",
        "pkg/keep.py": "class Kept:\n    pass\n",
        "pkg/old.py": "def helper(x):\n    \"\"\"Double x.\"\"\"\n    return x * 2\n",
        "pkg/legacy.py": BODY,
        "pkg/util.py": ("class Parser:\n    def parse(self, text):\n        return text.split(',')\n"
                        "\n\ndef tokenize(text):\n    return [t.strip() for t in text.split()]\n"),
        "pkg/names.py": ("def stay():\n    return 1\n\n\ndef dropped():\n    return 2\n\n\n"
                         "def unused_drop():\n    return 3\n"),
        "app.py": "from pkg.old import helper\nfrom pkg.names import dropped\n",
    })


def _by_target(data: dict) -> dict[str, dict]:
    return {s["target"]: s for s in data["suggestions"]}


def test_git_mv_is_a_broken_module_with_use_instead_and_evidence(repo, cli) -> None:
    _base(repo)
    repo.git("mv", "pkg/old.py", "pkg/new.py")
    sha = repo.commit("move old to new")
    found = _by_target(suggestions(cli, repo.root))
    moved = found["pkg.old"]
    assert moved["status"] == "broken" and moved["replacement"] == "pkg.new"
    assert moved["kind"] == "module-moved"
    evidence = moved["evidence"][0]
    assert evidence["commit"] == sha and evidence["author"] == "Ann Author"
    assert evidence["date"].startswith("2026-11-02") and evidence["subject"] == "move old to new"
    assert evidence["files"] == ["pkg/old.py", "pkg/new.py"]


def test_a_chain_of_moves_leads_to_where_the_module_is_now(repo, cli) -> None:
    _base(repo)
    repo.git("mv", "pkg/old.py", "pkg/middle.py")
    repo.commit("first move")
    repo.git("mv", "pkg/middle.py", "pkg/final.py")
    repo.commit("second move")
    found = _by_target(suggestions(cli, repo.root))
    assert found["pkg.old"]["replacement"] == "pkg.final"
    assert found["pkg.middle"]["replacement"] == "pkg.final"
    assert len(found["pkg.old"]["evidence"]) == 2


def test_rename_mixed_with_a_big_edit_follows_git_rename_detection(repo, cli) -> None:
    """git calls a rename a rename down to 50% similarity: a moved file whose content mostly
    stayed is a move; one rewritten beyond recognition is a deletion plus a new file."""
    _base(repo)
    big = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(30))
    repo.commit("grow", {"pkg/big.py": big, "pkg/other.py": big.replace("return x", "return -x")})
    repo.git("mv", "pkg/big.py", "pkg/moved_big.py")
    repo.write({"pkg/moved_big.py": big + "".join(f"def g{i}():\n    return {i}\n\n\n"
                                                   for i in range(8))})
    repo.git("mv", "pkg/other.py", "pkg/rewritten.py")
    repo.write({"pkg/rewritten.py": "".join(f"class C{i}:\n    value = '{i}' * {i}\n\n\n"
                                            for i in range(40))})
    repo.commit("move and edit")
    found = _by_target(suggestions(cli, repo.root))
    assert found["pkg.big"]["replacement"] == "pkg.moved_big"
    assert "pkg.other" not in found  # not a rename by git's measure, nothing imports it


def test_split_module_gives_name_entries_and_a_broken_module(repo, cli) -> None:
    _base(repo)
    repo.commit("split util", {
        "pkg/parsing/__init__.py": "",
        "pkg/parsing/parser.py": ("class Parser:\n    def parse(self, text):\n"
                                  "        return text.split(',')\n"),
        "pkg/parsing/tokens.py": "def tokenize(text):\n    return [t.strip() for t in text.split()]\n",
    }, remove=("pkg/util.py",))
    found = _by_target(suggestions(cli, repo.root))
    assert found["pkg.util"]["status"] == "broken" and found["pkg.util"]["replacement"] is None
    assert found["pkg.util:Parser"]["replacement"] == "pkg.parsing.parser:Parser"
    assert found["pkg.util:tokenize"]["replacement"] == "pkg.parsing.tokens:tokenize"
    assert found["pkg.util:Parser"]["kind"] == "name-moved"


def test_a_name_rewritten_on_the_way_is_not_a_move(repo, cli) -> None:
    _base(repo)
    repo.commit("tokenize moves but is rewritten", {
        "pkg/util.py": "class Parser:\n    def parse(self, text):\n        return text.split(',')\n",
        "pkg/lexer.py": ("import re\n\n\ndef tokenize(text):\n    pattern = re.compile(r'\\\\w+')\n"
                         "    return [m.group(0).lower() for m in pattern.finditer(text)]\n"),
        "app.py": "from pkg.old import helper\nfrom pkg.util import tokenize\n",
    })
    found = _by_target(suggestions(cli, repo.root))
    assert found["pkg.util:tokenize"]["kind"] == "name-removed"
    assert found["pkg.util:tokenize"]["replacement"] is None


def test_shims_are_deprecated_with_warnings_and_compatible_without(repo, cli) -> None:
    _base(repo)
    repo.commit("legacy becomes a shim", {
        "pkg/net/__init__.py": "",
        "pkg/net/client.py": BODY,
        "pkg/legacy.py": ('"""Moved to pkg.net.client."""\nimport warnings\n\n'
                          "from pkg.net.client import Client\n\n"
                          "warnings.warn('use pkg.net.client', DeprecationWarning, stacklevel=2)\n"
                          "__all__ = ['Client']\n"),
        "pkg/old.py": "from pkg.helpers import helper\n",
        "pkg/helpers.py": "def helper(x):\n    \"\"\"Double x.\"\"\"\n    return x * 2\n",
    })
    found = _by_target(suggestions(cli, repo.root))
    assert (found["pkg.legacy"]["status"], found["pkg.legacy"]["replacement"]) == (
        "deprecated", "pkg.net.client")
    assert (found["pkg.old"]["status"], found["pkg.old"]["replacement"]) == (
        "compatible", "pkg.helpers")
    assert "pkg.old:helper" not in found  # the module entry already leads there


def test_removed_names_count_only_while_the_workspace_imports_them(repo, cli) -> None:
    _base(repo)
    repo.commit("drop two", {"pkg/names.py": "def stay():\n    return 1\n"})
    found = _by_target(suggestions(cli, repo.root))
    assert found["pkg.names:dropped"]["status"] == "broken"
    assert found["pkg.names:dropped"]["replacement"] is None
    assert "pkg.names:unused_drop" not in found


def test_nothing_the_registry_says_and_contradictions_reported(repo, cli) -> None:
    registry = REGISTRY.replace("```\n", "from pkg.old import helper  # \u2705 VERIFIED\n"
                                "import pkg.util  # \u274c BROKEN PATH\n```\n", 1)
    _base(repo, registry)
    repo.git("mv", "pkg/old.py", "pkg/new.py")
    repo.commit("move", remove=("pkg/util.py",), files={"app.py": "import pkg.util\n"})
    result = cli("registry", "suggest", "--format", "json", cwd=repo.root)
    data = json.loads(result.stdout)
    targets = [s["target"] for s in data["suggestions"]]
    assert "pkg.util" not in targets  # the registry already says it is broken
    assert targets == sorted(targets)
    assert "pkg.old" in targets
    [contradiction] = data["contradictions"]
    assert contradiction["target"] == "pkg.old:helper"
    assert contradiction["registry_status"] == "verified"
    assert contradiction["where"].endswith("IMPORT_REGISTRY.md:7")
    assert "contradiction:" in result.stderr and "pkg.old moved away" in result.stderr


def test_since_limits_the_history_read(repo, cli) -> None:
    _base(repo)
    repo.git("mv", "pkg/old.py", "pkg/new.py")
    middle = repo.commit("move")
    repo.git("mv", "pkg/legacy.py", "pkg/client.py")
    repo.commit("move legacy")
    found = _by_target(suggestions(cli, repo.root, "--since", middle))
    assert list(found) == ["pkg.legacy"]


def test_output_is_deterministic(repo, cli) -> None:
    _base(repo)
    repo.git("mv", "pkg/old.py", "pkg/new.py")
    repo.commit("move", remove=("pkg/util.py",))
    runs = {cli("registry", "suggest", "--format", "markdown", cwd=repo.root).stdout
            for _ in range(2)}
    assert len(runs) == 1


def _show(cli, root: Path) -> dict[str, dict]:
    result = cli("registry", "show", "--format", "json", cwd=root)
    assert result.returncode == 0, result
    return {e["target"]: e for e in json.loads(result.stdout)["entries"]}


def _history_for_write(repo, registry: str, name: str) -> None:
    _base(repo, registry, name)
    repo.git("mv", "pkg/old.py", "pkg/new.py")
    repo.commit("move and split", {
        "pkg/parsing/__init__.py": "",
        "pkg/parsing/parser.py": ("class Parser:\n    def parse(self, text):\n"
                                  "        return text.split(',')\n"),
        "pkg/parsing/tokens.py": "def tokenize(text):\n    return [t.strip() for t in text.split()]\n",
    }, remove=("pkg/util.py",))


def _write_once(repo, cli, text: str, name: str) -> tuple[Path, bytes, bytes]:
    """The history of ``_history_for_write`` with ``text`` as registry file ``name``, and one
    real ``registry suggest --write``: (the file, its bytes before, after). Writing appends."""
    _history_for_write(repo, text, name)
    path = repo.root / name
    before = path.read_bytes()
    result = cli("registry", "suggest", "--write", cwd=repo.root)
    assert result.returncode == 0, result
    after = path.read_bytes()
    assert after.startswith(before), after
    return path, before, after


def test_write_appends_a_markdown_section_once_and_show_reads_it_back(repo, cli) -> None:
    path, before, after = _write_once(repo, cli, REGISTRY, "IMPORT_REGISTRY.md")
    assert len(after) > len(before)
    added = after[len(before):].decode("utf-8")
    assert "## Suggested by importwarden from git history (" in added
    assert "import pkg.old  # \u274c BROKEN PATH\n# USE INSTEAD: import pkg.new\n" in added
    assert added.count("```") == 2
    second = cli("registry", "suggest", "--write", cwd=repo.root)
    assert second.returncode == 0 and path.read_bytes() == after
    assert "nothing new" in second.stderr
    entries = _show(cli, repo.root)
    assert (entries["pkg.old"]["status"], entries["pkg.old"]["replacement"]) == (
        "broken", "pkg.new")
    assert entries["pkg.util:Parser"]["replacement"] == "pkg.parsing.parser:Parser"
    assert entries["pkg.old"]["note"].startswith("suggested by importwarden: moved in ")
    assert entries["pkg.keep:Kept"]["status"] == "verified"  # what was there still reads
    lint = cli("registry", "lint", cwd=repo.root)
    assert lint.returncode == 0, lint


def test_write_appends_toml_tables_once_and_show_reads_them_back(repo, cli) -> None:
    toml = ('# settings and registry\n[[import]]\ntarget = "pkg.keep:Kept"\n'
            'status = "verified"\n')
    path, _before, after = _write_once(repo, cli, toml, "importwarden.toml")
    assert b'[[import]]\ntarget = "pkg.old"\n' in after
    assert cli("registry", "suggest", "--write", cwd=repo.root).returncode == 0
    assert path.read_bytes() == after
    entries = _show(cli, repo.root)
    assert (entries["pkg.old"]["status"], entries["pkg.old"]["replacement"]) == (
        "broken", "pkg.new")
    assert entries["pkg.util:tokenize"]["note"].startswith("suggested by importwarden:")


def test_write_keeps_crlf_and_a_missing_final_newline(repo, cli) -> None:
    _path, _before, after = _write_once(
        repo, cli, REGISTRY.replace("\n", "\r\n").rstrip("\r\n"), "IMPORT_REGISTRY.md")
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert _show(cli, repo.root)["pkg.old"]["replacement"] == "pkg.new"


def test_not_a_repository_and_unknown_commit_are_one_line_errors(tmp_path: Path, repo,
                                                                 cli) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "IMPORT_REGISTRY.md").write_text(REGISTRY, encoding="utf-8")
    result = cli("registry", "suggest", cwd=plain)
    assert result.returncode == 2 and "not a git repository" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    _base(repo)
    result = cli("registry", "suggest", "--since", "nosuchrev", cwd=repo.root)
    assert result.returncode == 2, result
    assert result.stderr.strip() == f"importwarden: nosuchrev: no such commit in {repo.root}"


def test_write_into_pyproject_uses_the_tool_table(repo, cli) -> None:
    pyproject = ('[project]\nname = "demo"\n\n[tool.importwarden]\nselect = ["IW"]\n\n'
                 '[[tool.importwarden.registry.import]]\ntarget = "pkg.keep:Kept"\n'
                 'status = "verified"\n\n[tool.other]\nkey = 1\n')
    path, _before, after = _write_once(repo, cli, pyproject, "pyproject.toml")
    assert b'[[tool.importwarden.registry.import]]\ntarget = "pkg.old"\n' in after
    entries = _show(cli, repo.root)
    assert entries["pkg.old"]["replacement"] == "pkg.new"
    assert entries["pkg.keep:Kept"]["status"] == "verified"
    assert cli("registry", "suggest", "--write", cwd=repo.root).returncode == 0
    assert path.read_bytes() == after
