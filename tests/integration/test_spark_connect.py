"""The CLI as a Spark Connect client (`[spark] remote`) against a real Connect server.

The server is the one .ci/run starts (scripts/connect-server.sh, DX_TEST_SPARK_REMOTE); no
JVM-only code is bypassed: a run succeeds on the Connect session or the test fails.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import pg_config, write_config
from tests.helpers import (
    committed_outputs,
    manifest,
    read_rows,
    run_cli,
    wait_for,
    write_tables,
)

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]

CREATE = """CREATE TABLE "{s}".orders (
    id bigint PRIMARY KEY, amount numeric(12,2), note text, placed date,
    paid_at timestamptz, updated_at timestamp NOT NULL)"""
INSERT = """INSERT INTO "{s}".orders
SELECT i, i * 1.25, 'order ' || i, DATE '2024-01-01' + i,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 hour',
       TIMESTAMP '2024-05-01 00:00:00' + i * INTERVAL '1 minute'
FROM generate_series({start}, {stop}) AS i"""


def connect_config(tmp_path: Path, remote: str, **extraction: object) -> Path:
    """pg_config with [spark] remote: the tool is a Connect client of the test server."""
    path = pg_config(tmp_path, **extraction)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n[spark]\nremote = {remote}\n")
    return path


def source_rows(pg_admin, schema: str, table: str = "orders") -> list[tuple]:
    """Every source row, in id order, as Python values."""
    return list(pg_admin.execute(f'SELECT * FROM "{schema}".{table} ORDER BY id'))


def lake_rows(lake: Path, table: str = "orders") -> list[tuple]:
    """Every committed row, in id order (duplicates kept), comparable with source_rows."""
    rows = read_rows(committed_outputs(lake, "pg", table))
    as_tuples = [tuple(_comparable(v) for v in r.values()) for r in rows]
    return sorted(as_tuples, key=lambda r: r[0])


def _comparable(value: object) -> object:
    # Parquet keeps timestamptz as UTC instants; psycopg returns them zoned: compare instants.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    return value


def source_comparable(rows: list[tuple]) -> list[tuple]:
    """Source rows with zoned values as UTC, like lake_rows."""
    return [tuple(_comparable(v) for v in row) for row in rows]


@pytest.fixture
def orders(pg_admin, pg_schema, spark_remote, tmp_path):
    """An orders table (numeric, text, date, timestamptz, timestamp cursor) of 2500 rows, read
    in partitions of about 1000 rows (split predicates on the Connect session)."""
    pg_admin.execute(CREATE.format(s=pg_schema))
    pg_admin.execute(INSERT.format(s=pg_schema, start=1, stop=2500))
    config = connect_config(tmp_path, spark_remote, rows_per_partition=1000)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": "orders", "schema_name": pg_schema, "incremental_column": "updated_at"},
            {
                "table_name": "orders",
                "schema_name": pg_schema,
                "source_name": "full",
                "is_full_extract": True,
            },
        ],
    )
    return config, tables


def test_full_and_incremental_runs_on_connect_copy_every_row_exactly(
    orders, pg_admin, pg_schema, tmp_path
):
    config, tables = orders
    lake = tmp_path / "lake"
    first = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "c1")
    assert first.exit_code == 0, first.output
    expected = source_comparable(source_rows(pg_admin, pg_schema))
    assert lake_rows(lake) == expected
    full_rows = read_rows(committed_outputs(lake, "full", "orders"))
    assert sorted(r["id"] for r in full_rows) == [row[0] for row in expected]
    assert isinstance(full_rows[0]["amount"], Decimal)
    [first_output] = committed_outputs(lake, "pg", "orders")
    assert manifest(first_output)["files"] >= 2  # split reads: one file per partition

    pg_admin.execute(INSERT.format(s=pg_schema, start=2501, stop=2560))
    second = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "c2")
    assert second.exit_code == 0, second.output
    assert lake_rows(lake) == source_comparable(source_rows(pg_admin, pg_schema))
    outputs = committed_outputs(lake, "pg", "orders")
    assert len(outputs) == 2
    assert len(read_rows(outputs[1:])) == 60  # the second run read its window only


def test_plan_json_on_connect_starts_after_the_committed_watermark(orders, tmp_path):
    config, tables = orders
    assert run_cli("run", "--config", str(config), "--tables", str(tables)).exit_code == 0
    result = run_cli("plan", "--config", str(config), "--tables", str(tables), "--json")
    assert result.exit_code == 0, result.output
    tasks = {task["table"]: task for task in json.loads(result.output)["tasks"]}
    assert tasks["full/orders"]["mode"] == "full"
    incremental = tasks["pg/orders"]
    assert incremental["mode"] == "incremental"
    # 2500 rows, one a minute from 2024-05-01 00:00: the first run committed up to 05-02 17:40.
    assert incremental["window"]["lower"] == {"type": "timestamp", "value": "2024-05-02T17:40:00"}


def start_run(config: Path, tables: Path, run_id: str) -> subprocess.Popen:
    """The CLI in its own process: a Connect client, as cron would start it."""
    args = [*CLI, "run", "--config", str(config), "--tables", str(tables), "--run-id", run_id]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=os.environ)


def test_sigkill_mid_run_on_connect_then_rerun_commits_every_row_once(
    pg_admin, pg_schema, spark_remote, tmp_path
):
    names = [f"t{i}" for i in range(4)]
    for name in names:
        pg_admin.execute(f'CREATE TABLE "{pg_schema}".{name} (id bigint PRIMARY KEY, ts timestamp)')
        pg_admin.execute(f"""INSERT INTO "{pg_schema}".{name}
            SELECT i, TIMESTAMP '2024-01-01' + i * INTERVAL '1 second'
            FROM generate_series(1, 3000) AS i""")
    config = connect_config(tmp_path, spark_remote, max_workers=1)
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": n, "schema_name": pg_schema, "incremental_column": "ts"} for n in names],
    )
    lake = tmp_path / "lake"
    killed = start_run(config, tables, "killed")
    committed = lambda: any(lake.glob("pg/*/*/*/*.parquet/_manifest.json"))  # noqa: E731
    wait_for(killed, committed, "some table committed")
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    done = {p.parent.parent.parent.name for p in lake.glob("pg/*/*/*/*.parquet/_manifest.json")}
    assert 0 < len(done) < len(names), "the kill must land mid-run"

    pg_admin.execute(f"""INSERT INTO "{pg_schema}".t0
        SELECT i, TIMESTAMP '2024-01-01' + i * INTERVAL '1 second'
        FROM generate_series(3001, 3100) AS i""")
    rerun = start_run(config, tables, "rerun")
    output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, output.decode()
    for name in names:
        ids = [r["id"] for r in read_rows(committed_outputs(lake, "pg", name))]
        source = [r[0] for r in pg_admin.execute(f'SELECT id FROM "{pg_schema}".{name}')]
        assert len(ids) == len(set(ids)), f"{name} has duplicates"
        assert sorted(ids) == sorted(source), f"{name} lost rows"


def test_a_bad_remote_url_is_bad_input_naming_file_and_key(tmp_path):
    config = write_config(
        tmp_path / "config.ini",
        {
            "database": {"type": "postgresql", "host": "127.0.0.1", "database": "x"},
            "extraction": {"output_base_path": tmp_path / "lake"},
            "spark": {"remote": "http://127.0.0.1:15002"},
        },
    )
    tables = write_tables(tmp_path / "tables.json", [{"table_name": "x"}])
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 2
    assert "config.ini" in result.output and "remote" in result.output
    assert "sc://host:port" in result.output
    assert not (tmp_path / "lake").exists()


def test_spark_remote_environment_variable_makes_the_run_a_connect_client(
    pg_admin, pg_schema, spark_remote, tmp_path, monkeypatch
):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".small (id int PRIMARY KEY, v text)')
    pg_admin.execute(f"INSERT INTO \"{pg_schema}\".small VALUES (1, 'a'), (2, 'b')")
    monkeypatch.setenv("SPARK_REMOTE", spark_remote)
    config = pg_config(tmp_path)  # no [spark] remote: the standard variable alone
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "small", "schema_name": pg_schema, "is_full_extract": True}],
    )
    result = run_cli("run", "--config", str(config), "--tables", str(tables), "--verbose")
    assert result.exit_code == 0, result.output
    assert "a Spark Connect session" in result.output
    rows = read_rows(committed_outputs(tmp_path / "lake", "pg", "small"))
    assert sorted((r["id"], r["v"]) for r in rows) == [(1, "a"), (2, "b")]


def test_delta_output_on_a_connect_server_without_delta_is_bad_input(orders, tmp_path):
    config, tables = orders
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[extraction]\n", "[extraction]\noutput_format = delta\n", 1))
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 2, result.output
    assert "output_format" in result.output and "delta-spark" in result.output
    assert not list((tmp_path / "lake").glob("pg/orders/*"))


def test_validate_connect_on_a_connect_session_checks_source_tables_and_columns(orders):
    config, tables = orders
    result = run_cli("validate", "--config", str(config), "--tables", str(tables), "--connect")
    assert result.exit_code == 0, result.output
    missing = write_tables(
        config.parent / "missing.json",
        [{"table_name": "orders", "schema_name": "nosuchschema", "is_full_extract": True}],
    )
    result = run_cli("validate", "--config", str(config), "--tables", str(missing), "--connect")
    assert result.exit_code == 2, result.output
    assert "nosuchschema" in result.output


def test_an_object_store_lake_without_its_fsspec_package_is_bad_input(orders, tmp_path):
    if importlib.util.find_spec("s3fs") is not None:
        pytest.fail("this test needs an environment without s3fs (the test extra has none)")
    config, tables = orders
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(str(tmp_path / "lake"), "s3://no-such-bucket/lake"))
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 2, result.output
    assert "s3://no-such-bucket/lake/_state" in result.output
    assert "data-extractor[cloud]" in result.output and "state_path" in result.output


def test_number_mapping_column_plan_on_connect_keeps_every_digit(
    pg_admin, pg_schema, spark_remote, tmp_path
):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".measures (id int PRIMARY KEY, score numeric)')
    pg_admin.execute(
        f'INSERT INTO "{pg_schema}".measures VALUES (1, 1.123456789012345678901234), (2, 7)'
    )
    config = connect_config(tmp_path, spark_remote)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[database]\n", "[database]\nnumber_mapping = string\n", 1))
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "measures", "schema_name": pg_schema, "is_full_extract": True}],
    )
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 0, result.output
    rows = read_rows(committed_outputs(tmp_path / "lake", "pg", "measures"))
    assert sorted((r["id"], r["score"]) for r in rows) == [
        (1, "1.123456789012345678901234"),
        (2, "7"),
    ]


def test_a_catalog_table_runs_incrementally_through_the_cli_on_connect(spark_remote, tmp_path):
    """type = catalog with [spark] remote: the probe builds Columns of the Connect session's own
    kind (the session comes from Connect's builder, not pyspark's), and its TIMESTAMP maximum
    is an instant whatever the session's zone."""
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    name = f"dx_cli_events_{os.getpid()}"
    data = tmp_path / "events"
    spark = ConnectSession.builder.remote(spark_remote).getOrCreate()

    def add(first: int, last: int) -> None:
        spark.range(first, last + 1).selectExpr(
            "id", "TIMESTAMP '2024-05-01 00:00:00' + make_interval(0, 0, 0, 0, 0, id) AS at"
        ).write.mode("append").parquet(str(data))

    add(1, 40)
    spark.sql(f"CREATE TABLE {name} USING parquet LOCATION '{data}'")
    try:
        config = write_config(
            tmp_path / "config.ini",
            {
                "database": {"type": "catalog", "catalog": "spark_catalog"},
                "extraction": {"output_base_path": tmp_path / "lake"},
                "spark": {"remote": spark_remote, "spark.sql.session.timeZone": "+02:00"},
            },
        )
        entry = {"source_name": "uc", "table_name": name, "schema_name": "default"}
        tables = write_tables(tmp_path / "tables.json", [{**entry, "incremental_column": "at"}])
        first = subprocess.run(
            [*CLI, "run", "--config", str(config), "--tables", str(tables), "--run-id", "c1"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert first.returncode == 0, first.stdout + first.stderr
        add(41, 55)
        spark.sql(f"REFRESH TABLE {name}")
        second = subprocess.run(
            [*CLI, "run", "--config", str(config), "--tables", str(tables), "--run-id", "c2"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert second.returncode == 0, second.stdout + second.stderr
        ids = [r["id"] for r in read_rows(committed_outputs(tmp_path / "lake", "uc", name))]
        assert sorted(ids) == list(range(1, 56))  # every row once, over two windows
    finally:
        spark.sql(f"DROP TABLE IF EXISTS {name}")
