"""`data-extractor validate`: every problem of the config, the tables and the wiring, at once."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import click

from ..adapters.secrets import Redactor
from ..domain.errors import DataExtractorError, InputError, Problem
from ..domain.model import TableSpec
from ..domain.services import one_line
from .boundary import EXIT_BAD_INPUT, EXIT_OK, guarded
from .config import LoadedConfig, Nested, collect_config, flag_overrides
from .container import Container, build_container
from .run_ids import run_name
from .tables_file import days_not_over, load_tables

SECRET_KEYS = ("user", "password", "url")
UNREAD_SOURCE = "unread-config"


@attrs.frozen
class Inputs:
    """The checked config and tables, the container wired from them, and every problem found."""

    values: Nested
    specs: tuple[TableSpec, ...]
    container: Container | None
    problems: tuple[Problem, ...]


def inspect_inputs(
    config: Path | None,
    tables: Path,
    flags: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
    redactor: Redactor,
) -> Inputs:
    """Config, tables, secrets and wiring checked together; reads no data, starts no Spark."""
    loaded = collect_config(config, flags, environ)
    default_source = loaded.values.get("extraction", {}).get("default_source") or None
    if not loaded.readable:  # the unread file may set it: do not report every table for it
        default_source = default_source or UNREAD_SOURCE
    try:
        initial = loaded.values.get("extraction", {}).get("initial_watermark") or None
        specs = load_tables(tables, default_source, initial)
        table_problems: Sequence[Problem] = ()
    except InputError as exc:
        specs, table_problems = (), exc.problems
    if loaded.problems:
        return Inputs(loaded.values, specs, None, (*loaded.problems, *table_problems))
    container = build_container(loaded.values)
    container.redactor.override(redactor)
    problems = [*table_problems, *_secret_problems(container, loaded)]
    timezone = loaded.values.get("extraction", {}).get("timezone")
    problems += days_not_over(specs, tables, timezone, container.clock().now())
    if not problems:
        problems += _wiring_problems(container, specs, str(tables), loaded)
    return Inputs(loaded.values, specs, container, tuple(problems))


def load_inputs(
    config: Path | None,
    tables: Path,
    flags: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
    redactor: Redactor,
) -> tuple[Container, tuple[TableSpec, ...], Nested]:
    """The container, specs and config of a run; InputError listing every problem."""
    inputs = inspect_inputs(config, tables, flags, environ, redactor)
    if inputs.problems or inputs.container is None:
        raise InputError(inputs.problems)
    return inputs.container, inputs.specs, inputs.values


def _secret_problems(container: Container, loaded: LoadedConfig) -> list[Problem]:
    """Each secret reference resolved now, so every missing one is named, not just the first."""
    store = container.secrets()
    database = loaded.values.get("database", {})
    problems: list[Problem] = []
    for key in SECRET_KEYS:
        value = (database.get(key) or "").strip() or None
        where = loaded.where("database", key)
        try:
            store.resolve(value, where, key)
        except InputError as exc:
            problems += exc.problems
        except Exception as exc:  # noqa: BLE001 - a secret store's failure is told, not raised
            problems.append(Problem(where, key, f"cannot resolve the secret: {one_line(exc)}"))
    return problems


def _wiring_problems(
    container: Container, specs: Sequence[TableSpec], where: str, loaded: LoadedConfig
) -> list[Problem]:
    """The adapters build, the JDBC URL can be written, and so can each table's SQL."""
    try:
        reader = container.reader()
    except Exception as exc:  # noqa: BLE001 - any wiring failure is the user's config to fix
        return [Problem("config", None, f"cannot wire the source reader: {one_line(exc)}")]
    try:
        reader.options()  # builds the URL: an Oracle source without a service fails here
    except ValueError as exc:
        return [Problem(loaded.where("database", "type"), None, str(exc))]
    problems = []
    for spec in specs:
        try:
            reader.relation(spec)
        except ValueError as exc:
            problems.append(Problem(f"{where}: table '{spec.key}'", None, str(exc)))
    return problems


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


def _stop_session(container: Container | None) -> None:
    if container is None:
        return
    stop = getattr(container.session_provider(), "stop", None)
    if stop is not None:
        stop()


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
        try:  # an unreachable source raises SourceUnreachableError: exit 1, not bad input
            problems += connect_problems(inputs.container, inputs.specs, str(tables))
        finally:
            _stop_session(inputs.container)
    if problems:
        _report(problems, redactor)
        return EXIT_BAD_INPUT
    click.echo(f"config and tables are valid: {count} table{'s' if count != 1 else ''}")
    if options["connect"]:
        click.echo("connected to the source: every table and column was found")
    return EXIT_OK
