"""The `plan` use case: what `extract` would do now, computed without changing anything.

It settles a pending write with the same rule `extract`'s recovery applies (and does not save
it), and plans on the run's recorded date (and does not record one): so a plan shows the
windows, days and output paths the run then uses, after a crash between manifest and state
and on a rerun of an old run id on a later day.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import attrs

from ..domain.errors import DataExtractorError
from ..domain.model import ExtractionPlan, PlannedSkip, TableSpec, TableState
from ..domain.planning import REDO_ELSEWHERE, PlanOptions, day_committed_elsewhere, plan_run, settle
from ..domain.ports import ManifestStore, RunDates, TableStates
from .extract import RunRequest
from .recovery import pending_committed


def _without_second_copies(
    plan: ExtractionPlan, states: dict[str, TableState], manifests: ManifestStore
) -> ExtractionPlan:
    """The days `run` would skip because another run's output holds them (see _extract)."""
    keep, skip = [], []
    for task in plan.tasks:
        here = task.day is not None and manifests.exists(task.output_path)
        if day_committed_elsewhere(task, states[task.key], here):
            skip.append(PlannedSkip(task.spec, REDO_ELSEWHERE.format(day=task.day)))
        else:
            keep.append(task)
    return attrs.evolve(plan, tasks=tuple(keep), skipped=plan.skipped + tuple(skip))


@attrs.frozen
class Preview:
    """The plan, and the tables whose state could not be read (each with its reason)."""

    plan: ExtractionPlan
    unreadable: tuple[tuple[str, str], ...] = ()


class PlanningState(TableStates, RunDates, Protocol):
    """What the plan reads of the state store: each table's state and the run's recorded date."""


def preview(
    state: PlanningState, manifests: ManifestStore, specs: Sequence[TableSpec], request: RunRequest
) -> Preview:
    """The plan `extract` would make for this request now; reads state and manifests only."""
    states: dict[str, TableState] = {}
    unreadable: dict[str, str] = {}
    for spec in specs:
        try:
            current = state.load(spec.key)
            if current.pending is not None:
                current = settle(current, pending_committed(manifests, current.pending))
            states[spec.key] = current
        except DataExtractorError as exc:  # a corrupt version: that table cannot be planned
            unreadable[spec.key] = str(exc)
    run_date = state.recorded_run_date(request.run_id) or request.today
    options = PlanOptions(request.run_id, run_date, request.output_base, request.force)
    planned = [spec for spec in specs if spec.key not in unreadable]
    plan = _without_second_copies(plan_run(planned, states, options), states, manifests)
    broken = tuple(PlannedSkip(s, f"error: {unreadable[s.key]}") for s in specs if s not in planned)
    order = tuple(spec.key for spec in specs)
    plan = attrs.evolve(plan, skipped=plan.skipped + broken, table_order=order)
    return Preview(plan, tuple(unreadable.items()))
