"""How output shows a finding's path: relative to the cwd, posix slashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from importwarden.output.context import OutputContext


@pytest.mark.parametrize("rel", ["a.py", "pkg/mod.py", "pkg/./mod.py", "pkg//mod.py",
                                 "pkg/../mod.py", "./a.py", "a/b/", ".", "..", "../x.py"])
@pytest.mark.parametrize("cwd", ["", "pkg", "other/deep"])
def test_shown_as_relpath_gives_it(tmp_path: Path, rel: str, cwd: str):
    root = tmp_path / "root"
    ctx = OutputContext(root=root, cwd=root / cwd if cwd else root)
    expected = os.path.relpath(os.path.join(str(root), rel), str(ctx.cwd)).replace(os.sep, "/")
    assert ctx.path(rel) == expected
    absolute = str(tmp_path / "elsewhere" / "x.py")
    assert ctx.path(absolute) == os.path.relpath(absolute, str(ctx.cwd)).replace(os.sep, "/")
