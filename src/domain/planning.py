"""Specs + committed state + the clock -> an ExtractionPlan. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import attrs

from .model import (
    ONE_DAY,
    CursorValue,
    ExtractionPlan,
    ExtractionTask,
    Mode,
    PlannedSkip,
    Strategy,
    TableSpec,
    TableState,
    Window,
    covers,
    missing_days,
    precedes,
)


@attrs.frozen
class PlanOptions:
    """Run-wide inputs to planning."""

    run_id: str
    run_date: dt.date
    output_base: str
    force: bool = False
    snapshot: str | None = None


def output_path(output_base: str, spec: TableSpec, day: dt.date, run_id: str) -> str:
    """`{base}/{source}/{table}/{yyyymm}/{dd}/{run_id}.parquet`, the original tool's layout."""
    base = output_base.rstrip("/")
    return f"{base}/{spec.source_name}/{spec.folder}/{day:%Y%m}/{day:%d}/{run_id}.parquet"


def plan_run(
    specs: Sequence[TableSpec],
    states: Mapping[str, TableState],
    options: PlanOptions,
) -> ExtractionPlan:
    """Decide, for every table, whether and what to read in this run."""
    tasks: list[ExtractionTask] = []
    skipped: list[PlannedSkip] = []
    for spec in specs:
        state = states.get(spec.key, TableState())
        decision = plan_tasks(spec, state, options)
        if isinstance(decision, PlannedSkip):
            skipped.append(decision)
            continue
        for task in decision:
            # A table's own flashback wins over the run's consistent snapshot.
            snapshot = spec.flashback or options.snapshot or task.snapshot
            tasks.append(
                attrs.evolve(
                    task,
                    snapshot=snapshot,
                    expected_rows=state.last_rows,
                    expected_bytes=state.last_bytes,
                )
            )
    order = tuple(spec.key for spec in specs)
    return ExtractionPlan(options.run_id, options.run_date, tuple(tasks), tuple(skipped), order)


def largest_first(tasks: Sequence[ExtractionTask]) -> list[ExtractionTask]:
    """The order to start tasks in, so no big table starts last and runs alone at the end.

    Tables never measured come first (a first run reads everything), then the rest by the rows
    their last commit wrote, most first; ties keep the tables file's order.
    """
    return sorted(tasks, key=lambda t: (t.expected_rows is not None, -(t.expected_rows or 0)))


def plan_table(
    spec: TableSpec, state: TableState, options: PlanOptions
) -> ExtractionTask | PlannedSkip:
    """The task for one table (a daily table's latest day), or the reason it is not read."""
    decision = plan_tasks(spec, state, options)
    return decision if isinstance(decision, PlannedSkip) else decision[-1]


def plan_tasks(
    spec: TableSpec, state: TableState, options: PlanOptions
) -> tuple[ExtractionTask, ...] | PlannedSkip:
    """The tasks for one table (a daily table's missed days first), or why it is not read."""
    redo = state.last_run_id == options.run_id
    if redo and not options.force:
        return PlannedSkip(spec, f"already committed in run {options.run_id}")
    # Redoing the latest commit starts from the watermark that commit started from.
    base_watermark = state.previous_watermark if redo else state.watermark
    first_run = not state.has_commit or (redo and state.previous_run_id is None)
    if spec.strategy is Strategy.DAILY:
        return _plan_daily(spec, state, options, first_run, redo)
    day = options.run_date
    path = output_path(options.output_base, spec, day, options.run_id)
    if spec.strategy is Strategy.FULL:
        return (ExtractionTask(spec, Mode.FULL, path, replaces_commit=redo),)
    column = spec.incremental_column or ""
    if first_run and spec.initial_watermark is not None:
        # An explicit start: rows from it on (included), NULL cursors not read.
        window = Window(column, spec.initial_watermark, None, lower_inclusive=True)
        return (ExtractionTask(spec, Mode.INCREMENTAL, path, window, True, redo),)
    if first_run:
        window = Window(column, None, None, include_nulls=True)
        return (ExtractionTask(spec, Mode.FULL, path, window, True, redo),)
    lower = base_watermark
    if spec.lookback is not None and lower is not None:
        lower = spec.lookback.subtract_from(lower)
    window = Window(column, lower, None)
    return (ExtractionTask(spec, Mode.INCREMENTAL, path, window, True, redo),)


def _plan_daily(
    spec: TableSpec, state: TableState, options: PlanOptions, first_run: bool, redo: bool
) -> tuple[ExtractionTask, ...] | PlannedSkip:
    # Without an explicit date, a daily table extracts yesterday (the run date is today).
    day = spec.extraction_date or options.run_date - ONE_DAY
    column = spec.incremental_column or ""
    if first_run and isinstance(spec.initial_watermark, dt.date):
        return _first_days(spec, options, spec.initial_watermark, day, redo)
    if first_run:
        end = dt.datetime.combine(day + ONE_DAY, dt.time())
        window = Window(column, None, end, upper_inclusive=False, include_nulls=True)
        path = output_path(options.output_base, spec, day, options.run_id)
        return (ExtractionTask(spec, Mode.FULL, path, window, replaces_commit=redo, day=day),)
    days = _days_to_extract(state, day, options.force or redo)
    if not days:
        return PlannedSkip(
            spec,
            f"day {day.isoformat()} is already covered by the committed days "
            "(and no earlier day is missing); pass --force to extract it again",
        )
    return tuple(_day_task(spec, options, d, redo) for d in days)


def _first_days(
    spec: TableSpec, options: PlanOptions, first: dt.date, day: dt.date, redo: bool
) -> tuple[ExtractionTask, ...] | PlannedSkip:
    """A first run from initial_watermark: each day from it to `day`, in its own folder."""
    if first > day:
        return PlannedSkip(
            spec, f"initial_watermark {first.isoformat()} is after day {day.isoformat()}"
        )
    count = (day - first).days + 1
    return tuple(_day_task(spec, options, first + ONE_DAY * i, redo) for i in range(count))


def _days_to_extract(state: TableState, day: dt.date, force: bool) -> list[dt.date]:
    """Days never committed up to `day` (missed runs), and `day` itself unless committed."""
    covered = state.covered_days()
    days = set(missing_days(covered, day))
    if force or not covers(covered, day):
        days.add(day)
    return sorted(days)


def _day_task(spec: TableSpec, options: PlanOptions, day: dt.date, redo: bool) -> ExtractionTask:
    start = dt.datetime.combine(day, dt.time())
    end = start + ONE_DAY
    lower = spec.lookback.subtract_from(start) if spec.lookback is not None else start
    column = spec.incremental_column or ""
    window = Window(column, lower, end, lower_inclusive=True, upper_inclusive=False)
    path = output_path(options.output_base, spec, day, options.run_id)
    return ExtractionTask(spec, Mode.INCREMENTAL, path, window, replaces_commit=redo, day=day)


REDO_ELSEWHERE = (
    "day {day} is already committed by another run of this table (a run directory in the "
    "day's folder); to extract it again, rerun that run id with --force, which replaces its output"
)


def day_committed_elsewhere(task: ExtractionTask, state: TableState, committed_here: bool) -> bool:
    """A daily task whose day the state holds from an output at another path: writing it
    would commit the day's rows a second time (only the run that wrote a day redoes it)."""
    if task.day is None or committed_here:
        return False
    return covers(state.covered_days(), task.day)


def settle(state: TableState, committed: bool) -> TableState:
    """The state once its pending write is settled: a committed output moves the watermark,
    an uncommitted one is forgotten. `extract` saves this; `preview` only shows it."""
    pending = state.pending
    if pending is None:
        return state
    if committed:
        return state.committed(pending.run_id, pending.output_path, pending.watermark)
    return attrs.evolve(state, pending=None)


def watermark_after(task: ExtractionTask, state: TableState) -> CursorValue | None:
    """The watermark to commit once the task's output is committed."""
    window = task.window
    if window is None or window.upper is None:
        return state.watermark
    if state.watermark is None:
        return window.upper
    try:
        return window.upper if precedes(state.watermark, window.upper) else state.watermark
    except TypeError:
        return window.upper
