"""Shared fixtures: one SparkSession per test process, real databases, config files."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Shared test code whose asserts should explain themselves like a test module's do.
pytest.register_assert_rewrite("tests.oracle_scenarios")

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"

# Spark talks only to loopback, and its Python workers use this interpreter.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

PG_JAR = os.environ.get("DATA_EXTRACTOR_TEST_PG_JAR", "/usr/share/java/postgresql.jar")
MARIADB_JAR = os.environ.get(
    "DATA_EXTRACTOR_TEST_MARIADB_JAR", "/usr/share/java/mariadb-java-client.jar"
)
# H2 in Oracle mode stands in for Oracle's driver (BigDecimal NUMBERs, DATE as timestamps).
H2_JAR = os.environ.get("DATA_EXTRACTOR_TEST_H2_JAR", "/usr/share/java/h2.jar")
PG_DSN = os.environ.get(
    "DATA_EXTRACTOR_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


def unavailable(what: str) -> None:
    """Skip locally with the reason; in CI a missing service is a failure, never a skip."""
    if IN_CI:
        pytest.fail(f"{what} (CI must run these tests)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def spark_remote() -> str:
    """The Spark Connect server's URL (sc://...) from DX_TEST_SPARK_REMOTE; .ci/run starts one
    with scripts/connect-server.sh. Unset: skipped locally, a failure under CI=true."""
    url = os.environ.get("DX_TEST_SPARK_REMOTE", "").strip()
    if not url:
        unavailable(
            "DX_TEST_SPARK_REMOTE is not set (scripts/connect-server.sh start 15102, then "
            "export DX_TEST_SPARK_REMOTE=sc://127.0.0.1:15102)"
        )
    return url


def available_jars() -> list[str]:
    """JDBC driver jars the test session loads (those present on this machine)."""
    return [
        jar
        for jar in (
            PG_JAR,
            MARIADB_JAR,
            H2_JAR,
            os.environ.get("DATA_EXTRACTOR_TEST_OJDBC_JAR", ""),
        )
        if jar and Path(jar).exists()
    ]


@pytest.fixture(scope="session")
def spark():
    """The one SparkSession of this test process, built like the tool builds its own."""
    from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings

    settings = SparkSettings(
        master="local[2]",
        app_name="data-extractor-tests",
        jars=tuple(available_jars()),
        conf=(("spark.sql.shuffle.partitions", "2"), ("spark.default.parallelism", "2")),
    )
    provider = LocalSparkSessionProvider(settings)
    session = provider.get()
    yield session
    provider.stop()


@pytest.fixture(scope="session")
def pg_admin():
    """An autocommit psycopg connection to the local PostgreSQL, or a skip/fail."""
    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed")
    if not Path(PG_JAR).exists():
        unavailable(
            f"PostgreSQL JDBC jar not found at {PG_JAR} (apt-get install libpostgresql-jdbc-java)"
        )
    try:
        conn = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL is not reachable at {PG_DSN}: {exc}")
    yield conn
    conn.close()


@pytest.fixture
def pg_schema(pg_admin) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    pg_admin.execute(f'CREATE SCHEMA "{name}"')
    yield name
    pg_admin.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(scope="session")
def mariadb_admin():
    """A pymysql connection to the local MariaDB, or a skip/fail."""
    try:
        import pymysql
    except ImportError:
        unavailable("pymysql is not installed")
    if not Path(MARIADB_JAR).exists():
        unavailable(
            f"MariaDB JDBC jar not found at {MARIADB_JAR} (apt-get install libmariadb-java)"
        )
    try:
        conn = pymysql.connect(autocommit=True, connect_timeout=5, **MARIADB)
    except pymysql.err.OperationalError as exc:
        unavailable(f"MariaDB is not reachable at 127.0.0.1:3306: {exc}")
    yield conn
    conn.close()


@pytest.fixture
def mariadb_database(mariadb_admin) -> Iterator[str]:
    """A fresh MariaDB database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    with mariadb_admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    yield name
    with mariadb_admin.cursor() as cur:
        cur.execute(f"DROP DATABASE `{name}`")


def write_config(path: Path, sections: dict[str, dict[str, object]]) -> Path:
    """Write an INI file from nested dicts; returns its path."""
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {value}" for key, value in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def pg_config(tmp_path: Path, **extraction: object) -> Path:
    """A config INI for the local PostgreSQL, output under tmp_path/lake."""
    return write_config(
        tmp_path / "config.ini",
        {
            "database": {
                "type": "postgresql",
                "host": "127.0.0.1",
                "port": 5432,
                "database": "postgres",
                "user": "postgres",
                "driver_jars": PG_JAR,
            },
            "extraction": {
                "output_base_path": tmp_path / "lake",
                "default_source": "pg",
                "max_workers": 2,
                "retry_backoff_seconds": 0,
                **extraction,
            },
        },
    )
