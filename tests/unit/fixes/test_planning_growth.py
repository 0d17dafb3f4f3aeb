"""Fix planning grows linearly with the number of findings in one file.

``may_have_earlier_from_import`` used to regex-scan the text before each finding, and
``block_of`` to walk every statement for each one: n findings cost O(n x file size) (36 s for
``check`` on a 500 KB file with 1,000 fixable imports). Times are compared as a ratio between
n and 8n findings in the same run, never against a fixed number: linear is ~8x, quadratic
~64x (the old planning took 11-16x the time for 4x the findings).
"""

from __future__ import annotations

import time

import pytest

from importwarden.fixes import fix_source

from projects import entry, project

FILLER = "".join(f"def f{j}():\n    return {j} * 2  # padding to make the file big\n"
                 for j in range(5))
GROWTH = 8  # n -> 8n findings
LIMIT = 24.0  # generous (a loaded machine adds noise): 8 for linear, 16 x 8 = 64 for quadratic


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    return project(tmp_path_factory.mktemp("growth"),
                   [entry("old.mod:Thing", "broken", "new.mod:Thing")])


def source(n: int, merge_target: bool) -> str:
    head = "from new.mod import Other\n" if merge_target else ""
    return head + "".join(f"from old.mod import Thing\n{FILLER}" for _ in range(n))


def ratio(big, small, repeat: int = 5) -> float:
    """Best time of ``big()`` over best time of ``small()``, measured in turns so that a
    burst of load hits both alike."""
    best = {big: float("inf"), small: float("inf")}
    for _ in range(repeat):
        for fn in (small, big):
            t = time.perf_counter()
            fn()
            best[fn] = min(best[fn], time.perf_counter() - t)
    return best[big] / best[small]


@pytest.mark.parametrize("merge_target", [False, True], ids=["no merge target", "merge target"])
def test_check_with_fix_planning_is_linear(proj, merge_target):
    n = 150
    small, big = source(n, merge_target), source(GROWTH * n, merge_target)
    assert len(proj.check_source("m.py", big)) == GROWTH * n
    grew = ratio(lambda: proj.check_source("m.py", big), lambda: proj.check_source("m.py", small))
    assert grew < LIMIT, f"{n} -> {GROWTH * n} findings: {grew:.1f}x the time"


def test_fix_source_is_linear(proj):
    n = 150
    small, big = source(n, False), source(GROWTH * n, False)
    result = fix_source(proj, "m.py", big)
    assert len(result.applied) == GROWTH * n and "old.mod" not in result.new_source
    grew = ratio(lambda: fix_source(proj, "m.py", big), lambda: fix_source(proj, "m.py", small))
    assert grew < LIMIT, f"{n} -> {GROWTH * n} findings: {grew:.1f}x the time"
