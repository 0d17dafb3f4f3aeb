"""Fix planning grows linearly with the number of findings in one file.

``may_have_earlier_from_import`` used to regex-scan the text before each finding, and
``block_of`` to walk every statement for each one: n findings cost O(n x file size) (36 s for
``check`` on a 500 KB file with 1,000 fixable imports). Times are compared as a ratio between
n and 4n findings in the same run, never against a fixed number: linear is ~4x, the old
quadratic planning was ~14x here.
"""

from __future__ import annotations

import time

import pytest

from importwarden.fixes import fix_source

from projects import entry, project

FILLER = "".join(f"def f{j}():\n    return {j} * 2  # padding to make the file big\n"
                 for j in range(5))
LIMIT = 8.0  # generous: 4 for linear, ~14 before


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    return project(tmp_path_factory.mktemp("growth"),
                   [entry("old.mod:Thing", "broken", "new.mod:Thing")])


def source(n: int, merge_target: bool) -> str:
    head = "from new.mod import Other\n" if merge_target else ""
    return head + "".join(f"from old.mod import Thing\n{FILLER}" for _ in range(n))


def best_time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@pytest.mark.parametrize("merge_target", [False, True], ids=["no merge target", "merge target"])
def test_check_with_fix_planning_is_linear(proj, merge_target):
    n = 150 if merge_target else 300
    small, big = source(n, merge_target), source(4 * n, merge_target)
    assert len(proj.check_source("m.py", big)) == 4 * n
    ratio = best_time(lambda: proj.check_source("m.py", big)) / \
        best_time(lambda: proj.check_source("m.py", small))
    assert ratio < LIMIT, f"{n} -> {4 * n} findings: {ratio:.1f}x the time"


def test_fix_source_is_linear(proj):
    n = 300
    small, big = source(n, False), source(4 * n, False)
    result = fix_source(proj, "m.py", big)
    assert len(result.applied) == 4 * n and "old.mod" not in result.new_source
    ratio = best_time(lambda: fix_source(proj, "m.py", big)) / \
        best_time(lambda: fix_source(proj, "m.py", small))
    assert ratio < LIMIT, f"{n} -> {4 * n} findings: {ratio:.1f}x the time"
