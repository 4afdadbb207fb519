"""Progress reporting as log lines (rich live display comes with the CLI work)."""

from __future__ import annotations

import logging

from ..domain.model import ExtractionTask, Status, TableResult

log = logging.getLogger("data_extractor.progress")


class LoggingProgressReporter:
    """One log line when a table starts and one when it ends."""

    def table_started(self, task: ExtractionTask) -> None:
        """Log the start and the table's mode."""
        log.info("%s: %s extraction started", task.key, task.mode.value)

    def table_finished(self, result: TableResult) -> None:
        """Log the outcome with rows and seconds."""
        if result.status is Status.FAILED:
            log.error(
                "%s: failed after %d attempt(s): %s", result.table, result.attempts, result.error
            )
        elif result.status is Status.SKIPPED:
            log.info("%s: skipped (%s)", result.table, result.note)
        else:
            rows = result.stats.rows if result.stats else 0
            log.info("%s: %d rows in %.1fs", result.table, rows, result.seconds)
