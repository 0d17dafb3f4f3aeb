"""The VS Code extension: its own unit tests (node --test), the server bundled in the .vsix on
each supported CPython, and the real thing end to end -- code-server (VS Code 1.100) in
Debian's Chromium, driven by tests/e2e/vscode/driver.mjs (playwright-core).

Everything here needs what ``scripts/setup-vscode-e2e`` installs and builds (``scripts/test``
runs it first): the extension's node_modules, the .vsix with ``bundled/``, code-server in
``.cache/importwarden`` (inside the checkout), Chromium. Missing pieces fail with that instruction, never skip
silently. Screenshots of each e2e step land in ``test-artifacts/vscode/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "vscode-extension"
DRIVER_DIR = Path(__file__).resolve().parent / "vscode"
CACHE = Path(os.environ.get("IMPORTWARDEN_CACHE", ROOT / ".cache" / "importwarden"))
CODE_SERVER = CACHE / "code-server-4.100.3"
VSIX = EXTENSION / "importwarden-linux-x64.vsix"
LAUNCHER = EXTENSION / "bundled" / "tool" / "server.py"
ARTIFACTS = ROOT / "test-artifacts" / "vscode"
SETUP_HINT = "run scripts/setup-vscode-e2e first (scripts/test does)"


def require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} missing ({path}): {SETUP_HINT}")


def test_extension_unit_tests() -> None:
    """The client's pure logic: server command order, settings mapping, status text."""
    require(EXTENSION / "node_modules" / "esbuild", "the extension's npm dependencies")
    proc = subprocess.run(["npm", "test"], cwd=EXTENSION, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    passed = re.search(r"^# pass (\d+)$", proc.stdout, re.M)
    failed = re.search(r"^# fail (\d+)$", proc.stdout, re.M)
    assert passed and failed, proc.stdout[-2000:]
    assert int(failed.group(1)) == 0
    assert int(passed.group(1)) >= 20  # the suites exist and ran


def test_extension_typechecks() -> None:
    require(EXTENSION / "node_modules" / "typescript", "the extension's npm dependencies")
    proc = subprocess.run(["npx", "--no-install", "tsc", "--noEmit", "-p", "."], cwd=EXTENSION,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def _interpreters() -> dict[str, str]:
    """CPython executables on this machine by minor version (pyenv's and PATH's)."""
    found: dict[str, str] = {}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for exe in sorted(pyenv.glob("3.*/bin/python3")) if pyenv.is_dir() else []:
        m = re.match(r"(3\.\d+)\.\d+$", exe.parent.parent.name)
        if m:
            found.setdefault(m.group(1), str(exe))
    for minor in range(8, 15):
        exe = shutil.which(f"python3.{minor}")
        if exe:
            found.setdefault(f"3.{minor}", exe)
    return found


def _lsp_initialize(python: str, cwd: Path, timeout: float = 60) -> dict:
    """Starts the bundled launcher and performs initialize/shutdown/exit over stdio."""

    def frame(obj: dict) -> bytes:
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None},
        {"jsonrpc": "2.0", "method": "exit", "params": None},
    ]
    proc = subprocess.run([python, str(LAUNCHER)], input=b"".join(frame(m) for m in messages),
                          capture_output=True, timeout=timeout, cwd=cwd)
    out = proc.stdout
    responses = []
    while out:
        header, _, rest = out.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", header).group(1))
        responses.append(json.loads(rest[:length]))
        out = rest[length:]
    init = next((r for r in responses if r.get("id") == 1), None)
    assert init is not None and "result" in init, (responses, proc.stderr.decode()[-2000:])
    return init["result"]


@pytest.mark.parametrize("minor", ["3.10", "3.11", "3.12", "3.13"])
def test_bundled_server_runs_on(minor: str, tmp_path: Path) -> None:
    """The .vsix carries libcst's native wheel for each CPython and importwarden's own compiled
    lexer: import, parse, lex, LSP initialize."""
    require(LAUNCHER, "the bundled server (vscode-extension/bundled/)")
    python = _interpreters().get(minor)
    if python is None:
        pytest.skip(f"no CPython {minor} on this machine")
    check = subprocess.run([python, str(LAUNCHER), "--check"], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stderr[-2000:]
    info = json.loads(check.stdout.strip().splitlines()[-1])
    assert info["python"].startswith(minor + ".")
    assert info["libcst_roundtrip"] is True
    # the .vsix is for linux-x64, where the stable-ABI lexer is built once for every CPython
    assert info["lexer_compiled"] is True
    assert Path(info["importwarden_path"]).is_relative_to(EXTENSION / "bundled" / "libs")
    result = _lsp_initialize(python, tmp_path)
    assert result["serverInfo"]["name"] == "importwarden"
    assert result["capabilities"]["codeActionProvider"]


def test_bundled_server_refuses_unsupported_python_clearly() -> None:
    require(LAUNCHER, "the bundled server (vscode-extension/bundled/)")
    old = _old_interpreter()
    if old is None:
        pytest.skip("no CPython older than 3.10 on this machine")
    version, python = old
    probe = subprocess.run([python, str(LAUNCHER), "--probe"], capture_output=True, text=True, timeout=60)
    answer = json.loads(probe.stdout)
    assert answer["supported"] is False
    assert f"is cpython {version}" in answer["message"]
    assert "supports CPython 3.10-" in answer["message"]
    run = subprocess.run([python, str(LAUNCHER)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 3
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == answer["message"]


def _old_interpreter() -> tuple[str, str] | None:
    """The newest CPython older than 3.10 on this machine, if any."""
    old = {v: p for v, p in _interpreters().items() if int(v.split(".")[1]) < 10}
    return max(old.items(), key=lambda kv: int(kv[0].split(".")[1])) if old else None


def _python_extension_interpreter() -> tuple[str, str] | None:
    """A supported CPython other than the one python3 on PATH runs, for the Python extension
    test double to select (so the switch is visible in the server's log)."""
    default = subprocess.run(["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    found = _interpreters()
    for minor in ("3.12", "3.13", "3.11", "3.10"):
        if minor != default and minor in found:
            return minor, found[minor]
    return None


@pytest.fixture(scope="module")
def e2e_result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    require(CODE_SERVER / ".importwarden-complete", "code-server")
    require(VSIX, "the .vsix")
    require(DRIVER_DIR / "node_modules" / "playwright-core", "playwright-core")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail(f"/usr/bin/chromium missing: {SETUP_HINT}")
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    cmd = ["node", "driver.mjs", "--code-server", str(CODE_SERVER), "--vsix", str(VSIX),
           "--workspace", "workspace", "--artifacts", str(ARTIFACTS)]
    other_python = _python_extension_interpreter()
    if other_python:
        fake = tmp_path_factory.mktemp("fake-python") / "ms-python.python.vsix"
        subprocess.run([str(EXTENSION / "node_modules" / ".bin" / "vsce"), "package", "--skip-license",
                        "--allow-missing-repository", "--out", str(fake)],
                       cwd=DRIVER_DIR / "fake-python-extension", check=True, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=120)
        cmd += ["--python-extension", str(fake), "--python-extension-interpreter", other_python[1]]
        old_python = _old_interpreter()
        if old_python:
            cmd += ["--python-extension-old-interpreter", old_python[1]]
    proc = subprocess.run(cmd, cwd=DRIVER_DIR, capture_output=True, text=True, timeout=420)
    sys.stderr.write(proc.stderr)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"the driver printed no JSON (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    (ARTIFACTS / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def _explain(result: dict) -> str:
    failed = [s for s in result["steps"] if not s["ok"]]
    return json.dumps({"failed": failed, "errors": result["errors"],
                       "extension_output": result["logs"].get("extension_output", "")}, indent=2)[-6000:]


@pytest.mark.e2e
def test_vscode_restricted_mode_starts_nothing(e2e_result: dict) -> None:
    r = e2e_result["restricted"]
    assert r, _explain(e2e_result)
    assert r["workbench_trust_text"] == "Restricted Mode"  # VS Code agrees the folder is untrusted
    assert "importwarden: Restricted Mode" in r["status_text"]
    assert "starts no language server" in r["output"]
    assert r["error_squiggles"] == 0 and r["deprecated_marks"] == 0
    assert r["server_processes"] == 0


@pytest.mark.e2e
def test_vscode_end_to_end(e2e_result: dict) -> None:
    assert e2e_result["ok"], _explain(e2e_result)
    t = e2e_result["trusted"]
    # the default users get: the server bundled in the .vsix
    assert "bundled importwarden server on CPython" in t["log"]
    assert "The folder is now trusted: starting the importwarden server." in t["log"]
    # started so that the workspace (its cwd) cannot shadow a module: -P on Python 3.11+
    running = re.search(r"Running: (\S+) (.*?) \(cwd (.*?)\)", t["log"])
    assert running, t["log"][-3000:]
    version = subprocess.run([running.group(1), "-c", "import sys; print(sys.version_info[1])"],
                             capture_output=True, text=True).stdout.strip()
    if int(version) >= 11:
        assert running.group(2).startswith("-P "), running.group(0)
    assert running.group(3) != "none" and Path(running.group(3)).name == "ws", running.group(0)
    assert re.search(r"\[(info|warning|error)\] ", t["output"]), t["output"]  # the panel shows the channel
    # an error squiggle on the broken import, a strikethrough on the deprecated one
    assert t["error_squiggles"] >= 1
    assert t["deprecated_marks"] >= 1 and t["deprecated_style"] == "line-through"
    assert t["deprecated_text"] and t["deprecated_text"] in "from shop.legacy.payments import charge"
    # importwarden.ignore in .vscode/settings.json hid IW002 live, and showing it again needed no restart
    assert t["deprecated_marks_with_ignore"] == 0 and t["error_squiggles_with_ignore"] >= 1
    assert t["server_starts"] == 1
    # importStrategy (a process setting) restarts it: fromEnvironment, then the bundled one again
    assert "fromEnvironment" in t["from_environment_line"]
    assert "IW001" in t["hover_text"] and "shop.billing.invoices" in t["hover_text"]
    assert any("shop.billing.invoices" in item for item in t["quick_fix_items"])
    assert "from shop.billing.invoices import Invoice" in t["after_quick_fix"]
    assert "shop.orders.invoice" not in t["after_quick_fix"]
    assert "from shop.billing.payments import charge" in t["after_fix_all"]
    assert "shop.legacy" not in t["after_fix_all"]
    assert t["error_squiggles_after_fixes"] == 0
    assert "Restricted" not in t["status_text"] and "error" not in t["status_text"].lower()
    assert "importwarden: 4 entries" in t["status_text"]  # importwarden/status from the server
    assert "SSOT_IMPORT_REGISTRY.md" in t["open_registry_tab"]
    assert t["restart_added_starts"] == 1
    assert t["reload_registry"].endswith("Registry reloaded."), t["reload_registry"]
    assert "error" not in t["status_after_restart"].lower()
    for step in e2e_result["steps"]:
        assert Path(step["screenshot"]).is_file(), step


@pytest.mark.e2e
def test_vscode_follows_python_extension_interpreter(e2e_result: dict) -> None:
    """No interpreter selected in the Python extension -> python3 on PATH; selecting one there
    restarts the bundled server on it."""
    other = _python_extension_interpreter()
    if other is None:
        pytest.skip("needs a second supported CPython on this machine")
    minor, python = other
    t = e2e_result["trusted"]
    log = t.get("python_extension_log")
    assert log, _explain(e2e_result)
    assert any("has no interpreter" in line for line in log)
    assert any("(from PATH)" in line for line in log)
    assert any("interpreter changed: restarting" in line for line in log)
    assert any(f"bundled server with the Python extension's interpreter: {python}" in line for line in log)
    assert any(f"bundled importwarden server on CPython {minor}" in line for line in log), log
    assert "error" not in t["status_after_python_change"].lower()


@pytest.mark.e2e
def test_vscode_unsupported_interpreter_is_one_clear_message(e2e_result: dict) -> None:
    old = _old_interpreter()
    if old is None or _python_extension_interpreter() is None:
        pytest.skip("needs CPython < 3.10 and a second supported CPython on this machine")
    version, python = old
    u = e2e_result.get("unsupported")
    assert u, _explain(e2e_result)
    expected = f"{python} is cpython {version}"
    assert "supports CPython 3.10-" in u["notification"] and expected in u["notification"]
    assert f"importwarden: Python {version} unsupported" in u["status_text"]
    assert expected in u["status_tooltip"]
    assert "importwarden: importwarden:" not in u["notification"]
    # refused once, before any server process: no start, no crash loop
    assert sum("supports CPython" in line for line in u["log"]) == 1, u["log"]
    refused = next(i for i, line in enumerate(u["log"]) if "supports CPython" in line)
    assert not any("server started" in line for line in u["log"][refused:]), u["log"]


@pytest.mark.e2e
def test_vscode_e2e_is_fast_enough(e2e_result: dict) -> None:
    """Budget: the whole VS Code run (install .vsix, both modes, all steps) within 3 minutes."""
    assert e2e_result["total_ms"] < 180_000, e2e_result["total_ms"]
