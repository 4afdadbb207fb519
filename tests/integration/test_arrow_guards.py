"""The Arrow engine against the real local PostgreSQL and MariaDB where its drivers would
change a value silently or misreport a failure: an exact DECIMAL cursor, +-infinity, a
database that does not exist, a wrong password."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import MARIADB
from tests.helpers import committed_outputs, read_rows, write_tables
from tests.integration.test_arrow_engine import arrow_config, maria_db, pg_conn, run
from tests.integration.test_secret_hygiene import captured_logs

pytestmark = pytest.mark.integration
__all__ = ["captured_logs", "maria_db", "pg_conn"]  # fixtures used below

PASSWORD = "Wr0ng/pa ss+arrowfix"


def maria_database(db: str, **changes: object) -> dict[str, object]:
    """[database] of the local MariaDB for the Arrow engine."""
    database = {"type": "mariadb", "host": MARIADB["host"], "port": MARIADB["port"]}
    return database | {"database": db, "user": MARIADB["user"]} | changes


def test_a_mariadb_decimal_cursor_is_probed_exactly(maria_db, tmp_path):
    # ConnectorX rounds MAX(v) to 10 places (1.1234567900): a row committed after run 1
    # between the real maximum and the rounded one was skipped by run 2.
    conn, db = maria_db
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE `{db}`.ledger (id INT PRIMARY KEY, v DECIMAL(20,12))")
        cur.execute(f"INSERT INTO `{db}`.ledger VALUES (1, 1.000000000001), (2, 1.123456789996)")
    config = arrow_config(tmp_path, maria_database(db), "maria")
    spec = {"table_name": "ledger", "incremental_column": "v", "num_partitions": 1}
    tables = write_tables(tmp_path / "tables.json", [spec])
    first = run(config, tables, "r1")
    assert first.exit_code == 0, first.output
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO `{db}`.ledger VALUES (3, 1.123456789998)")
    second = run(config, tables, "r2")
    assert second.exit_code == 0, second.output
    rows = read_rows(committed_outputs(tmp_path / "lake", "maria", "ledger"))
    assert sorted((r["id"], r["v"]) for r in rows) == [
        (1, Decimal("1.000000000001")),
        (2, Decimal("1.123456789996")),
        (3, Decimal("1.123456789998")),
    ]


def test_postgres_infinity_fails_the_table_naming_the_column(pg_conn, tmp_path):
    # A custom_query has no catalog guard: the per-batch check is what stops it.
    conn, schema = pg_conn
    database = {"type": "postgresql", "host": "127.0.0.1", "port": 5432}
    config = arrow_config(tmp_path, database | {"database": "postgres", "user": "postgres"}, "pg")
    query = (
        "SELECT i AS id, CASE WHEN i = 3 THEN 'infinity'::timestamp "
        "ELSE TIMESTAMP '2024-01-01' END AS stamp FROM generate_series(1, 5) i"
    )
    spec = {"table_name": "forever", "custom_query": query, "is_full_extract": True}
    result = run(config, write_tables(tmp_path / "tables.json", [spec]), "r1")
    assert result.exit_code == 1, result.output
    assert "column stamp" in result.output and "outside years 1..9999" in result.output
    assert "Traceback" not in result.output
    assert committed_outputs(tmp_path / "lake", "pg", "forever") == []


def test_an_unknown_mariadb_database_fails_once_with_one_line(tmp_path):
    config = arrow_config(tmp_path, maria_database("arrowfix_nosuchdb"), "maria")
    spec = {"table_name": "t", "is_full_extract": True}
    started = time.monotonic()
    result = run(config, write_tables(tmp_path / "tables.json", [spec]), "r1")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert "Unknown database" in result.output and "Traceback" not in result.output
    # ConnectorX's connection pool reports after its 30 s timeout; no retry adds another.
    assert elapsed < 45, (elapsed, result.output)


@pytest.mark.parametrize("engine_source", ["postgresql", "mariadb"])
def test_a_real_driver_error_never_shows_the_password(engine_source, tmp_path, captured_logs):
    if engine_source == "postgresql":  # local trust: a role that does not exist fails
        database = {"type": "postgresql", "host": "127.0.0.1", "port": 5432}
        database |= {"database": "postgres", "user": "arrowfix_nobody", "password": PASSWORD}
    else:
        database = maria_database("mysql", user="arrowfix_nobody", password=PASSWORD)
    config = arrow_config(tmp_path, database, "src")
    spec = {"table_name": "t", "is_full_extract": True}
    result = run(config, write_tables(tmp_path / "tables.json", [spec]), "r1")
    assert result.exit_code == 1, result.output
    assert "src/t" in result.output and "Traceback" not in result.output
    leaks = (PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD))
    written = [p for p in Path(tmp_path / "lake").rglob("*") if p.is_file()]
    assert any(p.name == "run_report.json" for p in written), written
    texts = [result.output, captured_logs.text] + [p.read_text() for p in written]
    for text in texts:
        assert not any(leak in text for leak in leaks), text
