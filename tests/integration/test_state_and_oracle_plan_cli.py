"""`state show|reset` on a real run's state, and `plan` on an Oracle config (no database needed)."""

from __future__ import annotations

import json

import pytest
import sqlglot

from tests.conftest import pg_config, write_config
from tests.helpers import run_cli, write_tables

pytestmark = pytest.mark.integration


def test_state_show_and_reset(pg_admin, pg_schema, spark, tmp_path):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".ledger (id int PRIMARY KEY, at timestamp)')
    pg_admin.execute(
        f"INSERT INTO \"{pg_schema}\".ledger VALUES (1, TIMESTAMP '2024-02-03 04:05:06')"
    )
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "t.json",
        [
            {"table_name": "ledger", "schema_name": pg_schema, "incremental_column": "at"},
        ],
    )
    assert (
        run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "r1").exit_code
        == 0
    )
    shown = run_cli("state", "show", "--config", str(config), "--json")
    body = json.loads(shown.output)
    assert body["pg/ledger"]["watermark"] == {"type": "timestamp", "value": "2024-02-03T04:05:06"}
    assert body["pg/ledger"]["last_run_id"] == "r1" and body["pg/ledger"]["pending"] is None
    text = run_cli("state", "show", "--config", str(config), "--table", "ledger").output
    assert "pg/ledger: watermark 2024-02-03T04:05:06, last run r1" in text
    reset = run_cli("state", "reset", "--config", str(config), "--table", "ledger", "--yes")
    assert reset.exit_code == 0 and "reset pg/ledger" in reset.output
    assert json.loads(run_cli("state", "show", "--config", str(config), "--json").output) == {}
    plan = json.loads(
        run_cli("plan", "--json", "--config", str(config), "--tables", str(tables)).output
    )
    assert plan["tasks"][0]["mode"] == "full", "after a reset the next run is a full extract"


@pytest.mark.parametrize(
    "entry",
    [
        {"table_name": "orders", "schema_name": "sales", "is_full_extract": True},
        {"table_name": "orders", "schema_name": "sales", "incremental_column": "updated_at"},
        {
            "table_name": "orders",
            "schema_name": "sales",
            "incremental_column": "updated_at",
            "extraction_date": "2024-05-01",
        },
        {
            "table_name": "orders",
            "schema_name": "sales",
            "is_full_extract": True,
            "flashback": "123456",
        },
        {
            "table_name": "q",
            "custom_query": "SELECT o.id, o.amount FROM sales.orders o WHERE o.amount > 0",
            "incremental_column": "id",
        },
    ],
)
def test_plan_on_an_oracle_config_prints_sql_that_parses_as_oracle(tmp_path, entry):
    config = write_config(
        tmp_path / "oracle.ini",
        {
            "database": {
                "type": "oracle",
                "host": "db.example",
                "service": "ORCLPDB1",
                "user": "extractor",
                "password": "plan-needs-no-connection",
            },
            "extraction": {"output_base_path": tmp_path / "lake", "default_source": "erp"},
        },
    )
    tables = write_tables(tmp_path / "t.json", [entry])
    result = run_cli("plan", "--json", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 0, result.output
    [task] = json.loads(result.output)["tasks"]
    sqlglot.parse_one(task["sql"], read="oracle")
    assert '"SALES"."ORDERS"' in task["sql"] or "sales.orders" in task["sql"]
