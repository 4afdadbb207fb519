"""Helpers for tests: run the CLI in-process, read committed Parquet output."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from data_extractor.entrypoints.cli import cli


def run_cli(*args: str) -> Result:
    """Invoke `data-extractor` in this process (sharing the test SparkSession)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write_tables(path: Path, tables: list[dict]) -> Path:
    """A tables JSON file."""
    path.write_text(json.dumps({"tables": tables}), encoding="utf-8")
    return path


def committed_outputs(lake: Path, source: str, table: str) -> list[Path]:
    """Run directories of a table that hold a manifest, oldest run first."""
    root = lake / source / table
    return sorted(
        (m.parent for m in root.glob("*/*/*.parquet/_manifest.json")),
        key=lambda p: json.loads((p / "_manifest.json").read_text())["started_at"],
    )


def read_rows(outputs: list[Path]) -> list[dict]:
    """Every row of the given run directories, as dicts."""
    rows: list[dict] = []
    for out in outputs:
        rows += pq.read_table(out).to_pylist()
    return rows


def manifest(output: Path) -> dict:
    """The manifest of a run directory."""
    return json.loads((output / "_manifest.json").read_text())


def wait_for(proc: subprocess.Popen, ready: Callable[[], bool], what: str, timeout: float = 300):
    """Poll ready() until true, failing if the process ends first or `what` never happens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc.poll() is not None:
            output = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail(f"the run ended before {what}: {output}")
        time.sleep(0.01)
    pytest.fail(f"timed out waiting until {what}")
