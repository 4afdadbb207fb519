"""The glue around the extract use case: the run's request in, its report written out."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..adapters.location import to_spark_path
from ..adapters.serialization import report_to_json
from ..domain.errors import DataExtractorError
from ..domain.model import RunReport, TableSpec
from ..usecases.extract import RunRequest, extract
from .container import Container
from .run_ids import run_name, today

log = logging.getLogger("data_extractor")


def run_request(container: Container, run_id: str | None, force: bool) -> RunRequest:
    """What `run` (and `plan`, which shows it) asks for: the run's id, today, the lake."""
    now = container.clock().now()
    extraction = container.settings().extraction
    return RunRequest(
        run_name(run_id, now),
        today(extraction.timezone, now),
        to_spark_path(extraction.output_base_path or ""),
        force,
        extraction.consistent_snapshot,
    )


def run_extraction(
    container: Container,
    specs: Sequence[TableSpec],
    run_id: str | None,
    force: bool,
    report: str | None,
) -> tuple[RunReport, str]:
    """Run the extraction and write its report; returns the report and where it went."""
    request = run_request(container, run_id, force)
    # Start (or borrow) Spark before the clock runs for any table: JVM start-up is the run's
    # cost, not the first tables'.
    if container.settings().runtime.engine == "spark":  # arrow: no JVM at all
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
