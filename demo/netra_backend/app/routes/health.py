"""Health check: only canonical paths (no findings)."""
from netra_backend.app.db.clickhouse import get_clickhouse_client
from shared.isolated_environment import get_env


def health() -> dict:
    return {"db": get_clickhouse_client(), "env": get_env()}
