"""The `data-extractor` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..adapters.secrets import Redactor
from ..adapters.serialization import (
    PLAN_FORMAT,
    cursor_to_json,
    report_to_json,
    window_to_json,
)
from ..domain.errors import InputError, Problem
from ..domain.model import RunReport
from ..usecases.preview import preview
from .app import ReportNotWrittenError, run_extraction, run_request
from .bootstrap import prepare, running
from .boundary import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, guarded
from .config import flag_overrides
from .init_files import SOURCE_TYPES, write_init_files
from .state_commands import state
from .summary import render_plan, render_report
from .validate import validate
from .verify import run_verify

# The original tool's --generate-databricks-* form has no --force of its own.
LEGACY_OVERWRITE_HINT = (
    "delete it first, or use `data-extractor init --databricks --force --config-out ... "
    "--tables-out ...`"
)


def run_options(f: Callable) -> Callable:
    """Options shared by `run`, `plan` and the original tool's bare invocation."""
    f = click.option(
        "--config",
        "config",
        type=click.Path(path_type=Path),
        help="Your config INI (overlays container.ini).",
    )(f)
    f = click.option(
        "--tables",
        "tables",
        type=click.Path(path_type=Path),
        required=True,
        help="Tables file, JSON or YAML.",
    )(f)
    f = click.option(
        "--run-id", help="Name of this run; rerunning an id skips its committed tables."
    )(f)
    f = click.option("--output", help="Override [extraction] output_base_path.")(f)
    f = click.option("--max-workers", type=click.IntRange(min=1), help="Tables extracted at once.")(
        f
    )
    f = click.option(
        "--databricks", is_flag=True, help="Force Databricks mode (else auto-detected)."
    )(f)
    return f


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "legacy_config", type=click.Path(path_type=Path), hidden=True)
@click.option("--tables", "legacy_tables", type=click.Path(path_type=Path), hidden=True)
@click.option("--run-id", "legacy_run_id", hidden=True)
@click.option("--databricks", "legacy_databricks", is_flag=True, hidden=True)
@click.option("--generate-databricks-config", "legacy_gen_config", type=Path, hidden=True)
@click.option("--generate-databricks-tables", "legacy_gen_tables", type=Path, hidden=True)
@click.version_option(package_name="data-extractor")
@click.pass_context
def cli(
    ctx: click.Context,
    legacy_config: Path | None,
    legacy_tables: Path | None,
    legacy_run_id: str | None,
    legacy_databricks: bool,
    legacy_gen_config: Path | None = None,
    legacy_gen_tables: Path | None = None,
) -> None:
    """Copy relational tables into a data lake as Parquet, full or incremental.

    `data-extractor --config c.ini --tables t.json` (the original tool's form) is `run`.
    """
    if ctx.invoked_subcommand is not None:
        return
    if legacy_gen_config or legacy_gen_tables:
        ctx.invoke(
            init,
            databricks=True,
            config_out=legacy_gen_config,
            tables_out=legacy_gen_tables,
            overwrite_hint=LEGACY_OVERWRITE_HINT,
        )
    if legacy_tables is None:
        click.echo(ctx.get_help())
        ctx.exit(0 if legacy_config is None else EXIT_BAD_INPUT)
    ctx.invoke(
        run,
        config=legacy_config,
        tables=legacy_tables,
        run_id=legacy_run_id,
        databricks=legacy_databricks,
    )


@cli.command()
@run_options
@click.option("--force", is_flag=True, help="Re-extract tables already committed in this run.")
@click.option(
    "--report", type=str, help="Where to write run_report.json (default: beside the outputs)."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the JSON run report instead of the summary."
)
@click.option("--quiet", is_flag=True, help="Log warnings and errors only.")
@click.option("--verbose", is_flag=True, help="Log debug details too.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    help="Log lines as text or JSON objects ([runtime] log_format).",
)
@click.option(
    "--engine",
    type=click.Choice(["spark", "arrow"]),
    help="Read and write with Spark or with Arrow drivers, no JVM ([runtime] engine).",
)
@guarded
def run(
    config: Path | None,
    tables: Path,
    run_id: str | None = None,
    output: str | None = None,
    max_workers: int | None = None,
    databricks: bool = False,
    force: bool = False,
    report: str | None = None,
    as_json: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    log_format: str | None = None,
    engine: str | None = None,
    redactor: Redactor | None = None,
) -> int:
    """Extract the tables: plan from committed state, read, write, commit."""
    assert redactor is not None
    flags = flag_overrides(output, max_workers, databricks)
    runtime = flags.setdefault("runtime", {})
    if quiet and verbose:
        raise InputError([Problem("--quiet/--verbose", None, "choose one of the two")])
    if quiet or verbose:
        runtime["log_level"] = "warning" if quiet else "debug"
    if log_format:
        runtime["log_format"] = log_format
    if engine:
        runtime["engine"] = engine
    live = sys.stderr.isatty() and not (quiet or as_json)
    ready = prepare(config, flags, redactor, tables=tables, progress="live" if live else "log")
    with running(ready) as container:
        try:
            result, report_path = run_extraction(container, ready.specs, run_id, force, report)
        except ReportNotWrittenError as exc:
            # The commits stand: show them, then say what failed.
            click.echo(redactor.redact(_summary(exc.result, as_json)))
            raise
        click.echo(redactor.redact(_summary(result, as_json)))
        if not as_json:
            click.echo(f"report: {report_path}")
    return result.exit_code


def _summary(result: RunReport, as_json: bool) -> str:
    return report_to_json(result) if as_json else render_report(result)


@cli.command()
@run_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@guarded
def plan(
    config: Path | None,
    tables: Path,
    run_id: str | None = None,
    output: str | None = None,
    max_workers: int | None = None,
    databricks: bool = False,
    as_json: bool = False,
    redactor: Redactor | None = None,
) -> int:
    """Show what a run would read and write, with its SQL; reads no data."""
    assert redactor is not None
    flags = flag_overrides(output, max_workers, databricks)
    ready = prepare(config, flags, redactor, tables=tables)
    with running(ready) as container:
        # The run's own request and settle rule, read-only: the plan is the one `run` executes.
        request = run_request(container, run_id, force=False)
        shown = preview(container.state_store(), container.manifests(), ready.specs, request)
        the_plan = shown.plan
        reader = container.reader()
        sql = {t.output_path: reader.describe(t) for t in the_plan.tasks}  # one per day
    if as_json:
        body = {
            "format_version": PLAN_FORMAT,
            "run_id": the_plan.run_id,
            "run_date": the_plan.run_date.isoformat(),
            "tasks": [
                {
                    "table": t.key,
                    "day": t.day.isoformat() if t.day else None,
                    "mode": t.mode.value,
                    "output_path": t.output_path,
                    "window": window_to_json(t.window),
                    "upper_bound_from_source": t.upper_from_source,
                    "initial_watermark": cursor_to_json(t.spec.initial_watermark),
                    "sql": sql[t.output_path],
                }
                for t in the_plan.tasks
            ],
            "skipped": [{"table": s.spec.key, "reason": s.reason} for s in the_plan.skipped],
        }
        click.echo(redactor.redact(json.dumps(body, indent=2)))
    else:
        click.echo(redactor.redact(render_plan(the_plan, sql)))
    return EXIT_FAILED if shown.unreadable else EXIT_OK


@cli.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for the demo database and its Parquet output.",
)
@guarded
def demo(output: Path, redactor: Redactor | None = None) -> int:
    """Build a small Derby database, extract it twice (full, then incremental), show the result."""
    from .demo import run_demo

    assert redactor is not None
    return run_demo(output, redactor)


@cli.command()
@click.option("--databricks", is_flag=True, help="Files for Databricks (secret scopes, volumes).")
@click.option("--source", type=click.Choice(SOURCE_TYPES), default="oracle", show_default=True)
@click.option("--config-out", type=Path, help="Config INI to write [config.ini].")
@click.option("--tables-out", type=Path, help="Tables file, .json or .yaml [tables.json].")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@guarded
def init(
    databricks: bool = False,
    source: str = "oracle",
    config_out: Path | None = None,
    tables_out: Path | None = None,
    force: bool = False,
    redactor: Redactor | None = None,
    overwrite_hint: str | None = None,
) -> int:
    """Write a commented config INI and a tables file to start from."""
    if config_out is None and tables_out is None:
        config_out, tables_out = Path("config.ini"), Path("tables.json")
    hint = {"overwrite_hint": overwrite_hint} if overwrite_hint else {}
    for path in write_init_files(config_out, tables_out, source, databricks, force, **hint):
        click.echo(f"wrote {path}")
    return EXIT_OK


@cli.command()
@click.option("--config", type=click.Path(path_type=Path), required=True, help="Your config INI.")
@click.option(
    "--tables",
    type=click.Path(path_type=Path),
    help="Only these tables (with their lookbacks); else every table with state.",
)
@click.option("--output", help="Override [extraction] output_base_path.")
@click.option("--source", is_flag=True, help="Also recount each committed window on the source.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@guarded
def verify(
    config: Path,
    tables: Path | None = None,
    output: str | None = None,
    source: bool = False,
    as_json: bool = False,
    redactor: Redactor | None = None,
) -> int:
    """Check the lake against the state: manifests, Parquet row counts, windows; 1 on a problem."""
    assert redactor is not None
    return run_verify(config, tables, output, source, as_json, redactor)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="data-extractor")


cli.add_command(validate)
cli.add_command(state)
