"""What the dialect SQL tests share: one planner-made task per tables-file entry."""

from __future__ import annotations

import datetime as dt

import attrs

from data_extractor.domain.model import ExtractionTask, TableState
from data_extractor.domain.planning import PlanOptions, plan_table
from data_extractor.domain.specs import parse_table_specs

RUN_DATE = dt.date(2024, 5, 2)
WATERMARK = dt.datetime(2024, 5, 1, 23, 59, 59, 250000)
UPPER = dt.datetime(2024, 5, 2, 6, 0, 0, 1)
COMMITTED = TableState(watermark=WATERMARK, last_run_id="r0")


def task_for(entry: dict, state: TableState | None = None, upper=None) -> ExtractionTask:
    """The planner's task for one tables-file entry, closed at `upper` like a real run."""
    [spec] = parse_table_specs([entry], "tables.json", "src")
    task = plan_table(spec, state or TableState(), PlanOptions("r1", RUN_DATE, "/lake"))
    assert isinstance(task, ExtractionTask), task
    if upper is not None:
        task = attrs.evolve(task, window=task.window.with_upper(upper))
    return task
