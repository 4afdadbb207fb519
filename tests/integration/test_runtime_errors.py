"""Runtime faults through the CLI: one-line reasons and exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, write_tables

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]


def run(config: Path, tables: Path, *extra: str) -> subprocess.CompletedProcess:
    """`data-extractor run` in its own process."""
    args = [*CLI, "run", "--config", str(config), "--tables", str(tables), *extra]
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture
def two_tables(pg_admin, pg_schema, tmp_path):
    """Tables good and bad (3 rows each) and a tables file naming both."""
    for name in ("good", "bad"):
        pg_admin.execute(f'CREATE TABLE "{pg_schema}".{name} (id bigint PRIMARY KEY)')
        pg_admin.execute(f'INSERT INTO "{pg_schema}".{name} VALUES (1), (2), (3)')
    specs = [
        {"table_name": n, "schema_name": pg_schema, "is_full_extract": True}
        for n in ("good", "bad")
    ]
    return write_tables(tmp_path / "tables.json", specs)


def test_a_corrupt_state_fails_its_table_and_an_unwritable_report_keeps_the_summary(
    two_tables, tmp_path
):
    config = pg_config(tmp_path)
    corrupt = tmp_path / "lake" / "_state" / "tables" / "pg" / "bad" / "0000000001.json"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_text("")  # a version created, never written: the crash that used to block all
    result = run(config, two_tables, "--run-id", "r1", "--report", "/proc/no/run_report.json")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    summary = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "succeeded" in summary["pg/good"]
    assert "failed" in summary["pg/bad"] and str(corrupt) in summary["pg/bad"]
    assert read_rows(committed_outputs(tmp_path / "lake", "pg", "good")) != []
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: could not write the run report to /proc/no/run_report.json: "
        "FileNotFoundError: [Errno 2] No such file or directory: '/proc/no'"
    ]


@pytest.mark.parametrize("key", ["output_base_path", "state_path"])
def test_an_unusable_output_or_state_location_is_one_line_at_lock_time(two_tables, tmp_path, key):
    blocker = tmp_path / "a-file"  # a path under a regular file: unwritable even for root
    blocker.write_text("not a directory")
    config = pg_config(tmp_path, **{key: blocker / "lake"})
    result = run(config, two_tables)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Not a directory" in errors[0], result.stderr
    assert str(blocker) in errors[0]
    assert committed_outputs(tmp_path / "lake", "pg", "good") == []


def test_a_jvm_fault_is_one_line_with_its_java_reason(spark, tmp_path):
    # No S3A file system on this class path: the Hadoop call fails inside the JVM.
    from tests.helpers import run_cli

    config = pg_config(tmp_path, output_base_path="s3a://no-such-bucket/lake")
    tables = write_tables(tmp_path / "t.json", [{"table_name": "t", "is_full_extract": True}])
    result = run_cli("plan", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 1, result.output
    [line] = [x for x in result.stderr.splitlines() if x.startswith("error:")]
    assert "S3AFileSystem not found" in line, result.stderr
    assert "An error occurred while calling" not in result.stderr
    assert "Traceback" not in result.stderr
