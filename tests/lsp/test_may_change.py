"""Which open documents an edit of a module can change (``controller.may_change``): those that
use a name the module gained or lost, not every importer of the module (issue 13: a pull-mode
refresh, or a push re-check, only for documents whose diagnostics can change)."""

from __future__ import annotations

from importwarden.analysis.imports import extract
from importwarden.lsp.controller import may_change

EXTRA = frozenset({"EXTRA"})


def refs(source: str):
    return extract(source, "app", False).refs


def test_a_document_is_affected_only_by_the_names_it_uses():
    assert may_change(refs("from pkg.old import Thing, EXTRA\n"), "pkg.old", EXTRA)
    assert not may_change(refs("from pkg.old import Thing\n"), "pkg.old", EXTRA)
    assert may_change(refs("from pkg.old import *\n"), "pkg.old", EXTRA)
    assert may_change(refs("import pkg.old\nprint(pkg.old.EXTRA)\n"), "pkg.old", EXTRA)
    assert not may_change(refs("import pkg.old\nprint(pkg.old.Thing)\n"), "pkg.old", EXTRA)
    assert may_change(refs("from unittest.mock import patch\npatch('pkg.old.EXTRA')\n"),
                      "pkg.old", EXTRA)
    assert not may_change(refs("from unittest.mock import patch\npatch('pkg.old.Thing')\n"),
                          "pkg.old", EXTRA)
    # the rules say which module defines a name a document cannot import from elsewhere
    assert may_change(refs("from pkg.other import EXTRA\n"), "pkg.old", EXTRA)
    assert not may_change(refs("import os\n"), "pkg.old", EXTRA)


def test_unknown_names_mean_every_importer():
    assert may_change(refs("import pkg.old\n"), "pkg.old", None)
    assert may_change(refs("from pkg.old.sub import x\n"), "pkg.old", None)
    assert not may_change(refs("import pkg.older\n"), "pkg.old", None)
