"""Partitioned reads on real PostgreSQL: every row once, split the way the probe decided."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from data_extractor.adapters.jdbc.mysql import MariaDbDialect
from data_extractor.adapters.jdbc.oracle import OracleDialect
from data_extractor.adapters.jdbc.postgresql import PostgresDialect
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.domain.model import (
    ExtractionTask,
    Mode,
    SourceProbe,
    Strategy,
    TableSpec,
    Window,
)
from tests.conftest import H2_JAR, MARIADB, unavailable

pytestmark = pytest.mark.integration
PG_SETTINGS = JdbcSettings(
    type="postgresql", host="127.0.0.1", port=5432, database="postgres", user="postgres"
)


class GivenSession:
    """A session provider that hands out the test session."""

    def __init__(self, spark) -> None:
        self.spark = spark

    def get(self):
        """The session."""
        return self.spark


@pytest.fixture
def reader(spark, pg_admin):
    """A reader with a tiny partition target, so 5,000 rows split."""
    return JdbcSourceReader(
        GivenSession(spark), PG_SETTINGS, PostgresDialect(), rows_per_partition=1000
    )


@pytest.fixture
def people(pg_admin, pg_schema):
    """5,000 rows with an integer id, a text code and a timestamp."""
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".people (id int PRIMARY KEY, code text, seen timestamp)'
    )
    pg_admin.execute(f"""INSERT INTO "{pg_schema}".people
        SELECT i, md5(i::text), TIMESTAMP '2024-01-01' + i * INTERVAL '1 minute'
        FROM generate_series(1, 5000) AS i""")
    return pg_schema


def read_all(reader, spec, window=None):
    """Probe, then read; returns (ids, partition count)."""
    task = ExtractionTask(spec, Mode.FULL, "/unused", window, upper_from_source=window is not None)
    probe = reader.probe(task)
    if window is not None:
        task = ExtractionTask(
            spec, Mode.FULL, "/unused", window.with_upper(probe.high_watermark), True, probe=probe
        )
    else:
        task = ExtractionTask(spec, Mode.FULL, "/unused", probe=probe)
    frame = reader.read(task)
    return [r[0] for r in frame.select("id").collect()], frame.rdd.getNumPartitions(), probe


def test_integer_key_is_range_split(reader, people):
    spec = TableSpec("pg", "people", schema_name=people, primary_key=("id",))
    ids, partitions, probe = read_all(reader, spec)
    assert probe.rows == 5000 and probe.split_kind == "range"
    assert (probe.split_lower, probe.split_upper) == ("1", "5000")
    assert partitions == 5
    assert sorted(ids) == list(range(1, 5001))


def test_text_key_is_hash_split(reader, people):
    spec = TableSpec("pg", "people", schema_name=people, split_column="code")
    ids, partitions, probe = read_all(reader, spec)
    assert probe.split_kind == "hash"
    assert partitions == 5
    assert sorted(ids) == list(range(1, 5001))


def test_timestamp_cursor_splits_and_bounds_the_window(reader, people, pg_admin):
    spec = TableSpec(
        "pg", "people", schema_name=people, incremental_column="seen", strategy=Strategy.WATERMARK
    )
    window = Window("seen", dt.datetime(2024, 1, 1) + dt.timedelta(minutes=2000), None)
    ids, partitions, probe = read_all(reader, spec, window)
    assert probe.high_watermark == dt.datetime(2024, 1, 1) + dt.timedelta(minutes=5000)
    assert partitions == 3
    assert sorted(ids) == list(range(2001, 5001))


def test_small_tables_read_in_one_partition(spark, pg_admin, people):
    reader = JdbcSourceReader(GivenSession(spark), PG_SETTINGS, PostgresDialect())
    ids, partitions, _ = read_all(
        reader, TableSpec("pg", "people", schema_name=people, primary_key=("id",))
    )
    assert partitions == 1 and len(ids) == 5000


# -- range splits on our own typed predicates, NULL keys included -------------------------
@pytest.fixture
def keyed(pg_admin, pg_schema):
    """3,000 rows keyed by a date, a timestamp and a fractional numeric; every 7th key NULL."""
    pg_admin.execute(f"""CREATE TABLE "{pg_schema}".keyed (
        id int PRIMARY KEY, day date, stamp timestamp(6), amount numeric)""")
    pg_admin.execute(f"""INSERT INTO "{pg_schema}".keyed
        SELECT i,
               CASE WHEN i % 7 = 0 THEN NULL ELSE DATE '2020-01-01' + i % 400 END,
               CASE WHEN i % 7 = 1 THEN NULL
                    ELSE TIMESTAMP '2024-01-01' + i * INTERVAL '1 second 250 microseconds' END,
               CASE WHEN i % 7 = 2 THEN NULL ELSE (i - 1500) / 8.0 END
        FROM generate_series(1, 3000) AS i""")
    return pg_schema


def split_read(reader, spec, probe=None):
    """Probe (unless given), read; the ids and the partitions' conditions."""
    task = ExtractionTask(spec, Mode.FULL, "/unused")
    task = ExtractionTask(spec, Mode.FULL, "/unused", probe=probe or reader.probe(task))
    ids = [r[0] for r in reader.read(task).select("id").collect()]
    return ids, reader.split_predicates(task)


def numeric_probe(pg_admin, schema: str, column: str) -> SourceProbe:
    """The probe's answer for a numeric key, as its text (plain decimals), from psql.

    reader.probe cannot read a numeric MIN/MAX yet: py4j hands the driver's BigDecimal
    over as a Python Decimal, which driver_query then asks for toPlainString().
    """
    lo, hi = pg_admin.execute(
        f'SELECT MIN({column})::text, MAX({column})::text FROM "{schema}".keyed'
    ).fetchone()
    return SourceProbe(split_column=column, split_kind="range", split_lower=lo, split_upper=hi)


@pytest.mark.parametrize("column", ["day", "stamp"])
def test_range_split_keys_with_nulls_read_every_row_exactly_once(reader, keyed, column):
    spec = TableSpec("pg", "keyed", schema_name=keyed, split_column=column, num_partitions=4)
    ids, predicates = split_read(reader, spec)
    assert len(predicates) == 4 and predicates[0].endswith(f'"{column}" IS NULL)')
    assert sorted(ids) == list(range(1, 3001))  # value by value: none lost, none twice


@pytest.mark.parametrize("mapping", [None, "string", "decimal(20,4)"])
def test_a_numeric_key_with_fractional_bounds_splits_whatever_the_number_mapping(
    spark, pg_admin, keyed, mapping
):
    # Spark's own range split parsed the bound "-187.375" as a long, and refused a key
    # that number_mapping had made a string.
    dialect = PostgresDialect(mapping) if mapping else PostgresDialect()
    reader = JdbcSourceReader(GivenSession(spark), PG_SETTINGS, dialect, rows_per_partition=1000)
    spec = TableSpec("pg", "keyed", schema_name=keyed, split_column="amount", num_partitions=3)
    probe = numeric_probe(pg_admin, keyed, "amount")
    assert probe.split_lower == "-187.3750000000000000"
    ids, predicates = split_read(reader, spec, probe)
    assert len(predicates) == 3 and predicates[0].endswith('"amount" IS NULL)')
    assert sorted(ids) == list(range(1, 3001))


# -- hash splits: NULL keys and negative hashes --------------------------------------------
def buckets_per_row(cursor, table: str, predicates: list[str]) -> dict[int, int]:
    """id -> how many of the predicates the row matches, computed by the database."""
    matches = " + ".join(f"CASE WHEN {p} THEN 1 ELSE 0 END" for p in predicates)
    cursor.execute(f"SELECT id, {matches} FROM {table}")
    return dict(cursor.fetchall())


def test_hash_buckets_cover_postgres_rows_once_with_nulls_and_negative_hashes(pg_admin, people):
    pg_admin.execute(f'UPDATE "{people}".people SET code = NULL WHERE id % 10 = 0')
    negative = pg_admin.execute(
        f'SELECT count(*) FROM "{people}".people WHERE hashtext(code) < 0'
    ).fetchone()[0]
    assert negative > 0  # the ABS matters
    predicates = PostgresDialect().hash_predicates(["code"], 7)
    counts = buckets_per_row(pg_admin.cursor(), f'"{people}".people', predicates)
    assert len(counts) == 5000 and set(counts.values()) == {1}


def test_hash_buckets_cover_mariadb_rows_once_with_nulls(mariadb_admin, mariadb_database):
    table = f"`{mariadb_database}`.codes"
    with mariadb_admin.cursor() as cur:
        cur.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY, code VARCHAR(40), n INT)")
        cur.executemany(
            f"INSERT INTO {table} VALUES (%s, %s, %s)",
            [(i, None if i % 9 == 0 else f"c{i * 7919}", i - 1000) for i in range(1, 2001)],
        )
        for columns in (["code"], ["n"], ["code", "n"]):
            predicates = MariaDbDialect().hash_predicates(columns, 5)
            counts = buckets_per_row(cur, table, predicates)
            assert len(counts) == 2000 and set(counts.values()) == {1}, columns


# -- no split column: one partition on every database ---------------------------------------
def test_a_keyless_mariadb_table_with_num_partitions_reads_in_one_partition(
    spark, mariadb_admin, mariadb_database, caplog
):
    with mariadb_admin.cursor() as cur:
        cur.execute(f"CREATE TABLE `{mariadb_database}`.heap (id INT, note VARCHAR(10))")
        cur.executemany(
            f"INSERT INTO `{mariadb_database}`.heap VALUES (%s, %s)",
            [(i, f"n{i}") for i in range(1, 51)],
        )
    settings = JdbcSettings(
        type="mariadb",
        host=MARIADB["host"],
        port=MARIADB["port"],
        user=MARIADB["user"],
        database=mariadb_database,
    )
    reader = JdbcSourceReader(GivenSession(spark), settings, MariaDbDialect())
    spec = TableSpec("m", "heap", num_partitions=4)
    caplog.set_level("INFO")
    frame = reader.read(
        ExtractionTask(
            spec,
            Mode.FULL,
            "/unused",
            probe=reader.probe(ExtractionTask(spec, Mode.FULL, "/unused")),
        )
    )
    assert frame.rdd.getNumPartitions() == 1
    assert sorted(r[0] for r in frame.select("id").collect()) == list(range(1, 51))
    assert "set split_column" in caplog.text


# -- the Oracle dialect's splits on H2 in Oracle mode (the closest to Oracle this machine has) --
class H2:
    """A JDBC connection to a private in-memory H2 database in Oracle mode, via py4j."""

    def __init__(self, spark) -> None:
        if not Path(H2_JAR).exists():
            unavailable(f"H2 jar not found at {H2_JAR} (apt-get install libh2-java)")
        jvm = spark._jvm
        loader = jvm.org.apache.spark.util.Utils.getContextOrSparkClassLoader()
        driver = jvm.java.lang.Class.forName("org.h2.Driver", True, loader).newInstance()
        url = f"jdbc:h2:mem:{uuid.uuid4().hex};MODE=Oracle;TIME ZONE=UTC"
        self.connection = driver.connect(url, jvm.java.util.Properties())

    def execute(self, *statements: str) -> None:
        """Run statements that return no rows."""
        statement = self.connection.createStatement()
        for sql in statements:
            statement.execute(sql)
        statement.close()

    def pairs(self, sql: str) -> dict[int, int]:
        """The first two integer columns of every row, as a dict."""
        statement = self.connection.createStatement()
        result = statement.executeQuery(sql)
        found = {}
        while result.next():
            found[result.getInt(1)] = result.getInt(2)
        statement.close()
        return found


@pytest.fixture
def h2(spark):
    """An Oracle-mode H2 table: a DATE key, a TIMESTAMP(6) key, a text key; NULLs in each."""
    db = H2(spark)
    db.execute(
        'CREATE TABLE "T" ("ID" INT, "OPENED" DATE, "SEEN" TIMESTAMP(6), "CODE" VARCHAR(20))'
    )
    rows = []
    for i in range(1, 1001):
        opened = "NULL" if i % 11 == 0 else f"DATE '2024-01-01' + {i % 90}"
        seen = (
            "NULL" if i % 13 == 0 else f"TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '{i}.5' SECOND"
        )
        code = "NULL" if i % 17 == 0 else f"'c{i * 7919}'"
        rows.append(f"({i}, {opened}, {seen}, {code})")
    db.execute(f'INSERT INTO "T" VALUES {", ".join(rows)}')
    yield db
    db.connection.close()


def buckets_on_h2(h2, predicates: list[str]) -> dict[int, int]:
    """id -> how many predicates the row matches, computed by H2."""
    matches = " + ".join(f"CASE WHEN {p} THEN 1 ELSE 0 END" for p in predicates)
    return h2.pairs(f'SELECT "ID", {matches} FROM "T"')


@pytest.mark.parametrize(
    ("column", "lower", "upper"),
    [
        ("opened", "2024-01-01 00:00:00.000000", "2024-03-30 00:00:00.000000"),
        ("seen", "2024-01-01 00:00:01.500000", "2024-01-01 00:16:40.500000"),
    ],
)
def test_oracle_range_predicates_cover_every_row_once_on_the_h2_twin(h2, column, lower, upper):
    probe = SourceProbe(
        split_column=column, split_kind="range", split_lower=lower, split_upper=upper
    )
    spec = TableSpec("o", "t", split_column=column, num_partitions=5)
    reader = JdbcSourceReader(None, JdbcSettings(type="oracle"), OracleDialect())
    predicates = reader.split_predicates(ExtractionTask(spec, Mode.FULL, "/x", probe=probe))
    assert len(predicates) == 5 and "TO_DATE(" in predicates[1]
    counts = buckets_on_h2(h2, predicates)
    assert len(counts) == 1000 and set(counts.values()) == {1}


def test_oracle_hash_predicates_keep_null_keys_on_the_h2_twin(h2):
    # ORA_HASH(NULL) is NULL on the twin: MOD(NULL, n) = k matched no bucket.
    counts = buckets_on_h2(h2, OracleDialect().hash_predicates(["code"], 4))
    assert len(counts) == 1000 and set(counts.values()) == {1}
