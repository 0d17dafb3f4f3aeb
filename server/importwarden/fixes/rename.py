"""Renames (``a:X -> b:Y``): how the moved name stays bound to what the file already uses.

Strategy (documented in docs/fix.md): ``from b import Y as X``. The import keeps binding ``X``,
so every use in the file keeps working and the edit stays confined to the import statement.
That works while the rest of the file does not parse (the editor case) and cannot clash with a
local ``Y``. A scope-aware rename of every reference would read better but touches the whole
file and needs it to parse; a follow-up can offer it as a separate, unsafe code action.
An existing alias is kept (``from a import X as Z`` -> ``from b import Y as Z``), and an alias
that would equal the new name is dropped (``from a import X as Y`` -> ``from b import Y``).
"""

from __future__ import annotations


def binding_alias(name: str, alias: str | None, new_name: str) -> str | None:
    """The ``as`` name the rewritten import needs so the file's binding does not change.

    ``X as X`` stays: it is the explicit re-export idiom type checkers honour."""
    bound = alias or name
    if alias is not None and alias == name:
        return alias
    return None if bound == new_name else bound

