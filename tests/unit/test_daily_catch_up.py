"""Daily tables remember the days they committed: missed days are caught up, one folder each."""

from __future__ import annotations

import datetime as dt

import attrs

from data_extractor.domain.model import (
    ExtractionTask,
    PlannedSkip,
    Status,
    Strategy,
    TableSpec,
    TableState,
)
from data_extractor.domain.planning import PlanOptions, plan_run
from data_extractor.usecases.extract import RunRequest, extract
from data_extractor.usecases.extraction_service import ExtractionService, RunSettings
from data_extractor.usecases.preview import preview
from tests.fakes import (
    FakeClock,
    FakeManifests,
    FakeSource,
    FakeStateStore,
    FakeWriter,
    RecordingProgress,
)
from tests.unit.test_services import committed_rows

EVENTS = TableSpec("erp", "events", incremental_column="at", strategy=Strategy.DAILY)
OTHER = TableSpec("erp", "other", incremental_column="at", strategy=Strategy.DAILY)
MARCH = dt.datetime(2024, 3, 1)


def hourly_rows(days: int) -> list[dict]:
    """One row every 6 hours from 2024-03-01 for `days` days, and a NULL cursor."""
    rows = [{"id": i, "at": MARCH + dt.timedelta(hours=6 * i)} for i in range(days * 4)]
    return [*rows, {"id": -1, "at": None}]


def service_over(source: FakeSource, state: FakeStateStore | None = None) -> ExtractionService:
    """A service over fakes, two workers."""
    return ExtractionService(
        source,
        FakeWriter(),
        FakeManifests(),
        state or FakeStateStore(),
        FakeClock(dt.datetime(2024, 3, 9, tzinfo=dt.UTC)),
        RecordingProgress(),
        RunSettings(max_workers=2, attempts=1, backoff_seconds=0),
    )


def run_on(service: ExtractionService, run_id: str, today: dt.date, specs=(EVENTS,)):
    """One extract() on a given day; returns the plan and the report."""
    return extract(service, list(specs), RunRequest(run_id, today, "/lake"))


def test_missed_days_are_caught_up_each_in_its_own_folder():
    source = FakeSource()
    source.tables = {EVENTS.key: hourly_rows(8)}
    service = service_over(source)
    run_on(service, "r1", dt.date(2024, 3, 2))  # first run: everything before 03-02
    # Runs of 03-03 and 03-04 were missed; the run of 03-06 extracts 03-05.
    plan, report = run_on(service, "r4", dt.date(2024, 3, 6))
    days = [t.day for t in plan.tasks]
    assert days == [dt.date(2024, 3, d) for d in (2, 3, 4, 5)]
    assert [r.status for r in report.results] == [Status.SUCCEEDED] * 4
    paths = sorted(p for p, m in service.manifests.written.items() if m.run_id == "r4")
    assert paths == [f"/lake/erp/events/202403/0{d}/r4.parquet" for d in (2, 3, 4, 5)]
    ids = committed_rows(service, EVENTS.key)
    assert sorted(ids) == [-1, *range(0, 20)]  # every row before 03-06, each once
    assert service.state.load(EVENTS.key).days == ((dt.date.min, dt.date(2024, 3, 5)),)


def test_tasks_of_one_table_run_in_day_order():
    source = FakeSource()
    source.tables = {EVENTS.key: hourly_rows(8), OTHER.key: hourly_rows(8)}
    service = service_over(source)
    run_on(service, "r1", dt.date(2024, 3, 2), (EVENTS, OTHER))
    run_on(service, "r2", dt.date(2024, 3, 7), (EVENTS, OTHER))
    read = [t.day for t in source.reads if t.key == EVENTS.key and t.day is not None]
    assert read == sorted(read) and len(read) == 1 + 5


def test_a_backfill_of_a_day_never_committed_is_not_skipped():
    state = TableState(
        watermark=dt.datetime(2024, 3, 5),
        last_run_id="r3",
        days=((dt.date.min, dt.date(2024, 3, 1)), (dt.date(2024, 3, 3), dt.date(2024, 3, 4))),
    )
    backfill = attrs.evolve(EVENTS, extraction_date=dt.date(2024, 3, 2))
    plan = plan_run([backfill], {EVENTS.key: state}, PlanOptions("r9", dt.date(2024, 3, 6), "/l"))
    [task] = plan.tasks
    assert isinstance(task, ExtractionTask) and task.day == dt.date(2024, 3, 2)
    assert task.window.lower == dt.datetime(2024, 3, 2)
    assert task.window.upper == dt.datetime(2024, 3, 3)


def test_a_covered_day_is_still_skipped_and_old_states_load_as_covered():
    legacy = TableState(watermark=dt.datetime(2024, 3, 5), last_run_id="r3")
    backfill = attrs.evolve(EVENTS, extraction_date=dt.date(2024, 3, 2))
    plan = plan_run([backfill], {EVENTS.key: legacy}, PlanOptions("r9", dt.date(2024, 3, 6), "/l"))
    assert isinstance(plan.skipped[0], PlannedSkip) and "already covered" in plan.skipped[0].reason
    # The same legacy state's next daily run reads only 03-05.
    plan = plan_run([EVENTS], {EVENTS.key: legacy}, PlanOptions("r9", dt.date(2024, 3, 6), "/l"))
    assert [t.day for t in plan.tasks] == [dt.date(2024, 3, 5)]


def test_days_left_waiting_after_a_failed_day_are_shown_as_finished_too():
    source = FakeSource()
    source.tables = {EVENTS.key: hourly_rows(8)}
    service = service_over(source)
    run_on(service, "r1", dt.date(2024, 3, 2))
    source.failures[EVENTS.key] = [RuntimeError("disk full")]
    before = len(service.progress.finished)
    plan, report = run_on(service, "r4", dt.date(2024, 3, 6))
    assert [r.status for r in report.results] == [Status.FAILED] * 4
    assert "not attempted" in (report.results[1].note or "")
    # The live display counts every task of the run as done, so it reaches its total.
    assert len(service.progress.finished) - before == len(plan.tasks) == service.progress.total
    assert service.progress.closed  # and the display is closed once the run is over


def test_a_forced_day_under_a_new_run_id_is_not_committed_twice():
    source = FakeSource()
    source.tables = {EVENTS.key: hourly_rows(8)}
    service = service_over(source)
    run_on(service, "r1", dt.date(2024, 3, 2))  # commits everything before 03-02
    run_on(service, "r2", dt.date(2024, 3, 3))  # commits 03-02
    once = sorted(committed_rows(service, EVENTS.key))
    request = RunRequest("r3", dt.date(2024, 3, 3), "/lake", True)
    shown = preview(service.state, service.manifests, [EVENTS], request).plan  # plan == run
    assert shown.tasks == () and "rerun that run id" in shown.skipped[0].reason
    forced = extract(service, [EVENTS], request)[1]
    [result] = forced.results
    assert result.status is Status.SKIPPED and "rerun that run id with --force" in result.note
    assert sorted(committed_rows(service, EVENTS.key)) == once
    # The run that wrote the day redoes it in place: still every row once.
    redo = extract(service, [EVENTS], RunRequest("r2", dt.date(2024, 3, 3), "/lake", True))[1]
    assert [r.status for r in redo.results] == [Status.SUCCEEDED]
    assert sorted(committed_rows(service, EVENTS.key)) == once
