"""``model._direct_init`` replaces the ``__init__`` dataclasses generates for the registry's
hot frozen classes (Target, Provenance, Claim, Entry). The replacement must take the same
arguments, fill the same fields and keep the objects frozen, equal and hashable as before."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from importwarden.registry import model
from importwarden.registry.model import Claim, Entry, Provenance, Status, Target

CLASSES = [Target, Provenance, Claim, Entry]

# One value per field, different from every default, so a field the new __init__ drops or
# swaps is seen.
SAMPLE = {
    "module": "a.b", "name": "C", "file": "R.md", "line": 7, "heading": ("H",), "raw": "from a",
    "note": "n", "source": "s:1", "target": Target("a.b", "C"), "status": Status.DEPRECATED,
    "provenance": Provenance("R.md", 3), "replacement": Target("x.y", "C"),
    "fix": model.Applicability.SAFE, "inferred": True, "different_api": True,
    "run": ("R.md", 2), "marked": True, "replacement_name": "C", "replacement_line": 9,
    "conflict": True, "works_status": Status.VERIFIED, "claims": (),
}


def _reference(cls: type, values: dict) -> object:
    """What dataclasses' own frozen ``__init__`` does: each field through object.__setattr__."""
    obj = object.__new__(cls)
    for field in dataclasses.fields(cls):
        object.__setattr__(obj, field.name, values.get(field.name, field.default))
    return obj


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_same_parameters_as_the_generated_init(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)
    assert [p.default for p in params] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        for f in fields]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_fills_every_field_frozen_equal_and_hashable(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    values = {name: SAMPLE[name] for name in names}
    by_keyword = cls(**values)
    by_position = cls(*values.values())
    required = {f.name: values[f.name] for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING}
    with_defaults = cls(**required)
    assert _fields(by_keyword) == values == _fields(by_position)
    assert by_keyword == _reference(cls, values) == by_position
    assert with_defaults == _reference(cls, required)
    assert hash(by_keyword) == hash(_reference(cls, values))
    assert dataclasses.replace(by_keyword, **{names[0]: SAMPLE[names[0]]}) == by_keyword
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(by_keyword, names[0], None)
    with pytest.raises(TypeError):
        cls(**values, unknown=1)


def _fields(obj: object) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
