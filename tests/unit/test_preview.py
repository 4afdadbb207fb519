"""`plan` is the plan `run` executes: preview settles and dates a run as extract does, read-only."""

from __future__ import annotations

import datetime as dt

import pytest

from data_extractor.usecases.extract import RunRequest, extract
from data_extractor.usecases.preview import preview
from tests.unit.test_services import CUSTOMERS, ORDERS, T0, make_world, rows, run


@pytest.fixture
def world():
    """The services tests' world: a service over fakes, source tables filled in."""
    return make_world()


def test_after_a_crash_between_manifest_and_state_the_plan_starts_where_the_run_will(world):
    run(world, "r1")  # rows 0-9 committed
    world.reader.tables[ORDERS.key] += rows(10, 15)
    world.state.crash_before_save = world.state.saves + 2  # the save after the manifest
    with pytest.raises(KeyboardInterrupt):
        run(world, "r2")
    pending = world.state.load(ORDERS.key).pending
    assert pending is not None and world.manifests.exists(pending.output_path)
    world.state.crash_before_save = None

    request = RunRequest("r3", dt.date(2024, 3, 2), "/lake")
    shown = preview(world.state, world.manifests, [ORDERS], request)
    # The committed r2 output moves the lower bound, as recovery will; nothing is saved.
    [task] = shown.plan.tasks
    assert task.window.lower == T0 + dt.timedelta(minutes=14)
    assert world.state.load(ORDERS.key).pending == pending
    plan, _ = extract(world, [ORDERS], request)
    assert plan.tasks == shown.plan.tasks


def test_a_rerun_of_an_old_run_id_on_a_later_day_plans_the_runs_recorded_day(world):
    run(world, "r1", specs=(ORDERS,))  # r1 started on 2024-03-02
    later = RunRequest("r1", dt.date(2024, 3, 5), "/lake")
    shown = preview(world.state, world.manifests, [ORDERS, CUSTOMERS], later)
    [task] = shown.plan.tasks  # orders: already committed in r1, skipped
    assert task.output_path == "/lake/src/customers/202403/02/r1.parquet"
    assert world.state.recorded_run_date("r9") is None  # preview records no date
    preview(world.state, world.manifests, [CUSTOMERS], RunRequest("r9", later.today, "/lake"))
    assert world.state.recorded_run_date("r9") is None
    plan, _ = extract(world, [ORDERS, CUSTOMERS], later)
    assert plan.tasks == shown.plan.tasks and plan.skipped == shown.plan.skipped
