"""Planning is a pure function: specs + state + options -> plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from data_extractor.domain.errors import ExtractionError
from data_extractor.domain.model import (
    ExtractionTask,
    Lookback,
    Mode,
    PlannedSkip,
    Strategy,
    TableSpec,
    TableState,
    Window,
)
from data_extractor.domain.planning import (
    PlanOptions,
    largest_first,
    output_path,
    plan_run,
    plan_table,
)

OPTIONS = PlanOptions("run1", dt.date(2024, 3, 2), "/lake/")
WATERMARK = TableSpec("erp", "orders", incremental_column="id", strategy=Strategy.WATERMARK)
DAILY = TableSpec("erp", "events", incremental_column="at", strategy=Strategy.DAILY)


def test_output_layout_is_the_original_tools():
    spec = TableSpec("erp", "orders")
    assert (
        output_path("/lake/", spec, dt.date(2024, 3, 2), "r7")
        == "/lake/erp/orders/202403/02/r7.parquet"
    )


def test_a_quoted_table_name_gets_a_folder_safe_on_every_object_store():
    day = dt.date(2024, 3, 2)
    quoted = TableSpec("ora", '"Order Lines"')
    assert output_path("/lake", quoted, day, "r7") == "/lake/ora/Order_Lines/202403/02/r7.parquet"
    assert TableSpec("ora", '"Sales$2024"').folder == "Sales_2024"
    assert TableSpec("ora", "ORDERS").folder == "ORDERS"


def test_first_run_of_an_incremental_table_is_a_full_extract_with_nulls():
    task = plan_table(WATERMARK, TableState(), OPTIONS)
    assert isinstance(task, ExtractionTask)
    assert task.mode is Mode.FULL
    assert task.window.lower is None and task.window.include_nulls
    assert task.upper_from_source


def test_later_runs_start_after_the_committed_watermark():
    state = TableState(watermark=41, last_run_id="run0")
    task = plan_table(WATERMARK, state, OPTIONS)
    assert task.mode is Mode.INCREMENTAL
    assert (task.window.lower, task.window.lower_inclusive, task.window.upper_inclusive) == (
        41,
        False,
        True,
    )


def test_numeric_lookback_lowers_the_bound():
    spec = TableSpec(
        "erp",
        "orders",
        incremental_column="id",
        strategy=Strategy.WATERMARK,
        lookback=Lookback(Decimal(10)),
    )
    task = plan_table(spec, TableState(watermark=41, last_run_id="run0"), OPTIONS)
    assert task.window.lower == 31


def test_daily_window_is_yesterday_half_open_by_default():
    task = plan_table(
        DAILY, TableState(watermark=dt.datetime(2024, 3, 1), last_run_id="r0"), OPTIONS
    )
    assert task.window.lower == dt.datetime(2024, 3, 1)
    assert task.window.upper == dt.datetime(2024, 3, 2)
    assert task.window.lower_inclusive and not task.window.upper_inclusive
    assert task.output_path.endswith("/erp/events/202403/01/run1.parquet")


def test_daily_day_already_covered_is_skipped_unless_forced():
    spec = TableSpec(
        "erp",
        "events",
        incremental_column="at",
        strategy=Strategy.DAILY,
        extraction_date=dt.date(2024, 2, 27),
    )
    state = TableState(watermark=dt.datetime(2024, 3, 1), last_run_id="r0")
    decision = plan_table(spec, state, OPTIONS)
    assert isinstance(decision, PlannedSkip) and "--force" in decision.reason
    forced = plan_table(spec, state, PlanOptions("run1", dt.date(2024, 3, 2), "/lake", force=True))
    assert isinstance(forced, ExtractionTask)


def test_a_run_id_already_committed_is_skipped():
    plan = plan_run(
        [WATERMARK], {WATERMARK.key: TableState(watermark=5, last_run_id="run1")}, OPTIONS
    )
    assert plan.tasks == ()
    assert "already committed" in plan.skipped[0].reason


def test_forced_redo_starts_from_the_previous_watermark():
    state = TableState(
        watermark=50, last_run_id="run1", previous_watermark=20, previous_run_id="run0"
    )
    task = plan_table(
        WATERMARK, state, PlanOptions("run1", dt.date(2024, 3, 2), "/lake", force=True)
    )
    assert task.window.lower == 20 and task.replaces_commit


def test_a_tables_own_flashback_wins_over_the_runs_snapshot():
    own = TableSpec("erp", "ledger", strategy=Strategy.FULL, flashback="2024-03-01 06:00:00")
    plan = plan_run(
        [own, WATERMARK], {}, PlanOptions("run1", dt.date(2024, 3, 2), "/lake", snapshot="777")
    )
    assert [t.snapshot for t in plan.tasks] == ["2024-03-01 06:00:00", "777"]


def test_tasks_carry_the_rows_their_last_commit_wrote_and_start_biggest_first():
    a = TableSpec("src", "a", strategy=Strategy.FULL)
    b = TableSpec("src", "b", strategy=Strategy.FULL)
    c = TableSpec("src", "c", strategy=Strategy.FULL)
    d = TableSpec("src", "d", strategy=Strategy.FULL)
    states = {
        a.key: TableState(last_run_id="r0", last_rows=10),
        b.key: TableState(last_run_id="r0", last_rows=5_000),
        d.key: TableState(last_run_id="r0", last_rows=10),
    }
    plan = plan_run([a, b, c, d], states, OPTIONS)
    assert [t.expected_rows for t in plan.tasks] == [10, 5_000, None, 10]
    # c was never measured: it goes first; then most rows; a and d tie and keep file order.
    assert [t.key for t in largest_first(plan.tasks)] == [c.key, b.key, a.key, d.key]


def test_a_first_run_with_initial_watermark_starts_there_without_nulls():
    spec = attrs.evolve(WATERMARK, initial_watermark=500)
    [task] = plan_run([spec], {}, OPTIONS).tasks
    assert (task.window.lower, task.window.lower_inclusive, task.window.include_nulls) == (
        500,
        True,
        False,
    )
    # Once something is committed, the committed watermark rules.
    later = plan_table(spec, TableState(watermark=900, last_run_id="r0"), OPTIONS)
    assert later.window.lower == 900 and not later.window.lower_inclusive


def test_a_daily_first_run_with_initial_watermark_reads_each_day_from_it():
    spec = attrs.evolve(DAILY, initial_watermark=dt.date(2024, 2, 28))
    plan = plan_run([spec], {}, OPTIONS)
    assert [t.day for t in plan.tasks] == [dt.date(2024, 2, d) for d in (28, 29)] + [
        dt.date(2024, 3, 1)
    ]
    assert plan.tasks[0].window.lower == dt.datetime(2024, 2, 28)
    assert not any(t.window.include_nulls for t in plan.tasks)
    late = attrs.evolve(DAILY, initial_watermark=dt.date(2024, 3, 5))
    assert "after day 2024-03-01" in plan_run([late], {}, OPTIONS).skipped[0].reason


def test_a_backfilled_day_leaves_the_gap_after_it_alone():
    # Committed Jan 1-10, then Dec 25 backfilled: the run for Jan 12 catches up Jan 11 and 12,
    # never Dec 26-31 (nobody asked for those).
    state = TableState(
        watermark=dt.datetime(2024, 1, 11),
        last_run_id="backfill",
        days=(
            (dt.date(2023, 12, 25), dt.date(2023, 12, 25)),
            (dt.date(2024, 1, 1), dt.date(2024, 1, 10)),
        ),
    )
    plan = plan_run([DAILY], {DAILY.key: state}, PlanOptions("r", dt.date(2024, 1, 13), "/lake"))
    assert [t.day for t in plan.tasks] == [dt.date(2024, 1, 11), dt.date(2024, 1, 12)]


def test_a_date_initial_watermark_bounds_a_timestamp_cursor_from_that_days_start():
    window = Window("at", dt.date(2024, 1, 1), None, lower_inclusive=True)
    closed = window.with_upper(dt.datetime(2024, 3, 1, 12))
    assert closed.lower == dt.datetime(2024, 1, 1) and not closed.is_empty
    zoned = window.with_upper(dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC))
    assert zoned.lower == dt.datetime(2024, 1, 1, tzinfo=dt.UTC) and not zoned.is_empty


def test_an_initial_watermark_of_another_kind_than_the_cursor_fails_with_a_reason():
    window = Window("id", dt.date(2024, 1, 1), None, lower_inclusive=True)
    with pytest.raises(ExtractionError, match="cursor id is a date.*numbers.*initial_watermark"):
        window.with_upper(5000)
