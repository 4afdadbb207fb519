"""The `extract` use case: lock, settle crashed writes, plan from committed state, run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from ..domain.model import ExtractionPlan, RunReport, TableSpec
from ..domain.planning import PlanOptions, plan_run
from .extraction_service import ExtractionService


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
