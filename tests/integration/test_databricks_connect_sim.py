"""Databricks on Spark Connect (standard access mode, serverless), imitated with a real server.

The imitation: a fresh Python process with the runtime's environment variables, a Spark
Connect server (`DX_TEST_SPARK_REMOTE`, sc://127.0.0.1:PORT, started from pyspark's own
sbin/start-connect-server.sh with the PostgreSQL jar) reached through `SPARK_REMOTE` as
Databricks sets it, and `pyspark.dbutils.DBUtils` (which only the runtime has) as a
recording fake installed by a sitecustomize module. Each test runs its own process: a
Connect session switches the whole process to Connect mode, which the classic tests of
this run must not see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_config
from tests.helpers import committed_outputs, manifest, read_rows, write_tables
from tests.integration import test_databricks_sim as classic

# The classic simulation's PostgreSQL tables (customers whole, orders by cursor) and config
# (password = secret://jdbc/pg-password; driver_jars, which Databricks mode ignores).
source = classic.source

pytestmark = pytest.mark.integration

SECRET = "Connect-Scope-S3cr3t-4040"
# Installed in the child process before anything imports pyspark.dbutils.
SITECUSTOMIZE = """
import json, os, sys, types

def _install():
    secrets = {tuple(k.split("/", 1)): v for k, v in json.loads(os.environ["FAKE_DBUTILS_SECRETS"]).items()}
    widgets = json.loads(os.environ.get("FAKE_DBUTILS_WIDGETS", "{}"))
    calls = os.environ["FAKE_DBUTILS_CALLS"]

    def record(*call):
        with open(calls, "a") as f:
            f.write(json.dumps(call) + "\\n")

    class DBUtils:
        def __init__(self, spark):
            record("DBUtils", type(spark).__module__)
            self.secrets = types.SimpleNamespace(get=self._secret)
            self.widgets = types.SimpleNamespace(get=self._widget)

        def _secret(self, scope, key):
            record("secrets.get", scope, key)
            if (scope, key) not in secrets:
                raise ValueError(f"Secret does not exist with scope: {scope} and key: {key}")
            return secrets[(scope, key)]

        def _widget(self, name):
            record("widgets.get", name)
            if name not in widgets:
                raise ValueError(f"InputWidgetNotDefined: {name}")
            return widgets[name]

    module = types.ModuleType("pyspark.dbutils")
    module.DBUtils = DBUtils
    sys.modules["pyspark.dbutils"] = module

_install()
"""


@pytest.fixture
def runtime(spark_remote, tmp_path) -> dict[str, str]:
    """The environment of a Databricks Connect client process, with the fake dbutils."""
    shim = tmp_path / "runtime-shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_CONNECT", "PYSPARK"))}
    env.update(
        DATABRICKS_RUNTIME_VERSION="17.3",
        SPARK_REMOTE=spark_remote,
        PYTHONPATH=os.pathsep.join([str(shim), str(ROOT)]),
        FAKE_DBUTILS_SECRETS=json.dumps({"jdbc/pg-password": SECRET}),
        FAKE_DBUTILS_CALLS=str(tmp_path / "dbutils-calls.jsonl"),
    )
    return env


def _calls(env: dict[str, str]) -> list[list]:
    path = Path(env["FAKE_DBUTILS_CALLS"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _child(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    cwd.mkdir(exist_ok=True)
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def _assert_committed(lake: Path, env: dict, *texts: str) -> None:
    assert [manifest(o)["rows"] for o in committed_outputs(lake, "pg", "customers")] == [30]
    orders = committed_outputs(lake, "pg", "orders")
    assert sorted(r["id"] for r in read_rows(orders)) == list(range(1, 121))
    assert ["secrets.get", "jdbc", "pg-password"] in _calls(env)
    written = "\n".join(p.read_text(errors="replace") for p in lake.rglob("*.json"))
    for text in (*texts, written):
        assert SECRET not in text


def test_session_dbutils_and_sizing_on_a_connect_client(runtime, tmp_path):
    """A fresh process joins the Connect session, builds dbutils on it, sizes without aborting."""
    script = textwrap.dedent(
        """
        import json, logging, os
        logging.basicConfig(level=logging.INFO)
        from data_extractor.adapters.databricks import (
            DatabricksSessionProvider, DbutilsLocator, connect_sizing, resolve_max_workers,
            session_alive,
        )
        provider = DatabricksSessionProvider()
        spark = provider.get()
        dbutils = DbutilsLocator(provider).get()
        conf = spark.conf.get("spark.default.parallelism", None)
        print(json.dumps({
            "module": type(spark).__module__,
            "same": provider.get() is spark,
            "alive": session_alive(spark),
            "rows": spark.range(5).count(),
            "secret": dbutils.secrets.get("jdbc", "pg-password") == os.environ["EXPECTED"],
            "workers": resolve_max_workers(None, "databricks", provider),
            "sizing": connect_sizing(spark) is not None,
            "conf": conf,
        }))
        provider.stop()
        print(json.dumps({"still_alive": session_alive(spark)}))
        """
    )
    runtime["EXPECTED"] = SECRET
    result = _child([sys.executable, "-c", script], runtime, tmp_path / "cwd")
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert first["module"] == "pyspark.sql.connect.session"
    assert first["same"] and first["alive"] and first["rows"] == 5 and first["secret"]
    assert ["DBUtils", "pyspark.sql.connect.session"] in _calls(runtime)
    # no SparkContext on Connect: sizing comes from the conf when it is there, else the default
    assert first["sizing"] is (first["conf"] is not None)
    if first["conf"] is None:
        assert first["workers"] == 4
        assert "exposes no SparkContext or parallelism" in result.stderr
    assert second == {"still_alive": True}  # the provider never stops a borrowed session
    assert "Traceback" not in result.stderr


def test_wheel_entry_point_in_a_fresh_process_commits_rows(runtime, source, tmp_path):
    lake = tmp_path / "lake"
    config = classic._config(tmp_path, f"file:{lake}")
    tables = write_tables(tmp_path / "tables.json", classic._tables(source))
    entry = Path(sys.executable).parent / "data-extractor-task"
    args = [str(entry), f"--config={config}", f"--tables={tables}", "--run_id=connect1"]
    result = _child(args, runtime, tmp_path / "cwd")
    assert result.returncode == 0, result.stderr[-3000:]
    _assert_committed(lake, runtime, result.stdout, result.stderr)
    assert not any((tmp_path / "cwd").iterdir()), "the task wrote into its working directory"


def test_a_volume_output_without_the_fuse_mount_is_bad_input_on_connect(runtime, source, tmp_path):
    """Small files on a volume go through its FUSE mount on Connect; this machine has none."""
    assert not Path("/Volumes").exists()
    config = classic._config(tmp_path, "/Volumes/main/raw/dx_router_lake")
    tables = write_tables(tmp_path / "tables.json", classic._tables(source))
    entry = Path(sys.executable).parent / "data-extractor-task"
    args = [str(entry), f"--config={config}", f"--tables={tables}", "--run_id=novolume"]
    result = _child(args, runtime, tmp_path / "cwd")
    assert result.returncode == 2, result.stderr[-3000:]
    assert "/Volumes/main/raw/dx_router_lake/_state" in result.stderr
    assert "FUSE mount" in result.stderr and "state_path" in result.stderr
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    assert not Path("/Volumes").exists() and not any((tmp_path / "cwd").iterdir())


def test_python_api_with_the_seeds_arguments_commits_rows(runtime, source, tmp_path):
    lake = tmp_path / "api-lake"
    config = classic._config(tmp_path, "file:/overridden/by/the/argument")
    script = textwrap.dedent(
        f"""
        import json
        from data_extractor.databricks import DatabricksDataExtractor
        extractor = DatabricksDataExtractor(
            output_base_path="file:{lake}",
            use_existing_spark=True,
            max_workers=2,
            config_path={str(config)!r},
        )
        results = extractor.extract_tables_parallel({classic._tables(source)!r}, run_id="api1")
        print(json.dumps({{"results": results, "context": extractor.get_databricks_context()}}))
        """
    )
    result = _child([sys.executable, "-c", script], runtime, tmp_path / "cwd")
    assert result.returncode == 0, result.stderr[-3000:]
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["results"] == {"customers": True, "orders": True}
    assert body["context"]["is_databricks"] and body["context"]["runtime_version"] == "17.3"
    _assert_committed(lake, runtime, result.stdout, result.stderr)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "+02:00"])
def test_the_catalog_source_probes_and_reads_on_a_connect_session(runtime, tmp_path, zone):
    """type = catalog needs no JVM of ours: probe and windowed read through Connect, whatever
    form the session's zone takes (a region, or an offset Python's zoneinfo does not know)."""
    name = f"dx_events_{tmp_path.name[-12:].replace('-', '_')}"
    script = textwrap.dedent(
        f"""
        import datetime as dt, json
        from data_extractor.adapters.catalog_reader import CatalogSourceReader
        from data_extractor.adapters.databricks import DatabricksSessionProvider
        from data_extractor.domain.model import ExtractionTask, Mode, TableSpec, Window
        provider = DatabricksSessionProvider()
        spark = provider.get()
        # Not UTC, so the probe must turn the session's wall clock into an instant.
        spark.conf.set("spark.sql.session.timeZone", {zone!r})
        spark.range(1, 101).selectExpr(
            "id", "TIMESTAMP '2024-05-01 00:00:00' + make_interval(0, 0, 0, 0, 0, id) AS at"
        ).write.parquet({str(tmp_path / "events")!r})
        spark.sql("CREATE TABLE {name} USING parquet LOCATION '{tmp_path / "events"}'")
        try:
            reader = CatalogSourceReader(provider, "spark_catalog")
            spec = TableSpec("uc", "{name}", "default", "at")
            lower = dt.datetime(2024, 4, 30, 22, 40, tzinfo=dt.UTC)  # 00:40 in Berlin
            task = ExtractionTask(
                spec, Mode.INCREMENTAL, "/out", Window("at", lower, None), upper_from_source=True
            )
            probe = reader.probe(task)
            closed = ExtractionTask(
                spec, Mode.INCREMENTAL, "/out", Window("at", lower, probe.high_watermark)
            )
            print(json.dumps({{
                "high": probe.high_watermark.isoformat(),
                "rows": probe.rows,
                "read": reader.read(closed).count(),
                "sql": reader.describe(closed),
            }}))
        finally:
            spark.sql("DROP TABLE {name}")
        """
    )
    result = _child([sys.executable, "-c", script], runtime, tmp_path / "cwd")
    assert result.returncode == 0, result.stderr[-3000:]
    body = json.loads(result.stdout.strip().splitlines()[-1])
    # a TIMESTAMP column's maximum is an instant: 00:00 Berlin + 100 minutes, in UTC
    assert body["high"] == "2024-04-30T23:40:00+00:00"
    assert body["rows"] == 60 and body["read"] == 60  # minutes 41..100
    assert "`at` > TIMESTAMP '2024-04-30 22:40:00.000000+00:00'" in body["sql"]


def test_wheel_entry_point_extracts_a_catalog_table_on_connect(runtime, tmp_path):
    """Serverless' route: type = catalog through the wheel entry point, no JDBC of ours."""
    name = f"dx_orders_{tmp_path.name[-12:].replace('-', '_')}"
    setup = textwrap.dedent(
        f"""
        from pyspark.sql import SparkSession
        spark = SparkSession.builder.getOrCreate()
        spark.range(1, 51).selectExpr("id", "id * 2 AS seq").write.parquet(
            {str(tmp_path / "orders")!r}
        )
        spark.sql("CREATE TABLE {name} USING parquet LOCATION '{tmp_path / "orders"}'")
        """
    )
    made = _child([sys.executable, "-c", setup], runtime, tmp_path / "setup")
    assert made.returncode == 0, made.stderr[-2000:]
    lake = tmp_path / "lake"
    config = write_config(
        tmp_path / "config.ini",
        {
            "database": {"type": "catalog", "catalog": "spark_catalog"},
            "extraction": {"output_base_path": f"file:{lake}", "default_source": "uc"},
            "runtime": {"log_level": "debug"},
        },
    )
    spec = {"table_name": name, "schema_name": "default", "incremental_column": "seq"}
    tables = write_tables(tmp_path / "tables.json", [spec])
    entry = Path(sys.executable).parent / "data-extractor-task"
    args = [str(entry), f"--config={config}", f"--tables={tables}", "--max_workers=2"]
    try:
        result = _child(args, runtime, tmp_path / "cwd")
    finally:
        drop = f"from pyspark.sql import SparkSession; SparkSession.builder.getOrCreate().sql('DROP TABLE {name}')"
        _child([sys.executable, "-c", drop], runtime, tmp_path / "setup")
    assert result.returncode == 0, result.stderr[-3000:]
    (output,) = committed_outputs(lake, "uc", name)
    assert manifest(output)["rows"] == 50
    assert sorted(r["id"] for r in read_rows([output])) == list(range(1, 51))
