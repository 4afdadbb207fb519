"""State files: every field survives a round trip; files written before a field existed load."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest

from data_extractor.adapters.serialization import result_to_json, state_from_json, state_to_json
from data_extractor.domain.model import PendingCommit, Status, TableResult, TableState, Window


def test_a_state_round_trips_with_its_row_count_and_pending_write() -> None:
    window = Window("ts", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 2))
    state = TableState(
        watermark=dt.datetime(2024, 3, 1),
        last_run_id="r1",
        last_output_path="/lake/s/t/202403/01/r1.parquet",
        previous_watermark=None,
        previous_run_id=None,
        pending=PendingCommit("r2", "/lake/s/t/202403/02/r2.parquet", window.upper, window),
        version=3,
        last_rows=1234,
        last_bytes=56789,
    )
    assert state_from_json(state_to_json(state)) == state


def test_a_state_file_from_before_row_counts_loads_as_never_measured() -> None:
    text = state_to_json(TableState(watermark=5, last_run_id="r1", version=1))
    body = json.loads(text)
    del body["last_rows"], body["last_bytes"]
    loaded = state_from_json(json.dumps(body))
    assert (loaded.last_rows, loaded.last_bytes) == (None, None)


def test_committed_days_and_instant_watermarks_round_trip() -> None:
    instant = dt.datetime(2024, 11, 3, 6, 30, tzinfo=dt.UTC)
    state = TableState(
        watermark=instant,
        last_run_id="r1",
        days=((dt.date.min, dt.date(2024, 3, 1)), (dt.date(2024, 3, 3), dt.date(2024, 3, 4))),
        version=2,
    )
    text = state_to_json(state)
    assert json.loads(text)["watermark"]["value"] == "2024-11-03T06:30:00+00:00"
    assert state_from_json(text) == state


def test_a_daily_state_from_before_days_were_kept_covers_the_days_below_its_watermark() -> None:
    body = json.loads(state_to_json(TableState(watermark=dt.datetime(2024, 3, 5), version=1)))
    del body["days"]
    loaded = state_from_json(json.dumps(body))
    assert loaded.watermark == dt.datetime(2024, 3, 5) and loaded.watermark.tzinfo is None
    assert loaded.covered_days() == ((dt.date.min, dt.date(2024, 3, 4)),)


def test_committing_a_day_window_adds_its_day_to_the_legacy_coverage() -> None:
    legacy = TableState(watermark=dt.datetime(2024, 3, 5), last_run_id="r1", version=1)
    window = Window("at", dt.datetime(2024, 3, 7), dt.datetime(2024, 3, 8), True, False)
    pending = PendingCommit("r2", "/lake/x", window.upper, window)
    committed = attrs.evolve(legacy, pending=pending).committed("r2", "/lake/x", window.upper)
    assert committed.days == ((dt.date.min, dt.date(2024, 3, 4)), (dt.date(2024, 3, 7),) * 2)


def test_a_naive_watermark_from_an_old_state_meets_an_instant_as_utc() -> None:
    body = json.loads(state_to_json(TableState(watermark=dt.datetime(2024, 11, 3, 5), version=1)))
    old = state_from_json(json.dumps(body))
    window = Window("at", old.watermark, None).with_upper(
        dt.datetime(2024, 11, 3, 7, tzinfo=dt.UTC)
    )
    assert window.lower == dt.datetime(2024, 11, 3, 5, tzinfo=dt.UTC)
    assert not window.is_empty


def test_a_run_report_line_names_the_day_a_daily_task_extracted() -> None:
    line = result_to_json(TableResult("erp/events", Status.SUCCEEDED, day=dt.date(2024, 3, 2)))
    assert line["day"] == "2024-03-02"
    assert result_to_json(TableResult("erp/orders", Status.SUCCEEDED))["day"] is None


FORMAT_1 = {  # a state file as the tool wrote it before state files carried a format version
    "version": 4,
    "watermark": {"type": "timestamp", "value": "2024-03-01T00:00:00"},
    "last_run_id": "r3",
    "last_output_path": "/lake/s/t/202403/01/r3.parquet",
    "previous_watermark": None,
    "previous_run_id": "r2",
    "pending": {
        "run_id": "r4",
        "output_path": "/lake/s/t/202403/02/r4.parquet",
        "watermark": {"type": "timestamp", "value": "2024-03-02T00:00:00"},
        "window": None,
    },
}


def test_state_files_carry_their_format_and_format_1_files_are_migrated() -> None:
    assert json.loads(state_to_json(TableState()))["format_version"] == 2
    state = state_from_json(json.dumps(FORMAT_1))
    assert state.version == 4 and state.days == () and state.pending.staging_path is None
    assert json.loads(state_to_json(state))["format_version"] == 2


def test_a_state_file_from_a_newer_tool_is_refused_naming_the_file(tmp_path) -> None:
    from data_extractor.adapters.local_fs import LocalFileSystem
    from data_extractor.adapters.state import HadoopStateStore
    from data_extractor.domain.errors import DataExtractorError

    folder = tmp_path / "tables" / "s" / "t"
    folder.mkdir(parents=True)
    (folder / "0000000001.json").write_text(json.dumps({**FORMAT_1, "format_version": 3}))
    store = HadoopStateStore(LocalFileSystem(), str(tmp_path))
    with pytest.raises(DataExtractorError) as caught:
        store.load("s/t")
    message = str(caught.value)
    assert "0000000001.json was written by a newer tool" in message
    assert "reads up to 2: upgrade it" in message
