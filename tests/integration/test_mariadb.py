"""`data-extractor run` against the real local MariaDB: the Parquet equals the source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import MARIADB, MARIADB_JAR, write_config
from tests.helpers import committed_outputs, manifest, read_rows, run_cli, write_tables

pytestmark = pytest.mark.integration

# `order`, `key` and `rank` are reserved words: every name must be quoted on the way,
# by us (backticks) and by Spark (double quotes, read as names thanks to ANSI_QUOTES).
CREATE = """
CREATE TABLE `{db}`.`order` (
    id INT PRIMARY KEY,
    `key` VARCHAR(200) CHARACTER SET utf8mb4,
    note TEXT CHARACTER SET utf8mb4,
    amount DECIMAL(18, 4),
    `rank` DECIMAL(30, 12),
    big BIGINT,
    shipped_on DATE,
    stamped TIMESTAMP(6) NULL,
    created_at DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4"""
INSERT = (
    "INSERT INTO `{db}`.`order` (id, `key`, note, amount, `rank`, big, shipped_on, stamped,"
    " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
TEXTS = ["🚀 Zoë Ñúñez – 東京", "açaí, crème brûlée", "emoji 👩🏽‍💻 + ü", "plain ascii"]


def make_row(i: int) -> tuple:
    """Source row i: decimals, microsecond datetimes, NULLs in every nullable column."""
    base = dt.datetime(2024, 3, 1, 12, 0, 0, 123456)
    return (
        i,
        None if i % 10 == 0 else f"{TEXTS[i % len(TEXTS)]} #{i}",
        None if i % 6 == 0 else TEXTS[(i + 1) % len(TEXTS)] * (i % 3 + 1),
        None if i % 7 == 0 else Decimal(i * 1337) / Decimal(100),
        None if i % 5 == 0 else Decimal(i) / Decimal(7),
        None if i % 4 == 0 else 9_007_199_254_740_993 + i,
        None if i % 9 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=i),
        None if i % 8 == 0 else dt.datetime(2023, 6, 1, 8, 30) + dt.timedelta(seconds=i),
        base + dt.timedelta(minutes=i, microseconds=i),
    )


@pytest.fixture
def utc_db(mariadb_database):
    """A connection to the test database whose session time zone is UTC, like the reader's."""
    import pymysql

    conn = pymysql.connect(
        autocommit=True,
        database=mariadb_database,
        init_command="SET time_zone = '+00:00'",
        charset="utf8mb4",
        **MARIADB,
    )
    yield conn
    conn.close()


def insert(conn, db: str, ids: range) -> None:
    """Insert source rows `ids`."""
    with conn.cursor() as cur:
        cur.executemany(INSERT.format(db=db), [make_row(i) for i in ids])


def source_rows(conn, db: str) -> list[dict]:
    """The source table as dicts, ordered by id."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM `{db}`.`order` ORDER BY id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def mariadb_config(tmp_path: Path, db: str) -> Path:
    """A config INI for the local MariaDB database `db`, output under tmp_path/lake."""
    return write_config(
        tmp_path / "config.ini",
        {
            "database": {
                "type": "mariadb",
                "host": MARIADB["host"],
                "port": MARIADB["port"],
                "database": db,
                "user": MARIADB["user"],
                "password": MARIADB["password"],
                "driver_jars": MARIADB_JAR,
                "fetch_size": 100,
            },
            "extraction": {
                "output_base_path": tmp_path / "lake",
                "default_source": "maria",
                "max_workers": 2,
                "retry_backoff_seconds": 0,
            },
        },
    )


def run(tmp_path: Path, db: str, run_id: str, **spec: object):
    """`data-extractor run` of the `order` table, with extra tables-file keys."""
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": "order", "schema_name": db, "incremental_column": "created_at", **spec},
        ],
    )
    config = mariadb_config(tmp_path, db)
    return run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", run_id)


def test_full_then_incremental_equals_the_source(utc_db, mariadb_database, spark, tmp_path):
    db = mariadb_database
    utc_db.cursor().execute(CREATE.format(db=db))
    insert(utc_db, db, range(1, 1201))

    first = run(tmp_path, db, "r1", split_column="id", num_partitions=3)
    assert first.exit_code == 0, first.output
    [out1] = committed_outputs(tmp_path / "lake", "maria", "order")
    assert manifest(out1)["mode"] == "full"
    assert manifest(out1)["rows"] == 1200

    insert(utc_db, db, range(1201, 1451))
    second = run(tmp_path, db, "r2")
    assert second.exit_code == 0, second.output
    outputs = committed_outputs(tmp_path / "lake", "maria", "order")
    assert len(outputs) == 2
    assert manifest(outputs[1])["mode"] == "incremental"
    # The second run read exactly the rows inserted after the first one.
    assert sorted(r["id"] for r in read_rows(outputs[1:])) == list(range(1201, 1451))

    written = sorted(read_rows(outputs), key=lambda r: r["id"])
    expected = source_rows(utc_db, db)
    assert len(written) == len(expected) == 1450
    assert written == expected


def test_values_keep_their_types_and_text(utc_db, mariadb_database, spark, tmp_path):
    db = mariadb_database
    utc_db.cursor().execute(CREATE.format(db=db))
    insert(utc_db, db, range(1, 21))

    result = run(tmp_path, db, "types", is_full_extract=True)
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in read_rows(committed_outputs(tmp_path / "lake", "maria", "order"))}
    assert rows[4]["key"] == "🚀 Zoë Ñúñez – 東京 #4"
    assert rows[10]["key"] is None
    assert rows[3]["amount"] == Decimal("40.11") and isinstance(rows[3]["amount"], Decimal)
    assert rows[3]["rank"] == Decimal("0.428571428571")  # all 12 decimal places
    assert rows[1]["big"] == 9_007_199_254_740_994  # beyond a double's exact range
    assert rows[1]["created_at"] == dt.datetime(2024, 3, 1, 12, 1, 0, 123457)
    assert rows[1]["stamped"] == dt.datetime(2023, 6, 1, 8, 30, 1)  # TIMESTAMP read in UTC
    assert rows[2]["shipped_on"] == dt.date(2020, 1, 3)
