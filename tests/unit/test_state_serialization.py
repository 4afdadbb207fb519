"""State files: every field survives a round trip; files written before a field existed load."""

from __future__ import annotations

import datetime as dt
import json

from data_extractor.adapters.serialization import state_from_json, state_to_json
from data_extractor.domain.model import PendingCommit, TableState, Window


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
