"""The Arrow engine without a database: type conversions, statements, probes, files, drivers.

The source is a fake ArrowDriver (our own class) that answers each statement with Arrow
batches shaped like the real driver's (ADBC's numeric as text with its typmod, ConnectorX's
unsigned integers, oracledb's decimals); everything else is the real code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot

from data_extractor.adapters.arrow.drivers import (
    ArrowDriver,
    MySqlConnectorXDriver,
    OracleThinDriver,
    PostgresAdbcDriver,
    arrow_driver,
    load_module,
)
from data_extractor.adapters.arrow.oracle import ArrowOracleDialect
from data_extractor.adapters.arrow.queries import ArrowQuery, kind_of
from data_extractor.adapters.arrow.reader import ArrowSourceReader, mysql_column_plan
from data_extractor.adapters.arrow.types import (
    TypePlan,
    parse_custom_schema,
    spark_schema_json,
)
from data_extractor.adapters.arrow.writer import ArrowDatasetWriter
from data_extractor.adapters.jdbc import dialect_for
from data_extractor.adapters.jdbc.dialect import SourceColumn
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.domain.errors import ExtractionError, InputError
from data_extractor.domain.model import ExtractionTask, Mode, SourceProbe, TableSpec
from tests.unit.sql_cases import COMMITTED, UPPER, task_for


def pg_numeric(name: str, typmod: int) -> pa.Field:
    """A numeric column as ADBC's PostgreSQL driver types it: opaque text with its typmod."""
    kind = pa.opaque(pa.string(), "numeric", "PostgreSQL")
    return pa.field(name, kind, metadata={"POSTGRESQL:typmod": str(typmod)})


def typmod(precision: int, scale: int) -> int:
    """PostgreSQL's typmod of numeric(precision, scale)."""
    return (precision << 16) + scale + 4


class FakeDriver(ArrowDriver):
    """Answers statements from a function; records what it was asked."""

    database_type = "fake"

    def __init__(self, answer: Callable[[str], pa.Table]) -> None:
        super().__init__(JdbcSettings(type="fake"))
        self.answer = answer
        self.asked: list[str] = []

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """The answer's batches (a table with no rows still gives its columns)."""
        self.asked.append(sql)
        table = self.answer(sql)
        yield from table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]


# -- types ----------------------------------------------------------------------------------
def test_postgres_numerics_take_their_declared_type_and_bare_ones_the_mapping():
    schema = pa.schema([pg_numeric("money", typmod(14, 2)), pg_numeric("bare", -1)])
    assert TypePlan().schema(schema).types == [pa.decimal128(14, 2), pa.decimal128(38, 18)]
    as_text = TypePlan(parse_custom_schema("`bare` STRING"))
    assert as_text.schema(schema).types == [pa.decimal128(14, 2), pa.string()]
    wide = pa.schema([pg_numeric("w", typmod(40, 2))])
    assert TypePlan().schema(wide).types == [pa.decimal128(38, 2)]  # Spark's bounded decimal


def test_a_value_that_would_be_rounded_fails_naming_the_column():
    schema = pa.schema([pg_numeric("bare", -1)])
    storage = pa.array(["1.1234567890123456789"], pa.string())
    batch = pa.RecordBatch.from_arrays(
        [pa.ExtensionArray.from_storage(schema.field("bare").type, storage)], schema=schema
    )
    plan = TypePlan()
    with pytest.raises(ExtractionError, match="column bare .*without changing a value"):
        plan.conform(batch, plan.schema(schema))
    exact = TypePlan(parse_custom_schema("`bare` STRING"))
    kept = exact.conform(batch, exact.schema(schema))
    assert kept.column(0).to_pylist() == ["1.1234567890123456789"]


def test_driver_types_become_the_types_spark_writes():
    uuid_type = pa.uuid()
    schema = pa.schema(
        [
            pa.field("u8", pa.uint8()),
            pa.field("u64", pa.uint64()),
            pa.field("blob", pa.large_binary()),
            pa.field("text", pa.large_string()),
            pa.field("at", pa.timestamp("us", "Europe/Paris")),
            pa.field("wall", pa.timestamp("us")),
            pa.field("ident", uuid_type),
            pa.field("doc", pa.json_(pa.string())),
        ]
    )
    written = TypePlan().schema(schema)
    assert written.types == [
        pa.int16(),
        pa.decimal128(20, 0),
        pa.binary(),
        pa.string(),
        pa.timestamp("us", "UTC"),
        pa.timestamp("us"),
        pa.string(),
        pa.string(),
    ]
    assert all(field.nullable for field in written)
    ident = pa.ExtensionArray.from_storage(
        uuid_type, pa.array([bytes(range(16)), None], pa.binary(16))
    )
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array([255, None], pa.uint8()),
            pa.array([2**64 - 1, 0], pa.uint64()),
            pa.array([b"", None], pa.large_binary()),
            pa.array(["Zoë", ""], pa.large_string()),
            pa.array([0, 1], pa.timestamp("us", "Europe/Paris")),
            pa.array([0, 1], pa.timestamp("us")),
            ident,
            pa.ExtensionArray.from_storage(pa.json_(pa.string()), pa.array(['{"a":1}', None])),
        ],
        schema=schema,
    )
    rows = TypePlan().conform(batch, written).to_pylist()
    assert rows[0]["u64"] == Decimal(2**64 - 1)
    assert rows[0]["ident"] == "00010203-0405-0607-0809-0a0b0c0d0e0f"
    assert rows[1]["ident"] is None and rows[0]["blob"] == b"" and rows[1]["text"] == ""
    assert rows[0]["at"] == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert rows[0]["doc"] == '{"a":1}'


def test_the_manifest_schema_reads_like_sparks():
    schema = pa.schema(
        [
            ("id", pa.int32()),
            ("d", pa.decimal128(14, 2)),
            ("at", pa.timestamp("us", "UTC")),
            ("wall", pa.timestamp("us")),
        ]
    )
    fields = json.loads(spark_schema_json(schema))["fields"]
    assert [f["type"] for f in fields] == ["integer", "decimal(14,2)", "timestamp", "timestamp_ntz"]


# -- probes through ArrowQuery ------------------------------------------------------------
def test_probe_values_come_back_as_driverquery_text_and_kinds():
    fields = [
        pa.field("hw", pa.timestamp("us", "UTC")),
        pg_numeric("lo", typmod(10, 0)),
        pa.field("hi", pa.int64()),
        pa.field("d", pa.date32()),
        pa.field("u", pa.uint64()),
    ]
    moment = dt.datetime(2024, 5, 2, 6, 0, 0, 1, tzinfo=dt.UTC)
    table = pa.table(
        [
            pa.array([moment], fields[0].type),
            pa.ExtensionArray.from_storage(fields[1].type, pa.array(["12"])),
            pa.array([99], pa.int64()),
            pa.array([dt.date(2024, 1, 2)]),
            pa.array([7], pa.uint64()),
        ],
        schema=pa.schema(fields),
    )
    row = ArrowQuery(FakeDriver(lambda sql: table)).first_row("SELECT ...", {})
    assert row == {
        "hw": ("2024-05-02 06:00:00.000001+00:00", "timestamp_tz"),
        "lo": ("12", "decimal"),
        "hi": ("99", "long"),
        "d": ("2024-01-02", "date"),
        "u": ("7", "decimal"),
    }
    assert kind_of(pa.field("x", pa.int16())) == "short"


def test_the_probe_closes_the_window_and_sizes_the_splits_from_one_query():
    table = pa.table(
        {
            "hw": pa.array([dt.datetime(2024, 5, 2, 6, 0, 0, 1)], pa.timestamp("us")),
            "lo": pa.array([1], pa.int32()),
            "hi": pa.array([1_000_000], pa.int32()),
        }
    )
    driver = FakeDriver(lambda sql: table)
    reader = ArrowSourceReader(JdbcSettings(type="postgresql"), dialect_for("postgresql"), driver)
    task = task_for({"table_name": "orders", "incremental_column": "ts", "primary_key": ["id"]})
    probe = reader.probe(task)
    assert probe.high_watermark == UPPER
    assert (probe.rows, probe.split_kind, probe.split_column) == (1_000_000, "range", "id")
    [sql] = driver.asked
    assert 'MAX("ts")' in sql and 'MIN("id")' in sql


# -- statements ------------------------------------------------------------------------------
CATALOG = pa.table(
    {
        "column_name": ["id", "ts", "ratio"],
        "data_type": ["integer", "timestamp without time zone", "numeric"],
        "numeric_precision": pa.array([32, None, None], pa.int32()),
        "numeric_scale": pa.array([0, None, None], pa.int32()),
    }
)


def test_a_split_read_is_one_statement_per_range_of_the_dialects_predicates():
    driver = FakeDriver(lambda sql: CATALOG)
    dialect = dialect_for("postgresql", number_mapping="string")
    reader = ArrowSourceReader(JdbcSettings(type="postgresql"), dialect, driver, 250_000, 2)
    task = task_for(
        {"table_name": "orders", "incremental_column": "ts", "primary_key": ["id"]},
        COMMITTED,
        UPPER,
    )
    probe = SourceProbe(UPPER, 1_000_000, "id", "range", "1", "1000000")
    dataset = reader.read(attrs.evolve(task, probe=probe))
    assert len(dataset.statements) == 4  # 1M rows / 250k, within 4 per core on 2 cores
    window = dialect.window_predicate(task.window)
    predicates = dialect.range_predicates("id", [250_000, 500_000, 750_000])
    for statement, predicate in zip(dataset.statements, predicates, strict=True):
        assert statement.endswith(f"WHERE {predicate}")
        assert window in statement
        sqlglot.parse_one(statement, read="postgres")
    assert dataset.types.overrides == {"ratio": pa.string()}
    assert reader.describe(task) == reader.select_sql(task)


def test_predicates_from_the_tables_file_are_the_splits():
    driver = FakeDriver(lambda sql: CATALOG)
    reader = ArrowSourceReader(JdbcSettings(type="postgresql"), dialect_for("postgresql"), driver)
    spec = TableSpec("src", "orders", predicates=("id < 10", "id >= 10"))
    dataset = reader.read(ExtractionTask(spec, Mode.FULL, "/lake/x"))
    assert [s.rsplit("WHERE ", 1)[1] for s in dataset.statements] == ["id < 10", "id >= 10"]


def test_mysql_decimals_are_read_as_text_and_cast_to_their_declared_type():
    dialect = dialect_for("mariadb")
    columns = [
        (SourceColumn("id", "int", 10, 0), "int(11)"),
        (SourceColumn("rank", "decimal", 30, 12), "decimal(30,12)"),
        (SourceColumn("flag", "tinyint", 3, 0), "tinyint(1)"),
    ]
    plan = mysql_column_plan(dialect, columns)
    assert plan.select_list == "`id`, CAST(`rank` AS CHAR) AS `rank`, `flag`"
    assert parse_custom_schema(plan.custom_schema) == {
        "rank": pa.decimal128(30, 12),
        "flag": pa.bool_(),
    }


# -- Oracle (no Oracle here: its SQL and type handling) --------------------------------------
ORACLE_CATALOG = pa.table(
    {
        "COLUMN_NAME": ["ID", "AMOUNT", "BARE", "STARTS", "RATE"],
        "DATA_TYPE": ["NUMBER", "NUMBER", "NUMBER", "TIMESTAMP(6) WITH TIME ZONE", "FLOAT"],
        "DATA_PRECISION": pa.array([10, 12, None, None, 126], pa.decimal128(38, 0)),
        "DATA_SCALE": pa.array([0, 2, None, None, None], pa.decimal128(38, 0)),
    }
)


def test_oracle_reads_numbers_of_unknown_scale_as_exact_text():
    driver = FakeDriver(lambda sql: ORACLE_CATALOG)
    oracle = JdbcSettings(type="oracle", host="db", service="ORCLPDB1")
    reader = ArrowSourceReader(oracle, dialect_for("oracle"), driver)
    assert isinstance(reader._dialect, ArrowOracleDialect)
    task = task_for({"table_name": "orders", "schema_name": "sales", "is_full_extract": True})
    dataset = reader.read(task)
    [statement] = dataset.statements
    sqlglot.parse_one(statement, read="oracle")
    assert "TO_CHAR(\"BARE\", 'TM9', 'NLS_NUMERIC_CHARACTERS=''.,''') AS \"BARE\"" in statement
    assert 'SYS_EXTRACT_UTC("STARTS") AS "STARTS"' in statement
    assert '"AMOUNT"' in statement and 'TO_CHAR("AMOUNT"' not in statement
    assert dataset.types.overrides == {"BARE": pa.decimal128(38, 18), "RATE": pa.float64()}
    # What oracledb gives for those columns, written as the Spark engine writes them.
    batch = pa.RecordBatch.from_pydict(
        {
            "ID": pa.array([Decimal(7)], pa.decimal128(10, 0)),
            "AMOUNT": pa.array([Decimal("12.34")], pa.decimal128(12, 2)),
            "BARE": pa.array([".000000000000000001"]),
            "STARTS": pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("us")),
            "RATE": pa.array([0.5]),
        }
    )
    schema = dataset.types.schema(batch.schema)
    row = dataset.types.conform(batch, schema).to_pylist()[0]
    assert row["BARE"] == Decimal("1E-18") and row["AMOUNT"] == Decimal("12.34")


def test_oracle_connects_to_the_service_sid_or_tns_alias():
    settings = JdbcSettings(type="oracle", host="db", port=1522, service="ORCLPDB1")
    assert OracleThinDriver(settings).dsn() == "db:1522/ORCLPDB1"
    assert OracleThinDriver(JdbcSettings(type="oracle", tns="PROD")).dsn() == "PROD"


# -- drivers ------------------------------------------------------------------------------------
def test_driver_uris_quote_credentials():
    settings = JdbcSettings(
        type="postgresql", host="h", port=5433, database="d", user="u@x", password="p:/?"
    )
    assert PostgresAdbcDriver(settings).uri() == "postgresql://u%40x:p%3A%2F%3F@h:5433/d"
    url = JdbcSettings(type="mariadb", url="jdbc:mariadb://h:3307/d", user="root")
    assert MySqlConnectorXDriver(url).uri() == "mysql://root@h:3307/d"


def test_a_missing_driver_names_the_extra():
    with pytest.raises(InputError, match=r"data-extractor\[arrow\]"):
        load_module("data_extractor_no_such_driver", "postgresql")
    with pytest.raises(InputError, match="needs engine = spark"):
        arrow_driver(dialect_for("sqlserver"), JdbcSettings(type="sqlserver"))


# -- files ---------------------------------------------------------------------------------------
def numbers(rows: int) -> pa.Table:
    """`rows` rows of an id and a text that compresses poorly."""
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "v": [f"{i * 7919 % 100003:x}-{i}" for i in range(rows)],
        }
    )


def write(tmp_path: Path, dataset_rows: list[int], **limits) -> tuple[Path, object]:
    """Write splits of these sizes into a run directory; (directory, stats)."""
    tables = {f"S{i}": numbers(n) for i, n in enumerate(dataset_rows)}
    driver = FakeDriver(lambda sql: tables[sql])
    from data_extractor.adapters.arrow.reader import ArrowDataset

    dataset = ArrowDataset(tuple(tables), driver, TypePlan())
    out = tmp_path / "lake" / "r.parquet"
    task = ExtractionTask(TableSpec("src", "t"), Mode.FULL, str(out))
    writer = ArrowDatasetWriter(LocalFileSystem(), "parquet", **limits)
    return out, writer.write(dataset, task), writer


def data_files(out: Path) -> list[Path]:
    """The run directory's data files (what readers of the folder take)."""
    return sorted(p for p in out.iterdir() if not p.name.startswith(("_", ".")))


def test_files_are_cut_at_rows_per_file_and_counted(tmp_path):
    out, stats, writer = write(tmp_path, [2500, 1000], rows_per_file=1000)
    files = data_files(out)
    assert [pq.ParquetFile(f).metadata.num_rows for f in files] == [1000, 1000, 500, 1000]
    assert (stats.rows, stats.files) == (3500, 4)
    assert stats.bytes == sum(f.stat().st_size for f in files)
    assert (out / "_SUCCESS").exists() and writer.rows_written("src/t") == 3500
    assert sorted(pq.read_table(out).column("id").to_pylist()) == sorted(
        list(range(2500)) + list(range(1000))
    )


def test_files_are_cut_once_bytes_per_file_are_written(tmp_path):
    limit = 64 * 1024
    out, stats, _ = write(tmp_path, [60_000], bytes_per_file=limit)
    sizes = [f.stat().st_size for f in data_files(out)]
    assert stats.files == len(sizes) > 3
    assert all(size <= limit * 1.2 for size in sizes), sizes  # within a small row group
    assert all(size >= limit for size in sizes[:-1]), sizes


def test_an_empty_read_writes_one_file_with_the_columns(tmp_path):
    out, stats, _ = write(tmp_path, [0, 0])
    [only] = data_files(out)
    assert pq.read_schema(only).names == ["id", "v"]
    assert (stats.rows, stats.files) == (0, 1)


def test_delta_output_needs_the_spark_engine():
    with pytest.raises(InputError, match="output_format = delta needs engine = spark"):
        ArrowDatasetWriter(LocalFileSystem(), "delta")


def test_the_arrow_engine_writes_local_folders_only(tmp_path):
    driver = FakeDriver(lambda sql: numbers(1))
    from data_extractor.adapters.arrow.reader import ArrowDataset

    dataset = ArrowDataset(("S",), driver, TypePlan())
    task = ExtractionTask(TableSpec("src", "t"), Mode.FULL, "s3a://bucket/lake/r.parquet")
    with pytest.raises(ExtractionError, match="needs engine = spark"):
        ArrowDatasetWriter(LocalFileSystem()).write(dataset, task)


def test_mysql_bits_are_booleans_and_custom_query_decimals_are_refused():
    columns = [(SourceColumn("on", "bit", 1, None), "bit(1)")]
    plan = mysql_column_plan(dialect_for("mysql"), columns)
    assert plan.select_list == "CAST(`on` AS UNSIGNED) AS `on`"
    assert parse_custom_schema(plan.custom_schema) == {"on": pa.bool_()}
    driver = FakeDriver(lambda sql: CATALOG)
    reader = ArrowSourceReader(JdbcSettings(type="mysql"), dialect_for("mysql"), driver)
    spec = TableSpec("src", "q", custom_query="SELECT price FROM items")
    dataset = reader.read(ExtractionTask(spec, Mode.FULL, "/lake/q"))
    cut = pa.schema([("price", pa.decimal128(38, 10))])
    with pytest.raises(ExtractionError, match="price are DECIMAL.*CAST them AS CHAR"):
        dataset.types.schema(cut)


# -- wiring ------------------------------------------------------------------------------------
def test_the_container_wires_the_arrow_engine_without_spark(tmp_path):
    from data_extractor.adapters.secrets import Redactor
    from data_extractor.entrypoints.config import load_config
    from data_extractor.entrypoints.container import build_container

    config = tmp_path / "config.ini"
    config.write_text(
        f"[database]\ntype = postgresql\nhost = db\n\n[extraction]\noutput_base_path = {tmp_path}\n"
    )
    merged = load_config(config, {"runtime": {"engine": "arrow"}}, {})
    container = build_container(merged, Redactor(), progress="live")
    service = container.service()
    assert isinstance(service.reader, ArrowSourceReader)
    assert isinstance(service.writer, ArrowDatasetWriter)
    assert service.writer.rows_written("src/t") is None  # the live display's meter
    assert container.session_provider()._session is None  # no Spark started
    spark = build_container(load_config(config, {}, {}), Redactor())
    assert type(spark.reader()).__name__ == "JdbcSourceReader"  # spark stays the default


def test_driver_errors_never_show_the_password():
    settings = JdbcSettings(type="postgresql", host="h", user="u", password="s3cret/+")
    driver = PostgresAdbcDriver(settings)
    leaked = RuntimeError(f"cannot connect to {driver.uri()} (password s3cret/+)")
    message = str(driver.scrubbed(leaked))
    assert "s3cret" not in message and "***" in message and "cannot connect" in message
