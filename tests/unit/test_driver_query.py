"""Text forms the driver-side probe produces for parse_cursor."""

from __future__ import annotations

import pytest

from data_extractor.adapters.jdbc.driver_query import _wall_clock


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2024-05-01T06:00", "2024-05-01 06:00:00.000000"),
        ("2024-05-01T06:00:07", "2024-05-01 06:00:07.000000"),
        ("2024-05-01T06:00:07.25", "2024-05-01 06:00:07.250000"),
        ("2024-05-01T06:00:07.123456789", "2024-05-01 06:00:07.123456"),
    ],
)
def test_local_date_time_text_becomes_microsecond_wall_clock(iso, expected):
    assert _wall_clock(iso) == expected
