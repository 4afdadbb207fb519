"""Daily windows are days in `[extraction] timezone`: on a zoned cursor the instant's local day,
on a zone-less cursor the wall clock's day (real PostgreSQL, through the CLI)."""

from __future__ import annotations

import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, run_cli, write_tables

pytestmark = pytest.mark.integration

# (id, UTC instant) and the Tokyo day each falls on: 2024-06-10 in Tokyo is
# 2024-06-09 15:00 UTC up to 2024-06-10 15:00 UTC.
ROWS = [
    (1, "2024-06-09 14:00:00", "2024-06-09"),  # 23:00 in Tokyo, the day before
    (2, "2024-06-09 20:00:00", "2024-06-10"),  # 05:00 in Tokyo
    (3, "2024-06-10 14:00:00", "2024-06-10"),  # 23:00 in Tokyo
    (4, "2024-06-10 16:00:00", "2024-06-11"),  # 01:00 in Tokyo, the day after
]


def test_a_daily_timestamptz_cursor_reads_the_day_of_the_configured_timezone(
    pg_admin, pg_schema, spark, tmp_path
):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".zoned (id int, at timestamptz)')
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".plain (id int, at timestamp)')
    for key, instant, _ in ROWS:
        pg_admin.execute(f"""INSERT INTO "{pg_schema}".zoned VALUES ({key}, '{instant}+00')""")
        pg_admin.execute(f"""INSERT INTO "{pg_schema}".plain VALUES ({key}, '{instant}')""")
    daily = {"schema_name": pg_schema, "incremental_column": "at"}
    daily |= {"incremental_strategy": "daily", "extraction_date": "2024-06-10"}
    daily |= {"initial_watermark": "2024-06-10"}
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "zoned", **daily}, {"table_name": "plain", **daily}],
    )
    config = pg_config(tmp_path, timezone="Asia/Tokyo")
    result = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "d")
    assert result.exit_code == 0, result.output

    def ids(table: str) -> list[int]:
        outputs = committed_outputs(tmp_path / "lake", "pg", table)
        return sorted(row["id"] for row in read_rows(outputs))

    assert ids("zoned") == [key for key, _, tokyo in ROWS if tokyo == "2024-06-10"]
    # A zone-less timestamp is a wall clock: its day is the written one, whatever the zone.
    assert ids("plain") == [key for key, instant, _ in ROWS if instant.startswith("2024-06-10")]
