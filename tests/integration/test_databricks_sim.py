"""Databricks mode against a faithful imitation of the runtime, with real Spark and PostgreSQL.

The imitation: the cluster's environment variables, a SparkSession that exists before the
tool runs (the test session, as on a cluster), and `pyspark.dbutils.DBUtils` (which exists
only on Databricks runtimes) as a recording fake answering secrets.get and widgets.get.
"""

from __future__ import annotations

import json
import logging
import sys
import types
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from data_extractor.adapters.databricks import DatabricksSessionProvider, cluster_sizing
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.entrypoints import logs
from tests.conftest import PG_JAR, ROOT, write_config
from tests.helpers import committed_outputs, manifest, read_rows, run_cli, write_tables

pytestmark = pytest.mark.integration

SECRET = "Dbx-Scope-S3cr3t-77a1"
LITERAL = "Literal-Api-Pw-5150"
CLUSTER_ENV = {
    "DATABRICKS_RUNTIME_VERSION": "15.4",
    "DB_HOME": "/databricks",
    "DB_CLUSTER_ID": "0101-123456-simulate",
    "DB_IS_DRIVER": "TRUE",
    "DB_DRIVER_IP": "127.0.0.1",
}


class FakeDbutilsModule:
    """What `from pyspark.dbutils import DBUtils` gives on a cluster, recording every call."""

    def __init__(self, secrets: dict, widgets: dict) -> None:
        self.calls: list[tuple] = []
        self.sessions: list = []
        self.secrets, self.widgets = secrets, widgets

    def module(self) -> types.ModuleType:
        recorder = self

        class DBUtils:
            def __init__(self, spark) -> None:
                recorder.sessions.append(spark)
                self.secrets = types.SimpleNamespace(get=self._secret)
                self.widgets = types.SimpleNamespace(get=self._widget, text=self._text)

            def _text(self, name, default, label=None):
                recorder.widgets.setdefault(name, default)

            def _secret(self, scope, key):
                recorder.calls.append(("secrets.get", scope, key))
                if (scope, key) not in recorder.secrets:
                    raise ValueError(f"Secret does not exist with scope: {scope} and key: {key}")
                return recorder.secrets[(scope, key)]

            def _widget(self, name):
                recorder.calls.append(("widgets.get", name))
                if name not in recorder.widgets:
                    raise ValueError(f"InputWidgetNotDefined: No input widget named {name}")
                return recorder.widgets[name]

        module = types.ModuleType("pyspark.dbutils")
        module.DBUtils = DBUtils
        return module


@pytest.fixture
def databricks(spark, monkeypatch, tmp_path):
    """The cluster's environment, its running session, and a recording dbutils."""
    for name, value in CLUSTER_ENV.items():
        monkeypatch.setenv(name, value)
    fake = FakeDbutilsModule(
        {
            ("jdbc", "pg-password"): SECRET,
            ("jdbc", "oracle-username"): "postgres",  # the notebook's names, served by PG
            ("jdbc", "oracle-password"): SECRET,
        },
        {},
    )
    monkeypatch.setitem(sys.modules, "pyspark.dbutils", fake.module())
    # On a cluster the driver's working directory is not ours to litter.
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    assert SparkSession.getActiveSession() is spark  # it exists before the tool runs
    yield fake
    assert sorted(cwd.iterdir()) == [], "the tool wrote files into the working directory"
    # The tool left the session running: same object, JVM side alive, still usable.
    assert SparkSession.getActiveSession() is spark
    assert spark.sparkContext._jsc is not None
    assert spark.range(3).count() == 3


@pytest.fixture
def captured_logs(monkeypatch, caplog):
    """Every record of the tool's loggers reaches caplog (the tool's logger does not propagate)."""
    original = logs.setup_logging

    def setup_and_capture(*args, **kwargs):
        original(*args, **kwargs)
        logging.getLogger("data_extractor").addHandler(caplog.handler)

    monkeypatch.setattr(logs, "setup_logging", setup_and_capture)
    caplog.set_level(logging.DEBUG)
    yield caplog
    logging.getLogger("data_extractor").removeHandler(caplog.handler)


@pytest.fixture
def source(pg_admin, pg_schema) -> str:
    """Two small tables: customers (copied whole) and orders (incremental)."""
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".customers (id int PRIMARY KEY, name text)')
    pg_admin.execute(
        f"INSERT INTO \"{pg_schema}\".customers SELECT i, 'c' || i FROM generate_series(1, 30) i"
    )
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".orders (id int PRIMARY KEY, amount numeric(10, 2), '
        "updated_at timestamp NOT NULL)"
    )
    pg_admin.execute(
        f'INSERT INTO "{pg_schema}".orders SELECT i, i * 1.5, '
        "TIMESTAMP '2024-05-01' + i * INTERVAL '1 minute' FROM generate_series(1, 120) i"
    )
    return pg_schema


def _tables(schema: str) -> list[dict]:
    return [
        {"table_name": "customers", "schema_name": schema, "is_full_extract": True},
        {"table_name": "orders", "schema_name": schema, "incremental_column": "updated_at"},
    ]


def _config(folder: Path, lake: str, **extraction: str) -> Path:
    return write_config(
        folder / "config.ini",
        {
            "database": {
                "type": "postgresql",
                "host": "127.0.0.1",
                "port": 5432,
                "database": "postgres",
                "user": "postgres",
                "password": "secret://jdbc/pg-password",
                "driver_jars": PG_JAR,
            },
            "extraction": {"output_base_path": lake, "default_source": "pg", **extraction},
            "runtime": {"log_level": "debug"},
        },
    )


def _everything_written(lake: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in lake.rglob("*") if p.suffix == ".json")


def test_wheel_style_run_borrows_session_reads_secret_scope_and_commits(
    databricks, captured_logs, capfd, source, tmp_path
):
    lake = tmp_path / "lake"
    config = _config(tmp_path, f"file:{lake}")
    tables = write_tables(tmp_path / "tables.json", _tables(source))
    result = run_cli("run", "--config", str(config), "--tables", str(tables), "--run-id", "dbx1")
    assert result.exit_code == 0, result.output
    # the secret came from the scope, through DBUtils(spark) built on the cluster's session
    assert ("secrets.get", "jdbc", "pg-password") in databricks.calls
    assert databricks.sessions and all(
        s is SparkSession.getActiveSession() for s in databricks.sessions
    )
    # committed output equal to the source
    for table, rows in (("customers", 30), ("orders", 120)):
        (output,) = committed_outputs(lake, "pg", table)
        assert (output / "_manifest.json").exists()
        assert manifest(output)["rows"] == rows
    assert sorted(r["id"] for r in read_rows(committed_outputs(lake, "pg", "orders"))) == list(
        range(1, 121)
    )
    report = json.loads((lake / "_runs" / "dbx1" / "run_report.json").read_text())
    assert {r["status"] for r in report["tables"]} == {"succeeded"}
    # the secret is nowhere: CLI output, log records, stderr, reports, manifests, state
    captured = capfd.readouterr()
    assert captured_logs.records, "the run logged nothing: the check below would prove nothing"
    for text in (
        result.output,
        captured_logs.text,
        captured.out,
        captured.err,
        _everything_written(lake),
    ):
        assert SECRET not in text


def test_python_api_in_a_notebook_widgets_override_and_session_is_shared(
    databricks, captured_logs, capfd, source, tmp_path, spark
):
    from data_extractor.databricks import DatabricksDataExtractor

    lake = tmp_path / "widget-lake"
    databricks.widgets["output_base_path"] = f"file:{lake}"
    extractor = DatabricksDataExtractor(
        oracle_password=LITERAL,  # the original API's literal password: redacted everywhere
        output_base_path="file:/this/is/overridden/by/the/widget",
        max_workers=2,
        settings={
            "database": {
                "type": "postgresql",
                "host": "127.0.0.1",
                "database": "postgres",
                "user": "postgres",
                "driver_jars": PG_JAR,
            },
            "extraction": {"default_source": "pg"},
        },
    )
    results = extractor.extract_tables_parallel(_tables(source), run_id="nb1")
    assert results == {"customers": True, "orders": True}
    assert ("widgets.get", "output_base_path") in databricks.calls
    assert committed_outputs(lake, "pg", "orders")
    # one session for the tool and the notebook: the one that was already running
    assert extractor.container.session_provider().get() is spark
    assert isinstance(extractor.container.session_provider(), DatabricksSessionProvider)
    # rerunning the same run id finds the tables committed; extract_table works too
    assert extractor.extract_tables_parallel(_tables(source), run_id="nb1") == results
    assert extractor.extract_table("customers", schema_name=source, is_full_extract=True)
    extractor.cleanup()  # never stops a borrowed session (the fixture checks)
    captured = capfd.readouterr()
    for text in (captured_logs.text, captured.err, captured.out, _everything_written(lake)):
        assert LITERAL not in text
    assert LITERAL not in repr(extractor)


def test_notebook_example_runs_with_widgets_secrets_and_the_python_api(
    databricks, captured_logs, capfd, source, tmp_path, spark
):
    """deploy/databricks/notebooks/extract.py, run as a notebook would: its globals given."""
    lake = tmp_path / "nb-lake"
    config = _config(tmp_path, "file:/overridden/by/the/widget")
    tables = write_tables(tmp_path / "tables.json", _tables(source))
    databricks.widgets.update(
        config=str(config), tables=str(tables), output_base_path=f"file:{lake}", run_id="nb7"
    )
    notebook = ROOT / "deploy" / "databricks" / "notebooks" / "extract.py"
    source_text = notebook.read_text()
    assert source_text.startswith("# Databricks notebook source\n")
    dbutils = sys.modules["pyspark.dbutils"].DBUtils(spark)
    namespace = {"dbutils": dbutils, "spark": spark, "__name__": "__main__"}
    exec(compile(source_text, str(notebook), "exec"), namespace)  # noqa: S102
    assert namespace["results"] == {"customers": True, "orders": True}
    assert ("secrets.get", "jdbc", "oracle-password") in databricks.calls
    assert [manifest(o)["rows"] for o in committed_outputs(lake, "pg", "orders")] == [120]
    captured = capfd.readouterr()
    assert "2/2 tables succeeded" in captured.out
    for text in (captured_logs.text, captured.err, captured.out, _everything_written(lake)):
        assert SECRET not in text


def test_missing_secret_is_bad_input_naming_scope_and_key(databricks, source, tmp_path):
    config = _config(tmp_path, f"file:{tmp_path / 'lake'}")
    config.write_text(config.read_text().replace("pg-password", "no-such-key"))
    tables = write_tables(tmp_path / "tables.json", _tables(source))
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 2
    assert "key 'no-such-key' of Databricks secret scope 'jdbc'" in result.output
    assert "config.ini:7 [database] [password]" in result.output
    assert not (tmp_path / "lake").exists()


def test_delta_without_delta_lake_is_refused_before_any_table_is_read(
    databricks, source, tmp_path, monkeypatch
):
    def never(*args, **kwargs):
        raise AssertionError("a table was read")

    # Every way the reader touches the source (names vary as the reader grows).
    for name in ("read", "probe", "high_watermark", "current_snapshot", "column_plan"):
        monkeypatch.setattr(JdbcSourceReader, name, never, raising=False)
    lake = tmp_path / "lake"
    config = _config(tmp_path, f"file:{lake}", output_format="delta")
    tables = write_tables(tmp_path / "tables.json", _tables(source))
    result = run_cli("run", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 2, result.output
    assert "delta-spark" in result.output and "io.delta:delta-spark_2.13" in result.output
    assert "[output_format]" in result.output
    assert not lake.exists() or not any(lake.rglob("*.parquet"))


def test_cluster_sizing_reads_the_live_session(databricks, spark, tmp_path):
    key = "spark.databricks.clusterUsageTags.dataSecurityMode"
    spark.conf.set(key, "USER_ISOLATION")
    try:
        sizing = cluster_sizing(spark)
    finally:
        spark.conf.unset(key)
    # the test session: local[2] with spark.default.parallelism=2, no executors, shared
    assert (sizing.parallelism, sizing.executors, sizing.shared) == (2, 0, True)
    assert sizing.workers == 1
    assert cluster_sizing(spark).shared is False
