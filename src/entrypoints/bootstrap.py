"""The one way every entry point starts: inputs checked once, the container built once.

    ready = prepare(config, flags, redactor, tables=path)   # InputError lists every problem
    with running(ready):                                     # logging on; resources shut down
        ... call a use case over ready.container ...

The CLI commands, the demo, the wheel task (through `run`), `DataExtractor` and
`DatabricksDataExtractor` all come through here; `validate` reports `inspect_inputs` itself.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..adapters.secrets import Redactor
from ..domain.errors import InputError, Problem
from ..domain.model import TableSpec
from ..domain.reasons import one_line
from ..domain.specs import parse_table_specs
from .config import LoadedConfig, Nested, collect_config
from .container import Container, build_container
from .settings import Settings
from .tables_file import days_not_over, load_tables

SECRET_KEYS = ("user", "password", "url")
UNREAD_SOURCE = "unread-config"
# Tables given as Python entries (the Python API) are located by this name in problems.
TABLE_CONFIGS = "table_configs"

Tables = Path | Sequence[Mapping[str, Any]] | None


@attrs.frozen
class Inputs:
    """The checked config and tables, the container wired from them, and every problem found."""

    values: Nested
    specs: tuple[TableSpec, ...]
    container: Container | None
    problems: tuple[Problem, ...]


@attrs.frozen
class Prepared:
    """Valid inputs and the one container wired from them (with their typed settings)."""

    container: Container
    specs: tuple[TableSpec, ...] = ()

    @property
    def settings(self) -> Settings:
        """The config, typed once."""
        return self.container.settings()


def inspect_inputs(
    config: Path | None,
    tables: Tables,
    flags: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
    redactor: Redactor,
    *,
    reads_source: bool = True,
    progress: str = "log",
    dbutils: Any = None,
) -> Inputs:
    """Config, tables, secrets and wiring checked together; reads no data, starts no Spark.

    reads_source=False (state, verify without --source) skips the secrets and the wiring.
    """
    loaded = collect_config(config, flags, environ)
    extraction = loaded.values.get("extraction", {})
    default_source = extraction.get("default_source") or None
    if not loaded.readable:  # the unread file may set it: do not report every table for it
        default_source = default_source or UNREAD_SOURCE
    specs, problems = _specs(tables, default_source, extraction.get("initial_watermark") or None)
    if loaded.problems:
        return Inputs(loaded.values, specs, None, (*loaded.problems, *problems))
    container = build_container(loaded.values, redactor, progress, dbutils)
    if reads_source:
        problems += _secret_problems(container, loaded)
    now = container.clock().now()
    problems += days_not_over(specs, _where(tables), extraction.get("timezone"), now)
    if not problems and reads_source:
        problems += _wiring_problems(container, specs, _where(tables), loaded)
    return Inputs(loaded.values, specs, container, tuple(problems))


def prepare(
    config: Path | None,
    flags: Mapping[str, Mapping[str, str]],
    redactor: Redactor,
    *,
    tables: Tables = None,
    reads_source: bool = True,
    environ: Mapping[str, str] | None = None,
    progress: str = "log",
    dbutils: Any = None,
) -> Prepared:
    """Inputs checked (InputError listing every problem) and the container built from them."""
    inputs = inspect_inputs(
        config,
        tables,
        flags,
        os.environ if environ is None else environ,
        redactor,
        reads_source=reads_source,
        progress=progress,
        dbutils=dbutils,
    )
    if inputs.problems or inputs.container is None:
        raise InputError(inputs.problems)
    return Prepared(inputs.container, inputs.specs)


def more_tables(ready: Prepared, entries: Sequence[Mapping[str, Any]]) -> tuple[TableSpec, ...]:
    """Tables given after preparing (the Python API's calls), checked as a tables file is."""
    extraction = ready.settings.extraction
    initial, default_source = extraction.initial_watermark, extraction.default_source
    specs, problems = _specs(entries, default_source, initial)
    now = ready.container.clock().now()
    problems += days_not_over(specs, TABLE_CONFIGS, extraction.timezone, now)
    if not problems:
        problems += _table_wiring_problems(ready.container, specs, TABLE_CONFIGS)
    if problems:
        raise InputError(problems)
    return specs


def start(ready: Prepared) -> Container:
    """Logging on; the session starts when first asked for."""
    ready.container.logging.init()
    return ready.container


def shut_down(ready: Prepared) -> None:
    """Every resource shut down: a session the tool started is stopped (a stopped JVM writes
    its class archive), a borrowed one keeps running."""
    ready.container.shutdown_resources()


@contextlib.contextmanager
def running(ready: Prepared) -> Iterator[Container]:
    """The container started for the block, and shut down after it, whatever happens."""
    try:
        yield start(ready)
    finally:
        shut_down(ready)


def _where(tables: Tables) -> str:
    return str(tables) if isinstance(tables, Path) else TABLE_CONFIGS


def _specs(
    tables: Tables, default_source: str | None, initial: str | None
) -> tuple[tuple[TableSpec, ...], list[Problem]]:
    """The tables (a file, or Python entries), and their problems; none given, none."""
    if tables is None:
        return (), []
    try:
        if isinstance(tables, Path):
            return load_tables(tables, default_source, initial), []
        return parse_table_specs(list(tables), TABLE_CONFIGS, default_source, initial), []
    except InputError as exc:
        return (), list(exc.problems)


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
    return _table_wiring_problems(container, specs, where)


def _table_wiring_problems(
    container: Container, specs: Sequence[TableSpec], where: str
) -> list[Problem]:
    """Each table's SQL can be written."""
    reader = container.reader()
    problems = []
    for spec in specs:
        try:
            reader.relation(spec)
        except ValueError as exc:
            problems.append(Problem(f"{where}: table '{spec.key}'", None, str(exc)))
    return problems
