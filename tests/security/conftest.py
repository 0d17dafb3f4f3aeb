"""Fixtures for the hostile-repository tests (helpers in ``hostile.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile import copy_workspace


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")
