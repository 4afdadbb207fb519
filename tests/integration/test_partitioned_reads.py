"""Partitioned reads on real PostgreSQL: every row once, split the way the probe decided."""

from __future__ import annotations

import datetime as dt

import pytest

from data_extractor.adapters.jdbc.postgresql import PostgresDialect
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.domain.model import ExtractionTask, Mode, Strategy, TableSpec, Window

pytestmark = pytest.mark.integration


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
    settings = JdbcSettings(
        type="postgresql", host="127.0.0.1", port=5432, database="postgres", user="postgres"
    )
    return JdbcSourceReader(
        GivenSession(spark), settings, PostgresDialect(), rows_per_partition=1000
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
    settings = JdbcSettings(
        type="postgresql", host="127.0.0.1", port=5432, database="postgres", user="postgres"
    )
    reader = JdbcSourceReader(GivenSession(spark), settings, PostgresDialect())
    ids, partitions, _ = read_all(
        reader, TableSpec("pg", "people", schema_name=people, primary_key=("id",))
    )
    assert partitions == 1 and len(ids) == 5000
