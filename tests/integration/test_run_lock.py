"""The run lock between real processes: one holder per race, dead holders only, no tracebacks."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.helpers import write_tables

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]
TRIALS = 300


def _contend(name: str, roots: list[str], barrier, results) -> None:
    """Take the lock of each root at the same instant as the other process; report who held."""
    from data_extractor.adapters.local_fs import LocalFileSystem
    from data_extractor.adapters.state import HadoopStateStore
    from data_extractor.domain.errors import RunLockedError

    held = []
    try:
        for root in roots:
            lock = HadoopStateStore(LocalFileSystem(), root, lease_seconds=300).lock(name)
            barrier.wait()
            try:
                lock.__enter__()
            except RunLockedError:
                held.append(False)
                barrier.wait()  # the other process has tried too
                continue
            held.append(True)
            barrier.wait()  # keep holding until both have tried
            lock.__exit__(None, None, None)
        results.put((name, held))
    except BaseException as exc:  # the test must see a worker's failure, not hang
        barrier.abort()
        results.put((name, repr(exc)))


def test_two_processes_racing_for_the_lock_never_both_hold_it(tmp_path):
    roots = [str(tmp_path / f"state{i}") for i in range(TRIALS)]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2, timeout=60), ctx.Queue()
    workers = [ctx.Process(target=_contend, args=(n, roots, barrier, results)) for n in "ab"]
    for worker in workers:
        worker.start()
    outcome = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert all(isinstance(v, list) for v in outcome.values()), outcome
    holders = [a + b for a, b in zip(outcome["a"], outcome["b"], strict=True)]
    doubled = [i for i, n in enumerate(holders) if n == 2]
    assert not doubled, f"both processes held the lock in {len(doubled)} of {TRIALS} trials"
    assert holders == [1] * TRIALS


def cli(*args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process; commands here start no JVM."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)


def state_config(tmp_path: Path) -> Path:
    """A config whose lake holds state for two tables: pg/good (valid) and pg/bad."""
    lake = tmp_path / "lake"
    for table, text in (("good", None), ("bad", "")):
        folder = lake / "_state" / "tables" / "pg" / table
        folder.mkdir(parents=True)
        valid = {"version": 1, "watermark": None, "last_run_id": "r1", "pending": None}
        (folder / "0000000001.json").write_text(json.dumps(valid))
        if text is not None:  # the crash that left version 2 created but never written
            (folder / "0000000002.json").write_text(text)
    return write_config(
        tmp_path / "config.ini",
        {
            "database": {"type": "postgresql", "host": "127.0.0.1", "database": "postgres"},
            "extraction": {"output_base_path": lake, "default_source": "pg"},
        },
    )


def test_state_show_reports_a_corrupt_version_and_shows_the_other_tables(tmp_path):
    config = state_config(tmp_path)
    bad = tmp_path / "lake/_state/tables/pg/bad/0000000002.json"
    shown = cli("state", "show", "--config", str(config))
    assert shown.returncode == 1, shown.stderr
    assert "Traceback" not in shown.stderr
    lines = shown.stdout.splitlines()
    assert "pg/good: watermark -, last run r1" in lines
    assert any(line.startswith(f"pg/bad: error: state file {bad} is unreadable") for line in lines)
    as_json = json.loads(cli("state", "show", "--config", str(config), "--json").stdout)
    assert as_json["pg/good"]["last_run_id"] == "r1"
    assert as_json["pg/bad"]["error"].startswith(f"state file {bad} is unreadable (empty)")
    specs = [{"table_name": n, "is_full_extract": True} for n in ("good", "bad")]
    tables = write_tables(tmp_path / "tables.json", specs)
    planned = cli("plan", "--config", str(config), "--tables", str(tables), "--run-id", "p")
    assert planned.returncode == 1, planned.stderr
    assert "- pg/good: full" in planned.stdout
    assert f"- pg/bad: skipped (error: state file {bad} is unreadable" in planned.stdout


@pytest.mark.parametrize("layout", ["lock/000000001.json", "lock.json"])
def test_a_lock_whose_expiry_has_no_zone_is_read_as_utc(tmp_path, layout):
    config = state_config(tmp_path)
    lock = tmp_path / "lake" / "_state" / layout  # lock.json: where older versions locked
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = {"run_id": "nightly", "host": "elsewhere", "pid": 1, "owner": "x"}
    lock.write_text(json.dumps({**holder, "expires_at": "2999-01-01T00:00:00"}))
    result = cli("state", "reset", "--config", str(config), "--yes")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: run nightly (pid 1 on elsewhere)")
    assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "lake/_state/tables/pg/good/0000000001.json").exists()


def test_a_lock_of_a_dead_process_on_this_host_is_taken_over_however_long_its_lease(tmp_path):
    config = state_config(tmp_path)
    lock = tmp_path / "lake" / "_state" / "lock" / "000000007.json"
    lock.parent.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    body = {
        "run_id": "killed",
        "host": os.uname().nodename,
        "pid": int(dead),
        "owner": "x",
        "expires_at": "2999-01-01T00:00:00+00:00",
    }
    lock.write_text(json.dumps(body))
    result = cli("state", "reset", "--config", str(config), "--yes", "--table", "pg/good")
    assert result.returncode == 0, result.stderr
    released = json.loads((lock.parent / "000000008.json").read_text())
    assert released["run_id"] == "state-reset" and released["released"] is True
