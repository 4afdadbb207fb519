"""A run killed with SIGKILL mid-way, then rerun: every source row committed exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, write_tables

pytestmark = pytest.mark.integration

TABLES = [f"t{i}" for i in range(5)]
CLI = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]


def start_run(config: Path, tables: Path, run_id: str) -> subprocess.Popen:
    """The CLI in its own process (its own JVM), as cron would start it."""
    args = [*CLI, "run", "--config", str(config), "--tables", str(tables), "--run-id", run_id]
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)


def wait_for_manifest(lake: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Block until some table committed (so the kill lands mid-run), or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(lake.glob("pg/*/*/*/*.parquet/_manifest.json")):
            return
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {proc.stdout.read().decode()}")
        time.sleep(0.05)
    pytest.fail("no table committed in time")


def test_sigkill_then_rerun_commits_every_row_exactly_once(pg_admin, pg_schema, tmp_path):
    for name in TABLES:
        pg_admin.execute(
            f'CREATE TABLE "{pg_schema}".{name} (id bigint PRIMARY KEY, v text, ts timestamp)'
        )
        pg_admin.execute(f"""INSERT INTO "{pg_schema}".{name}
            SELECT i, repeat('x', 50), TIMESTAMP '2024-01-01' + i * INTERVAL '1 second'
            FROM generate_series(1, 5000) AS i""")
    config = pg_config(tmp_path, max_workers=1)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": name, "schema_name": pg_schema, "incremental_column": "ts"}
            for name in TABLES
        ],
    )
    lake = tmp_path / "lake"
    proc = start_run(config, tables, "killed")
    wait_for_manifest(lake, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    committed_before = {
        p.parent.parent.parent.name for p in lake.glob("pg/*/*/*/*.parquet/_manifest.json")
    }
    assert 0 < len(committed_before) < len(TABLES), "the kill must land mid-run"

    for name in TABLES[:2]:  # new rows arrive between the crash and the rerun
        pg_admin.execute(f"""INSERT INTO "{pg_schema}".{name}
            SELECT i, 'new', TIMESTAMP '2024-01-01' + i * INTERVAL '1 second'
            FROM generate_series(5001, 5100) AS i""")
    rerun = start_run(config, tables, "rerun")
    output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, output.decode()

    for name in TABLES:
        committed = [r["id"] for r in read_rows(committed_outputs(lake, "pg", name))]
        source = [r[0] for r in pg_admin.execute(f'SELECT id FROM "{pg_schema}".{name}')]
        assert len(committed) == len(set(committed)), f"{name} has duplicates"
        assert sorted(committed) == sorted(source), f"{name} lost rows"
    uncommitted = [
        p for p in lake.glob("pg/*/*/*/*.parquet") if not (p / "_manifest.json").exists()
    ]
    for directory in uncommitted:  # left by the killed run: ignored by readers of manifests
        assert directory.name == "killed.parquet"
