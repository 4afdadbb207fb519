"""The Arrow engine refuses or converts what its drivers would otherwise change silently.

Values the Spark engine cannot write (dates past 9999, +-infinity, times of day, intervals),
driver forms that are not the value (inet's wire bytes, money's cents, MySQL decimals rounded
to 10 places), and the connection handling around them (dead pooled connections, JDBC url
parameters the Python drivers cannot take).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pyarrow as pa
import pytest

from data_extractor.adapters.arrow.drivers import (
    MySqlConnectorXDriver,
    PostgresAdbcDriver,
    arrow_driver,
)
from data_extractor.adapters.arrow.reader import (
    ArrowDataset,
    ArrowSourceReader,
    mysql_column_plan,
)
from data_extractor.adapters.arrow.types import (
    TypePlan,
    parse_custom_schema,
    postgres_numeric,
    spark_schema_json,
)
from data_extractor.adapters.arrow.writer import ArrowDatasetWriter
from data_extractor.adapters.jdbc import dialect_for
from data_extractor.adapters.jdbc.dialect import SourceColumn
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.domain.errors import ExtractionError, InputError
from data_extractor.domain.model import ExtractionTask, Mode, TableSpec
from tests.unit.sql_cases import task_for
from tests.unit.test_arrow_engine import FakeDriver, data_files, pg_numeric


def pg_field(name: str, kind: pa.DataType, pg_type: str) -> pa.Field:
    """A column as ADBC types it, with its PostgreSQL type name in the metadata."""
    return pa.field(name, kind, metadata={"POSTGRESQL:type": pg_type})


BINARY = pa.binary()


def opaque(name: str, type_name: str, storage: pa.DataType = BINARY) -> pa.Field:
    """An ADBC opaque extension column (inet, timetz, bit... arrive with binary storage)."""
    return pg_field(name, pa.opaque(storage, type_name, "PostgreSQL"), type_name)


# -- decimals ----------------------------------------------------------------------------------
def test_mysql_decimals_wider_than_38_digits_are_bounded_as_spark_does():
    columns = [(SourceColumn("huge", "decimal", 65, 30), "decimal(65,30)")]
    plan = mysql_column_plan(dialect_for("mariadb"), columns)
    types = TypePlan(parse_custom_schema(plan.custom_schema))
    schema = pa.schema([("huge", pa.string())])
    written = types.schema(schema)
    assert written.types == [pa.decimal128(38, 30)]
    fits = pa.RecordBatch.from_arrays(
        [pa.array(["12345678.123456789012345678901234567890"])], schema=schema
    )
    assert types.conform(fits, written).column(0).to_pylist() == [
        Decimal("12345678.123456789012345678901234567890")
    ]
    too_big = pa.RecordBatch.from_arrays([pa.array(["123456789.5"])], schema=schema)
    with pytest.raises(ExtractionError, match="column huge"):
        types.conform(too_big, written)


def test_postgres_negative_scale_numerics_hold_integers():
    # PostgreSQL 15+: numeric(5,-2) has typmod ((5 << 16) | (-2 & 0x7FF)) + 4 = 329730.
    field = pg_numeric("hundreds", 329730)
    assert postgres_numeric(field, pa.string()) == pa.decimal128(7, 0)
    plan = TypePlan()
    schema = pa.schema([field])
    storage = pa.array(["9999900"], pa.string())
    batch = pa.RecordBatch.from_arrays(
        [pa.ExtensionArray.from_storage(field.type, storage)], schema=schema
    )
    assert plan.conform(batch, plan.schema(schema)).column(0).to_pylist() == [Decimal(9999900)]


def test_the_mysql_probe_reads_a_decimal_maximum_as_exact_text():
    exact = "1.123456789996"
    rounded = pa.table({"hw": pa.array([Decimal("1.1234567900")], pa.decimal128(38, 10))})
    as_text = pa.table({"hw": pa.array([exact])})
    driver = FakeDriver(lambda sql: as_text if "AS CHAR" in sql else rounded)
    reader = ArrowSourceReader(JdbcSettings(type="mariadb"), dialect_for("mariadb"), driver)
    task = task_for({"table_name": "t", "incremental_column": "v", "num_partitions": 1})
    probe = reader.probe(task)
    assert probe.high_watermark is not None
    assert probe.high_watermark == Decimal(exact)
    assert "CAST(MAX(`v`) AS CHAR)" in driver.asked[-1]


# -- types Spark writes as text, or not at all --------------------------------------------------
def test_opaque_binary_and_money_columns_are_refused_naming_the_column():
    for field, why in [
        (opaque("addr", "inet"), "binary form"),
        (opaque("at", "timetz"), "binary form"),
        (pg_field("cash", pa.int64(), "money"), "cents"),
    ]:
        with pytest.raises(ExtractionError, match=f"column {field.name} .*{why}.*custom_query"):
            TypePlan().schema(pa.schema([field]))
    text_stored = opaque("doc", "citext", pa.string())
    assert TypePlan().schema(pa.schema([text_stored])).types == [pa.string()]


@pytest.mark.parametrize(
    "kind",
    [pa.time64("us"), pa.time32("ms"), pa.month_day_nano_interval(), pa.duration("us")],
)
def test_times_of_day_and_intervals_are_refused_naming_the_column(kind):
    with pytest.raises(ExtractionError, match="column clock .*time of day or an interval"):
        TypePlan().schema(pa.schema([("clock", kind)]))


def test_the_manifest_names_only_spark_types():
    with pytest.raises(ExtractionError, match="a type Spark does not write"):
        TypePlan().schema(pa.schema([("f16", pa.float16())]))
    json_text = spark_schema_json(TypePlan().schema(pa.schema([("n", pa.null())])))
    assert '"type":"void"' in json_text


def test_postgres_text_types_are_selected_as_text_and_dates_stay_guarded():
    catalog = pa.table(
        {
            "column_name": ["id", "addr", "cash", "day"],
            "data_type": ["integer", "inet", "money", "date"],
            "numeric_precision": pa.array([32, None, None, None], pa.int32()),
            "numeric_scale": pa.array([0, None, None, None], pa.int32()),
        }
    )
    driver = FakeDriver(lambda sql: catalog)
    reader = ArrowSourceReader(JdbcSettings(type="postgresql"), dialect_for("postgresql"), driver)
    spec = task_for({"table_name": "t", "is_full_extract": True}).spec
    select_list, _ = reader.arrow_columns(spec)
    assert (
        'textin(inet_out("addr")) AS "addr"' in select_list
        and '"cash"::text AS "cash"' in select_list
    )
    assert 'CASE WHEN "day" IS NULL' in select_list and select_list.startswith('"id", ')


# -- dates and timestamps Spark cannot hold ----------------------------------------------------
def test_dates_and_timestamps_outside_years_1_to_9999_fail_naming_the_column():
    # What ADBC makes of PostgreSQL's 'infinity' timestamp and '-infinity' date.
    schema = pa.schema([("stamp", pa.timestamp("us")), ("day", pa.date32())])
    plan = TypePlan()
    written = plan.schema(schema)
    infinite = pa.RecordBatch.from_arrays(
        [
            pa.array([0, -9222425352054775809], pa.int64()).cast(schema[0].type),
            pa.array([0, 1], pa.date32()),
        ],
        schema=schema,
    )
    with pytest.raises(ExtractionError, match="column stamp .*outside years 1..9999.*CASE"):
        plan.conform(infinite, written)
    minus = pa.RecordBatch.from_arrays(
        [
            pa.array([0, None], schema[0].type),
            pa.array([-2147472691, 0], pa.int32()).cast(pa.date32()),
        ],
        schema=schema,
    )
    with pytest.raises(ExtractionError, match="column day .*outside years 1..9999"):
        plan.conform(minus, written)
    edges = pa.RecordBatch.from_arrays(
        [
            pa.array([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999)]),
            pa.array([dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
        ],
        schema=schema,
    )
    assert plan.conform(edges, written).num_rows == 2
    nulls = pa.RecordBatch.from_arrays(
        [pa.nulls(2, schema[0].type), pa.nulls(2, pa.date32())], schema=schema
    )
    assert plan.conform(nulls, written).num_rows == 2


# -- connections ---------------------------------------------------------------------------------
class FakeConnection:
    """A connection that remembers whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class PooledFake(PostgresAdbcDriver):
    """The real pool (`_connection`) over connections from a fake factory."""

    def __init__(self) -> None:
        super().__init__(JdbcSettings(type="postgresql"))
        self.opened: list[FakeConnection] = []

    def _open(self) -> FakeConnection:
        self.opened.append(FakeConnection())
        return self.opened[-1]


def test_a_failed_statement_drops_every_idle_connection():
    driver = PooledFake()
    with driver._connection() as first, driver._connection() as second:
        assert first is not second
    assert not any(c.closed for c in driver.opened)  # both kept for reuse
    with pytest.raises(RuntimeError), driver._connection():
        raise RuntimeError("server closed the connection unexpectedly")
    assert all(c.closed for c in driver.opened)
    with driver._connection() as fresh:
        assert fresh not in driver.opened[:2] and not fresh.closed


def test_an_unfinished_read_closes_only_its_own_connection():
    driver = PooledFake()
    with driver._connection(), driver._connection():
        pass
    with pytest.raises(GeneratorExit), driver._connection() as used:
        raise GeneratorExit
    assert used.closed and sum(c.closed for c in driver.opened) == 1


# -- JDBC urls -------------------------------------------------------------------------------------
def test_a_jdbc_url_keeps_sslmode_for_postgres_and_refuses_other_parameters():
    url = "jdbc:postgresql://h:5433/d?sslmode=verify-full"
    settings = JdbcSettings(type="postgresql", url=url, user="u")
    assert PostgresAdbcDriver(settings).uri() == "postgresql://u@h:5433/d?sslmode=verify-full"
    plain = JdbcSettings(type="postgresql", url="jdbc:postgresql://h/d", user="u")
    assert PostgresAdbcDriver(plain).uri() == "postgresql://u@h/d"
    for driver_class, url in [
        (PostgresAdbcDriver, "jdbc:postgresql://h/d?prepareThreshold=0&sslmode=require"),
        (MySqlConnectorXDriver, "jdbc:mariadb://h:3307/d?sslMode=verify-full"),
    ]:
        settings = JdbcSettings(type="x", url=url, user="u")
        with pytest.raises(InputError, match=r"\[url\].*use host, port and database|url"):
            driver_class(settings).uri()


def test_a_url_the_arrow_driver_cannot_take_is_bad_input_before_any_read():
    settings = JdbcSettings(type="mariadb", url="jdbc:mariadb://h/d?sslMode=trust", user="u")
    with pytest.raises(InputError, match="sslMode of url"):
        arrow_driver(dialect_for("mariadb"), settings)


# -- files -------------------------------------------------------------------------------------
def test_bytes_per_file_holds_for_wide_rows(tmp_path):
    # 300 rows of ~20 KB that do not compress: a 4,096-row first slice made one 6 MB file.
    wide = pa.table(
        {
            "id": pa.array(range(300), pa.int64()),
            "blob": [hashlib.shake_256(str(i).encode()).digest(20_000) for i in range(300)],
        }
    )
    driver = FakeDriver(lambda sql: wide)
    dataset = ArrowDataset(("S",), driver, TypePlan())
    out = tmp_path / "lake" / "wide.parquet"
    task = ExtractionTask(TableSpec("src", "wide"), Mode.FULL, str(out))
    limit = 1024 * 1024
    stats = ArrowDatasetWriter(LocalFileSystem(), bytes_per_file=limit).write(dataset, task)
    sizes = [f.stat().st_size for f in data_files(out)]
    assert stats.rows == 300 and len(sizes) >= 5, sizes
    assert all(size <= limit * 1.2 for size in sizes), sizes
    assert all(size >= limit * 0.8 for size in sizes[:-1]), sizes
