class ClickHouseClient:
    pass


def get_clickhouse_client() -> ClickHouseClient:
    return ClickHouseClient()
