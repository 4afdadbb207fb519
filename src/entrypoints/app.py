"""The use cases behind every entry point: configure, plan, extract, report."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..adapters.location import to_spark_path
from ..adapters.secrets import RedactingFilter, Redactor
from ..adapters.serialization import report_to_json
from ..domain.errors import DataExtractorError
from ..domain.model import RunReport
from ..domain.services import RunRequest, extract
from .config import load_config
from .container import Container, build_container
from .run_ids import run_name, today
from .validate import load_inputs


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line (time, level, logger, message, exception) for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON; the redacting filter has already rendered its message."""
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


log = logging.getLogger("data_extractor")


def setup_logging(redactor: Redactor, level: str = "info", log_format: str = "text") -> None:
    """Log lines (text, or JSON objects) to stderr, every one redacted before it is printed."""
    handler = logging.StreamHandler(sys.stderr)
    text = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(JsonLogFormatter() if log_format == "json" else text)
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger("data_extractor")
    root.handlers = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    logging.getLogger("py4j").setLevel(logging.WARNING)


def prepare(
    config: Path | None, tables: Path, flags: dict, redactor: Redactor
) -> tuple[Container, Any, dict]:
    """Config + tables validated, container wired, logging on; raises InputError first."""
    container, specs, merged = load_inputs(config, tables, flags, os.environ, redactor)
    configure_logging(redactor, merged)
    container.jdbc_settings()  # resolves secrets now, so a missing one is bad input
    return container, specs, merged


def configure_logging(redactor: Redactor, merged: dict) -> None:
    """Logging as [runtime] log_level and log_format say."""
    runtime = merged.get("runtime", {})
    setup_logging(redactor, runtime.get("log_level", "info"), runtime.get("log_format", "text"))


def prepare_config(config: Path | None, flags: dict, redactor: Redactor) -> Container:
    """A container from the config alone, for commands that need no tables file."""
    merged = load_config(config, flags, os.environ)
    container = build_container(merged)
    container.redactor.override(redactor)
    configure_logging(redactor, merged)
    return container


@contextlib.contextmanager
def spark_released(container: Container) -> Iterator[None]:
    """Stop the SparkSession this command started when it ends (a borrowed one keeps running).

    A stopped JVM exits cleanly, which is when it writes its class archive (first run only).
    """
    try:
        yield
    finally:
        container.session_provider().stop()


def run_request(container: Container, merged: dict, run_id: str | None, force: bool) -> RunRequest:
    """What `run` (and `plan`, which shows it) asks for: the run's id, today, the lake."""
    now = container.clock().now()
    return RunRequest(
        run_name(run_id, now),
        today(merged, now),
        to_spark_path(merged["extraction"]["output_base_path"]),
        force,
        merged["extraction"].get("consistent_snapshot", "false").lower() == "true",
    )


def run_extraction(
    container: Container,
    specs: Any,
    merged: dict,
    run_id: str | None,
    force: bool,
    report: str | None,
) -> tuple[RunReport, str]:
    """Run the extraction and write its report; returns the report and where it went."""
    request = run_request(container, merged, run_id, force)
    # Start (or borrow) Spark before the clock runs for any table: JVM start-up is the run's
    # cost, not the first tables'.
    if merged.get("runtime", {}).get("engine", "spark") == "spark":  # arrow: no JVM at all
        log.info("starting Spark")
        container.session_provider().get()
    _, result = extract(container.service(), specs, request)
    redactor = container.redactor()
    report_path = to_spark_path(
        report or f"{request.output_base}/_runs/{request.run_id}/run_report.json"
    )
    try:
        container.filesystem().replace_text(report_path, redactor.redact(report_to_json(result)))
    except Exception as exc:  # noqa: BLE001 - the tables are committed: say so, then fail
        log.debug("writing the run report failed", exc_info=True)
        raise ReportNotWrittenError(result, report_path, exc) from exc
    return result, report_path


class ReportNotWrittenError(DataExtractorError):
    """The run finished (its commits stand) but its report could not be written."""

    def __init__(self, result: RunReport, path: str, cause: BaseException) -> None:
        self.result = result
        self.path = path
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        super().__init__(
            f"could not write the run report to {path}: {type(cause).__name__}: {reason}"
        )
