"""Shared helpers: load the fixture registries with stable, repository-relative file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from importwarden.registry.combine import build
from importwarden.registry.load import load_text, read_file
from importwarden.registry.markdown import load_markdown
from importwarden.registry.model import Registry

ROOT = Path(__file__).resolve().parents[3]
REGISTRIES = ROOT / "tests" / "fixtures" / "registries"
SEED = REGISTRIES / "seed_2025-09-11_SSOT_IMPORT_REGISTRY.md"
NETRA = REGISTRIES / "netra_2025-09-17_SSOT_IMPORT_REGISTRY.md"
FIXTURES = {"seed": SEED, "netra": NETRA}


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def load_fixture(path: Path) -> Registry:
    return build([load_text(read_file(path), rel(path))])


def md(text: str, file: str = "R.md") -> Registry:
    """A registry from Markdown text (tests write small registries inline)."""
    return build([load_markdown(text, file)])


def block(body: str, heading: str = "## Imports") -> str:
    """Markdown with one python code block under ``heading``."""
    return f"{heading}\n\n```python\n{body.strip(chr(10))}\n```\n"


@pytest.fixture(scope="session")
def seed() -> Registry:
    return load_fixture(SEED)


@pytest.fixture(scope="session")
def netra() -> Registry:
    return load_fixture(NETRA)
