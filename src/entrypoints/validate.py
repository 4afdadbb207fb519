"""`data-extractor validate`: every problem of the config, the tables and the wiring, at once."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..adapters.secrets import Redactor
from ..domain.errors import DataExtractorError, InputError, Problem
from ..domain.model import TableSpec
from ..domain.reasons import one_line
from .bootstrap import Prepared, inspect_inputs, running
from .boundary import EXIT_BAD_INPUT, EXIT_OK, guarded
from .config import flag_overrides
from .container import Container
from .run_ids import run_name


def run_id_problems(run_id: str | None) -> list[Problem]:
    """The --run-id checked as a run would check it."""

    try:
        run_name(run_id, dt.datetime.now(dt.UTC))
    except InputError as exc:
        return list(exc.problems)
    return []


class SourceUnreachableError(DataExtractorError):
    """validate --connect could not log in to the source: the environment's fault (exit 1)."""


def connect_problems(container: Container, specs: Sequence[TableSpec], where: str) -> list[Problem]:
    """Connect to the source and look at each table (no rows read); one problem per miss.

    Raises SourceUnreachableError when the source cannot be reached at all: that is not
    bad input, and the tables were never looked at.
    """
    try:
        reader = container.reader()
        unreachable = reader.check_connection()
        found = [] if unreachable else [(spec, reader.check_table(spec)) for spec in specs]
    except Exception as exc:  # noqa: BLE001 - Spark or the driver could not start
        unreachable = one_line(exc)
    if unreachable:
        raise SourceUnreachableError(f"cannot reach the source: {unreachable}")
    failed = [(spec, message) for spec, message in found if message]
    if len(specs) > 1 and len(failed) == len(specs) and len({m for _, m in failed}) == 1:
        return [Problem("--connect", None, f"cannot query the source: {failed[0][1]}")]
    return [Problem(f"{where}: table '{spec.key}'", None, msg) for spec, msg in failed]


def _report(problems: Sequence[Problem], redactor: Redactor) -> None:
    for problem in problems:
        click.echo(f"error: {redactor.redact(str(problem))}", err=True)
    count = len(problems)
    click.echo(
        f"{count} problem{'s' if count != 1 else ''} found; nothing was read or written.", err=True
    )


@click.command()
@click.option("--config", type=click.Path(path_type=Path), help="Your config INI.")
@click.option(
    "--tables", type=click.Path(path_type=Path), required=True, help="Tables file, JSON or YAML."
)
@click.option("--run-id", help="The run id you mean to use, checked too.")
@click.option("--output", help="Override [extraction] output_base_path.")
@click.option("--max-workers", type=click.IntRange(min=1), help="Tables extracted at once.")
@click.option("--databricks", is_flag=True, help="Check for Databricks (else auto-detected).")
@click.option(
    "--connect", is_flag=True, help="Also connect and check every table and column exists."
)
@guarded
def validate(redactor: Redactor, **options: Any) -> int:
    """Check the config, the tables file and the wiring, listing every problem.

    Without --connect nothing touches the source. Exit code 0 when all is well, 2 for a
    problem in the files or a missing table or column, 1 when --connect cannot reach the source.
    """
    flags = flag_overrides(options["output"], options["max_workers"], options["databricks"])
    tables = options["tables"]
    inputs = inspect_inputs(options["config"], tables, flags, os.environ, redactor)
    problems = [*inputs.problems, *run_id_problems(options["run_id"])]
    count = len(inputs.specs)
    if not problems and options["connect"] and inputs.container is not None:
        # An unreachable source raises SourceUnreachableError: exit 1, not bad input.
        with running(Prepared(inputs.container, inputs.specs)) as container:
            problems += connect_problems(container, inputs.specs, str(tables))
    if problems:
        _report(problems, redactor)
        return EXIT_BAD_INPUT
    click.echo(f"config and tables are valid: {count} table{'s' if count != 1 else ''}")
    if options["connect"]:
        click.echo("connected to the source: every table and column was found")
    return EXIT_OK
