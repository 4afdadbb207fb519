"""`plan --json`: what a run would do, per the contract, without reading data."""

from __future__ import annotations

import json

import pytest

from tests.conftest import pg_config
from tests.helpers import run_cli, write_tables

pytestmark = pytest.mark.integration


def test_plan_json_before_and_after_a_run(pg_admin, pg_schema, spark, tmp_path):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".orders (id int PRIMARY KEY, at timestamp)')
    pg_admin.execute(
        f"INSERT INTO \"{pg_schema}\".orders VALUES (1, TIMESTAMP '2024-01-01 10:00:00')"
    )
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": "orders", "schema_name": pg_schema, "incremental_column": "at"},
            {
                "table_name": "events",
                "schema_name": pg_schema,
                "incremental_column": "at",
                "extraction_date": "2024-01-01",
            },
        ],
    )
    args = ("--config", str(config), "--tables", str(tables), "--run-id", "r1")
    first = json.loads(run_cli("plan", "--json", *args).output)
    assert first["format_version"] == 1 and first["run_id"] == "r1"
    orders, events = first["tasks"]
    assert orders["table"] == "pg/orders" and orders["mode"] == "full"
    assert orders["window"]["lower"] is None and orders["window"]["include_nulls"] is True
    assert orders["upper_bound_from_source"] is True
    assert orders["output_path"].endswith(
        "/pg/orders/"
        + first["run_date"][:7].replace("-", "")
        + "/"
        + first["run_date"][8:]
        + "/r1.parquet"
    )
    assert orders["sql"] == (
        f'SELECT * FROM "{pg_schema}"."orders" WHERE ("at" <= :high_watermark OR "at" IS NULL)'
    )
    assert events["window"]["upper"] == {"type": "timestamp", "value": "2024-01-02T00:00:00"}
    assert events["output_path"].endswith("/pg/events/202401/01/r1.parquet")
    assert not (tmp_path / "lake" / "pg").exists(), "plan writes no data"

    only_orders = write_tables(
        tmp_path / "orders.json",
        [
            {"table_name": "orders", "schema_name": pg_schema, "incremental_column": "at"},
        ],
    )
    assert (
        run_cli(
            "run", "--config", str(config), "--tables", str(only_orders), "--run-id", "r1"
        ).exit_code
        == 0
    )
    again = json.loads(
        run_cli(
            "plan",
            "--json",
            "--config",
            str(config),
            "--tables",
            str(only_orders),
            "--run-id",
            "r2",
        ).output
    )
    [task] = again["tasks"]
    assert task["mode"] == "incremental"
    assert task["window"]["lower"] == {"type": "timestamp", "value": "2024-01-01T10:00:00"}
    assert task["window"]["lower_inclusive"] is False and task["window"]["upper"] is None
    assert task["sql"].endswith(
        'WHERE "at" > TIMESTAMP \'2024-01-01 10:00:00.000000\' AND "at" <= :high_watermark'
    )
    skipped = json.loads(
        run_cli(
            "plan",
            "--json",
            "--config",
            str(config),
            "--tables",
            str(only_orders),
            "--run-id",
            "r1",
        ).output
    )
    assert skipped["tasks"] == [] and "already committed" in skipped["skipped"][0]["reason"]
