"""`[database] type = catalog`: tables the session's catalog names, through the CLI.

Two real catalog tables in the test session: a PostgreSQL table registered with
`CREATE TABLE ... USING jdbc` (as a Lakehouse Federation table stands for a database), and
a Parquet table. Full and incremental runs commit exactly the source's rows; the window is
a filter Spark pushes down; no JDBC URL or credentials of ours are involved.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import PG_JAR, write_config
from tests.helpers import committed_outputs, manifest, read_rows, run_cli, write_tables

pytestmark = pytest.mark.integration


@pytest.fixture
def catalog_tables(spark, pg_admin, pg_schema, tmp_path):
    """`cat_<schema>.orders` over PostgreSQL and `cat_<schema>.events` over Parquet files."""
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".orders (id int PRIMARY KEY, amount numeric(10, 2), '
        "updated_at timestamp NOT NULL)"
    )
    pg_admin.execute(
        f'INSERT INTO "{pg_schema}".orders SELECT i, i * 1.5, '
        "TIMESTAMP '2024-05-01' + i * INTERVAL '1 minute' FROM generate_series(1, 50) i"
    )
    database = f"cat_{pg_schema}"
    spark.sql(f"CREATE DATABASE {database}")
    spark.sql(
        f"CREATE TABLE {database}.orders USING jdbc OPTIONS (url "
        "'jdbc:postgresql://127.0.0.1:5432/postgres', user 'postgres', "
        f"dbtable '\"{pg_schema}\".orders', preferTimestampNTZ 'true')"
    )
    events = tmp_path / "events-parquet"
    spark.range(1, 41).selectExpr(
        "id", "id * 10 AS seq", "CAST(id AS string) AS label"
    ).write.parquet(str(events))
    spark.sql(f"CREATE TABLE {database}.events USING parquet LOCATION '{events}'")
    yield database
    spark.sql(f"DROP DATABASE {database} CASCADE")


def _config(tmp_path):
    return write_config(
        tmp_path / "config.ini",
        {
            "database": {"type": "catalog", "catalog": "spark_catalog"},
            "extraction": {
                "output_base_path": tmp_path / "lake",
                "default_source": "uc",
                "max_workers": 2,
                "retry_backoff_seconds": 0,
            },
        },
    )


def test_full_and_incremental_runs_of_catalog_tables(catalog_tables, pg_admin, pg_schema, tmp_path):
    lake = tmp_path / "lake"
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {
                "table_name": "orders",
                "schema_name": catalog_tables,
                "incremental_column": "updated_at",
            },
            {"table_name": "events", "schema_name": catalog_tables, "incremental_column": "seq"},
        ],
    )
    config = _config(tmp_path)
    first = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "c1")
    assert first.exit_code == 0, first.output
    (orders,) = committed_outputs(lake, "uc", "orders")
    assert manifest(orders)["rows"] == 50
    assert sorted(r["id"] for r in read_rows([orders])) == list(range(1, 51))
    (events,) = committed_outputs(lake, "uc", "events")
    assert manifest(events)["rows"] == 40

    # new rows: the next run reads exactly them, the window pushed down as a filter
    pg_admin.execute(
        f'INSERT INTO "{pg_schema}".orders SELECT i, i * 1.5, '
        "TIMESTAMP '2024-05-01' + i * INTERVAL '1 minute' FROM generate_series(51, 60) i"
    )
    second = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "c2")
    assert second.exit_code == 0, second.output
    outputs = committed_outputs(lake, "uc", "orders")
    assert len(outputs) == 2
    assert sorted(r["id"] for r in read_rows(outputs[1:])) == list(range(51, 61))
    assert sorted(r["id"] for r in read_rows(outputs)) == list(range(1, 61))  # exactly once
    described = manifest(outputs[1])
    text = json.dumps(described)
    assert "TIMESTAMP_NTZ '2024-05-01 00:50:00.000000'" in text, text
    assert "`updated_at`" in text
    state_text = "\n".join(p.read_text() for p in (lake / "_state").rglob("*.json"))
    assert "2024-05-01" in state_text
    # the Parquet table had nothing new: an empty window is committed, nothing read twice
    assert sum(manifest(o)["rows"] for o in committed_outputs(lake, "uc", "events")) == 40
    # verify --source counts each committed window again through the catalog: no drift
    checked = run_cli("verify", "--config", str(config), "--tables", str(tables), "--source")
    assert checked.exit_code == 0, checked.output
    pg_admin.execute(f'DELETE FROM "{pg_schema}".orders WHERE id <= 5')
    drifted = run_cli("verify", "--config", str(config), "--tables", str(tables), "--source")
    assert drifted.exit_code != 0 and "drift" in drifted.output, drifted.output


def test_validate_connect_finds_missing_catalog_tables_and_columns(catalog_tables, tmp_path):
    good = {"table_name": "events", "schema_name": catalog_tables, "incremental_column": "seq"}
    tables = write_tables(
        tmp_path / "tables.json",
        [
            good,
            {**good, "source_name": "other", "incremental_column": "changed_at"},
            {"table_name": "missing", "schema_name": catalog_tables, "is_full_extract": True},
        ],
    )
    config = _config(tmp_path)
    result = run_cli("validate", "--config", str(config), "--tables", str(tables), "--connect")
    assert result.exit_code == 2, result.output
    assert "table 'other/events': column changed_at not found" in result.stderr
    assert "table 'uc/missing': cannot find it:" in result.stderr
    assert "uc/events" not in result.stderr and "Traceback" not in result.output
    write_tables(tmp_path / "tables.json", [good])
    result = run_cli("validate", "--config", str(config), "--tables", str(tables), "--connect")
    assert result.exit_code == 0, result.output


def test_plan_shows_the_spark_sql_the_read_will_filter_by(catalog_tables, tmp_path):
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "events", "schema_name": catalog_tables, "incremental_column": "seq"}],
    )
    result = run_cli("plan", "--config", str(_config(tmp_path)), "--tables", str(tables), "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    (task,) = body["tasks"]
    assert f"FROM `spark_catalog`.`{catalog_tables}`.`events`" in task["sql"]


def test_a_missing_catalog_table_fails_that_table_with_one_line(catalog_tables, tmp_path):
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "nope", "schema_name": catalog_tables, "is_full_extract": True}],
    )
    result = run_cli("run", "--config", str(_config(tmp_path)), "--tables", str(tables))
    assert result.exit_code == 1, result.output
    assert "nope" in result.output and "Traceback" not in result.output


def test_catalog_with_connection_keys_is_bad_input_naming_each(tmp_path):
    config = write_config(
        tmp_path / "config.ini",
        {
            "database": {"type": "catalog", "host": "db", "password": "x", "driver_jars": PG_JAR},
            "extraction": {"output_base_path": tmp_path / "lake"},
        },
    )
    tables = write_tables(tmp_path / "tables.json", [{"table_name": "t", "is_full_extract": True}])
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 2, result.output
    for key in ("[host]", "[password]", "[driver_jars]"):
        assert key in result.output
    assert "type = catalog reads tables the session's catalog names" in result.output
    assert not (tmp_path / "lake").exists()
