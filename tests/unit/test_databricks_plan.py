"""`plan --databricks` with a dbfs:/ output starts no Spark (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

DRIVER = textwrap.dedent(
    """
    import sys
    from click.testing import CliRunner
    from data_extractor.entrypoints.cli import cli

    result = CliRunner().invoke(cli, sys.argv[1:])
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    from pyspark import SparkContext
    # No JVM was launched and no context exists: plan needed no SparkSession.
    print("JVM", SparkContext._gateway is not None, SparkContext._active_spark_context is not None)
    sys.exit(result.exit_code)
    """
)


def test_plan_in_databricks_mode_needs_no_spark(tmp_path: Path):
    config = tmp_path / "config.ini"
    config.write_text(
        "[database]\ntype = postgresql\nhost = db.example.internal\ndatabase = shop\n"
        "user = extractor\npassword = secret://jdbc/pg-password\n\n"
        "[extraction]\noutput_base_path = /dbfs/mnt/lake/raw\ndefault_source = shop\n"
    )
    tables = tmp_path / "tables.json"
    tables.write_text(
        json.dumps(
            {
                "tables": [
                    {"table_name": "customers", "schema_name": "public", "is_full_extract": True},
                    {"table_name": "orders", "schema_name": "public", "incremental_column": "ts"},
                ]
            }
        )
    )
    # No dbutils off Databricks: secret://jdbc/pg-password falls back to JDBC_PG_PASSWORD.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "SPARK_REMOTE"))}
    env["JDBC_PG_PASSWORD"] = "not-used-by-plan"
    args = ["plan", "--databricks", "--json", "--config", str(config), "--tables", str(tables)]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "JVM False False" in done.stdout
    body = json.loads(done.stdout[: done.stdout.rindex("JVM")])
    paths = [t["output_path"] for t in body["tasks"]]
    # /dbfs/... in the config became dbfs:/... for Spark; no state readable here = first run.
    assert all(p.startswith("dbfs:/mnt/lake/raw/shop/") for p in paths), paths
    assert [t["mode"] for t in body["tasks"]] == ["full", "full"]
    assert "no SparkSession and no FUSE mount" in done.stderr
    assert "not-used-by-plan" not in done.stdout + done.stderr
