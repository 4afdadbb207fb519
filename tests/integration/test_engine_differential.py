"""Both engines on the same tables: the Parquet files must agree type by type and value by value.

The Spark engine is the reference (its fidelity has its own tests); the Arrow engine must
write the same Parquet column types (physical and logical) and the same values, NULLs,
NaNs, infinities, empty strings, bytes, instants and decimals included; PostgreSQL inet,
cidr and money as the text Spark writes for them.
"""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, run_cli, write_tables
from tests.integration import test_mariadb as maria

pytestmark = pytest.mark.integration

PG_CREATE = """
CREATE TABLE "{schema}".kinds (
    id integer PRIMARY KEY,
    small smallint,
    big bigint,
    real4 real,
    float8 double precision,
    money numeric(14, 2),
    wide numeric(38, 10),
    bare numeric,
    txt text,
    short varchar(20),
    fixed char(3),
    raw bytea,
    flag boolean,
    day date,
    stamp timestamp(6),
    instant timestamptz,
    doc json,
    docb jsonb,
    ident uuid,
    addr inet,
    net cidr,
    cash money
)"""
PG_FILL = """
INSERT INTO "{schema}".kinds
SELECT i,
       CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 30000)::smallint END,
       9007199254740993 + i,
       CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN 'Infinity' ELSE i / 7.0 END,
       CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN '-Infinity' WHEN 2 THEN 'NaN' ELSE i / 3.0 END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE round((i * 13.37)::numeric, 2) END,
       CASE WHEN i % 9 = 0 THEN NULL ELSE round(i / 7.0, 10) * 1000000000000 END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE round(i / 3.0, 12) END,
       CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'Zoë Ñúñez – 東京 🚀 #' || i END,
       'v' || i,
       CASE WHEN i % 3 = 0 THEN 'ab' ELSE 'xyz' END,
       CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN ''::bytea ELSE decode(md5(i::text), 'hex') END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END,
       DATE '2020-01-01' + i,
       TIMESTAMP '2024-01-01 00:00:00.123456' + i * INTERVAL '1 second 7 microseconds',
       TIMESTAMPTZ '2024-03-31 00:30:00.654321+02' + i * INTERVAL '17 minutes',
       CASE WHEN i % 8 = 0 THEN NULL ELSE json_build_object('i', i, 'name', 'Zoë') END,
       jsonb_build_object('k', i, 'list', jsonb_build_array(1, 2)),
       md5(i::text)::uuid,
       CASE WHEN i % 10 = 0 THEN NULL ELSE ('10.' || i % 256 || '.0.' || i % 200)::inet END,
       ('10.' || i % 256 || '.0.0/16')::cidr,
       CASE WHEN i % 12 = 0 THEN NULL ELSE (i * 1.37)::numeric(12, 2)::money END
FROM generate_series(1, {rows}) AS i"""

MARIADB_CREATE = """
CREATE TABLE `{db}`.kinds (
    id INT PRIMARY KEY,
    tiny TINYINT,
    small SMALLINT,
    big BIGINT,
    r4 FLOAT,
    f8 DOUBLE,
    money DECIMAL(18, 4),
    wide DECIMAL(30, 12),
    txt TEXT CHARACTER SET utf8mb4,
    short VARCHAR(40) CHARACTER SET utf8mb4,
    raw BLOB,
    flag BOOLEAN,
    day DATE,
    stamp DATETIME(6),
    instant TIMESTAMP(6) NULL
) CHARACTER SET utf8mb4"""
MARIADB_FILL = """
INSERT INTO `{db}`.kinds
SELECT seq,
       IF(seq % 11 = 0, NULL, CAST(seq % 100 AS SIGNED) - 50),
       seq % 30000,
       9007199254740993 + seq,
       IF(seq % 5 = 0, NULL, seq / 7),
       IF(seq % 6 = 0, NULL, seq / 3),
       IF(seq % 7 = 0, NULL, seq * 13.3737),
       IF(seq % 9 = 0, NULL, seq / 7 * 1000000000 + 0.123456789012),
       CASE seq % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE CONCAT('Zoë Ñúñez – 東京 🚀 #', seq) END,
       CONCAT('v', seq),
       CASE seq % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE UNHEX(MD5(seq)) END,
       IF(seq % 3 = 0, NULL, seq % 2 = 0),
       DATE '2020-01-01' + INTERVAL seq DAY,
       TIMESTAMP '2024-01-01 00:00:00.123456' + INTERVAL seq SECOND + INTERVAL seq MICROSECOND,
       IF(seq % 8 = 0, NULL, TIMESTAMP '2024-03-31 00:30:00.654321' + INTERVAL seq * 17 MINUTE)
FROM `{db}`.seq_1_to_{rows}"""
ROWS = 2500


def parquet_columns(output: Path) -> list[tuple[str, str, str]]:
    """(name, physical type, logical type) of each column, as the files' footers say."""
    files = sorted(p for p in output.glob("*.parquet") if not p.name.startswith(("_", ".")))
    schemas = {
        tuple((c.name, c.physical_type, str(c.logical_type)) for c in pq.ParquetFile(f).schema)
        for f in files
    }
    assert len(schemas) == 1, f"files of {output} disagree on their columns: {schemas}"
    return list(schemas.pop())


def comparable(value: object) -> object:
    """NaN equal to NaN, so rows compare as values."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def rows_by_id(output: Path) -> list[dict]:
    """The output's rows sorted by id, NaNs made comparable."""
    rows = pq.read_table(output).to_pylist()
    return sorted(
        ({k: comparable(v) for k, v in row.items()} for row in rows), key=lambda r: r["id"]
    )


def run_both(config: Path, tables: Path, source: str = "src") -> dict[str, Path]:
    """Run the same tables with each engine into its own lake; the committed outputs."""
    outputs = {}
    for engine in ("spark", "arrow"):
        lake = config.parent / f"lake-{engine}"
        args = ["run", "--config", str(config), "--tables", str(tables)]
        args += ["--run-id", f"diff-{engine}", "--engine", engine, "--output", str(lake)]
        result = run_cli(*args)
        assert result.exit_code == 0, f"{engine}: {result.output}"
        [outputs[engine]] = committed_outputs(lake, source, "kinds")
    return outputs


def same_float32(spark: object, arrow: object) -> bool:
    """One stored FLOAT: Spark's value is MariaDB's 6-digit text of it, the Arrow engine's the
    stored binary32 widened exactly (a difference the README lists)."""
    if spark is None or arrow is None or "NaN" in (spark, arrow):
        return spark == arrow
    return float(f"{arrow:.6g}") == spark


def assert_same(outputs: dict[str, Path], float_columns: tuple[str, ...] = ()) -> None:
    """Same Parquet column types and the same rows in both engines' outputs."""
    spark, arrow = outputs["spark"], outputs["arrow"]
    assert parquet_columns(arrow) == parquet_columns(spark)
    expected, written = rows_by_id(spark), rows_by_id(arrow)
    assert len(written) == len(expected) == ROWS
    for want, got in zip(expected, written, strict=True):
        for column in float_columns:
            assert same_float32(want.pop(column), got.pop(column)), (column, want["id"])
        assert got == want


@pytest.mark.parametrize("number_mapping", ["", "string", "double", "decimal(30,12)"])
def test_postgres_engines_write_the_same_parquet(pg_admin, spark, tmp_path, number_mapping):
    schema = f"arrowfix_{uuid.uuid4().hex[:8]}"
    pg_admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        pg_admin.execute(PG_CREATE.format(schema=schema))
        pg_admin.execute(PG_FILL.format(schema=schema, rows=ROWS))
        extraction = {"default_source": "src", "rows_per_partition": 1000, "rows_per_file": 700}
        config = pg_config(tmp_path, **extraction)
        if number_mapping:
            config.write_text(
                config.read_text().replace(
                    "[database]\n", f"[database]\nnumber_mapping = {number_mapping}\n"
                )
            )
        spec = {"table_name": "kinds", "schema_name": schema, "is_full_extract": True}
        outputs = run_both(config, write_tables(tmp_path / "tables.json", [spec]))
        assert_same(outputs)
    finally:
        pg_admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_mariadb_engines_write_the_same_parquet(mariadb_admin, spark, tmp_path):
    db = f"arrowfix_{uuid.uuid4().hex[:8]}"
    with mariadb_admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4")
    try:
        with mariadb_admin.cursor() as cur:
            cur.execute("SET SESSION time_zone = '+00:00'")
            cur.execute(MARIADB_CREATE.format(db=db))
            cur.execute(MARIADB_FILL.format(db=db, rows=ROWS))
        config = maria.mariadb_config(tmp_path, db)
        spec = {"table_name": "kinds", "is_full_extract": True, "split_column": "id"}
        spec |= {"num_partitions": 3}
        outputs = run_both(config, write_tables(tmp_path / "tables.json", [spec]), "maria")
        assert_same(outputs, float_columns=("r4",))
    finally:
        with mariadb_admin.cursor() as cur:
            cur.execute(f"DROP DATABASE `{db}`")
