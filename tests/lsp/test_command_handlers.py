"""pygls evaluates a command handler's type hints when the command runs: every hint must
resolve at run time (a name imported only under TYPE_CHECKING made Reload Registry fail with
"name 'ImportwardenServer' is not defined" in VS Code)."""

from __future__ import annotations

import typing

from importwarden.lsp import actions, controller


def test_command_handlers_type_hints_resolve():
    for handler in (actions.open_registry_entry, controller.reload_registry_command):
        typing.get_type_hints(handler)
