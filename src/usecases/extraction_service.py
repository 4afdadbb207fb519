"""Runs a plan against the ports: concurrency, commit order, retries, per-table isolation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import attrs

from ..domain.errors import ExtractionError, TransientSourceError
from ..domain.model import (
    ExtractionPlan,
    ExtractionTask,
    Manifest,
    Mode,
    PendingCommit,
    RunReport,
    Status,
    TableResult,
    TableState,
    WriteStats,
)
from ..domain.planning import (
    REDO_ELSEWHERE,
    day_committed_elsewhere,
    largest_first,
    watermark_after,
)
from ..domain.ports import (
    Clock,
    DatasetWriter,
    ManifestStore,
    ProgressReporter,
    SourceReader,
    StateStore,
)
from ..domain.reasons import one_line
from .recovery import recover, replaced_path, staged_path, switch_in

log = logging.getLogger(__name__)

# A redo switches the new output in by renaming directories; a copy-then-delete move that a
# crash interrupts would leave a partial output readable, so such stores refuse the redo.
NO_ATOMIC_SWITCH = (
    "cannot redo {path} in place: its store moves directories by copy, then delete (not "
    "atomic), so a crash mid-switch would leave a partial output; nothing was written. "
    "Run the redo from a classic Spark session, whose Hadoop FileSystem renames the directory"
)


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
    # Tables whose state could not be read or settled: they fail alone, with this reason.
    unreadable: dict[str, Exception] = attrs.field(factory=dict)

    def recover(self, table_keys: Iterable[str]) -> dict[str, TableState]:
        """Each table's state with crashed writes settled; an unreadable table fails alone."""
        recovered = recover(self.state, self.manifests, table_keys)
        self.unreadable.update(recovered.unreadable)
        return recovered.states

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
        # The report keeps the tables file's order, skipped tables included.
        ordered = plan.in_table_order(results + skipped)
        return RunReport(plan.run_id, started, self.clock.now(), ordered)

    def _run_days(self, tasks: Sequence[ExtractionTask], run_id: str) -> list[TableResult]:
        """One table's tasks in day order (each saves a new state version); after a failure
        the later days wait for the next run, which catches them up."""
        results: list[TableResult] = []
        for task in tasks:
            if results and results[-1].status is Status.FAILED:
                note = f"not attempted: day {results[-1].day} failed; the next run catches it up"
                results.append(attrs.evolve(self._failed(task, None), note=note))
                self.progress.table_finished(results[-1])  # the display counts every task
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
        if task.key in self.unreadable:
            raise self.unreadable[task.key]
        committed_here = self.manifests.exists(task.output_path)
        if committed_here and not task.replaces_commit:
            return TableResult(
                task.key,
                Status.SKIPPED,
                task.mode,
                task.output_path,
                note=f"output already committed at {task.output_path}",
            )
        # Loaded once: until this task saves it, only this task changes this table's state.
        state = self.state.load(task.key)
        if day_committed_elsewhere(task, state, committed_here):
            note = REDO_ELSEWHERE.format(day=task.day)
            return TableResult(task.key, Status.SKIPPED, task.mode, None, note=note)
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
        watermark = watermark_after(task, state)
        # A redo writes beside the committed output, which stays until the new one commits.
        staging = staged_path(task.output_path) if committed_here else None
        if staging is not None and not self.manifests.moves_atomically(task.output_path):
            raise ExtractionError(NO_ATOMIC_SWITCH.format(path=task.output_path))
        if staging is not None:  # leftovers of an earlier, settled redo
            self.manifests.discard(staging)
            self.manifests.discard(replaced_path(task.output_path))
        pending = PendingCommit(run_id, task.output_path, watermark, task.window, staging)
        state = self.state.save(task.key, attrs.evolve(state, pending=pending))
        stats = self._write(task, run_id, staging)
        committed = state.committed(run_id, task.output_path, watermark, stats.rows, stats.bytes)
        self.state.save(task.key, committed)
        if staging is not None:
            self.manifests.discard(replaced_path(task.output_path))
        return TableResult(
            task.key, Status.SUCCEEDED, task.mode, task.output_path, task.window, stats
        )

    def _write(self, task: ExtractionTask, run_id: str, staging: str | None) -> WriteStats:
        """Data, then the manifest (a redo: into staging, then switched in)."""
        began = self.clock.now()
        target = task if staging is None else attrs.evolve(task, output_path=staging)
        stats = self.writer.write(self.reader.read(task), target)
        manifest = Manifest(
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
        self.state.fence()  # a run that lost the lock commits nothing more
        self.manifests.write(manifest, target.output_path)
        if staging is not None:
            switch_in(self.state, self.manifests, staging, task.output_path)
        return stats

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
