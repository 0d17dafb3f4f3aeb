"""``initialize`` is answered before the project loads (``controller.begin_loading``): the
registry's first status (``importwarden/status``, sent once it is loaded) comes after the
answer, and the registry is in use once ``initialized`` has been handled."""

from __future__ import annotations

from pathlib import Path

from .conftest import SERVER
from .wire import RawServer


def test_initialize_is_answered_before_the_registry_loads(small: Path) -> None:
    srv = RawServer(small, SERVER)
    try:
        srv.request(1, "initialize", {"processId": None, "rootUri": small.as_uri(),
                                      "capabilities": {}})
        assert "capabilities" in srv.response(1)["result"]
        srv.notify("initialized", {})
        status = srv.wait(lambda m: m.get("method") == "importwarden/status"
                          and m["params"]["registry"]["entries"] > 0)
        order = [m.get("method", m.get("id")) for _, m in srv.seen_timed]
        assert order.index(1) < order.index("importwarden/status"), order
        assert status["params"]["registry"]["files"]
    finally:
        srv.kill()
