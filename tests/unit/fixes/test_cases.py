"""Before/after pairs for plan_fix: every shape the fix engine handles (one case per row)."""

from __future__ import annotations

import textwrap

import pytest

from importwarden.registry.model import Applicability

from fixhelpers import fix

U = Applicability.UNSAFE

# (id, before, name (as imported / "X as Y" / module for `import`), replacement, after)
CASES = [
    ("simple", "from a import X\n", "X", "b:X", "from b import X\n"),
    ("dotted", "from a.b.c import X\n", "X", "d.e:X", "from d.e import X\n"),
    ("module-level-entry", "from a import X\n", "X", "b", "from b import X\n"),
    ("alias", "from a import X as Y\n", "X as Y", "b:X", "from b import X as Y\n"),
    ("alias-spacing", "from a import X  as  Y\n", "X as Y", "b:X", "from b import X  as  Y\n"),
    ("paren-one", "from a import (X)\n", "X", "b:X", "from b import (X)\n"),
    ("paren-multiline-comments",
     "from a import (  # lead\n    X,  # the x\n)\n", "X", "b:X",
     "from b import (  # lead\n    X,  # the x\n)\n"),
    ("split-first", "from a import X, Z\n", "X", "b:X", "from a import Z\nfrom b import X\n"),
    ("split-last", "from a import Z, X\n", "X", "b:X", "from a import Z\nfrom b import X\n"),
    ("split-middle", "from a import Z, X, W\n", "X", "b:X",
     "from a import Z, W\nfrom b import X\n"),
    ("split-alias", "from a import Z, X as Y\n", "X as Y", "b:X",
     "from a import Z\nfrom b import X as Y\n"),
    ("split-paren-multiline-last",
     "from a import (\n    Z,  # z\n    X,\n)\n", "X", "b:X",
     "from a import (\n    Z,  # z\n)\nfrom b import X\n"),
    ("split-paren-multiline-last-no-comma",
     "from a import (\n    Z,  # z\n    X\n)\n", "X", "b:X",
     "from a import (\n    Z,  # z\n)\nfrom b import X\n"),
    ("split-paren-multiline-first",
     "from a import (\n    X,  # x\n    Z,  # z\n)\n", "X", "b:X",
     "from a import (\n    Z,  # z\n)\nfrom b import X\n"),
    ("split-paren-one-line", "from a import (Z, X)\n", "X", "b:X",
     "from a import (Z)\nfrom b import X\n"),
    ("split-trailing-comment", "from a import X, Z  # keep me\n", "X", "b:X",
     "from a import Z  # keep me\nfrom b import X\n"),
    ("split-noqa-copied", "from a import X, Z  # noqa: F401\n", "X", "b:X",
     "from a import Z  # noqa: F401\nfrom b import X  # noqa: F401\n"),
    ("noqa-kept", "from a import X  # noqa\n", "X", "b:X", "from b import X  # noqa\n"),
    ("trailing-comment-kept", "from a import X  # why\n", "X", "b:X",
     "from b import X  # why\n"),
    ("relative", "from .a import X\n", "X", "b:X", "from b import X\n"),
    ("relative-dot-only", "from . import X\n", "X", "pkg.c:X", "from pkg.c import X\n"),
    ("relative-parent", "from ..a import X\n", "X", "q.r:X", "from q.r import X\n"),
    ("in-function",
     "def f():\n    from a import X\n    return X\n", "X", "b:X",
     "def f():\n    from b import X\n    return X\n"),
    ("in-function-split",
     "def f():\n    from a import X, Z\n    return X, Z\n", "X", "b:X",
     "def f():\n    from a import Z\n    from b import X\n    return X, Z\n"),
    ("in-class-split",
     "class C:\n    from a import X, Z\n", "X", "b:X",
     "class C:\n    from a import Z\n    from b import X\n"),
    ("type-checking",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import X, Z\n", "X", "b:X",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import Z\n    from b import X\n"),
    ("future-first",
     "from __future__ import annotations\nfrom a import X, Z\n", "X", "b:X",
     "from __future__ import annotations\nfrom a import Z\nfrom b import X\n"),
    ("semicolon-before", "import os; from a import X, Z\n", "X", "b:X",
     "import os; from a import Z; from b import X\n"),
    ("semicolon-after", "from a import X, Z; import os\n", "X", "b:X",
     "from a import Z\nfrom b import X; import os\n"),
    ("one-line-if", "if True: from a import X, Z\n", "X", "b:X",
     "if True: from a import Z; from b import X\n"),
    ("crlf", "x = 1\r\nfrom a import X, Z\r\ny = 2\r\n", "X", "b:X",
     "x = 1\r\nfrom a import Z\r\nfrom b import X\r\ny = 2\r\n"),
    ("merge-into-earlier",
     "from b import Y\nfrom a import X\n", "X", "b:X", "from b import Y, X\n"),
    ("merge-partial",
     "from b import Y\nfrom a import X, Z\n", "X", "b:X", "from b import Y, X\nfrom a import Z\n"),
    ("merge-multiline",
     "from b import (\n    Y,\n)\nfrom a import X\n", "X", "b:X",
     "from b import (\n    Y,\n    X,\n)\n"),
    ("merge-already-there",
     "from b import X\nfrom a import X\n", "X", "b:X", "from b import X\n"),
    ("no-merge-into-later",
     "from a import X\nv = X()\nfrom b import Y\n", "X", "b:X",
     "from b import X\nv = X()\nfrom b import Y\n"),
    ("no-merge-other-scope",
     "from b import Y\ndef f():\n    from a import X\n", "X", "b:X",
     "from b import Y\ndef f():\n    from b import X\n"),
    ("no-merge-when-comment-would-be-lost",
     "from b import Y\nfrom a import X  # note\n", "X", "b:X",
     "from b import Y\nfrom b import X  # note\n"),
    ("rename", "from a import X\nX()\n", "X", "b:Y", "from b import Y as X\nX()\n"),
    ("rename-keeps-alias", "from a import X as Z\n", "X as Z", "b:Y", "from b import Y as Z\n"),
    ("rename-alias-equals-new", "from a import X as Y\n", "X as Y", "b:Y", "from b import Y\n"),
    ("rename-same-module", "from a import X, Z\n", "X", "a:Y", "from a import Y as X, Z\n"),
    ("star", "from a import *\n", "*", "b", "from b import *\n"),
    ("import-alias", "import a.b as m\nm.X\n", "a.b", "c.d", "import c.d as m\nm.X\n"),
    ("import-uses", "import a.b\n\nprint(a.b.X, a.b.Y())\n", "a.b", "c.d",
     "import c.d\n\nprint(c.d.X, c.d.Y())\n"),
    ("import-uses-nested-scope",
     "import a.b\n\ndef f():\n    return a.b.X(a . b)\n", "a.b", "c.d",
     "import c.d\n\ndef f():\n    return c.d.X(c.d)\n"),
    ("import-multi", "import os, a.b\nos.sep, a.b.X\n", "a.b", "c.d",
     "import os, c.d\nos.sep, c.d.X\n"),
    ("import-other-binder",
     "import a.b\nimport a.c\na.b.X, a.c.Y\n", "a.b", "c.d",
     "import c.d\nimport a.c\nc.d.X, a.c.Y\n"),
    ("import-in-function",
     "def f():\n    import a.b\n    return a.b.X\n", "a.b", "c.d",
     "def f():\n    import c.d\n    return c.d.X\n"),
    ("unicode-before", "s = 'é'; from a import X, Z\n", "X", "b:X",
     "s = 'é'; from a import Z; from b import X\n"),
]


@pytest.mark.parametrize("before,name,replacement,after",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_case(before, name, replacement, after):
    assert fix(before, name, replacement, U) == after


def test_enough_cases():
    assert len(CASES) >= 40
