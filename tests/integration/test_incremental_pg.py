"""Incremental extraction against real PostgreSQL and Spark: no row lost, none doubled."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zoneinfo

import pyarrow.parquet as pq
import pytest

from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.adapters.state import HadoopStateStore
from tests.conftest import pg_config
from tests.helpers import committed_outputs, read_rows, run_cli, write_tables

pytestmark = pytest.mark.integration
ONE_DAY = dt.timedelta(days=1)

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


def test_timestamps_are_written_as_int64_micros_that_pyarrow_reads_exactly(
    pg_admin, pg_schema, spark, tmp_path
):
    # INT96 (Spark's default) reads back through pyarrow as nanoseconds: year 2500 overflows.
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".far (id int, at timestamp, zoned timestamptz)')
    pg_admin.execute(
        f"""INSERT INTO "{pg_schema}".far VALUES
        (1, TIMESTAMP '2500-01-01 12:00:00', TIMESTAMPTZ '2500-01-01 12:00:00+00'),
        (2, TIMESTAMP '1500-06-01 00:00:00.000001', TIMESTAMPTZ '1500-06-01 00:00:00+00')"""
    )
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "far", "schema_name": pg_schema, "is_full_extract": True}],
    )
    assert run(config, tables, "--run-id", "r1").exit_code == 0
    [out] = committed_outputs(tmp_path / "lake", "pg", "far")
    part = next(out.glob("part-*.parquet"))
    schema = pq.ParquetFile(part).schema
    for name in ("at", "zoned"):
        column = schema.column(schema.names.index(name))
        assert column.physical_type == "INT64", (name, column)
        assert "timeUnit=microseconds" in str(column.logical_type), (name, column)
    rows = sorted(read_rows([out]), key=lambda r: r["id"])
    assert rows[0]["at"] == dt.datetime(2500, 1, 1, 12)
    assert rows[1]["at"] == dt.datetime(1500, 6, 1, 0, 0, 0, 1)


ZONED_INSERT = """INSERT INTO "{s}".zoned
SELECT i, TIMESTAMPTZ '2024-11-03 04:00:00+00' + i * INTERVAL '1 minute'
FROM generate_series({start}, {stop}) AS i"""


def test_timestamptz_rows_around_a_dst_fall_back_are_committed_once(
    pg_admin, pg_schema, spark, tmp_path
):
    # The session's zone is New York's: 01:00-02:00 local happens twice on 2024-11-03
    # (05:00-07:00 UTC). Watermarks are instants, so neither zone may move the window.
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".zoned (id bigint, at timestamptz NOT NULL)')
    pg_admin.execute(ZONED_INSERT.format(s=pg_schema, start=1, stop=60))
    config = pg_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    zone = "[database]\ninit_statement = SET TIME ZONE 'America/New_York'\n"
    config.write_text(text.replace("[database]\n", zone, 1), encoding="utf-8")
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "zoned", "schema_name": pg_schema, "incremental_column": "at"}],
    )
    for run_id, (start, stop) in [("r1", (61, 100)), ("r2", (101, 170)), ("r3", (171, 200))]:
        result = run(config, tables, "--run-id", run_id)
        assert result.exit_code == 0, result.output
        pg_admin.execute(ZONED_INSERT.format(s=pg_schema, start=start, stop=stop))
    assert run(config, tables, "--run-id", "r4").exit_code == 0
    committed = ids(tmp_path, "zoned")
    assert sorted(committed) == list(range(1, 201))
    store = HadoopStateStore(LocalFileSystem(), str(tmp_path / "lake" / "_state"))
    assert store.load("pg/zoned").watermark == dt.datetime(2024, 11, 3, 7, 20, tzinfo=dt.UTC)


def test_nan_and_infinite_cursors_fail_the_table_naming_column_and_value(
    pg_admin, pg_schema, spark, tmp_path
):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".measures (id int, score double precision)')
    pg_admin.execute(f"INSERT INTO \"{pg_schema}\".measures VALUES (1, 1.5), (2, 'NaN')")
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".forever (id int, until timestamp)')
    pg_admin.execute(
        f"INSERT INTO \"{pg_schema}\".forever VALUES (1, TIMESTAMP '2024-01-01'), (2, 'infinity')"
    )
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": "measures", "schema_name": pg_schema, "incremental_column": "score"},
            {"table_name": "forever", "schema_name": pg_schema, "incremental_column": "until"},
        ],
    )
    # Even a first run commits MAX(cursor) as its watermark: nothing is written.
    result = run(config, tables, "--run-id", "r1", "--report", str(tmp_path / "report.json"))
    assert result.exit_code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    errors = {t["table"]: t["error"] for t in report["tables"]}
    assert "MAX(score) is 'NaN'" in errors["pg/measures"]
    assert "MAX(until) is 'infinity'" in errors["pg/forever"]
    assert committed_outputs(tmp_path / "lake", "pg", "measures") == []


def test_a_day_that_has_not_ended_in_the_configured_timezone_is_refused(tmp_path):
    # At UTC-12 "today" may still be yesterday in UTC; at UTC+14, yesterday may be UTC's today.
    behind = dt.datetime.now(dt.UTC).astimezone(zoneinfo.ZoneInfo("Etc/GMT+12")).date()
    ahead = dt.datetime.now(dt.UTC).astimezone(zoneinfo.ZoneInfo("Etc/GMT-14")).date()
    entry = {"table_name": "events", "incremental_column": "at"}
    for zone, day, expected in [("Etc/GMT+12", behind, 2), ("Etc/GMT-14", ahead - ONE_DAY, 0)]:
        config = pg_config(tmp_path, timezone=zone)
        tables = write_tables(
            tmp_path / "tables.json", [{**entry, "extraction_date": day.isoformat()}]
        )
        result = run_cli("validate", "--config", str(config), "--tables", str(tables))
        assert result.exit_code == expected, (zone, day, result.output)
    refused = run(
        pg_config(tmp_path, timezone="Etc/GMT+12"),
        write_tables(tmp_path / "tables.json", [{**entry, "extraction_date": behind.isoformat()}]),
    )
    assert refused.exit_code == 2
    assert "tables.json: table 'events'" in refused.output and "extraction_date" in refused.output
    assert "has not ended" in refused.output
    assert not (tmp_path / "lake").exists()


def test_a_daily_first_run_from_initial_watermark_writes_each_day_in_its_folder(
    pg_admin, pg_schema, spark, tmp_path
):
    today = dt.datetime.now(dt.UTC).date()
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".days (id int, at timestamp)')
    for k in range(1, 6):  # 06:00 and 18:00 of each of the last five days, and a NULL
        day = today - k * ONE_DAY
        pg_admin.execute(
            f"""INSERT INTO "{pg_schema}".days VALUES ({k * 10}, TIMESTAMP '{day} 06:00'),
            ({k * 10 + 1}, TIMESTAMP '{day} 18:00')"""
        )
    pg_admin.execute(f'INSERT INTO "{pg_schema}".days VALUES (0, NULL)')
    start = today - 3 * ONE_DAY
    config = pg_config(tmp_path)
    entry = {"table_name": "days", "schema_name": pg_schema, "incremental_column": "at"}
    entry |= {"incremental_strategy": "daily", "initial_watermark": start.isoformat()}
    tables = write_tables(tmp_path / "tables.json", [entry])
    shown = run_cli("plan", "--config", str(config), "--tables", str(tables), "--json")
    assert shown.exit_code == 0, shown.output
    tasks = json.loads(shown.output)["tasks"]
    assert [t["day"] for t in tasks] == [(today - k * ONE_DAY).isoformat() for k in (3, 2, 1)]
    assert tasks[0]["initial_watermark"] == {"type": "date", "value": start.isoformat()}
    text = run_cli("plan", "--config", str(config), "--tables", str(tables))
    assert f"initial_watermark: {start}" in text.output
    result = run(config, tables, "--run-id", "d1")
    assert result.exit_code == 0, result.output
    outputs = committed_outputs(tmp_path / "lake", "pg", "days")
    folders = sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in outputs)
    expected = [f"{today - k * ONE_DAY:%Y%m/%d}" for k in (3, 2, 1)]
    assert folders == sorted(expected)
    assert sorted(ids(tmp_path, "days")) == [10, 11, 20, 21, 30, 31]
    again = run(config, tables, "--run-id", "d2")
    assert again.exit_code == 0 and "already covered" in again.output


def test_a_new_york_jvm_then_a_utc_jvm_commit_each_zoned_row_once_with_true_values(
    pg_admin, pg_schema, spark, tmp_path
):
    # The first run's JVM (a user's -Duser.timezone) is New York's; the second is UTC.
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".zoned (id bigint, at timestamptz NOT NULL, local timestamp)'
    )
    insert = f"""INSERT INTO "{pg_schema}".zoned
        SELECT i, TIMESTAMPTZ '2024-11-03 04:00:00+00' + i * INTERVAL '1 minute',
               TIMESTAMP '2024-11-03 01:30:00' FROM generate_series({{}}, {{}}) AS i"""
    pg_admin.execute(insert.format(1, 150))  # to 06:30 UTC: inside the repeated hour
    config = pg_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text + "\n[spark]\nspark.driver.extraJavaOptions = -Duser.timezone=America/New_York\n",
        encoding="utf-8",
    )
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "zoned", "schema_name": pg_schema, "incremental_column": "at"}],
    )
    cli = [sys.executable, "-c", "from data_extractor.entrypoints.cli import main; main()"]
    done = subprocess.run(
        [*cli, "run", "--config", str(config), "--tables", str(tables), "--run-id", "ny"],
        capture_output=True,
        text=True,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    pg_admin.execute(insert.format(151, 240))
    assert run(config, tables, "--run-id", "utc").exit_code == 0
    rows = read_rows(committed_outputs(tmp_path / "lake", "pg", "zoned"))
    assert sorted(r["id"] for r in rows) == list(range(1, 241))
    start = dt.datetime(2024, 11, 3, 4, tzinfo=dt.UTC)
    for row in rows:
        assert row["at"] == start + dt.timedelta(minutes=row["id"]), row
        assert row["local"] == dt.datetime(2024, 11, 3, 1, 30), row


def test_the_configs_initial_watermark_is_checked_and_used_by_tables_without_one(tmp_path):
    entry = {"table_name": "events", "incremental_column": "id"}
    tables = write_tables(tmp_path / "tables.json", [entry, {**entry, "table_name": "own"}])
    bad = run_cli(
        "validate",
        "--config",
        str(pg_config(tmp_path, initial_watermark="soon")),
        "--tables",
        str(tables),
    )
    assert bad.exit_code == 2 and "initial_watermark" in bad.output and "soon" in bad.output
    assert bad.output.count("'soon'") == 1  # named once, by the config, not once per table
    tables = write_tables(
        tmp_path / "tables.json", [entry, {**entry, "table_name": "own", "initial_watermark": 9}]
    )
    config = pg_config(tmp_path, initial_watermark=1000)
    shown = run_cli("plan", "--config", str(config), "--tables", str(tables), "--json")
    assert shown.exit_code == 0, shown.output
    starts = {t["table"]: t["window"]["lower"] for t in json.loads(shown.output)["tasks"]}
    assert starts == {
        "pg/events": {"type": "integer", "value": "1000"},
        "pg/own": {"type": "integer", "value": "9"},
    }


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("date", "DATE '0044-03-15 BC'", "0044-03-15 BC"),
        ("date", "'infinity'::date", "infinity"),
        ("timestamp", "TIMESTAMP '0100-01-01 00:00:00 BC'", "0100-01-01 00:00:00 BC"),
        ("timestamptz", "'-infinity'::timestamptz", "-infinity"),
    ],
)
def test_dates_spark_cannot_hold_fail_the_table_naming_column_and_value(
    pg_admin, pg_schema, spark, tmp_path, column, value, shown
):
    # Before: a BC date was written as AD, infinity as 9999-12-31; values must never change.
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".odd (id int, "When" {column})')
    pg_admin.execute(f'INSERT INTO "{pg_schema}".odd VALUES (1, NULL), (2, {value})')
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "odd", "schema_name": pg_schema, "is_full_extract": True}],
    )
    result = run(config, tables, "--run-id", "r1", "--report", str(tmp_path / "report.json"))
    assert result.exit_code == 1
    [table] = json.loads((tmp_path / "report.json").read_text())["tables"]
    assert f"column When holds {shown}" in table["error"], table["error"]
    assert committed_outputs(tmp_path / "lake", "pg", "odd") == []
    pg_admin.execute(f'DELETE FROM "{pg_schema}".odd WHERE id = 2')
    assert run(config, tables, "--run-id", "r2").exit_code == 0
    assert ids(tmp_path, "odd") == [1]
