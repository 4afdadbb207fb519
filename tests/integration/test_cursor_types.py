"""Every cursor and key type through the real reader: two incremental runs equal the source.

Each table has a one-column primary key (the split column the probe bounds) and a cursor of
the type under test; a second run after more inserts must commit exactly the new rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, run_cli, write_tables
from tests.integration.test_mariadb import mariadb_config

pytestmark = pytest.mark.integration

T0 = dt.datetime(2024, 5, 1, 6, 0, 0, 123456)
# (key type, cursor type, cursor value of row i)
PG_CASES = {
    "numeric_12_3_cursor": (
        "numeric(10,0)",
        "numeric(12,3)",
        lambda i: Decimal(i) * Decimal("1.125"),
    ),
    "smallint_cursor": ("smallint", "smallint", lambda i: i * 3),
    "integer_cursor": ("integer", "integer", lambda i: i * 1000),
    "bigint_cursor": ("bigint", "bigint", lambda i: 9_007_199_254_740_993 + i),
    "numeric_10_0_cursor": ("numeric(10,0)", "numeric(10,0)", lambda i: Decimal(i * 7)),
    "date_cursor": ("numeric(10,0)", "date", lambda i: dt.date(2024, 2, 27) + dt.timedelta(i)),
    "timestamp_cursor": (
        "bigint",
        "timestamp(6)",
        lambda i: T0 + dt.timedelta(minutes=i, microseconds=i),
    ),
}


def two_runs(config, tables, insert) -> None:
    """Rows 1-20, a run, rows 21-30, a second run: both must succeed."""
    insert(range(1, 21))
    for run_id, more in (("r1", range(21, 31)), ("r2", None)):
        args = ("--config", str(config), "--tables", str(tables), "--run-id", run_id)
        result = run_cli("run", *args)
        assert result.exit_code == 0, result.output
        if more:
            insert(more)


def rows_of(committed) -> list[tuple]:
    """(id, cursor, note) of every committed row, duplicates kept, in id order."""
    return sorted((r["id"], r["c"], r["note"]) for r in read_rows(committed))


@pytest.mark.parametrize("case", sorted(PG_CASES))
def test_postgres_cursor_and_key_types(case, pg_admin, pg_schema, spark, tmp_path):
    # Before: numeric cursors and numeric(10,0) keys failed the probe with
    # "'decimal.Decimal' object has no attribute 'toPlainString'".
    key_type, cursor_type, value = PG_CASES[case]
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".t (id {key_type} PRIMARY KEY, '
        f"c {cursor_type} NOT NULL, note text)"
    )

    def insert(ids: range) -> None:
        with pg_admin.cursor() as cur:
            cur.executemany(
                f'INSERT INTO "{pg_schema}".t VALUES (%s, %s, %s)',
                [(i, value(i), f"row {i}") for i in ids],
            )

    config = pg_config(tmp_path)
    entry = {"table_name": "t", "schema_name": pg_schema, "incremental_column": "c"}
    tables = write_tables(tmp_path / "tables.json", [{**entry, "primary_key": "id"}])
    two_runs(config, tables, insert)
    source = [
        tuple(r) for r in pg_admin.execute(f'SELECT id, c, note FROM "{pg_schema}".t ORDER BY id')
    ]
    committed = committed_outputs(tmp_path / "lake", "pg", "t")
    assert len(committed) == 2
    assert rows_of(committed) == source


MARIADB_CASES = {
    "decimal_12_3_cursor": ("DECIMAL(10,0)", "DECIMAL(12,3)", PG_CASES["numeric_12_3_cursor"][2]),
    "int_cursor": ("INT", "INT", lambda i: i * 1000),
    "date_cursor": ("DECIMAL(10,0)", "DATE", PG_CASES["date_cursor"][2]),
    "datetime_cursor": ("BIGINT", "DATETIME(6)", PG_CASES["timestamp_cursor"][2]),
}


@pytest.mark.parametrize("case", sorted(MARIADB_CASES))
def test_mariadb_cursor_and_key_types(case, mariadb_admin, mariadb_database, spark, tmp_path):
    key_type, cursor_type, value = MARIADB_CASES[case]
    db = mariadb_database
    with mariadb_admin.cursor() as cur:
        cur.execute(
            f"CREATE TABLE `{db}`.t (id {key_type} PRIMARY KEY, c {cursor_type} NOT NULL, "
            "note VARCHAR(20))"
        )

    def insert(ids: range) -> None:
        with mariadb_admin.cursor() as cur:
            cur.executemany(
                f"INSERT INTO `{db}`.t VALUES (%s, %s, %s)",
                [(i, value(i), f"row {i}") for i in ids],
            )

    config = mariadb_config(tmp_path, db)
    entry = {"table_name": "t", "schema_name": db, "incremental_column": "c", "primary_key": "id"}
    tables = write_tables(tmp_path / "tables.json", [entry])
    two_runs(config, tables, insert)
    with mariadb_admin.cursor() as cur:
        cur.execute(f"SELECT id, c, note FROM `{db}`.t ORDER BY id")
        source = [tuple(r) for r in cur.fetchall()]
    committed = committed_outputs(tmp_path / "lake", "maria", "t")
    assert len(committed) == 2
    assert rows_of(committed) == source
