"""``export --format toml`` round-trips: export -> load -> the same model (modulo provenance),
on both fixture registries; the original ``file:line`` is kept as ``source``."""

from __future__ import annotations

import pytest

from importwarden.registry.combine import build
from importwarden.registry.export import to_json, to_toml
from importwarden.registry.load import load_text
from importwarden.registry.model import Registry

from .conftest import FIXTURES, block, load_fixture, md


def model(registry: Registry) -> dict:
    """Everything but provenance file/line."""
    return {
        "entries": {str(t): (e.status, e.replacement, e.fix, e.provenance.note, e.conflict,
                             e.works_status, e.inferred) for t, e in registry.entries.items()},
        "mocks": {t: (m.status, m.replacement, m.fix) for t, m in registry.mocks.items()},
        "services": (registry.services.members, registry.services.shared),
    }


def reload(text: str) -> Registry:
    return build([load_text(text, "exported.toml")])


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_toml_export_round_trips(name):
    original = load_fixture(FIXTURES[name])
    text = to_toml(original)
    again = reload(text)
    assert again.problems == []
    assert model(again) == model(original)
    # And once more: the export of the export is the same text but for the source lines.
    assert model(reload(to_toml(again))) == model(original)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_export_keeps_the_original_place(name):
    original = load_fixture(FIXTURES[name])
    again = reload(to_toml(original))
    for target, entry in original.entries.items():
        assert again.entries[target].provenance.source == entry.provenance.location()


def test_conflict_round_trips():
    registry = md(block("from a.b import X  # ✅\nfrom a.b import X  # ❌"))
    entry = next(iter(registry.entries.values()))
    assert entry.conflict
    again = reload(to_toml(registry))
    assert model(again)["entries"] == model(registry)["entries"]


def test_strings_are_escaped():
    registry = md(block('# "quoted" \\ back\\slash\tand tab\nfrom a.b import X  # ✅ é'))
    again = reload(to_toml(registry))
    assert model(again) == model(registry)


def test_json_orders_entries_by_file_and_line():
    registry = md(block("from z.z import Z\nfrom a.a import A"))
    assert [e["target"] for e in to_json(registry)["entries"]] == ["z.z:Z", "a.a:A"]


def test_merged_registries_round_trip():
    from importwarden.registry.load import read_file

    from .conftest import NETRA, SEED, rel

    merged = build([load_text(read_file(p), rel(p)) for p in (SEED, NETRA)])
    assert any(p.code == "IWR008" for p in merged.problems)
    assert model(reload(to_toml(merged))) == model(merged)
