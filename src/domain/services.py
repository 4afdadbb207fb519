"""Runs a plan against the ports: concurrency, commit order, retries, per-table isolation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import attrs

from .errors import TransientSourceError
from .model import (
    ExtractionPlan,
    ExtractionTask,
    Manifest,
    Mode,
    PendingCommit,
    RunReport,
    Status,
    TableResult,
    TableSpec,
    TableState,
)
from .planning import PlanOptions, largest_first, plan_run, watermark_after
from .ports import Clock, DatasetWriter, ManifestStore, ProgressReporter, SourceReader, StateStore

log = logging.getLogger(__name__)


@attrs.frozen
class RunSettings:
    """How hard the service works and how patiently it retries."""

    max_workers: int = 4
    # Sleeps 2, 4, 8, 16, 30, 30 s: a database restart of about a minute is ridden out.
    attempts: int = 7
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based): doubling, capped."""
        return min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1))


def one_line(exc: BaseException) -> str:
    """A short reason for a report: the exception's first non-empty line."""
    text = str(exc).strip() or type(exc).__name__
    first = text.splitlines()[0].strip()
    return first if len(first) <= 300 else first[:297] + "..."


@attrs.define
class ExtractionService:
    """Executes an ExtractionPlan and commits each table's output in the safe order."""

    reader: SourceReader
    writer: DatasetWriter
    manifests: ManifestStore
    state: StateStore
    clock: Clock
    progress: ProgressReporter
    settings: RunSettings = RunSettings()
    describe_error: Callable[[BaseException], str] = one_line

    def recover(self, table_keys: Iterable[str]) -> dict[str, TableState]:
        """Load each table's state, settling writes a crashed run left in flight.

        A pending output whose manifest exists was committed: its watermark moves
        forward now. One without a manifest was never committed and is forgotten.
        """
        states = {}
        for key in table_keys:
            state = self.state.load(key)
            pending = state.pending
            if pending is not None:
                if self.manifests.exists(pending.output_path):
                    log.info("%s: settling committed output %s", key, pending.output_path)
                    settled = state.committed(
                        pending.run_id, pending.output_path, pending.watermark
                    )
                else:
                    log.info("%s: discarding uncommitted output %s", key, pending.output_path)
                    settled = attrs.evolve(state, pending=None)
                state = self.state.save(key, settled)
            states[key] = state
        return states

    def run(self, plan: ExtractionPlan) -> RunReport:
        """Run the plan's tables in parallel, each isolated; one table's days one by one."""
        started = self.clock.now()
        skipped = [TableResult(s.spec.key, Status.SKIPPED, note=s.reason) for s in plan.skipped]
        self.progress.run_started(len(plan.tasks))
        try:
            for result in skipped:
                self.progress.table_finished(result)
            groups = by_table(largest_first(plan.tasks))
            workers = max(1, min(self.settings.max_workers, len(groups) or 1))
            with ThreadPoolExecutor(workers, thread_name_prefix="table") as pool:
                done = list(pool.map(lambda g: self._run_days(g, plan.run_id), groups))
            # The report keeps the tables file's order, whatever order they ran in.
            by_task = {
                id(task): result
                for group, results in zip(groups, done, strict=True)
                for task, result in zip(group, results, strict=True)
            }
            results = [by_task[id(task)] for task in plan.tasks]
        finally:
            self.progress.run_finished()
        return RunReport(plan.run_id, started, self.clock.now(), tuple(results + skipped))

    def _run_days(self, tasks: Sequence[ExtractionTask], run_id: str) -> list[TableResult]:
        """One table's tasks in day order (each saves a new state version); after a failure
        the later days wait for the next run, which catches them up."""
        results: list[TableResult] = []
        for task in tasks:
            if results and results[-1].status is Status.FAILED:
                note = f"not attempted: day {results[-1].day} failed; the next run catches it up"
                results.append(attrs.evolve(self._failed(task, None), note=note))
                continue
            results.append(attrs.evolve(self.run_task(task, run_id), day=task.day))
        return results

    def run_task(self, task: ExtractionTask, run_id: str) -> TableResult:
        """Extract and commit one table; any failure becomes a FAILED result."""
        started = self.clock.now()
        self.progress.table_started(task)
        attempts = 0
        while True:
            attempts += 1
            try:
                result = self._extract(task, run_id)
                break
            except TransientSourceError as exc:
                if attempts >= self.settings.attempts:
                    result = self._failed(task, exc)
                    break
                delay = self.settings.delay(attempts)
                log.warning("%s: %s; retrying in %.1fs", task.key, self.describe_error(exc), delay)
                self.clock.sleep(delay)
            except Exception as exc:  # noqa: BLE001 - one table never stops the others
                log.debug("%s failed", task.key, exc_info=True)
                result = self._failed(task, exc)
                break
        seconds = (self.clock.now() - started).total_seconds()
        result = attrs.evolve(result, seconds=seconds, attempts=attempts)
        self.progress.table_finished(result)
        return result

    def _failed(self, task: ExtractionTask, exc: BaseException | None) -> TableResult:
        return TableResult(
            task.key,
            Status.FAILED,
            task.mode,
            task.output_path,
            task.window,
            error=None if exc is None else self.describe_error(exc),
            day=task.day,
        )

    def _extract(self, task: ExtractionTask, run_id: str) -> TableResult:
        if self.manifests.exists(task.output_path) and not task.replaces_commit:
            return TableResult(
                task.key,
                Status.SKIPPED,
                task.mode,
                task.output_path,
                note=f"output already committed at {task.output_path}",
            )
        task = self._close_window(task)
        if _nothing_new(task):
            return TableResult(
                task.key,
                Status.SUCCEEDED,
                task.mode,
                None,
                task.window,
                note="no new rows since the committed watermark",
            )
        state = self.state.load(task.key)
        watermark = watermark_after(task, state)
        pending = PendingCommit(run_id, task.output_path, watermark, task.window)
        state = self.state.save(task.key, attrs.evolve(state, pending=pending))
        began = self.clock.now()
        stats = self.writer.write(self.reader.read(task), task)
        self.manifests.write(
            Manifest(
                run_id,
                task.key,
                task.mode,
                task.output_path,
                stats,
                task.window,
                self.reader.describe(task),
                began,
                self.clock.now(),
                task.snapshot,
            )
        )
        committed = state.committed(run_id, task.output_path, watermark, stats.rows, stats.bytes)
        self.state.save(task.key, committed)
        return TableResult(
            task.key, Status.SUCCEEDED, task.mode, task.output_path, task.window, stats
        )

    def _close_window(self, task: ExtractionTask) -> ExtractionTask:
        """Probe the source before any data is read: fix the window's upper bound."""
        probe = self.reader.probe(task)
        window = task.window
        if task.upper_from_source and window is not None:
            window = window.with_upper(probe.high_watermark)
        return attrs.evolve(task, window=window, probe=probe)


def by_table(tasks: Sequence[ExtractionTask]) -> list[list[ExtractionTask]]:
    """Tasks grouped by table, groups in first-seen order, each group in day order."""
    groups: dict[str, list[ExtractionTask]] = {}
    for task in tasks:
        groups.setdefault(task.key, []).append(task)
    return [sorted(g, key=lambda t: t.day or dt.date.min) for g in groups.values()]


def _nothing_new(task: ExtractionTask) -> bool:
    window = task.window
    if window is None or task.mode is Mode.FULL:
        return False
    return window.upper is None or window.is_empty


@attrs.frozen
class RunRequest:
    """What the user asked for: which run, which day it is, where output goes."""

    run_id: str
    today: dt.date
    output_base: str
    force: bool = False
    consistent_snapshot: bool = False


def extract(
    service: ExtractionService, specs: Sequence[TableSpec], request: RunRequest
) -> tuple[ExtractionPlan, RunReport]:
    """The whole use case: lock, settle crashed writes, plan from committed state, run."""
    with service.state.lock(request.run_id):
        states = service.recover(spec.key for spec in specs)
        run_date = service.state.run_date(request.run_id, request.today)
        # Read once, before any table: every table of the run then reads as of it.
        snapshot = service.reader.current_snapshot() if request.consistent_snapshot else None
        options = PlanOptions(
            request.run_id, run_date, request.output_base, request.force, snapshot
        )
        plan = plan_run(specs, states, options)
        return plan, service.run(plan)
