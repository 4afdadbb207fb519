"""A run killed with SIGKILL mid-way, then rerun: every source row committed exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, wait_for, write_tables

pytestmark = pytest.mark.integration

TABLES = [f"t{i}" for i in range(5)]
CLI = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]
ENGINES = ["spark", "arrow"]


def engine_env(engine: str) -> dict[str, str]:
    """The CLI's environment; for the Arrow engine a JAVA_HOME where no JVM can start, so a
    run that tried to start Spark would fail: the Arrow engine must need none."""
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    if engine == "arrow":
        env["JAVA_HOME"] = "/nonexistent/arrow-engine-needs-no-jvm"
    return env


def start_run(config: Path, tables: Path, run_id: str, engine: str) -> subprocess.Popen:
    """The CLI in its own process (its own JVM, for Spark), as cron would start it."""
    args = [*CLI, "run", "--config", str(config), "--tables", str(tables), "--run-id", run_id]
    args += ["--engine", engine]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=engine_env(engine)
    )


def wait_for_manifest(lake: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    """Block until some table committed (so the kill lands mid-run), or fail."""
    committed = lambda: any(lake.glob("pg/*/*/*/*.parquet/_manifest.json"))  # noqa: E731
    wait_for(proc, committed, "some table committed", timeout)


@pytest.mark.parametrize("engine", ENGINES)
def test_sigkill_then_rerun_commits_every_row_exactly_once(pg_admin, pg_schema, tmp_path, engine):
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
    proc = start_run(config, tables, "killed", engine)
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
    rerun = start_run(config, tables, "rerun", engine)
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


# The CLI with a Python audit hook that SIGKILLs the process at one exact point of the
# commit protocol (nothing of ours is replaced: the hook only watches os.rename/os.link).
KILLABLE = """
import os, signal, sys
point, seen = os.environ.get("KILL_AT"), []
def hook(event, args):
    if event == "os.rename" and str(args[0]).endswith(".staging"):
        if point == "switch":  # the committed output is aside, the new one not yet in place
            os.kill(os.getpid(), signal.SIGKILL)
        seen.append(args[0])
    if event == "os.link" and "/_state/tables/" in str(args[1]) and seen and point == "state":
        os.kill(os.getpid(), signal.SIGKILL)  # switched in, the state save in flight
sys.addaudithook(hook)
from data_extractor.entrypoints.cli import main
main()
"""


def start_redo(
    config: Path, tables: Path, run_id: str, engine: str, kill_at: str = ""
) -> subprocess.Popen:
    """`run --force` in its own process, killed by itself at kill_at (if given)."""
    args = [sys.executable, "-c", KILLABLE, "run", "--config", str(config)]
    args += ["--tables", str(tables), "--run-id", run_id, "--force", "--engine", engine]
    env = {**engine_env(engine), "KILL_AT": kill_at}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)


def kill_when_writing(lake: Path, proc: subprocess.Popen) -> None:
    """SIGKILL the run as soon as it starts writing the table: Spark's _temporary, or the
    Arrow engine's first hidden part file, appears."""

    def writing() -> bool:
        spark_temp = any(lake.glob("pg/big/*/*/*/_temporary"))
        return spark_temp or any(lake.glob("pg/big/*/*/*/.part-*"))

    wait_for(proc, writing, "the redo started writing")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.parametrize("engine", ENGINES)
def test_killed_force_redos_never_lose_the_committed_output(pg_admin, pg_schema, tmp_path, engine):
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".big (id bigint PRIMARY KEY, v text, ts timestamp)'
    )
    insert = f"""INSERT INTO "{pg_schema}".big SELECT i, repeat('x', 80),
        TIMESTAMP '2024-01-01' + i * INTERVAL '1 second' FROM generate_series(%s, %s) AS i"""
    pg_admin.execute(insert, (1, 100_000))
    config = pg_config(tmp_path, max_workers=1)
    spec = {"table_name": "big", "schema_name": pg_schema, "incremental_column": "ts"}
    tables = write_tables(tmp_path / "tables.json", [spec])
    lake = tmp_path / "lake"
    first = start_run(config, tables, "r", engine)
    output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output.decode()
    [committed] = committed_outputs(lake, "pg", "big")
    pg_admin.execute(insert, (100_001, 100_500))  # the redo has more to read

    kill_when_writing(lake, start_redo(config, tables, "r", engine))
    assert committed_outputs(lake, "pg", "big") == [committed], "the redo destroyed the commit"
    assert len(read_rows([committed])) == 100_000

    redo = start_redo(config, tables, "r", engine, kill_at="switch")
    redo.wait(timeout=300)
    assert redo.returncode == -signal.SIGKILL, redo.stdout.read().decode()
    assert not committed.exists(), "killed between moving the output aside and replacing it"

    redo = start_redo(config, tables, "r", engine, kill_at="state")
    redo.wait(timeout=300)
    assert redo.returncode == -signal.SIGKILL, redo.stdout.read().decode()

    redo = start_redo(config, tables, "r", engine)
    output, _ = redo.communicate(timeout=300)
    assert redo.returncode == 0, output.decode()
    assert committed_outputs(lake, "pg", "big") == [committed]
    ids = [r["id"] for r in read_rows([committed])]
    assert len(ids) == len(set(ids)) == 100_500
    assert sorted(ids) == list(range(1, 100_501))
    assert [p.name for p in committed.parent.iterdir()] == ["r.parquet"]  # nothing left aside
    state = lake / "_state" / "tables" / "pg" / "big"
    newest = max(state.glob("*.json"), key=lambda p: int(p.stem))
    assert '"pending": null' in newest.read_text()
