"""The database password appears nowhere: not in output, reports, manifests, state or logs.

PostgreSQL trusts local connections, so any password logs in: the runs below really use
the password (in an env: reference, a ${VAR} and a raw JDBC url), one table fails on
purpose, and then everything they produced is searched for it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from data_extractor.entrypoints import logs
from tests.conftest import PG_JAR, write_config
from tests.helpers import run_cli, write_tables

pytestmark = pytest.mark.integration

PASSWORD = "Zq7-hygiene-S3cr3t-4f1c"
URL = f"jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password={PASSWORD}"
ENV_REFERENCE = {"user": "postgres", "password": "env:DE_TEST_PASSWORD"}
FORMS = {  # [database] keys, [runtime] keys
    "env_reference": (ENV_REFERENCE, {}),
    "interpolated": ({"user": "postgres", "password": "${DE_TEST_PASSWORD}"}, {}),
    "raw_url": ({"url": URL}, {}),
    "json_logs": (ENV_REFERENCE, {"log_format": "json"}),
}


@pytest.fixture
def source(pg_admin, pg_schema) -> str:
    """A schema with one small table (and no table named 'missing')."""
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".customers (id int PRIMARY KEY, name text, '
        "updated_at timestamp NOT NULL)"
    )
    pg_admin.execute(
        f"INSERT INTO \"{pg_schema}\".customers SELECT i, 'c' || i, "
        "TIMESTAMP '2024-01-01' + i * INTERVAL '1 minute' FROM generate_series(1, 20) i"
    )
    return pg_schema


@pytest.fixture
def captured_logs(monkeypatch, caplog):
    """Every record of the tool's loggers reaches caplog (the tool's logger does not propagate)."""
    original = logs.setup_logging

    def setup_and_capture(*args, **kwargs):
        original(*args, **kwargs)
        logging.getLogger("data_extractor").addHandler(caplog.handler)

    monkeypatch.setattr(logs, "setup_logging", setup_and_capture)
    caplog.set_level(logging.DEBUG)
    yield caplog
    logging.getLogger("data_extractor").removeHandler(caplog.handler)


def _inputs(folder: Path, schema: str, form: str, lake: Path) -> tuple[Path, Path]:
    database, runtime = FORMS[form]
    folder.mkdir()
    config = write_config(
        folder / "config.ini",
        {
            "database": {"type": "postgresql", "host": "127.0.0.1", "port": 5432,
                         "database": "postgres", "driver_jars": PG_JAR, **database},
            "extraction": {"output_base_path": lake, "default_source": "pg", "max_workers": 2,
                           "retry_attempts": 1, "retry_backoff_seconds": 0},
            "runtime": {"log_level": "debug", **runtime},
        },
    )  # fmt: skip
    tables = write_tables(
        folder / "tables.json",
        [
            {"table_name": "customers", "schema_name": schema, "is_full_extract": True},
            {"table_name": "customers", "schema_name": schema, "source_name": "pg_inc",
             "incremental_column": "updated_at"},
            {"table_name": "missing", "schema_name": schema, "is_full_extract": True},
        ],
    )  # fmt: skip
    return config, tables


def _files_with(root: Path, text: str, skip: Path) -> list[str]:
    needle = text.encode()
    return [
        str(p)
        for p in root.rglob("*")
        if p.is_file() and skip not in p.parents and needle in p.read_bytes()
    ]


@pytest.mark.parametrize("form", list(FORMS))
def test_the_password_appears_nowhere(form, source, spark, tmp_path, monkeypatch, captured_logs):
    monkeypatch.setenv("DE_TEST_PASSWORD", PASSWORD)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # anything written to the working directory is searched too
    inputs = tmp_path / "in"
    lake = tmp_path / "lake"
    config, tables = _inputs(inputs, source, form, lake)
    files = ("--config", str(config), "--tables", str(tables))

    results = {
        "run": run_cli("run", *files, "--run-id", "r1"),
        "run --json": run_cli("run", *files, "--run-id", "r2", "--json"),
        "plan --json": run_cli("plan", *files, "--json"),
        "validate --connect": run_cli("validate", *files, "--connect"),
    }

    assert results["run"].exit_code == 1, results["run"].output  # the missing table failed
    assert "missing" in results["run"].output
    assert results["plan --json"].exit_code == 0, results["plan --json"].output
    assert results["validate --connect"].exit_code == 2
    assert "pg/missing" in results["validate --connect"].stderr
    assert list(lake.glob("_runs/*/run_report.json")), "the runs wrote their reports"
    assert list(lake.rglob("_manifest.json")), "the good tables were committed"
    for name, result in results.items():
        assert PASSWORD not in result.output, name
        assert PASSWORD not in repr(result.exception), name
    assert _files_with(tmp_path, PASSWORD, skip=inputs) == []
    records = captured_logs.records
    assert records, "the runs logged"
    for record in records:
        assert PASSWORD not in record.getMessage()
        assert PASSWORD not in (record.exc_text or "")
    assert PASSWORD not in captured_logs.text
    if form == "json_logs":
        logged = [json.loads(line) for line in results["run"].stderr.splitlines()]
        assert {"time", "level", "logger", "message"} <= set(logged[0])
