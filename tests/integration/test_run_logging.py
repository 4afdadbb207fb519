"""`run --quiet`, `--verbose` and `--log-format json`: the README's logging flags do what it says."""

from __future__ import annotations

import json

import pytest

from tests.conftest import pg_config
from tests.helpers import run_cli, write_tables

pytestmark = pytest.mark.integration


@pytest.fixture
def small_table(pg_admin, pg_schema, spark, tmp_path):
    """A ten-row table, a config and a tables file."""
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".items (id int PRIMARY KEY, name text)')
    pg_admin.execute(
        f"""INSERT INTO "{pg_schema}".items SELECT i, 'item ' || i FROM generate_series(1, 10) i"""
    )
    tables = write_tables(
        tmp_path / "tables.json",
        [{"table_name": "items", "schema_name": pg_schema, "is_full_extract": True}],
    )
    return pg_config(tmp_path), tables


def run(config, tables, *flags: str):
    """One in-process CLI run."""
    return run_cli("run", "--config", str(config), "--tables", str(tables), *flags)


def test_quiet_logs_no_info_lines_and_verbose_json_logs_debug_objects(small_table):
    config, tables = small_table
    quiet = run(config, tables, "--run-id", "q", "--quiet")
    assert quiet.exit_code == 0, quiet.output
    assert " INFO " not in quiet.stderr
    assert "run q: 1 tables, 0 failed, 10 rows" in quiet.stdout

    # A table that fails logs its stack trace at debug level only: --verbose shows it.
    missing = write_tables(
        tables.parent / "missing.json", [{"table_name": "no_such_table", "is_full_extract": True}]
    )
    loud = run(config, missing, "--run-id", "v", "--verbose", "--log-format", "json")
    assert loud.exit_code == 1, loud.output
    lines = [json.loads(line) for line in loud.stderr.splitlines() if line.startswith("{")]
    assert lines, loud.stderr
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    debug = [line for line in lines if line["level"] == "DEBUG"]
    assert any("no_such_table" in line.get("exception", "") for line in debug), debug


def test_quiet_and_verbose_together_is_bad_input(small_table):
    config, tables = small_table
    result = run(config, tables, "--quiet", "--verbose")
    assert result.exit_code == 2
    assert "--quiet/--verbose" in result.stderr
