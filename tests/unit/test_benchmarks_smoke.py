"""Keep the benchmark tooling from rotting: the corpus generator, the shared timing helpers and
the check runner work on a tiny corpus. No timing assertions: benchmarks are not run here."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarks"
sys.path.insert(0, str(BENCH))

import common
import generate_corpus


def _module_exists(root: Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _binds(root: Path, dotted: str, name: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    path = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return True
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return True
    return False


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("corpus")
    info = generate_corpus.generate(out, generate_corpus.CorpusParams(files=300, seed=3, lines_scale=0.1))
    return out, info


def test_corpus_shape(tiny):
    root, info = tiny
    py_files = sorted(root.rglob("*.py"))
    assert len(py_files) == 300 == info["stats"]["files"]
    assert sum(p.read_text(encoding="utf-8").count("\n") for p in py_files) == info["stats"]["lines"]
    for big in info["big_files"]:
        assert (root / big["path"]).read_text(encoding="utf-8").count("\n") == big["lines"]
    assert (root / "SSOT_IMPORT_REGISTRY.md").is_file()
    assert info["stats"]["files_using_registry_targets"] > 0
    assert 0.5 < info["stats"]["first_party_share"] < 0.75


def test_every_file_parses(tiny):
    root, _ = tiny
    for path in root.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_registry_targets_resolve_or_not_as_the_registry_says(tiny):
    root, info = tiny
    registry = (root / "SSOT_IMPORT_REGISTRY.md").read_text(encoding="utf-8")
    for p in info["planted"]:
        # The replacement always exists and binds the name the fix will import.
        assert _module_exists(root, p["new_module"]), p
        for name in p["new_names"]:
            assert _binds(root, p["new_module"], name), p
        if p["kind"] in ("broken_moved", "mock_broken"):
            assert not _module_exists(root, p["old_module"]), p
        elif p["kind"] == "broken_name":
            assert not _binds(root, p["old_module"], p["names"][0]), p
        else:  # deprecated / compatible: works through a shim
            assert _binds(root, p["old_module"], p["names"][0]), p
        assert p["old_module"] in registry
    # Every first-party absolute "from X import ..." in the corpus resolves unless planted broken.
    broken = {p["old_module"] for p in info["planted"] if p["kind"] in ("broken_moved", "mock_broken")}
    top = {"netra_backend", "auth_service", "shared", "test_framework", "tests"}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] in top:
                if node.module not in broken:
                    assert _module_exists(root, node.module), (path, node.module)


def test_deterministic_for_a_seed(tmp_path, tiny):
    _, info = tiny
    again = generate_corpus.generate(tmp_path / "again", generate_corpus.CorpusParams(files=300, seed=3, lines_scale=0.1))
    strip = lambda d: {k: v for k, v in d.items() if k != "seconds_to_generate"}
    assert strip(again) == strip(info)
    other = generate_corpus.generate(tmp_path / "other", generate_corpus.CorpusParams(files=300, seed=4))
    assert other["planted"] != info["planted"]


def test_fix_set_has_exactly_the_moved_imports(tmp_path):
    out = tmp_path / "fix"
    info = generate_corpus.generate(out, generate_corpus.CorpusParams(files=300, seed=1, moved=60, fix_files=25))
    assert info["fix"]["moved_statements"] == 60
    assert len(info["fix"]["per_file"]) == 25
    moved = {p["old_module"] for p in info["planted"] if p["kind"] == "broken_moved"}
    found = 0
    for path in out.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in moved:
                found += 1
    assert found == 60


def test_cli_writes_corpus_json(tmp_path):
    out = tmp_path / "cli"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "generate_corpus.py"), str(out), "--files", "250", "--seed", "2"],
        check=False, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "corpus.json").read_text())["stats"]["files"] == 250
    bad = subprocess.run([sys.executable, str(BENCH / "generate_corpus.py"), str(out), "--files", "5"],
                         check=False, capture_output=True, text=True)
    assert bad.returncode == 2 and "at least" in bad.stderr


def test_measure_reports_exit_code_output_and_memory():
    r = common.measure([sys.executable, "-c", "import sys; b = bytearray(60 * 2**20); print('hi'); sys.exit(3)"])
    assert r.returncode == 3 and r.stdout.strip() == "hi"
    assert r.seconds > 0
    assert r.peak_rss_mb >= 60  # ru_maxrss of the child saw the 60 MB buffer


def test_record_section_replaces_same_title_and_keeps_others(tmp_path):
    f = tmp_path / "r.md"
    common.record_section(f, "2025-01-01 a", "old")
    common.record_section(f, "2025-01-02 b", "other")
    common.record_section(f, "2025-01-01 a", "new")
    text = f.read_text()
    assert text.count("## 2025-01-01 a") == 1 and "new" in text and "old" not in text
    assert "## 2025-01-02 b" in text and text.startswith("# ")


def test_run_check_runs_ruff_and_flake8_on_a_tiny_corpus(tmp_path, tiny):
    root, info = tiny
    results = tmp_path / "check.md"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run_check.py"), "--corpus", str(root), "--repeat", "1",
         "--tools", "ruff,flake8", "--results", str(results)],
        check=False, capture_output=True, text=True, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {}
    for line in proc.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        # tool | scenario | wall | CPU | runs | peak PSS | peak summed RSS | findings | exit
        if len(cells) == 9 and cells[0] in ("ruff", "flake8-tidy-imports"):
            rows[(cells[0], cells[1].split()[0])] = cells[7]
    # The generated banned-api/banned-modules configs really ban the planted broken and
    # deprecated targets: both tools find every use of them, one finding per imported name.
    banned = {b["target"] for b in info["banned"] if b["status"] in ("broken", "deprecated")}
    expected = 0
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                expected += sum(f"{node.module}.{a.name}" in banned for a in node.names)
    assert expected > 0
    assert rows == {("ruff", "cold"): str(expected), ("ruff", "warm"): str(expected),
                    ("flake8-tidy-imports", "cold"): str(expected)}
    body = results.read_text()
    assert "nproc" in body and "python" in body and "flake8-tidy-imports" in body


def test_generator_refuses_to_wipe_a_directory_it_did_not_make(tmp_path):
    precious = tmp_path / "project"
    precious.mkdir()
    (precious / "keep.py").write_text("x = 1\n")
    with pytest.raises(SystemExit, match="refusing"):
        generate_corpus.generate(precious, generate_corpus.CorpusParams(files=250, lines_scale=0.1))
    assert (precious / "keep.py").read_text() == "x = 1\n"


def test_scale_mode_adds_a_snapshot_of_half_the_tree_and_312_syntax(tmp_path):
    out = tmp_path / "scale"
    info = generate_corpus.generate(out, generate_corpus.CorpusParams(
        files=400, seed=1, lines_scale=0.1, snapshot=True, py312_share=0.02))
    extras = info["extras"]
    live = [p for p in out.rglob("*.py") if "backups" not in p.parts]
    snap = [p for p in (out / extras["snapshot_dir"]).rglob("*.py") if p.stat().st_size]
    assert len(live) == 400
    assert 0.4 * 400 <= extras["snapshot_files"] <= 0.6 * 400
    # Whole packages are copied: each copied file's package is there with its __init__.py.
    for p in snap:
        assert (p.parent / "__init__.py").is_file()
    py312 = [p for p in live if "type Pair[T]" in p.read_text(encoding="utf-8")]
    assert len(py312) == extras["py312_files"] > 0
    assert info["stats"]["files"] == 400 + extras["snapshot_files"]
    # importwarden reads 3.12-only syntax without crashing (the scanner does not need ast).
    proc = subprocess.run([sys.executable, "-m", "importwarden", "check", "--no-cache", "--output-format",
                           "json", "."], cwd=out, capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    json.loads(proc.stdout)


def test_real_corpus_registry_describes_a_migration_in_progress(tmp_path, monkeypatch):
    """The real corpus's registry and migration on a tiny stand-in tree: moved modules break
    their importers (IW001, fixable), deprecated ones keep working (IW002), and `fix` turns
    every one of them into an import of the new path that resolves."""
    import real_corpus

    tree = tmp_path / "tree"
    utils = tree / "ansible_collections" / "ns" / "coll" / "plugins" / "module_utils"
    utils.mkdir(parents=True)
    for i in range(6):
        (utils / f"m{i}.py").write_text(f"def helper{i}():\n    return {i}\n\n\nclass Thing{i}:\n    pass\n")
    modules = tree / "ansible_collections" / "ns" / "coll" / "plugins" / "modules"
    modules.mkdir()
    for j in range(12):
        uses = [i for i in range(6) if j % (i + 1) == 0]
        body = "".join(f"from ansible_collections.ns.coll.plugins.module_utils.m{i} import helper{i}\n"
                       for i in uses)
        (modules / f"mod{j}.py").write_text(body + "\nx = 1\n")
    monkeypatch.setattr(real_corpus, "N_MOVED", 2)
    monkeypatch.setattr(real_corpus, "N_DEPRECATED", 2)
    counts, names, stats = real_corpus.import_counts(tree)
    assert stats["files"] == 18
    chosen = real_corpus.plan(tree, counts, names)
    collection = [e for e in chosen["entries"] if e["old"].startswith("ansible_collections.")]
    assert [e["kind"] for e in collection] == ["broken", "broken", "deprecated", "deprecated"]
    assert chosen["most_imported"] == "ansible_collections.ns.coll.plugins.module_utils.m0"
    real_corpus.migrate(tree, chosen["entries"])
    (tree / "SSOT_IMPORT_REGISTRY.md").write_text(real_corpus.render_registry(chosen["entries"]), encoding="utf-8")

    def check() -> list[dict]:
        proc = subprocess.run([sys.executable, "-m", "importwarden", "check", "--no-cache", "--output-format",
                               "json", "."], cwd=tree, capture_output=True, text=True, check=False)
        assert proc.returncode in (0, 1), proc.stderr
        return json.loads(proc.stdout)

    findings = check()
    by_module: dict[str, set[str]] = {}
    for f in findings:
        for e in collection:
            if e["old"] in f["message"]:
                by_module.setdefault(e["old"], set()).add(f["code"])
    assert {e["old"]: {"IW001" if e["kind"] == "broken" else "IW002"} for e in collection} == by_module
    subprocess.run([sys.executable, "-m", "importwarden", "fix", "."], cwd=tree, capture_output=True, check=False)
    assert not [f for f in check() if f["code"] in ("IW001", "IW002", "IW005")]


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="needs Linux smaps_rollup")
def test_measure_counts_pages_shared_after_fork_once_in_pss():
    # A parent holding 100 MB forks two children that only read it: the summed RSS counts the
    # 100 MB three times, the summed PSS once (what run_check.py judges memory by).
    code = ("import os, time\n"
            "b = b'x' * (100 * 2**20)\n"
            "kids = []\n"
            "for _ in range(2):\n"
            "    pid = os.fork()\n"
            "    if pid == 0:\n"
            "        time.sleep(0.6)\n"
            "        os._exit(0)\n"
            "    kids.append(pid)\n"
            "for pid in kids:\n"
            "    os.waitpid(pid, 0)\n")
    r = common.measure([sys.executable, "-c", code], sample_interval=0.01)
    assert r.returncode == 0
    assert r.tree_rss_mb >= 290, r
    assert 95 <= r.tree_pss_mb <= 160, r
