"""Progress reporters: a live terminal display (rich) or plain log lines."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..domain.model import ExtractionTask, Status, TableResult
from .session_kind import is_connect
from .session_provider import SessionProvider

log = logging.getLogger("data_extractor.progress")

RowMeter = Callable[[str], int | None]


class LoggingProgressReporter:
    """One log line when a table starts and one when it ends (cron, schedulers, files)."""

    def run_started(self, tables: int) -> None:
        """Log the size of the run."""
        log.info("extracting %d table(s)", tables)

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

    def run_finished(self) -> None:
        """Nothing to close."""


class SparkRowMeter:
    """Rows written so far by a table's Spark jobs (its job group), from Spark's status store."""

    def __init__(self, sessions: SessionProvider) -> None:
        self._sessions = sessions
        self._unavailable = False

    def __call__(self, table_key: str) -> int | None:
        """Output records of the table's stages so far (finished tasks only), or None."""
        if self._unavailable:
            return None
        try:
            spark = self._sessions.get()
            if is_connect(spark):
                self._unavailable = True
                log.info(
                    "Spark Connect: live row counts are unavailable (no status tracker in "
                    "this process); each table's rows show when it finishes"
                )
                return None
            tracker = spark.sparkContext.statusTracker()
            store = spark._jsc.sc().statusStore()
            total = 0
            for job_id in tracker.getJobIdsForGroup(table_key):
                job = tracker.getJobInfo(job_id)
                for stage_id in job.stageIds if job else ():
                    total += sum(s.outputRecords() for s in _stage_attempts(store, stage_id))
            return total
        except Exception:  # noqa: BLE001 - progress must never break a run
            return None


def _stage_attempts(store: Any, stage_id: int) -> list[Any]:
    attempts = store.stageData(stage_id, False, None, False, None)
    return [attempts.apply(i) for i in range(attempts.size())]


class RichProgressReporter:
    """A live display: one line per active table (rows, rows/s), tables done of total."""

    def __init__(self, meter: RowMeter | None = None, console: Any = None) -> None:
        from rich.console import Console

        self._console = console or Console(stderr=True)
        self._meter = meter
        self._active: dict[str, tuple[ExtractionTask, float]] = {}
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0
        self._started = time.monotonic()
        self._live: Any = None

    def run_started(self, tables: int) -> None:
        """Start the live display."""
        from rich.live import Live

        self._total, self._done, self._started = tables, 0, time.monotonic()
        self._live = Live(
            get_renderable=self._render, console=self._console, refresh_per_second=2, transient=True
        )
        self._live.start()

    def table_started(self, task: ExtractionTask) -> None:
        """Add the table's line."""
        with self._lock:
            self._active[task.key] = (task, time.monotonic())

    def table_finished(self, result: TableResult) -> None:
        """Drop the table's line and print its outcome above the display."""
        with self._lock:
            self._active.pop(result.table, None)
            self._done += 1
        self._console.print(_outcome(result))

    def run_finished(self) -> None:
        """Stop the live display."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _render(self) -> Any:
        from rich.table import Table

        grid = Table.grid(padding=(0, 2))
        elapsed = time.monotonic() - self._started
        grid.add_row(f"[bold]{self._done}/{self._total} tables[/bold]", f"{elapsed:.0f}s", "", "")
        with self._lock:
            active = list(self._active.values())
        for task, began in active:
            seconds = max(time.monotonic() - began, 0.001)
            rows = self._meter(task.key) if self._meter else None
            rate = f"{rows / seconds:,.0f} rows/s" if rows else ""
            # Rows arrive as partitions finish: show nothing rather than a misleading 0.
            shown = f"{rows:,} rows" if rows else ""
            grid.add_row(f"  {task.key}", task.mode.value, shown, rate)
        return grid


def _outcome(result: TableResult) -> str:
    if result.status is Status.FAILED:
        return f"[red]✗[/red] {result.table}: {result.error}"
    if result.status is Status.SKIPPED:
        return f"[yellow]-[/yellow] {result.table}: skipped ({result.note})"
    rows = result.stats.rows if result.stats else 0
    return f"[green]✓[/green] {result.table}: {rows:,} rows in {result.seconds:.1f}s"
