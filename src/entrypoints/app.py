"""The use cases behind every entry point: configure, plan, extract, report."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import zoneinfo
from pathlib import Path
from typing import Any

from ..adapters.location import to_spark_path
from ..adapters.secrets import RedactingFilter, Redactor
from ..adapters.serialization import report_to_json
from ..domain.errors import InputError, Problem
from ..domain.model import RunReport
from ..domain.services import RunRequest, extract
from ..domain.specs import PATH_SEGMENT
from .config import load_config
from .container import Container, build_container
from .tables_file import load_tables


def setup_logging(redactor: Redactor, level: str = "info") -> None:
    """Log lines to stderr, every one redacted before it is printed."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
    merged = load_config(config, flags, os.environ)
    extraction = merged["extraction"]
    specs = load_tables(tables, extraction.get("default_source") or None)
    container = build_container(merged)
    container.redactor.override(redactor)
    setup_logging(redactor, merged.get("runtime", {}).get("log_level", "info"))
    container.jdbc_settings()  # resolves secrets now, so a missing one is bad input
    return container, specs, merged


def run_name(run_id: str | None, clock_now: dt.datetime) -> str:
    if run_id is None:
        return clock_now.strftime("%Y%m%d_%H%M%S")
    if not PATH_SEGMENT.match(run_id):
        raise InputError(
            [
                Problem(
                    "--run-id",
                    None,
                    f"{run_id!r} cannot be a file name; use letters, digits, _ - .",
                )
            ]
        )
    return run_id


def today(merged: dict, now: dt.datetime) -> dt.date:
    tz = zoneinfo.ZoneInfo(merged["extraction"].get("timezone") or "UTC")
    return now.astimezone(tz).date()


def run_extraction(
    container: Container,
    specs: Any,
    merged: dict,
    run_id: str | None,
    force: bool,
    report: str | None,
) -> tuple[RunReport, str]:
    """Run the extraction and write its report; returns the report and where it went."""
    now = container.clock().now()
    request = RunRequest(
        run_name(run_id, now),
        today(merged, now),
        to_spark_path(merged["extraction"]["output_base_path"]),
        force,
    )
    _, result = extract(container.service(), specs, request)
    redactor = container.redactor()
    report_path = to_spark_path(
        report or f"{request.output_base}/_runs/{request.run_id}/run_report.json"
    )
    container.filesystem().replace_text(report_path, redactor.redact(report_to_json(result)))
    return result, report_path
