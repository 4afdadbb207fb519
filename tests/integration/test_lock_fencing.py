"""A paused run and a run whose lock was taken over: nothing committed twice, nothing fenced out."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, wait_for, write_tables

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]
LEASE = 10  # the smallest lock_lease_seconds the config accepts


def start_run(config: Path, tables: Path, run_id: str) -> subprocess.Popen:
    """The CLI in its own process (its own JVM)."""
    args = [*CLI, "run", "--config", str(config), "--tables", str(tables), "--run-id", run_id]
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)


@contextlib.contextmanager
def paused_with_pending(lake: Path, config: Path, tables: Path) -> Iterator[subprocess.Popen]:
    """Run `first`, SIGSTOP it once its pending commit is saved (it is about to write data),
    and SIGCONT it when the block ends."""
    proc = start_run(config, tables, "first")
    state = lake / "_state" / "tables" / "pg" / "events"
    pending = lambda: any('"pending": {' in v.read_text() for v in state.glob("*.json"))  # noqa: E731
    wait_for(proc, pending, "it saved a pending commit")
    proc.send_signal(signal.SIGSTOP)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGCONT)


@pytest.fixture
def events(pg_admin, pg_schema, tmp_path):
    """20,000 source rows, a config with the shortest lease, a tables file."""
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".events (id bigint PRIMARY KEY, v text, ts timestamp)'
    )
    pg_admin.execute(f"""INSERT INTO "{pg_schema}".events SELECT i, repeat('x', 50),
        TIMESTAMP '2024-01-01' + i * INTERVAL '1 second' FROM generate_series(1, 20000) AS i""")
    config = pg_config(tmp_path, max_workers=1, lock_lease_seconds=LEASE)
    spec = {"table_name": "events", "schema_name": pg_schema, "incremental_column": "ts"}
    return config, write_tables(tmp_path / "tables.json", [spec])


def test_a_paused_run_keeps_its_lock_and_no_row_is_committed_twice(events, tmp_path):
    config, tables = events
    lake = tmp_path / "lake"
    with paused_with_pending(lake, config, tables) as first:
        time.sleep(LEASE + 2)  # the paused run's lease lapses
        second = start_run(config, tables, "second")
        output, _ = second.communicate(timeout=300)
    assert second.returncode == 1, output.decode()
    assert "error: run first (pid" in output.decode()
    assert "Traceback" not in output.decode()
    output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output.decode()
    ids = [r["id"] for r in read_rows(committed_outputs(lake, "pg", "events"))]
    assert len(ids) == len(set(ids)), "a row was committed twice"
    assert sorted(ids) == list(range(1, 20001))


def test_a_run_whose_lock_was_taken_over_writes_no_manifest_and_no_state(events, tmp_path):
    config, tables = events
    lake = tmp_path / "lake"
    with paused_with_pending(lake, config, tables) as run:
        # Another host's run took the lock over (as it may once a lease lapsed).
        generations = sorted((lake / "_state" / "lock").glob("*.json"))
        taker = lake / "_state" / "lock" / f"{int(generations[-1].stem) + 1:09d}.json"
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        body = {"owner": "o", "run_id": "elsewhere-run", "host": "other-host", "pid": 1}
        taker.write_text(json.dumps({**body, "expires_at": expires.isoformat()}))
        versions = sorted((lake / "_state" / "tables" / "pg" / "events").glob("*.json"))
    output, _ = run.communicate(timeout=300)
    text = output.decode()
    assert run.returncode == 1, text
    assert "lost the run lock to run elsewhere-run" in text
    assert "Traceback" not in text
    assert committed_outputs(lake, "pg", "events") == []
    after = sorted((lake / "_state" / "tables" / "pg" / "events").glob("*.json"))
    assert after == versions, "the fenced run saved state"
    assert json.loads(taker.read_text())["run_id"] == "elsewhere-run"  # left as the taker wrote it
