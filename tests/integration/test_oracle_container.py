"""Oracle Free in a container: every Oracle scenario, and what only a real Oracle can show.

The scenarios (tests/oracle_scenarios.py: full, watermark on DATE and NUMBER(12,3) cursors,
daily, lookback, range splits on NUMBER and DATE keys, hash split on a VARCHAR2 key with NULLs,
synonyms, the current schema, consistent_snapshot, every type compared value by value) are
the ones test_oracle_twin.py runs against H2; here they run against a real Oracle, with the
real session-init block, flashback and Spark's Oracle dialect. The tests below them cover the
types and clauses the twin has not got (CLOB, TIMESTAMP WITH TIME ZONE, ROWID, AS OF).

Needs a Docker engine (the image gvenzl/oracle-free:23-slim is pulled on first use) and an
ojdbc11 jar named by DATA_EXTRACTOR_TEST_OJDBC_JAR (the test SparkSession loads it; see
conftest.available_jars). Without either, the module is skipped, naming what is missing: no
machine without Docker has verified these; the first one with Docker checks all of them.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import committed_outputs, read_rows
from tests.oracle_scenarios import (  # noqa: F401 - fixtures and tests pytest collects here
    BIG,
    Jdbc,
    OracleSource,
    assert_committed,
    extraction,
    test_consistent_snapshot_reads_every_table_as_of_one_scn,
    test_each_run_commits_exactly_its_rows_with_source_types,
    test_every_source_row_is_committed_once_across_runs,
)
from tests.oracle_scenarios import run as run_scenarios

IMAGE = "gvenzl/oracle-free:23-slim"
DRIVER = "oracle.jdbc.OracleDriver"
OJDBC_JAR = os.environ.get("DATA_EXTRACTOR_TEST_OJDBC_JAR", "")
DOCKER_HOST = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
SYSTEM_PASSWORD = "Syst3m_pw"
READER_USER, READER_PASSWORD = "EXTRACTOR", "Extract0r_pw"


def missing_requirements() -> list[str]:
    """What this machine lacks for these tests, each named so a developer can fix it."""
    missing = []
    if not OJDBC_JAR:
        missing.append("DATA_EXTRACTOR_TEST_OJDBC_JAR not set (path to an ojdbc11 jar)")
    elif not Path(OJDBC_JAR).is_file():
        missing.append(f"DATA_EXTRACTOR_TEST_OJDBC_JAR={OJDBC_JAR} is not a file")
    try:
        import docker

        docker.from_env(timeout=5).ping()
    except ImportError:
        missing.append("the docker Python package is not installed")
    except Exception as exc:  # any failure to reach the engine means the same thing here
        missing.append(f"Docker engine not reachable ({DOCKER_HOST}): {type(exc).__name__}")
    return missing


MISSING = missing_requirements()
if MISSING:
    pytest.skip(
        "; ".join(MISSING) + " (every Oracle scenario, not run on this machine)",
        allow_module_level=True,
    )

from data_extractor.adapters.jdbc.oracle import OracleDialect  # noqa: E402

try:
    from testcontainers.community.oracle import OracleDbContainer
except ImportError:  # testcontainers before the community split
    from testcontainers.oracle import OracleDbContainer

pytestmark = pytest.mark.integration
DIALECT = OracleDialect()


@pytest.fixture(scope="module")
def oracle(spark):
    """A running Oracle Free with a source schema SRC and a least-privilege reader."""
    with OracleDbContainer(IMAGE, oracle_password=SYSTEM_PASSWORD) as container:
        host = container.get_container_host_ip()
        port = int(container.get_exposed_port(1521))
        url = f"jdbc:oracle:thin:@//{host}:{port}/FREEPDB1"
        admin = Jdbc(spark, DRIVER, url, "system", SYSTEM_PASSWORD)
        admin.execute(
            'CREATE USER SRC IDENTIFIED BY "Src_pw_1"',
            "GRANT UNLIMITED TABLESPACE TO SRC",
            f'CREATE USER {READER_USER} IDENTIFIED BY "{READER_PASSWORD}"',
            # The grants docs/oracle.md asks for, and no more (table grants come per table).
            f"GRANT CREATE SESSION TO {READER_USER}",
            f"GRANT SELECT_CATALOG_ROLE TO {READER_USER}",
            # Only for the scenario that reads a table of the reader's own schema.
            f"GRANT UNLIMITED TABLESPACE TO {READER_USER}",
        )
        yield {"host": host, "port": port, "url": url, "admin": admin}
        admin.close()


@pytest.fixture(scope="module")
def oracle_source(oracle) -> OracleSource:
    """The container as the shared scenarios see it."""
    return OracleSource(
        name="container",
        admin=oracle["admin"],
        database=database_section(oracle),
        reader_schema=READER_USER,
        grants=(
            f"GRANT SELECT ON {{table}} TO {READER_USER}",
            f"GRANT FLASHBACK ON {{table}} TO {READER_USER}",
        ),
    )


def make_row(i: int) -> dict:
    """Source row i as Spark should read it: bare NUMBER exact, zones to UTC, long CLOBs."""
    return {
        "ID": Decimal(i),
        "BIG": None if i % 9 == 0 else (BIG if i % 4 == 1 else Decimal(-i) / Decimal(8)),
        "QTY": None if i % 7 == 0 else Decimal(i * 37) / Decimal(100),
        "OWNER": None if i % 10 == 0 else f"Zoë Ñúñez – 東京 #{i}",
        "OPENED": dt.datetime(2020, 1, 1, 10, 11, 12) + dt.timedelta(days=i),
        "UPDATED_AT": dt.datetime(2024, 1, 1) + dt.timedelta(seconds=i, microseconds=i),
        "SEEN_AT": None if i % 6 == 0 else dt.datetime(2024, 6, 1, 8, 0) + dt.timedelta(minutes=i),
        "NOTES": None if i % 5 == 0 else ("é" * 3000 + "x" * 2000 if i % 50 == 1 else f"n{i}"),
        "MixedCase": f"m{i}",
    }


def literal_row(row: dict) -> str:
    """The row as Oracle literals; SEEN_AT is written at +02:00 and must come back in UTC."""

    def text(value):
        return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"

    seen = row["SEEN_AT"]
    notes = row["NOTES"]
    if notes is not None and len(notes) > 1000:  # a CLOB beyond the 4000-byte literal limit
        notes_sql = "TO_CLOB(RPAD('é', 1500, 'é')) || TO_CLOB(RPAD('é', 1500, 'é'))"
        notes_sql += " || TO_CLOB(RPAD('x', 2000, 'x'))"
    else:
        notes_sql = text(notes)
    values = [
        str(row["ID"]),
        "NULL" if row["BIG"] is None else str(row["BIG"]),
        "NULL" if row["QTY"] is None else str(row["QTY"]),
        text(row["OWNER"]),
        f"TO_DATE('{row['OPENED']:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS')",
        f"TIMESTAMP '{row['UPDATED_AT']:%Y-%m-%d %H:%M:%S.%f}'",
        "NULL"
        if seen is None
        else f"TIMESTAMP '{seen + dt.timedelta(hours=2):%Y-%m-%d %H:%M:%S.%f} +02:00'",
        notes_sql,
        text(row["MixedCase"]),
    ]
    return ", ".join(values)


def create_table(oracle: dict) -> str:
    """A fresh SRC table readable by the reader user; returns its name."""
    name = f"ACCOUNTS_{uuid.uuid4().hex[:8].upper()}"
    oracle["admin"].execute(
        f"CREATE TABLE SRC.{name} (ID NUMBER(10) PRIMARY KEY, BIG NUMBER, QTY NUMBER(12, 2),"
        " OWNER VARCHAR2(100 CHAR), OPENED DATE, UPDATED_AT TIMESTAMP(6) NOT NULL,"
        ' SEEN_AT TIMESTAMP(6) WITH TIME ZONE, NOTES CLOB, "MixedCase" VARCHAR2(20))',
        f"GRANT SELECT ON SRC.{name} TO {READER_USER}",
        f"GRANT FLASHBACK ON SRC.{name} TO {READER_USER}",
    )
    return name


def insert(oracle: dict, table: str, ids: range) -> None:
    """Insert source rows `ids` as SYSTEM."""
    oracle["admin"].execute(
        *(f"INSERT INTO SRC.{table} VALUES ({literal_row(make_row(i))})" for i in ids)
    )


def database_section(oracle: dict) -> dict[str, object]:
    """The [database] section reading the container as the least-privilege user."""
    return {
        "type": "oracle",
        "host": oracle["host"],
        "port": oracle["port"],
        "service": "FREEPDB1",
        "user": READER_USER,
        "password": READER_PASSWORD,
        "driver_jars": OJDBC_JAR,
    }


def run(tmp_path: Path, source: OracleSource, run_id: str, entry: dict) -> None:
    """`data-extractor run` of one tables-file entry, which must commit."""
    assert_committed([run_scenarios(tmp_path, source, run_id, [entry])], entry["table_name"])


def rows_of(tmp_path: Path, table: str, outputs=None) -> list[dict]:
    """Rows of the committed outputs (all of them by default), ordered by ID."""
    outputs = outputs or committed_outputs(tmp_path / "lake", "ora", table.lower())
    return sorted(read_rows(outputs), key=lambda r: r["ID"])


def test_types_survive_exactly(oracle, oracle_source, tmp_path):
    table = create_table(oracle)
    insert(oracle, table, range(1, 13))
    entry = {"table_name": table.lower(), "schema_name": "src", "is_full_extract": True}
    run(tmp_path, oracle_source, "types", entry)
    rows = {int(r["ID"]): r for r in rows_of(tmp_path, table)}
    assert rows[1]["BIG"] == BIG  # bare NUMBER: all 20 + 9 digits, not cut to 10 decimals
    assert rows[2]["BIG"] == Decimal("-0.25")
    assert rows[3]["OPENED"] == dt.datetime(2020, 1, 4, 10, 11, 12)  # DATE keeps its time
    assert rows[1]["SEEN_AT"] == dt.datetime(2024, 6, 1, 8, 1)  # +02:00 read as UTC
    assert rows[1]["NOTES"] == "é" * 3000 + "x" * 2000  # a CLOB past 4000 bytes
    assert rows[1]["MixedCase"] == "m1"
    assert rows[6]["SEEN_AT"] is None and rows[10]["OWNER"] is None


@pytest.mark.parametrize("key", [["id"], ["id", "owner"]], ids=["by-key", "by-two-columns"])
def test_hash_split_reads_every_row_once(oracle, oracle_source, tmp_path, key):
    table = create_table(oracle)
    insert(oracle, table, range(1, 101))
    spec = {
        "table_name": table.lower(),
        "schema_name": "src",
        "is_full_extract": True,
        "predicates": DIALECT.hash_predicates(key, 4),
    }
    run(tmp_path, oracle_source, "split", spec)
    assert rows_of(tmp_path, table) == [make_row(i) for i in range(1, 101)]


def test_flashback_reads_the_table_as_of_an_scn(oracle, oracle_source, spark, tmp_path):
    table = create_table(oracle)
    insert(oracle, table, range(1, 31))
    # The reader user reads the SCN itself, as the tool will (V$DATABASE via SELECT_CATALOG_ROLE).
    reader = Jdbc(spark, DRIVER, oracle["url"], READER_USER, READER_PASSWORD)
    try:
        scn = int(reader.scalar(DIALECT.current_scn_sql()))
    finally:
        reader.close()
    oracle["admin"].execute(
        f"DELETE FROM SRC.{table} WHERE ID <= 10", f"UPDATE SRC.{table} SET OWNER = 'changed'"
    )
    relation = DIALECT.table("src", table.lower()) + DIALECT.flashback_clause(scn)
    spec = {
        "table_name": table.lower(),
        "custom_query": f"SELECT ID, OWNER, UPDATED_AT FROM {relation}",
        "is_full_extract": True,
    }
    run(tmp_path, oracle_source, "asof", spec)
    expected = [{k: make_row(i)[k] for k in ("ID", "OWNER", "UPDATED_AT")} for i in range(1, 31)]
    assert rows_of(tmp_path, table) == expected
