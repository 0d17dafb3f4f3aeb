"""Reading Markdown: docs/registry.md "Reading Markdown", one small registry per rule."""

from __future__ import annotations

import codecs
import itertools

import pytest

from importwarden.registry import markers
from importwarden.registry.load import load_registries
from importwarden.registry.markdown import classify, load_markdown, parse_import, parse_mock
from importwarden.registry.model import Applicability, Status, Target
from importwarden.registry.text import decode_bytes, repair

from .conftest import block, md


def status(registry, target: str) -> Status:
    return registry.entries[Target.parse(target)].status


# --- rule 1: text repair -------------------------------------------------------------------


def test_double_decoded_utf8_is_repaired():
    assert repair("#### \u00e2\u0153\u2026 VERIFIED") == ["#### ✅ VERIFIED"]


def test_lost_byte_mojibake_of_markers_is_restored():
    # ❌ and ❓ contain 0x9D/0x93 after E2 9D: cp1252 lost the 0x9D, ftfy alone would guess ⌠.
    assert repair("#### \u00e2\u0152 BROKEN IMPORTS") == ["#### ❌ BROKEN IMPORTS"]
    assert repair("x  # \u00e2\u0152") == ["x  # ❌"]
    assert repair("x  # \u00e2\u201c") == ["x  # ❓"]


def test_utf8_read_as_mac_roman_is_repaired():
    # seeds 002/003: "‚úÖ" is ✅, "\uf8ffüîß" is 🔧, "‚Üí" is →; real accents stay.
    assert repair("| ‚úÖ Clean | ‚ùå FAILED | ‚Üí x") == ["| ✅ Clean | ❌ FAILED | → x"]
    assert repair("### \uf8ffüîß Technical Migration Pattern") == ["### 🔧 Technical Migration Pattern"]
    assert repair("café – “x” naïve ü ‚") == ["café – “x” naïve ü ‚"]


def test_quotes_and_plain_text_are_left_alone():
    text = "“quoted” café naïve — fine"
    assert repair(text) == [text]


@pytest.mark.parametrize("encode", [
    lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    lambda t: t.encode("utf-16"),
    lambda t: t.encode("cp1252"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: t.replace("\n", "\r").encode("utf-8"),
], ids=["bom", "utf16", "cp1252", "crlf", "cr"])
def test_any_encoding_and_newline(tmp_path, encode):
    text = block("from a.b import C  # Compatibility import (deprecated) é\nfrom a.d import C  # SSOT")
    path = tmp_path / "R.md"
    path.write_bytes(encode(text))
    registry = load_registries([path])
    entry = registry.entries[Target("a.b", "C")]
    assert entry.status is Status.DEPRECATED and entry.provenance.line == 4
    assert entry.replacement == Target("a.d", "C")
    assert entry.provenance.note.endswith("é")


def test_decode_never_raises():
    assert decode_bytes(bytes(range(256)))


# --- rule 2: fenced blocks only, headings --------------------------------------------------


def test_entries_live_only_in_code_blocks():
    text = ("## ✅ VERIFIED\n\nfrom prose.mod import Thing\n\n    from indented.code import X\n\n"
            "```bash\nfrom shell.block import Y\n```\n\n```python\nfrom real.mod import Z\n```\n")
    registry = md(text)
    assert list(registry.entries) == [Target("real.mod", "Z")]


def test_heading_path_and_line_numbers():
    text = ("# Registry\n\n## Service A\n\n### ❌ BROKEN IMPORTS\n\n- item\n\n  ```python\n"
            "  from a.old import X\n  ```\n")
    entry = md(text).entries[Target("a.old", "X")]
    assert entry.provenance.line == 10
    assert entry.provenance.heading == ("Registry", "Service A", "❌ BROKEN IMPORTS")
    assert entry.provenance.raw == "from a.old import X"
    assert entry.status is Status.BROKEN


def test_setext_heading_and_unclosed_fence():
    text = "BROKEN IMPORTS\n==============\n\n```python\nfrom a.b import C\n"
    assert status(md(text), "a.b:C") is Status.BROKEN


# --- rule 3: line kinds --------------------------------------------------------------------


@pytest.mark.parametrize("line, kind", [
    ("from a.b import c, d", "import"),
    ("import a.b as ab, c", "import"),
    ("from a.b import *", "import"),
    ("@patch('x.y.Z')", "mock"),
    ('with patch("x.y.Z") as m:', "mock"),
    ("mocker.patch('x.y.z', return_value=1)", "mock"),
    ("mock.patch.dict('x.y.SETTINGS', {})", "mock"),
    ("patch(target='x.y.Z')", "mock"),
    ("patch.object(Foo, 'bar')", "code"),
    ("# ❌ DEPRECATED: from a.b import X", "import"),
    ("# USE INSTEAD: from a.c import X", "replacement"),
    ("# ✅ CORRECTED: from a.c import X", "replacement"),
    ("# ✅ USE INSTEAD: UserExecutionEngine (canonical SSOT class)", "replacement"),
    ("# THESE PATHS DO NOT EXIST:", "comment"),
    ("", "blank"),
    ("tracker.update_execution_state(exec_id, ExecutionState.FAILED)  # ✅ WORKS", "code"),
    ("from . import x", "problem"),
    ("from a.b import", "problem"),
    ("from a.b import 1x", "problem"),
    ("patch(some_variable)", "problem"),
    ("@patch('not a path')", "problem"),
    # issue 11: prose about a calling pattern names no path, so it is a comment; a marked
    # dotted path that is not an import is still a problem.
    ("# ExecutionEngine() instantiation  # ❌ BROKEN: needs parameters", "comment"),
    ("# a.b.ExecutionEngine  # ❌ BROKEN: needs parameters", "problem"),
    ("# tracker.update(exec_id, {})  # ❌ WAS BROKEN", "comment"),
    ("# ✅ CORRECTED: Use create_engine() factory method instead of direct calls", "comment"),
])
def test_classify(line, kind):
    assert classify(line, 1).kind == kind


def test_parse_import_names_and_placeholders():
    targets, error = parse_import("from a.b import (X as Y, [AUTH_CLASSES], Z,)")
    assert error is None
    assert targets == [(Target("a.b", "X"), False), (Target("a.b"), True),
                       (Target("a.b", "Z"), False)]


def test_parse_mock_requires_dotted_string():
    assert parse_mock("@patch('a.b.C.meth')") == (["a.b.C.meth"], None)
    assert parse_mock("x = 1") == ([], None)
    assert parse_mock("patch(x)")[1]


def test_multi_line_import_is_one_statement():
    text = block("# LEGACY\nfrom a.b import (\n    X,\n    Y,\n)\nfrom a.c import X  # CANONICAL")
    registry = md(text)
    assert [c.provenance.line for c in registry.entries[Target("a.b", "Y")].claims] == [5]
    assert status(registry, "a.b:X") is Status.DEPRECATED
    # One run (rule 8): the canonical same name beside it is the written replacement.
    assert registry.entries[Target("a.b", "X")].replacement == Target("a.c", "X")


# --- rules 4 and 5: statuses ---------------------------------------------------------------


def test_status_order_own_marker_then_block_comment_then_heading():
    text = block("# LEGACY IMPORT PATHS (DEPRECATED BUT WORKING):\nfrom a.one import X\n"
                 "from a.two import Y  # ❌\n\nfrom a.three import Z",
                 heading="## ✅ VERIFIED IMPORTS")
    registry = md(text)
    assert status(registry, "a.one:X") is Status.DEPRECATED
    assert status(registry, "a.two:Y") is Status.BROKEN
    assert status(registry, "a.three:Z") is Status.VERIFIED


def test_block_comments_reach_back_over_blank_lines_to_the_previous_run():
    text = block("# SOLUTION: Created m.py compatibility module\n\n# WORKING IMPORTS:\n"
                 "from a.m import X\nfrom a.n import X  # Primary SSOT")
    registry = md(text)
    entry = registry.entries[Target("a.m", "X")]
    assert entry.status is Status.COMPATIBLE and entry.replacement == Target("a.n", "X")


def test_comments_trailing_a_run_do_not_leak_into_the_next():
    text = block("from a.x import A\n# NOTE: use canonical for clarity\n\nfrom a.y import B",
                 heading="## ✅ VERIFIED")
    assert status(md(text), "a.y:B") is Status.VERIFIED


def test_no_marker_anywhere_means_verified():
    assert status(md(block("from a.b import C", heading="## Misc")), "a.b:C") is Status.VERIFIED


@pytest.mark.parametrize("text, expected", [
    ("❌", Status.BROKEN), ("BROKEN PATH", Status.BROKEN), ("THESE PATHS DO NOT EXIST:", Status.BROKEN),
    ("WRONG MODULE/CLASS NAME", Status.BROKEN), ("Do Not Use", Status.BROKEN),
    ("INCORRECT - x", Status.BROKEN), ("DEPRECATED (no longer working)", Status.BROKEN),
    ("⚠️", Status.DEPRECATED), ("⚠️ LEGACY", Status.DEPRECATED),
    ("Compatibility import (deprecated)", Status.DEPRECATED), ("❌ BEFORE (vulnerable):", Status.DEPRECATED),
    ("❌ DEPRECATED: Direct import no longer supported [FIXED]", Status.DEPRECATED),
    ("COMPATIBILITY: Direct re-export", Status.COMPATIBLE), ("re-exports X", Status.COMPATIBLE),
    ("SSOT compatibility export", Status.COMPATIBLE),
    ("❌ DID NOT EXIST: Placeholder created for test compatibility", Status.COMPATIBLE),
    ("CANONICAL: Primary", Status.CANONICAL), ("RECOMMENDED", Status.CANONICAL),
    ("Original SSOT location", Status.CANONICAL), ("Single Source of Truth", Status.CANONICAL),
    ("✅ CANONICAL: Factory function", Status.CANONICAL),
    ("❓", Status.UNVERIFIED), ("Requires Verification", Status.UNVERIFIED),
    ("Classes need verification", Status.UNVERIFIED),
    ("✅", Status.VERIFIED), ("VERIFIED 2025-09-11", Status.VERIFIED), ("Working", Status.VERIFIED),
    ("Confirmed", Status.VERIFIED), ("AVAILABLE AGENTS", Status.VERIFIED),
    ("CORRECT MOCK PATHS", Status.VERIFIED), ("✅ AFTER (secure):", Status.VERIFIED),
    ("✅ AFTER (unified SSOT):", Status.CANONICAL),
    ("[FIXED]", None), ("Fixed 2025-09-10 - was causing failures", None), ("❌ WAS BROKEN", None),
    ("DID NOT EXIST", None), ("Agent Framework", None), ("SSotAsyncTestCase", None),
    ("Verify file exists before importing", None),
])
def test_marker_table(text, expected):
    assert markers.read(text).status is expected


def test_before_after_only_at_the_start():
    assert markers.read("❌ BEFORE (x):").before
    assert not markers.read("verify before importing").before
    assert markers.read("✅ AFTER (x):").after


def test_placeholder_is_an_unverified_module_entry():
    registry = md(block("from a.models import [MODEL_CLASSES]", heading="## ✅ VERIFIED"))
    entry = registry.lookup("a.models", "Anything")
    assert entry.target == Target("a.models") and entry.status is Status.UNVERIFIED


def test_commented_out_entry_takes_its_prefix_marker():
    registry = md(block("# ❌ DEPRECATED: from a.old import X\n# from a.gone import Y",
                        heading="## ❌ BROKEN"))
    assert status(registry, "a.old:X") is Status.DEPRECATED
    assert status(registry, "a.gone:Y") is Status.BROKEN


# --- rules 6 and 7: written replacements ---------------------------------------------------


def test_use_instead_attaches_back_to_the_previous_blank_or_replacement_line():
    text = block("from a.one import X  # ❌\n# USE INSTEAD: from a.new import X\n"
                 "from a.two import Y  # ❌\n# USE INSTEAD: from a.new2 import Y\n\n"
                 "from a.three import Z  # ❌")
    registry = md(text)
    assert registry.entries[Target("a.one", "X")].replacement == Target("a.new", "X")
    assert registry.entries[Target("a.two", "Y")].replacement == Target("a.new2", "Y")
    assert registry.entries[Target("a.three", "Z")].replacement is None


def test_one_replacement_line_serves_the_group_and_maps_names():
    text = block("from a.x import A  # ❌\nfrom a.y import B  # ❌\n"
                 "# ✅ CORRECTED: from a.z import A, B, Extra")
    registry = md(text)
    assert registry.entries[Target("a.x", "A")].replacement == Target("a.z", "A")
    assert registry.entries[Target("a.y", "B")].replacement == Target("a.z", "B")
    assert registry.entries[Target("a.x", "A")].fix is Applicability.SAFE


def test_one_name_each_side_is_a_rename_and_unsafe():
    registry = md(block("from a.x import Old  # ❌\n# USE INSTEAD: from a.y import New as Old"))
    entry = registry.entries[Target("a.x", "Old")]
    assert entry.replacement == Target("a.y", "New") and entry.fix is Applicability.UNSAFE


def test_as_many_bare_name_lines_as_entries_pair_in_order():
    text = block("from a.impl import Engine  # ✅ CANONICAL\n"
                 "from a.fact import Factory  # ✅ CANONICAL\n\n"
                 "# ❌ DEPRECATED: from a.old import OldEngine\n"
                 "# ❌ DEPRECATED: from a.old2 import OldFactory\n"
                 "# ✅ USE INSTEAD: Engine (canonical class)\n"
                 "# ✅ USE INSTEAD: Factory (canonical factory)")
    registry = md(text)
    assert registry.entries[Target("a.old", "OldEngine")].replacement == Target("a.impl", "Engine")
    assert registry.entries[Target("a.old2", "OldFactory")].replacement == Target("a.fact", "Factory")
    assert registry.problems == []


def test_unknown_bare_name_is_iwr011_at_the_replacement_line():
    registry = md(block("from a.old import X  # ❌\n# USE INSTEAD: Nowhere (missing)"))
    assert [(p.code, p.line) for p in registry.problems] == [("IWR011", 5)]
    assert registry.entries[Target("a.old", "X")].replacement is None


def test_replacement_line_with_nothing_to_attach_to_is_iwr001():
    registry = md(block("from a.ok import X  # ✅\n# USE INSTEAD: from a.b import X"))
    assert [(p.code, p.line) for p in registry.problems] == [("IWR001", 5)]


def test_before_after_pair_is_a_different_api():
    text = block("# ❌ BEFORE (vulnerable):\nfrom a.state import DeepState\n"
                 "def f(state: DeepState): ...\n\n# ✅ AFTER (secure):\nfrom a.ctx import Context")
    registry = md(text)
    entry = registry.entries[Target("a.state", "DeepState")]
    assert entry.status is Status.DEPRECATED
    assert entry.replacement == Target("a.ctx", "Context") and entry.fix is Applicability.UNSAFE
    assert status(registry, "a.ctx:Context") is Status.VERIFIED


def test_mock_use_instead():
    registry = md(block("@patch('a.old.X.run')  # ❌\n# USE INSTEAD: @patch('a.new.X.run')"))
    mock = registry.mocks["a.old.X.run"]
    assert mock.status is Status.BROKEN and mock.replacement == "a.new.X.run"
    assert mock.fix is Applicability.SAFE


# --- rule 12: services ---------------------------------------------------------------------


def test_services_from_headings_and_isolation_rules():
    text = ("## SERVICES\n\n### alpha Service\n\n### beta Service\n\n### shared Service\n\n"
            "### Service Isolation Rules:\n1. **NEVER import between services** "
            "(except shared utilities)\n")
    services = md(text).services
    assert services.members == ("alpha", "beta") and services.shared == ("shared",)
    assert services.provenance.line == 10
    assert services.crosses("alpha.x", "beta.y") and not services.crosses("alpha.x", "shared.z")


def test_no_isolation_rule_no_services():
    assert md("### alpha Service\n\n### beta Service\n").services.members == ()


# --- rule 13: never raises -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "```", "```python\n", "# only a heading", "\x00\x01\x02",
                                  "```python\nfrom\nimport\n@patch(\n# USE INSTEAD:\n```",
                                  "```python\n" + "from a import (\n" * 50 + "```"])
def test_odd_input_never_raises(text):
    bundle = load_markdown(text, "odd.md")
    assert all(p.code == "IWR001" for p in bundle.problems)


def test_tilde_fences_and_fences_in_lists_are_read():
    text = ("## ❌ BROKEN\n\n~~~python\nfrom a.b import X\n~~~\n\n"
            "1. step\n   ```python\n   from a.c import Y\n   ```\n")
    registry = md(text)
    assert status(registry, "a.b:X") is Status.BROKEN
    assert registry.entries[Target("a.c", "Y")].provenance.line == 9



_WORDS = ["from", "import", "a", "a.b", ".rel", "..", "pkg.m1", "Name", "class", "*", "x;",
          "é", "a..b", "(X)", "X,", "as", "Y", "\t", "", "1x", "[AUTH_CLASSES]"]


def test_parse_import_fast_path_reads_as_the_general_path() -> None:
    """``from a.b import Name`` with single blanks takes a fast path; doubling every blank
    sends the same statement down the general path (which normalises blanks): both read every
    four-word statement over these words the same way."""
    for words in itertools.product(["from", "import", "a"], _WORDS, ["import", "as"], _WORDS):
        code = " ".join(words)
        assert parse_import(code) == parse_import(code.replace(" ", "  ")), code


def test_parse_import_fast_path_shapes() -> None:
    assert parse_import("from a.b import Name") == ([(Target("a.b", "Name"), False)], None)
    assert parse_import("from .a import Name")[1].startswith("relative import")
    assert parse_import("from a..b import Name")[1] == "'a..b' is not a module path"
