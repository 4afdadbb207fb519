"""`data-extractor verify` after real runs against PostgreSQL: what it finds, and its exit codes."""

from __future__ import annotations

import json

import pytest

from data_extractor.adapters.lake import HadoopFooterReader, PyarrowFooterReader
from tests.conftest import pg_config, write_config
from tests.helpers import committed_outputs, run_cli, write_tables

pytestmark = pytest.mark.integration

CREATE = 'CREATE TABLE "{s}".events (id bigint PRIMARY KEY, updated_at timestamp NOT NULL)'
INSERT = """INSERT INTO "{s}".events
SELECT i, TIMESTAMP '2024-05-01 00:00:00' + i * INTERVAL '1 minute'
FROM generate_series({start}, {stop}) AS i"""


def two_runs(pg_admin, pg_schema, tmp_path, **extra):
    """Two committed runs of an events table: r1 full (1,000 rows), r2 incremental (50)."""
    pg_admin.execute(CREATE.format(s=pg_schema))
    pg_admin.execute(INSERT.format(s=pg_schema, start=1, stop=1000))
    config = pg_config(tmp_path)
    spec = {"table_name": "events", "schema_name": pg_schema, "incremental_column": "updated_at"}
    tables = write_tables(tmp_path / "tables.json", [{**spec, **extra}])
    run = ("run", "--config", str(config), "--tables", str(tables))
    assert run_cli(*run, "--run-id", "r1").exit_code == 0
    pg_admin.execute(INSERT.format(s=pg_schema, start=1001, stop=1050))
    assert run_cli(*run, "--run-id", "r2").exit_code == 0
    r1, r2 = committed_outputs(tmp_path / "lake", "pg", "events")
    return config, tables, r1, r2


@pytest.fixture
def lake(pg_admin, pg_schema, spark, tmp_path):
    """Two committed runs of an events table, no lookback."""
    return two_runs(pg_admin, pg_schema, tmp_path)


def verify(config, *extra: str):
    """One `verify` through the CLI."""
    return run_cli("verify", "--config", str(config), *extra)


def test_a_clean_lake_verifies_with_exit_0(lake, tmp_path):
    config, tables, _, _ = lake
    result = verify(config)
    assert result.exit_code == 0, result.output
    assert "1 table, 2 committed outputs: no problems" in result.output
    as_json = json.loads(verify(config, "--tables", str(tables), "--json").output)
    assert as_json == {
        "format_version": 1,
        "tables": ["pg/events"],
        "committed_outputs": 2,
        "problems": [],
        "exit_code": 0,
    }


def test_output_overrides_where_the_lake_and_its_state_are(lake, tmp_path):
    _, _, _, _ = lake
    elsewhere = write_config(
        tmp_path / "elsewhere.ini",
        {"database": {"type": "postgresql"}, "extraction": {"output_base_path": tmp_path / "x"}},
    )
    assert "0 tables" in verify(elsewhere).output
    result = verify(elsewhere, "--output", str(tmp_path / "lake"))
    assert result.exit_code == 0 and "1 table, 2 committed outputs" in result.output


def test_a_deleted_manifest_is_named_with_exit_1(lake):
    config, _, r1, _ = lake
    (r1 / "_manifest.json").unlink()
    result = verify(config)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        f"problem: pg/events: {r1}: _manifest.json is missing: the state records run r1 as "
        "committed, and readers now ignore its 1 data files" in lines
    )
    assert any(line.startswith("problem: pg/events: ") and "first committed window" in line
               for line in lines)  # fmt: skip
    assert "1 table, 1 committed outputs: 2 problems" in lines[-1]


def test_a_truncated_parquet_file_is_named_with_exit_1(lake):
    config, _, _, r2 = lake
    [data] = [f for f in r2.iterdir() if f.name.endswith(".parquet")]
    data.write_bytes(data.read_bytes()[:100])
    result = verify(config, "--json")
    assert result.exit_code == 1
    [problem] = json.loads(result.output)["problems"]
    assert problem["table"] == "pg/events" and problem["output_path"] == str(r2)
    assert problem["problem"].startswith(f"data file {data} is not readable Parquet: ")


def test_source_drift_after_deleting_source_rows(lake, pg_admin, pg_schema):
    config, tables, r1, _ = lake
    pg_admin.execute(f'DELETE FROM "{pg_schema}".events WHERE id <= 10')
    assert verify(config, "--tables", str(tables)).exit_code == 0  # the lake itself is whole
    result = verify(config, "--tables", str(tables), "--source")
    assert result.exit_code == 1, result.output
    assert (
        f"problem: pg/events: {r1}: drift: the source now holds 990 rows in its window; "
        "the output holds 1,000" in result.output.splitlines()
    )


def test_a_lookback_overlap_is_allowed_when_the_tables_file_gives_it(
    pg_admin, pg_schema, spark, tmp_path
):
    config, tables, _, r2 = two_runs(pg_admin, pg_schema, tmp_path, lookback="5m")
    known = verify(config, "--tables", str(tables), "--source")
    assert known.exit_code == 0, known.output
    unknown = verify(config)
    assert unknown.exit_code == 1
    assert (
        f"problem: pg/events: {r2}: its window updated_at from 2024-05-01 16:35:00 overlaps "
        "committed rows up to 2024-05-01 16:40:00: those rows are in two outputs (if the table "
        "has a lookback, give verify the tables file)" in unknown.output.splitlines()
    )


def test_source_needs_the_tables_file(lake):
    config, _, _, _ = lake
    result = verify(config, "--source")
    assert result.exit_code == 2
    assert "--source: needs --tables" in result.output


def test_footer_readers_agree_and_refuse_a_truncated_file(spark, tmp_path):
    class Sessions:
        def get(self):
            return spark

    spark.range(1234).coalesce(1).write.parquet(str(tmp_path / "out"))
    [data] = [str(f) for f in (tmp_path / "out").iterdir() if f.name.endswith(".parquet")]
    assert PyarrowFooterReader().rows(data) == 1234
    assert HadoopFooterReader(Sessions()).rows(f"file:{data}") == 1234
    with open(data, "r+b") as handle:
        handle.truncate(50)
    with pytest.raises(Exception, match="not a Parquet file|too small|Parquet magic"):
        PyarrowFooterReader().rows(data)
    with pytest.raises(Exception):  # noqa: B017 - py4j's error type is Spark's concern
        HadoopFooterReader(Sessions()).rows(f"file:{data}")
