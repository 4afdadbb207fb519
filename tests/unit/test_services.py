"""The run service against fakes: commit order, recovery, retries, isolation."""

from __future__ import annotations

import datetime as dt

import pytest

from data_extractor.domain.errors import RunLockedError, TransientSourceError
from data_extractor.domain.model import Lookback, Mode, Status, Strategy, TableSpec
from data_extractor.usecases.extract import RunRequest, extract
from data_extractor.usecases.extraction_service import ExtractionService, RunSettings
from tests.fakes import (
    FakeClock,
    FakeManifests,
    FakeSource,
    FakeStateStore,
    FakeWriter,
    RecordingProgress,
)

T0 = dt.datetime(2024, 3, 1, 12, 0)
ORDERS = TableSpec("src", "orders", incremental_column="ts", strategy=Strategy.WATERMARK)
CUSTOMERS = TableSpec("src", "customers", strategy=Strategy.FULL)


def rows(start: int, stop: int) -> list[dict]:
    """Rows whose cursor grows with the id."""
    return [{"id": i, "ts": T0 + dt.timedelta(minutes=i)} for i in range(start, stop)]


@pytest.fixture
def world():
    """A service over fakes, with the source tables filled in."""
    return make_world()


def make_world() -> ExtractionService:
    """A service over fakes, with the source tables filled in."""
    source, writer, state = FakeSource(), FakeWriter(), FakeStateStore()
    manifests = FakeManifests(writer.outputs)
    source.tables = {ORDERS.key: rows(0, 10), CUSTOMERS.key: [{"id": 1}, {"id": 2}]}
    clock = FakeClock(dt.datetime(2024, 3, 2, tzinfo=dt.UTC))
    service = ExtractionService(
        source,
        writer,
        manifests,
        state,
        clock,
        RecordingProgress(),
        RunSettings(max_workers=2, attempts=3, backoff_seconds=1.0),
    )
    return service


def run(service: ExtractionService, run_id: str, specs=(ORDERS,), force: bool = False):
    """One extract() call; returns the report."""
    request = RunRequest(run_id, dt.date(2024, 3, 2), "/lake", force)
    return extract(service, list(specs), request)[1]


def committed_rows(service: ExtractionService, table: str) -> list[int]:
    """Ids of every row in committed outputs of a table, in write order."""
    ids = []
    for path, manifest in service.manifests.written.items():
        if manifest.table == table:
            ids += [r["id"] for r in service.writer.outputs[path]]
    return ids


def test_three_incremental_runs_commit_every_row_exactly_once(world):
    for run_id, (start, stop) in zip(
        ["r1", "r2", "r3"], [(10, 15), (15, 22), (22, 23)], strict=True
    ):
        report = run(world, run_id)
        assert report.exit_code == 0
        world.reader.tables[ORDERS.key] += rows(start, stop)
    run(world, "r4")
    assert sorted(committed_rows(world, ORDERS.key)) == list(range(23))
    modes = [t.mode for t in world.reader.reads]
    assert modes == [Mode.FULL, Mode.INCREMENTAL, Mode.INCREMENTAL, Mode.INCREMENTAL]


def test_window_upper_bound_is_read_before_the_data(world):
    run(world, "r1")
    read = world.reader.reads[0]
    assert read.window.upper == T0 + dt.timedelta(minutes=9)
    assert world.state.load(ORDERS.key).watermark == T0 + dt.timedelta(minutes=9)


def test_crash_after_manifest_is_settled_forward_without_doubling(world):
    world.manifests.crash_after.add(ORDERS.key)
    with pytest.raises(KeyboardInterrupt):
        run(world, "r1")
    assert world.state.load(ORDERS.key).pending is not None
    world.manifests.crash_after.clear()
    world.reader.tables[ORDERS.key] += rows(10, 12)
    run(world, "r2")
    assert sorted(committed_rows(world, ORDERS.key)) == list(range(12))
    assert world.state.load(ORDERS.key).pending is None


def test_write_failure_leaves_no_commit_and_the_rerun_redoes_it(world):
    world.reader.failures[ORDERS.key] = [RuntimeError("relation does not exist")]
    report = run(world, "r1", specs=(ORDERS, CUSTOMERS))
    by_table = {r.table: r for r in report.results}
    assert by_table[ORDERS.key].status is Status.FAILED
    assert "relation does not exist" in by_table[ORDERS.key].error
    assert by_table[CUSTOMERS.key].status is Status.SUCCEEDED
    assert report.exit_code == 1
    report = run(world, "r1", specs=(ORDERS, CUSTOMERS))
    by_table = {r.table: r for r in report.results}
    assert by_table[CUSTOMERS.key].status is Status.SKIPPED
    assert by_table[ORDERS.key].status is Status.SUCCEEDED
    assert sorted(committed_rows(world, ORDERS.key)) == list(range(10))


def test_transient_errors_are_retried_with_backoff(world):
    world.reader.failures[ORDERS.key] = [TransientSourceError("connection reset")] * 2
    report = run(world, "r1")
    assert report.results[0].status is Status.SUCCEEDED
    assert report.results[0].attempts == 3
    assert world.clock.slept == [1.0, 2.0]


def test_transient_errors_give_up_after_the_configured_attempts(world):
    world.reader.failures[ORDERS.key] = [TransientSourceError("timed out")] * 5
    report = run(world, "r1")
    assert report.results[0].status is Status.FAILED
    assert report.results[0].attempts == 3
    assert world.state.load(ORDERS.key).has_commit is False


def test_lookback_rereads_a_margin_for_late_rows(world):
    spec = TableSpec(
        "src",
        "orders",
        incremental_column="ts",
        strategy=Strategy.WATERMARK,
        lookback=Lookback(dt.timedelta(minutes=5)),
    )
    run(world, "r1", specs=(spec,))
    late = {"id": 100, "ts": T0 + dt.timedelta(minutes=7)}  # below the watermark (minute 9)
    world.reader.tables[ORDERS.key].append(late)
    run(world, "r2", specs=(spec,))
    assert 100 in committed_rows(world, ORDERS.key)
    assert world.reader.reads[1].window.lower == T0 + dt.timedelta(minutes=4)


def test_nothing_new_writes_no_output_and_keeps_the_watermark(world):
    run(world, "r1")
    before = world.state.load(ORDERS.key).watermark
    report = run(world, "r2")
    assert report.results[0].status is Status.SUCCEEDED
    assert report.results[0].output_path is None
    assert world.state.load(ORDERS.key).watermark == before
    assert len(world.manifests.written) == 1


def test_a_second_run_on_the_same_state_is_refused(world):
    with world.state.lock("other"), pytest.raises(RunLockedError, match="other"):
        run(world, "r1")
    assert world.manifests.written == {}


def test_force_redoes_the_latest_run_from_its_starting_watermark(world):
    run(world, "r1")
    world.reader.tables[ORDERS.key] += rows(10, 13)
    run(world, "r2")
    world.reader.tables[ORDERS.key] += rows(13, 14)
    report = run(world, "r2", force=True)
    assert report.results[0].status is Status.SUCCEEDED
    assert sorted(committed_rows(world, ORDERS.key)) == list(range(14))


def test_rerun_never_overwrites_an_older_committed_output(world):
    run(world, "r1")
    world.reader.tables[ORDERS.key] += rows(10, 12)
    run(world, "r2")
    world.reader.tables[ORDERS.key] += rows(12, 13)
    report = run(world, "r1")  # an old run id, committed but not the latest
    assert report.results[0].status is Status.SKIPPED
    assert "already committed" in report.results[0].note
    assert sorted(committed_rows(world, ORDERS.key)) == list(range(12))


def test_a_consistent_snapshot_is_read_once_and_given_to_every_table(world):
    request = RunRequest("r1", dt.date(2024, 3, 2), "/lake", consistent_snapshot=True)
    plan, report = extract(world, [ORDERS, CUSTOMERS], request)
    assert report.exit_code == 0
    assert world.reader.snapshots_read == 1
    assert {t.snapshot for t in plan.tasks} == {"4242"}
    assert {m.snapshot for m in world.manifests.written.values()} == {"4242"}


def test_the_last_runs_biggest_table_starts_first_and_the_report_keeps_file_order(world):
    small = TableSpec("src", "small", strategy=Strategy.FULL)
    big = TableSpec("src", "big", strategy=Strategy.FULL)
    world.reader.tables[small.key] = [{"id": i} for i in range(2)]
    world.reader.tables[big.key] = [{"id": i} for i in range(50)]
    world.settings = RunSettings(max_workers=1)  # one at a time: the start order is the read order
    tables = (small, big, CUSTOMERS)
    run(world, "r1", specs=tables)
    # Never measured: the tables file's order.
    assert [t.key for t in world.reader.reads] == [small.key, big.key, CUSTOMERS.key]
    assert world.state.load(big.key).last_rows == 50
    world.reader.reads.clear()
    report = run(world, "r2", specs=tables)
    # Most rows first; small and customers (2 rows each) keep their file order.
    assert [t.key for t in world.reader.reads] == [big.key, small.key, CUSTOMERS.key]
    assert [r.table for r in report.results] == [small.key, big.key, CUSTOMERS.key]


def committed_only(service: ExtractionService, table: str) -> list[int]:
    """Ids in committed outputs only (not in a redo's `_` staging or backup directory)."""
    ids = []
    for path, manifest in service.manifests.written.items():
        if manifest.table == table and "/_" not in path:
            ids += [r["id"] for r in service.writer.outputs[path]]
    return ids


def leftovers(service: ExtractionService) -> list[str]:
    """Staging or moved-aside directories still around."""
    paths = set(service.manifests.written) | set(service.writer.outputs)
    return sorted(p for p in paths if "/_" in p)


CRASH_POINTS = {
    "staged manifest written": lambda w: w.manifests.crash_after.add(ORDERS.key),
    "committed output moved aside": lambda w: setattr(w.manifests, "crash_after_moves", 1),
    "staged output switched in": lambda w: setattr(w.manifests, "crash_after_moves", 2),
    "committed state save": lambda w: setattr(w.state, "crash_before_save", 4),
}


@pytest.mark.parametrize("crash", CRASH_POINTS, ids=list(CRASH_POINTS))
def test_a_redo_killed_at_any_point_keeps_every_row_exactly_once(world, crash):
    run(world, "r1")  # saves 1 (pending) and 2 (committed)
    world.reader.tables[ORDERS.key] += rows(10, 13)
    CRASH_POINTS[crash](world)
    with pytest.raises(KeyboardInterrupt):
        run(world, "r1", force=True)
    world.manifests.crash_after.clear()
    world.manifests.crash_after_moves = world.state.crash_before_save = None
    assert world.state.load(ORDERS.key).pending is not None
    report = run(world, "r2")  # settles the redo, then reads whatever is still new
    assert report.exit_code == 0
    assert sorted(committed_only(world, ORDERS.key)) == list(range(13))
    assert world.state.load(ORDERS.key).pending is None
    assert leftovers(world) == []


def test_a_failed_redo_leaves_the_committed_output_in_place(world):
    run(world, "r1")
    world.reader.tables[ORDERS.key] += rows(10, 13)
    world.reader.failures[ORDERS.key] = [RuntimeError("ORA-01555: snapshot too old")]
    report = run(world, "r1", force=True)
    assert report.results[0].status is Status.FAILED
    assert sorted(committed_only(world, ORDERS.key)) == list(range(10))
    report = run(world, "r1", force=True)
    assert report.exit_code == 0
    assert sorted(committed_only(world, ORDERS.key)) == list(range(13))
    assert leftovers(world) == []


def test_a_run_that_lost_the_lock_writes_no_manifest_and_no_state(world):
    world.writer.before_write = lambda task: setattr(world.state, "lost_to", "r9")
    report = run(world, "r1", specs=(ORDERS,))
    assert report.results[0].status is Status.FAILED
    assert report.results[0].error == "lost the run lock to run r9"
    assert world.manifests.written == {}
    assert world.state.load(ORDERS.key).pending is not None  # saved before the takeover


def test_an_unreadable_state_fails_only_its_table(world):
    world.state.unreadable[ORDERS.key] = ValueError("state file /lake/x.json is unreadable")
    report = run(world, "r1", specs=(ORDERS, CUSTOMERS))
    by_table = {r.table: r for r in report.results}
    assert by_table[ORDERS.key].status is Status.FAILED
    assert by_table[ORDERS.key].error == "state file /lake/x.json is unreadable"
    assert by_table[CUSTOMERS.key].status is Status.SUCCEEDED
    assert report.exit_code == 1
    assert world.reader.reads and all(t.key == CUSTOMERS.key for t in world.reader.reads)


def test_the_report_lists_tables_in_the_tables_files_order_skipped_ones_too(world):
    run(world, "r1", specs=(ORDERS,))
    report = run(world, "r1", specs=(ORDERS, CUSTOMERS))  # orders: committed in r1 already
    assert [(r.table, r.status) for r in report.results] == [
        (ORDERS.key, Status.SKIPPED),
        (CUSTOMERS.key, Status.SUCCEEDED),
    ]
