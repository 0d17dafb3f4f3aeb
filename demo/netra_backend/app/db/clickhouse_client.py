"""Deprecated compatibility import."""
from netra_backend.app.db.clickhouse import ClickHouseClient  # noqa: IW002 -- the shim itself
