"""Specs + committed state + the clock -> an ExtractionPlan. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import attrs

from .model import (
    ExtractionPlan,
    ExtractionTask,
    Mode,
    PlannedSkip,
    Strategy,
    TableSpec,
    TableState,
    Window,
)

ONE_DAY = dt.timedelta(days=1)


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
        decision = plan_table(spec, state, options)
        if isinstance(decision, PlannedSkip):
            skipped.append(decision)
        else:
            # A table's own flashback wins over the run's consistent snapshot.
            snapshot = spec.flashback or options.snapshot or decision.snapshot
            tasks.append(
                attrs.evolve(
                    decision,
                    snapshot=snapshot,
                    expected_rows=state.last_rows,
                    expected_bytes=state.last_bytes,
                )
            )
    return ExtractionPlan(options.run_id, options.run_date, tuple(tasks), tuple(skipped))


def largest_first(tasks: Sequence[ExtractionTask]) -> list[ExtractionTask]:
    """The order to start tasks in, so no big table starts last and runs alone at the end.

    Tables never measured come first (a first run reads everything), then the rest by the rows
    their last commit wrote, most first; ties keep the tables file's order.
    """
    return sorted(tasks, key=lambda t: (t.expected_rows is not None, -(t.expected_rows or 0)))


def plan_table(
    spec: TableSpec, state: TableState, options: PlanOptions
) -> ExtractionTask | PlannedSkip:
    """The task for one table, or the reason it is not read in this run."""
    redo = state.last_run_id == options.run_id
    if redo and not options.force:
        return PlannedSkip(spec, f"already committed in run {options.run_id}")
    # Redoing the latest commit starts from the watermark that commit started from.
    base_watermark = state.previous_watermark if redo else state.watermark
    first_run = not state.has_commit or (redo and state.previous_run_id is None)
    if spec.strategy is Strategy.DAILY:
        return _plan_daily(spec, state, options, base_watermark, first_run, redo)
    day = options.run_date
    path = output_path(options.output_base, spec, day, options.run_id)
    if spec.strategy is Strategy.FULL:
        return ExtractionTask(spec, Mode.FULL, path, replaces_commit=redo)
    column = spec.incremental_column or ""
    if first_run:
        window = Window(column, None, None, include_nulls=True)
        return ExtractionTask(spec, Mode.FULL, path, window, True, redo)
    lower = base_watermark
    if spec.lookback is not None and lower is not None:
        lower = spec.lookback.subtract_from(lower)
    window = Window(column, lower, None)
    return ExtractionTask(spec, Mode.INCREMENTAL, path, window, True, redo)


def _plan_daily(
    spec: TableSpec,
    state: TableState,
    options: PlanOptions,
    base_watermark: object,
    first_run: bool,
    redo: bool,
) -> ExtractionTask | PlannedSkip:
    # Without an explicit date, a daily table extracts yesterday (the run date is today).
    day = spec.extraction_date or options.run_date - ONE_DAY
    path = output_path(options.output_base, spec, day, options.run_id)
    column = spec.incremental_column or ""
    start = dt.datetime.combine(day, dt.time())
    end = start + ONE_DAY
    if first_run:
        window = Window(column, None, end, upper_inclusive=False, include_nulls=True)
        return ExtractionTask(spec, Mode.FULL, path, window, replaces_commit=redo)
    committed = _as_datetime(base_watermark)
    if committed is not None and end <= committed and not (options.force or redo):
        return PlannedSkip(
            spec,
            f"day {day.isoformat()} is already covered by the committed watermark "
            f"{committed.isoformat(sep=' ')}; pass --force to extract it again",
        )
    if spec.lookback is not None:
        start = spec.lookback.subtract_from(start)
    window = Window(column, start, end, lower_inclusive=True, upper_inclusive=False)
    return ExtractionTask(spec, Mode.INCREMENTAL, path, window, replaces_commit=redo)


def _as_datetime(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def watermark_after(task: ExtractionTask, state: TableState) -> object:
    """The watermark to commit once the task's output is committed."""
    window = task.window
    if window is None or window.upper is None:
        return state.watermark
    if state.watermark is None:
        return window.upper
    try:
        return max(state.watermark, window.upper)
    except TypeError:
        return window.upper
