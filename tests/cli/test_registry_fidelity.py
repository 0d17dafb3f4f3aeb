"""Issue 11 through the real console script: services on the seed registry, inferred renames
with and without workspace evidence (``check`` and ``fix --unsafe-fixes``), a conflict's verdict
and its quote, redundant aliases, the summary by severity and ``fix --diff``'s last newline."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from .conftest import REGISTRIES, console_script

SEED = REGISTRIES / "seed_2025-09-11_SSOT_IMPORT_REGISTRY.md"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def package(root: Path, dotted: str, body: str = "") -> None:
    """``a.b.c`` -> a/__init__.py, a/b/__init__.py, a/b/c.py with ``body``."""
    parts = dotted.split(".")
    for i in range(1, len(parts)):
        init = root.joinpath(*parts[:i], "__init__.py")
        if not init.exists():
            write(init, "")
    write(root.joinpath(*parts[:-1], parts[-1] + ".py"), body)


def findings(cli, root: Path, *args: str) -> list[dict]:
    result = cli("check", "--output-format", "json", "--no-cache", *args, cwd=root)
    assert result.returncode in (0, 1), result
    return json.loads(result.stdout)


# --- 1. services on the seed registry ---------------------------------------------------------


@pytest.fixture
def seed_ws(project: Path) -> Path:
    shutil.copy(SEED, project / "SSOT_IMPORT_REGISTRY.md")
    package(project, "test_framework.ssot.base_test_case",
            "class SSotAsyncTestCase: ...\nclass SSotBaseTestCase: ...\n")
    package(project, "auth_service.auth_core.services.auth_service", "class AuthService: ...\n")
    package(project, "netra_backend.app.services.user_execution_context",
            "class UserExecutionContext: ...\nclass UserContextManager: ...\n")
    package(project, "netra_backend.tests.test_agents", """
        from test_framework.ssot.base_test_case import SSotAsyncTestCase
        from auth_service.auth_core.services.auth_service import AuthService
    """)
    package(project, "auth_service.tests.test_login", """
        from test_framework.ssot.base_test_case import SSotBaseTestCase
        from netra_backend.app.services.user_execution_context import UserExecutionContext
    """)
    return project


def test_seed_imports_from_test_framework_are_not_cross_service(cli, seed_ws):
    got = sorted((f["path"], f["line"], f["code"]) for f in findings(cli, seed_ws))
    assert got == [("auth_service/tests/test_login.py", 2, "IW006"),
                   ("netra_backend/tests/test_agents.py", 2, "IW006")]


def test_registry_show_says_which_line_made_each_package(cli, seed_ws):
    text = cli("registry", "show", cwd=seed_ws)
    assert text.returncode == 0, text
    assert "services: netra_backend, auth_service (shared: shared, test_framework)" in text.stdout
    assert "  test_framework: shared (SSOT_IMPORT_REGISTRY.md:146: # SSOT Test Infrastructure)" \
        in text.stdout
    assert "  netra_backend: service (SSOT_IMPORT_REGISTRY.md:216: #### netra_backend:)" \
        in text.stdout
    data = json.loads(cli("registry", "show", "--format", "json", cwd=seed_ws).stdout)
    origins = {o["package"]: (o["role"], o["line"]) for o in data["services"]["origins"]}
    assert origins["test_framework"] == ("shared", 146)
    assert origins["shared"] == ("shared", 209)


def test_services_setting_overrides_the_inference(cli, seed_ws):
    write(seed_ws / "pyproject.toml", """
        [tool.importwarden.services]
        members = ["netra_backend", "auth_service", "test_framework"]
    """)
    got = sorted((f["path"], f["line"]) for f in findings(cli, seed_ws) if f["code"] == "IW006")
    assert got == [("auth_service/tests/test_login.py", 1), ("auth_service/tests/test_login.py", 2),
                   ("netra_backend/tests/test_agents.py", 1),
                   ("netra_backend/tests/test_agents.py", 2)]
    shown = cli("registry", "show", cwd=seed_ws).stdout
    assert "  test_framework: service (pyproject.toml:2: members = " in shown


# --- 2. inferred replacements -----------------------------------------------------------------

NB = "netra_backend.app.core."
TRACKER_REGISTRY = f"""
## VERIFIED

```python
from {NB}execution_tracker import get_execution_tracker, ExecutionState
```

#### ExecutionTracker Import Compatibility:
```python
# SOLUTION: Added ExecutionTracker alias for backward compatibility

# WORKING IMPORTS:
from {NB}agent_execution_tracker import ExecutionTracker      # New compatibility alias
from {NB}agent_execution_tracker import AgentExecutionTracker # Original SSOT class
from {NB}agent_execution_tracker import get_execution_tracker # Factory function
```

#### BACKWARD COMPATIBILITY MAINTAINED:
```python
# LEGACY IMPORT PATHS (DEPRECATED BUT WORKING):
from {NB}execution_tracker import ExecutionTracker
```
"""
USES = f"""
from {NB}agent_execution_tracker import get_execution_tracker
from {NB}agent_execution_tracker import ExecutionTracker
from {NB}execution_tracker import ExecutionTracker as Legacy

print(get_execution_tracker, ExecutionTracker, Legacy)
"""


def tracker_ws(project: Path, tracker_module: str) -> Path:
    write(project / "SSOT_IMPORT_REGISTRY.md", TRACKER_REGISTRY)
    package(project, NB + "agent_execution_tracker", tracker_module)
    package(project, NB + "execution_tracker", f"from {NB}agent_execution_tracker import *\n"
                                               "ExecutionState = object\n")
    package(project, "netra_backend.app.uses", USES)
    return project


def iw(found: list[dict]) -> list[tuple[int, str, str | None, str | None]]:
    """(line, code, the replacement the message names, the fix's applicability)."""
    out = []
    for f in found:
        named = f["message"].split("; use `", 1)
        out.append((f["line"], f["code"], named[1].split("`", 1)[0] if len(named) > 1 else None,
                    f["fix"]["applicability"] if f["fix"] else None))
    return out


@pytest.mark.parametrize("evidence", [
    "class AgentExecutionTracker: ...\nExecutionTracker = AgentExecutionTracker\n",
    "class AgentExecutionTracker: ...\nclass ExecutionTracker(AgentExecutionTracker): ...\n",
], ids=["alias", "same-kind"])
def test_an_inferred_rename_with_workspace_evidence_is_offered(cli, project, evidence):
    root = tracker_ws(project, evidence + "def get_execution_tracker(): ...\n")
    assert iw(findings(cli, root)) == [
        (2, "IW003", f"{NB}agent_execution_tracker:AgentExecutionTracker", "unsafe"),
        # the legacy path goes to the alias it names, not on through the inferred rename
        (3, "IW002", f"{NB}agent_execution_tracker:ExecutionTracker", "unsafe"),
    ]
    fixed = cli("fix", "--unsafe-fixes", "--no-cache", cwd=root)
    assert fixed.returncode in (0, 1), fixed
    text = (root / "netra_backend/app/uses.py").read_text(encoding="utf-8")
    assert f"from {NB}agent_execution_tracker import AgentExecutionTracker as ExecutionTracker" \
        in text
    assert f"from {NB}execution_tracker import" not in text  # nothing sent to the legacy module


def test_an_inferred_rename_without_evidence_is_not_offered(cli, project):
    """A class paired with a function is never a rename: no finding to fix, and
    ``fix --unsafe-fixes`` leaves the class import alone."""
    root = tracker_ws(project, "class AgentExecutionTracker: ...\n"
                               "def ExecutionTracker(): ...\ndef get_execution_tracker(): ...\n")
    assert iw(findings(cli, root)) == [
        (3, "IW002", f"{NB}agent_execution_tracker:ExecutionTracker", "unsafe")]
    cli("fix", "--unsafe-fixes", "--no-cache", cwd=root)
    after = (root / "netra_backend/app/uses.py").read_text(encoding="utf-8")
    assert f"import ExecutionTracker\n" in after and "AgentExecutionTracker" not in after


ENGINE_REGISTRY = """
## Imports

```python
# UserExecutionEngine - SSOT Pattern
from p.supervisor.user_execution_engine import UserExecutionEngine as ExecutionEngine  # RECOMMENDED: Use alias for backward compatibility
from p.supervisor.user_execution_engine import create_request_scoped_engine  # FACTORY METHOD

from p.supervisor.execution_engine import ExecutionEngine  # ❌ DEPRECATED
# ✅ CORRECTED: from p.supervisor.user_execution_engine import UserExecutionEngine as ExecutionEngine
```
"""


def test_a_recommended_class_is_never_rewritten_to_the_factory_next_to_it(cli, project):
    write(project / "SSOT_IMPORT_REGISTRY.md", ENGINE_REGISTRY)
    package(project, "p.supervisor.user_execution_engine",
            "class UserExecutionEngine: ...\ndef create_request_scoped_engine(): ...\n")
    package(project, "p.supervisor.execution_engine", "class ExecutionEngine: ...\n")
    package(project, "p.uses", """
        from p.supervisor.user_execution_engine import UserExecutionEngine
        from p.supervisor.execution_engine import ExecutionEngine
    """)
    assert iw(findings(cli, project)) == [
        (2, "IW002", "p.supervisor.user_execution_engine:UserExecutionEngine", "unsafe")]
    cli("fix", "--unsafe-fixes", "--no-cache", cwd=project)
    fixed = (project / "p/uses.py").read_text(encoding="utf-8")
    assert "create_request_scoped_engine" not in fixed
    assert "UserExecutionEngine as ExecutionEngine" in fixed


def test_a_caption_does_not_send_the_factory_function_to_the_legacy_module(cli, project):
    root = tracker_ws(project, "class AgentExecutionTracker: ...\n"
                               "ExecutionTracker = AgentExecutionTracker\n"
                               "def get_execution_tracker(): ...\n")
    assert all(f["line"] != 1 for f in findings(cli, root))


# --- 3. a verdict quotes the line that decided it -----------------------------------------------


def test_a_conflict_decided_broken_quotes_the_broken_line_and_keeps_its_replacement(cli, project):
    write(project / "SSOT_IMPORT_REGISTRY.md", """
        ## BROKEN IMPORTS

        ```python
        # CRITICAL: wrong module
        from p.old import Thing  # ❌ BROKEN PATH
        # USE INSTEAD: from p.new import Thing
        ```

        ## LATER

        ```python
        from p.old import Thing  # ✅ VERIFIED
        ```
    """)
    package(project, "p.new", "class Thing: ...\n")
    package(project, "p.uses", "from p.old import Thing\n")
    (found,) = findings(cli, project)
    assert found["code"] == "IW001"
    assert found["message"] == ("`p.old:Thing` is broken; use `p.new:Thing` instead "
                                "(registry: \"CRITICAL: wrong module ❌ BROKEN PATH\")")
    assert found["registry"]["line"] == 5
    assert found["fix"]["edits"][0]["content"] == "from p.new import Thing"


# --- 4. output details ------------------------------------------------------------------------

SIMPLE_REGISTRY = """
## Imports

```python
from old.mod import Thing  # ❌ BROKEN
# USE INSTEAD: from new.mod import Thing
from new.compat import Thing  # compatibility alias
from new.mod import Thing  # CANONICAL
```
"""


def simple_ws(project: Path, uses: str) -> Path:
    write(project / "SSOT_IMPORT_REGISTRY.md", SIMPLE_REGISTRY)
    package(project, "new.mod", "class Thing: ...\n")
    package(project, "new.compat", "from new.mod import Thing\n")
    package(project, "app.uses", uses)
    return project


def test_fix_keeps_a_redundant_alias(cli, project):
    root = simple_ws(project, "from old.mod import Thing as Thing\n")
    fixed = cli("fix", "--no-cache", cwd=root)
    assert fixed.returncode == 0, fixed
    assert (root / "app/uses.py").read_text(encoding="utf-8") == \
        "from new.mod import Thing as Thing\n"


def test_the_summary_counts_by_severity(cli, project):
    root = simple_ws(project, "from new.compat import Thing\n")
    result = cli("check", "--no-cache", cwd=root)
    assert result.stdout.splitlines()[-1] == \
        "Found 1 info (1 fixable with `importwarden fix`)."
    write(root / "app/more.py", "from old.mod import Thing\nfrom new.compat import Thing\n")
    result = cli("check", "--no-cache", cwd=root)
    assert result.stdout.splitlines()[-1] == \
        "Found 1 error and 2 info (3 fixable with `importwarden fix`)."


def test_fix_diff_ends_every_line_with_a_newline(project):
    """A file with CR-only newlines: every diff line still ends with a newline, so the last one
    is not glued to the summary that follows it (read as bytes: text mode would turn the CRs
    into newlines and hide it)."""
    root = simple_ws(project, "")
    (root / "app/uses.py").write_bytes(b"import os\rfrom old.mod import Thing\r")
    result = subprocess.run([str(console_script()), "fix", "--diff", "--no-cache"], cwd=root,
                            capture_output=True, timeout=120)
    assert result.returncode == 1, result
    out = result.stdout
    assert out.endswith(b"\n")
    assert b"\r-" not in out and b"\r+" not in out
    assert b"+from new.mod import Thing\r\n" in out
