"""The JSON and SARIF encoders give the same bytes with orjson and without it (the fallback
for platforms with no orjson wheel), on every shape findings can take."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importwarden.output import encode

orjson = pytest.importorskip("orjson")

# What findings hold: strings (any code point but lone surrogates, which orjson refuses and
# no decoded text contains), 1-based positions, booleans, None, nested objects and lists.
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_leaf = st.none() | st.booleans() | st.integers(min_value=0, max_value=2**53) | _text
_value = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


def _both(fn, value):
    with_orjson = fn(value)
    saved, encode._orjson = encode._orjson, None
    try:
        without = fn(value)
    finally:
        encode._orjson = saved
    return with_orjson, without


@settings(max_examples=300, deadline=None)
@given(_value)
def test_compact_and_pretty_match_the_standard_library(value):
    for fn in (encode.compact, encode.pretty):
        fast, slow = _both(fn, value)
        assert fast == slow
        assert json.loads(fast) == value


@settings(max_examples=200, deadline=None)
@given(st.lists(_value, max_size=6))
def test_array_lines_is_one_element_per_line(items):
    fast, slow = _both(lambda v: encode.array_lines(iter(v)), items)
    assert fast == slow
    as_bytes = _both(lambda v: encode.array_lines_bytes(iter(v)), items)
    assert as_bytes == (fast.encode("utf-8"), slow.encode("utf-8"))
    assert json.loads(fast) == items
    lines = fast.rstrip("\n").split("\n")  # only \n: JSON escapes it inside strings
    if items:
        # "[", one line per element (a JSON string escapes its line breaks), "]"
        assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(items) + 2
    else:
        assert fast == "[]\n"


def test_unicode_line_separators_stay_unescaped_in_both():
    # json.dumps(ensure_ascii=False) and orjson both keep U+2028/U+2029 and non-ASCII as is
    # and escape control characters: a path or message with them reads the same either way.
    value = {"m": "a\u2028b\u2029c é 🐍 \x00\x1f \n\t\"\\"}
    fast, slow = _both(encode.compact, value)
    assert fast == slow
