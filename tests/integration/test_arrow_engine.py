"""`run` with `[runtime] engine = arrow` against the real local PostgreSQL and MariaDB.

No JDBC jar and no Spark session: the Parquet must equal the source, full then incremental,
every row exactly once. (test_engine_differential.py compares it with the Spark engine.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pymysql
import pytest

from tests.conftest import MARIADB, PG_DSN, unavailable, write_config
from tests.helpers import committed_outputs, manifest, read_rows, run_cli, write_tables
from tests.integration import test_mariadb as maria
from tests.integration import test_postgres_extract as pg

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_conn() -> Iterator[tuple[object, str]]:
    """An autocommit psycopg connection and a fresh `arrow_` schema (no JDBC jar needed)."""
    try:
        conn = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL is not reachable at {PG_DSN}: {exc}")
    schema = f"arrow_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE SCHEMA "{schema}"')
    yield conn, schema
    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    conn.close()


@pytest.fixture
def maria_db() -> Iterator[tuple[object, str]]:
    """A UTC-session pymysql connection to a fresh `arrow_` database (no JDBC jar needed)."""
    name = f"arrow_{uuid.uuid4().hex[:10]}"
    try:
        admin = pymysql.connect(autocommit=True, connect_timeout=5, **MARIADB)
    except pymysql.err.OperationalError as exc:
        unavailable(f"MariaDB is not reachable at 127.0.0.1:3306: {exc}")
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    conn = pymysql.connect(
        autocommit=True,
        database=name,
        init_command="SET time_zone = '+00:00'",
        charset="utf8mb4",
        **MARIADB,
    )
    yield conn, name
    conn.close()
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE `{name}`")
    admin.close()


def arrow_config(tmp_path: Path, database: dict[str, object], source: str) -> Path:
    """A config choosing the Arrow engine in [runtime] (no driver_jars anywhere)."""
    return write_config(
        tmp_path / "config.ini",
        {
            "database": database,
            "extraction": {
                "output_base_path": tmp_path / "lake",
                "default_source": source,
                "max_workers": 2,
                "retry_backoff_seconds": 0,
                "rows_per_partition": 1000,
            },
            "runtime": {"engine": "arrow"},
        },
    )


def run(config: Path, tables: Path, run_id: str):
    """`data-extractor run` in this process (the engine comes from the config)."""
    return run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", run_id)


def test_postgres_full_then_incremental_equals_the_source(pg_conn, tmp_path):
    conn, schema = pg_conn
    conn.execute(pg.CREATE.format(schema=schema))
    conn.execute(pg.FILL.format(schema=schema, start=1, stop=2500))
    database = {"type": "postgresql", "host": "127.0.0.1", "port": 5432}
    database |= {"database": "postgres", "user": "postgres"}
    config = arrow_config(tmp_path, database, "pg")
    spec = {"table_name": "accounts", "schema_name": schema, "incremental_column": "updated_at"}
    tables = write_tables(tmp_path / "tables.json", [spec])

    first = run(config, tables, "r1")
    assert first.exit_code == 0, first.output
    [out1] = committed_outputs(tmp_path / "lake", "pg", "accounts")
    assert manifest(out1)["mode"] == "full" and manifest(out1)["rows"] == 2500
    assert manifest(out1)["files"] >= 2  # 2500 rows at 1000 per partition: split reads

    conn.execute(pg.FILL.format(schema=schema, start=2501, stop=2600))
    second = run(config, tables, "r2")
    assert second.exit_code == 0, second.output
    outputs = committed_outputs(tmp_path / "lake", "pg", "accounts")
    assert manifest(outputs[1])["mode"] == "incremental"
    assert sorted(r["id"] for r in read_rows(outputs[1:])) == list(range(2501, 2601))
    written = sorted(read_rows(outputs), key=lambda r: r["id"])
    assert written == pg.source_rows(conn, schema)

    again = run(config, tables, "r3")  # nothing new: no rows read twice
    assert again.exit_code == 0, again.output
    assert len(committed_outputs(tmp_path / "lake", "pg", "accounts")) == 2


def test_mariadb_full_then_incremental_equals_the_source(maria_db, tmp_path):
    conn, db = maria_db
    conn.cursor().execute(maria.CREATE.format(db=db))
    maria.insert(conn, db, range(1, 1201))
    database = {"type": "mariadb", "host": MARIADB["host"], "port": MARIADB["port"]}
    database |= {"database": db, "user": MARIADB["user"]}
    config = arrow_config(tmp_path, database, "maria")
    spec = {"table_name": "order", "schema_name": db, "incremental_column": "created_at"}
    tables = write_tables(tmp_path / "tables.json", [{**spec, "split_column": "id"}])

    first = run(config, tables, "r1")
    assert first.exit_code == 0, first.output
    [out1] = committed_outputs(tmp_path / "lake", "maria", "order")
    assert manifest(out1)["rows"] == 1200

    maria.insert(conn, db, range(1201, 1451))
    second = run(config, tables, "r2")
    assert second.exit_code == 0, second.output
    outputs = committed_outputs(tmp_path / "lake", "maria", "order")
    assert sorted(r["id"] for r in read_rows(outputs[1:])) == list(range(1201, 1451))
    written = sorted(read_rows(outputs), key=lambda r: r["id"])
    expected = maria.source_rows(conn, db)
    assert len(written) == len(expected) == 1450
    assert written == expected  # DECIMAL(30,12) with all 12 places, UTC TIMESTAMPs, unicode


def test_a_source_without_an_arrow_driver_is_an_input_error(tmp_path):
    database = {"type": "sqlserver", "host": "127.0.0.1", "database": "x", "user": "u"}
    config = arrow_config(tmp_path, database, "ms")
    tables = write_tables(tmp_path / "tables.json", [{"table_name": "t", "is_full_extract": True}])
    result = run(config, tables, "r1")
    assert result.exit_code == 2, result.output
    assert "[engine]" in result.output and "needs engine = spark" in result.output
    assert not (tmp_path / "lake").exists()  # nothing written
