"""`data-extractor run` against the real local PostgreSQL: the Parquet equals the source."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, manifest, read_rows, run_cli, write_tables

pytestmark = pytest.mark.integration

CREATE = """
CREATE TABLE "{schema}".accounts (
    id integer PRIMARY KEY,
    owner text,
    balance numeric(14, 2),
    ratio numeric,
    opened_on date,
    updated_at timestamp(6) NOT NULL,
    active boolean
)"""
FILL = """
INSERT INTO "{schema}".accounts
SELECT i,
       CASE WHEN i % 10 = 0 THEN NULL ELSE 'Zoë Ñúñez – 東京 #' || i END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE round((i * 13.37)::numeric, 2) END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE round(i / 3.0, 12) END,
       DATE '2020-01-01' + i,
       TIMESTAMP '2024-01-01 00:00:00.123456' + i * INTERVAL '1 second',
       i % 2 = 0
FROM generate_series({start}, {stop}) AS i"""


def source_rows(pg_admin, schema: str) -> list[dict]:
    """The source table as dicts, ordered by id."""
    cur = pg_admin.execute(f'SELECT * FROM "{schema}".accounts ORDER BY id')
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_full_extract_writes_exactly_the_source_rows(pg_admin, pg_schema, spark, tmp_path):
    pg_admin.execute(CREATE.format(schema=pg_schema))
    pg_admin.execute(FILL.format(schema=pg_schema, start=1, stop=2500))
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": "accounts", "schema_name": pg_schema, "is_full_extract": True},
        ],
    )
    result = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "r1")
    assert result.exit_code == 0, result.output
    outputs = committed_outputs(tmp_path / "lake", "pg", "accounts")
    assert len(outputs) == 1
    written = sorted(read_rows(outputs), key=lambda r: r["id"])
    assert written == source_rows(pg_admin, pg_schema)
    assert manifest(outputs[0])["rows"] == 2500
    assert isinstance(written[1]["balance"], Decimal)
    assert written[0]["updated_at"] == dt.datetime(2024, 1, 1, 0, 0, 1, 123456)


def test_output_layout_manifest_and_report(pg_admin, pg_schema, spark, tmp_path):
    pg_admin.execute(CREATE.format(schema=pg_schema))
    pg_admin.execute(FILL.format(schema=pg_schema, start=1, stop=10))
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {
                "table_name": "accounts",
                "schema_name": pg_schema,
                "incremental_column": "updated_at",
            },
        ],
    )
    result = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "nightly")
    assert result.exit_code == 0, result.output
    [out] = committed_outputs(tmp_path / "lake", "pg", "accounts")
    today = dt.datetime.now(dt.UTC).date()
    assert (
        out
        == tmp_path
        / "lake"
        / "pg"
        / "accounts"
        / f"{today:%Y%m}"
        / f"{today:%d}"
        / "nightly.parquet"
    )
    body = manifest(out)
    assert body["rows"] == 10 and body["files"] >= 1 and body["bytes"] > 0
    assert body["mode"] == "full"
    assert body["window"]["upper"] == {"type": "timestamp", "value": "2024-01-01T00:00:10.123456"}
    assert "password" not in body["source_query"].lower()
    assert [f["name"] for f in body["schema"]["fields"]][:3] == ["id", "owner", "balance"]
    report = json.loads((tmp_path / "lake" / "_runs" / "nightly" / "run_report.json").read_text())
    assert report["format_version"] == 1 and report["exit_code"] == 0
    assert report["tables"][0]["rows"] == 10


def test_number_mapping_string_keeps_every_digit_of_a_bare_numeric(
    pg_admin, pg_schema, spark, tmp_path
):
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".measures '
        '(id integer PRIMARY KEY, exact numeric, fixed numeric(10, 2), "Odd `Name" numeric)'
    )
    values = [
        "0.1234567890123456789012345",  # past Spark's DECIMAL(38,18)
        "123456789012345678901234567890123456789012.5",  # past 38 digits
        "-7",
    ]
    for i, value in enumerate(values):
        pg_admin.execute(
            f'INSERT INTO "{pg_schema}".measures VALUES (%s, %s::numeric, 1.5, %s::numeric)',
            (i, value, value),
        )
    config = pg_config(tmp_path)
    text = config.read_text().replace("[database]\n", "[database]\nnumber_mapping = string\n")
    config.write_text(text)
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "measures", "schema_name": pg_schema, "is_full_extract": True}],
    )
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 0, result.output
    written = sorted(
        read_rows(committed_outputs(tmp_path / "lake", "pg", "measures")), key=lambda r: r["id"]
    )
    assert [r["exact"] for r in written] == values
    assert [r["Odd `Name"] for r in written] == values
    assert {r["fixed"] for r in written} == {Decimal("1.50")}  # declared precision: untouched


def test_a_failing_table_is_one_line_not_a_java_stack_trace(pg_admin, pg_schema, tmp_path):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".huge (id integer PRIMARY KEY, n numeric)')
    pg_admin.execute(f'INSERT INTO "{pg_schema}".huge VALUES (1, 1e45)')  # past DECIMAL(38,18)
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "huge", "schema_name": pg_schema, "is_full_extract": True}],
    )
    config = pg_config(tmp_path, retry_attempts=1)
    # Its own process: the JVM's stderr is the CLI's, as a user sees it.
    cli = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]
    done = subprocess.run(
        [*cli, "run", "--config", str(config), "--tables", str(tables)],
        capture_output=True,
        text=True,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
        timeout=300,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "NUMERIC_VALUE_OUT_OF_RANGE" in done.stdout  # the reason, in the summary
    # Spark's executor, scheduler and writer each logged the task's failure with its stack.
    assert "\tat org.apache.spark" not in done.stderr, done.stderr[-2000:]
