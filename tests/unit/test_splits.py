"""Partition counts from row counts and parallelism."""

from __future__ import annotations

import pytest

from data_extractor.domain.splits import partition_count


@pytest.mark.parametrize(
    ("rows", "parallelism", "expected"),
    [
        (None, 8, 1),  # unknown size: one partition
        (0, 8, 1),
        (1_000, 8, 1),  # small tables never split
        (250_000, 8, 1),
        (250_001, 8, 2),
        (1_000_000, 8, 4),
        (5_000_000, 2, 8),  # capped at 4 per core
        (5_000_000, 64, 20),
    ],
)
def test_partition_count(rows, parallelism, expected):
    assert partition_count(rows, parallelism) == expected


def test_an_explicit_request_wins():
    assert partition_count(10, 2, requested=6) == 6
    assert partition_count(10**9, 2, requested=1) == 1
