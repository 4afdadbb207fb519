"""`data-extractor demo`: a real extraction from an embedded Derby database, twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from ..adapters.demo_source import DerbyDemoDatabase
from ..adapters.secrets import Redactor
from .app import run_extraction
from .bootstrap import prepare, running
from .summary import render_report

MARKER = ".data-extractor-demo"
NEW_ORDERS = 1_500


def _fresh_folder(output: Path) -> Path:
    """The demo folder, emptied if an earlier demo made it; refuse anyone else's folder."""
    output = output.resolve()
    if output.exists() and any(output.iterdir()):
        if not (output / MARKER).exists():
            raise click.UsageError(
                f"{output} is not empty and was not made by the demo; pick another --output"
            )
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)
    (output / MARKER).write_text("made by data-extractor demo\n")
    return output


def write_demo_files(output: Path) -> tuple[Path, Path]:
    """The config and tables files the demo runs with, left for the user to reuse."""
    config = output / "demo-config.ini"
    config.write_text(
        "[database]\ntype = derby\n"
        f"database = {output / 'source-db'}\n\n"
        "[extraction]\n"
        f"output_base_path = {output / 'lake'}\n"
        "default_source = demo\nmax_workers = 3\n",
        encoding="utf-8",
    )
    tables = output / "demo-tables.json"
    tables.write_text(
        json.dumps(
            {
                "tables": [
                    {"table_name": "CUSTOMERS", "schema_name": "APP", "is_full_extract": True},
                    {"table_name": "PRODUCTS", "schema_name": "APP", "is_full_extract": True},
                    {
                        "table_name": "ORDERS",
                        "schema_name": "APP",
                        "incremental_column": "UPDATED_AT",
                        "primary_key": "ORDER_ID",
                    },
                ]
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return config, tables


def run_demo(output: Path, redactor: Redactor) -> int:
    """Create the source, extract (first run: full), add orders, extract again (incremental)."""
    output = _fresh_folder(output)
    config, tables = write_demo_files(output)
    ready = prepare(config, {}, redactor, tables=tables)
    specs = ready.specs
    with running(ready) as container:
        source = DerbyDemoDatabase(container.session_provider(), str(output / "source-db"))
        click.echo("building the demo database (Derby, embedded)...")
        source.create()
        first, _ = run_extraction(container, specs, "demo_run_1", False, None)
        click.echo("\nrun 1: no committed state yet, so every table is a full extract\n")
        click.echo(render_report(first))
        source.add_orders(1_000_000, NEW_ORDERS, "2025-01-01 00:00:00")
        second, report = run_extraction(container, specs, "demo_run_2", False, None)
        click.echo(f"\nrun 2: {NEW_ORDERS} new orders arrived; ORDERS reads only its new window\n")
        click.echo(render_report(second))
        click.echo(f"\nParquet under {output / 'lake'}; run report: {report}")
        click.echo(f"Rerun it yourself: data-extractor run --config {config} --tables {tables}")
    return max(first.exit_code, second.exit_code)
