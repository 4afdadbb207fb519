"""Incremental extraction against real PostgreSQL and Spark: no row lost, none doubled."""

from __future__ import annotations

import json
import os

import pytest

from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.adapters.state import HadoopStateStore
from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, run_cli, write_tables

pytestmark = pytest.mark.integration

CREATE = (
    'CREATE TABLE "{s}".events (id bigint PRIMARY KEY, payload text, updated_at timestamp NOT NULL)'
)
INSERT = """INSERT INTO "{s}".events
SELECT i, 'event ' || i, TIMESTAMP '2024-05-01 00:00:00' + i * INTERVAL '1 minute'
FROM generate_series({start}, {stop}) AS i"""


def ids(tmp_path, table: str = "events") -> list[int]:
    """Ids of every committed row of a table, duplicates kept."""
    return [r["id"] for r in read_rows(committed_outputs(tmp_path / "lake", "pg", table))]


def source_ids(pg_admin, schema: str, table: str = "events") -> list[int]:
    """Ids in the source table."""
    return [r[0] for r in pg_admin.execute(f'SELECT id FROM "{schema}".{table} ORDER BY id')]


@pytest.fixture
def events(pg_admin, pg_schema, spark, tmp_path):
    """An events table with 100 rows, a config and a watermark tables file."""
    pg_admin.execute(CREATE.format(s=pg_schema))
    pg_admin.execute(INSERT.format(s=pg_schema, start=1, stop=100))
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": "events", "schema_name": pg_schema, "incremental_column": "updated_at"},
        ],
    )
    return config, tables


def run(config, tables, *extra: str):
    """One CLI run; returns the click result."""
    return run_cli("run", "--config", str(config), "--tables", str(tables), *extra)


def test_three_runs_with_inserts_between_commit_each_row_once(
    events, pg_admin, pg_schema, tmp_path
):
    config, tables = events
    for run_id, (start, stop) in [("r1", (101, 150)), ("r2", (151, 152)), ("r3", (153, 400))]:
        result = run(config, tables, "--run-id", run_id)
        assert result.exit_code == 0, result.output
        pg_admin.execute(INSERT.format(s=pg_schema, start=start, stop=stop))
    assert run(config, tables, "--run-id", "r4").exit_code == 0
    committed = ids(tmp_path)
    assert len(committed) == len(set(committed))
    assert sorted(committed) == source_ids(pg_admin, pg_schema)
    assert len(committed_outputs(tmp_path / "lake", "pg", "events")) == 4


def test_rerun_of_a_committed_run_id_skips_and_force_redoes(events, pg_admin, pg_schema, tmp_path):
    config, tables = events
    assert run(config, tables, "--run-id", "r1").exit_code == 0
    pg_admin.execute(INSERT.format(s=pg_schema, start=101, stop=110))
    again = run(config, tables, "--run-id", "r1")
    assert again.exit_code == 0 and "already committed" in again.output
    assert sorted(ids(tmp_path)) == list(range(1, 101))
    forced = run(config, tables, "--run-id", "r1", "--force")
    assert forced.exit_code == 0, forced.output
    assert sorted(ids(tmp_path)) == source_ids(pg_admin, pg_schema)


def test_late_rows_below_the_watermark_are_read_when_lookback_covers_them(
    pg_admin, pg_schema, spark, tmp_path
):
    pg_admin.execute(CREATE.format(s=pg_schema))
    pg_admin.execute(INSERT.format(s=pg_schema, start=1, stop=100))
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {
                "table_name": "events",
                "schema_name": pg_schema,
                "incremental_column": "updated_at",
                "lookback": "30m",
                "primary_key": "id",
            },
        ],
    )
    assert run(config, tables, "--run-id", "r1").exit_code == 0
    # Committed watermark is minute 100; a late row lands at minute 90.
    pg_admin.execute(f"""INSERT INTO "{pg_schema}".events
        VALUES (5000, 'late', TIMESTAMP '2024-05-01 00:00:00' + INTERVAL '90 minutes')""")
    assert run(config, tables, "--run-id", "r2").exit_code == 0
    second = committed_outputs(tmp_path / "lake", "pg", "events")[-1]
    second_ids = {r["id"] for r in read_rows([second])}
    assert 5000 in second_ids
    # (watermark - 30 minutes, new high watermark]: minutes 71..100 again, plus the late row.
    assert second_ids == {5000, *range(71, 101)}
    assert set(ids(tmp_path)) == set(source_ids(pg_admin, pg_schema))


def test_a_broken_table_fails_alone(events, pg_admin, pg_schema, tmp_path):
    config, _ = events
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".small (id int)')
    pg_admin.execute(f'INSERT INTO "{pg_schema}".small VALUES (1), (2)')
    tables = write_tables(
        tmp_path / "batch.json",
        [
            {"table_name": "events", "schema_name": pg_schema, "incremental_column": "updated_at"},
            {"table_name": "missing_table", "schema_name": pg_schema, "is_full_extract": True},
            {"table_name": "small", "schema_name": pg_schema, "is_full_extract": True},
        ],
    )
    result = run(config, tables, "--run-id", "b1", "--report", str(tmp_path / "report.json"))
    assert result.exit_code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    status = {t["table"]: t for t in report["tables"]}
    assert status["pg/events"]["status"] == "succeeded"
    assert status["pg/small"]["status"] == "succeeded"
    assert status["pg/missing_table"]["status"] == "failed"
    assert "missing_table" in status["pg/missing_table"]["error"]
    assert "\n" not in status["pg/missing_table"]["error"]
    assert sorted(ids(tmp_path, "small")) == [1, 2]


def test_a_second_run_on_the_same_output_is_refused_while_the_first_holds_the_lock(
    events, tmp_path
):
    config, tables = events
    store = HadoopStateStore(LocalFileSystem(), str(tmp_path / "lake" / "_state"))
    with store.lock("first-run"):
        refused = run(config, tables, "--run-id", "second-run")
        assert refused.exit_code == 1
        assert "run first-run" in refused.output and "same location" in refused.output
        assert committed_outputs(tmp_path / "lake", "pg", "events") == []
        assert not (tmp_path / "lake" / "_state" / "tables").exists()
    assert run(config, tables, "--run-id", "second-run").exit_code == 0


def test_a_lock_left_by_a_dead_process_does_not_block(events, tmp_path):
    config, tables = events
    lock = tmp_path / "lake" / "_state" / "lock" / "000000001.json"
    lock.parent.mkdir(parents=True)
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)
    import socket

    lock.write_text(
        json.dumps(
            {
                "owner": "gone",
                "run_id": "killed",
                "host": socket.gethostname(),
                "pid": child,
                "expires_at": "2999-01-01T00:00:00+00:00",
            }
        )
    )
    result = run(config, tables, "--run-id", "after-crash")
    assert result.exit_code == 0, result.output
    taken = json.loads((lock.parent / "000000002.json").read_text())
    assert taken["run_id"] == "after-crash" and taken["released"] is True
