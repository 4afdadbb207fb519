"""Partition counts from row counts and parallelism."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from data_extractor.domain.splits import partition_count, range_boundaries


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


@pytest.mark.parametrize(
    ("lower", "upper", "partitions", "expected"),
    [
        (1, 5000, 5, [1000, 2000, 3000, 4000]),  # integers exactly
        (-(10**20), 10**20, 2, [0]),  # beyond a long
        (1, 2, 4, [Decimal("1.25"), Decimal("1.50"), Decimal("1.75")]),  # narrow: decimals
        (Decimal("-0.5"), Decimal("99.5"), 4, [Decimal("24.5"), Decimal("49.5"), Decimal("74.5")]),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 3), 4, [dt.date(2024, 1, 2)]),  # whole days
        (
            dt.datetime(2024, 1, 1),
            dt.datetime(2024, 1, 1, 0, 0, 7, 999999),
            2,
            [dt.datetime(2024, 1, 1, 0, 0, 4)],  # whole seconds: DATE literals on Oracle
        ),
        (
            dt.datetime(2024, 1, 1),
            dt.datetime(2024, 1, 1, 0, 0, 0, 4),
            2,
            [dt.datetime(2024, 1, 1, 0, 0, 0, 2)],  # sub-second range: microseconds
        ),
        (  # a numeric's text with trailing zeros: cuts as fine as the values, no finer
            Decimal("-187.3750000000000000"),
            Decimal("187.5000000000000000"),
            3,
            [Decimal("-62.417"), Decimal("62.541")],
        ),
        (7, 7, 4, []),  # one value: nothing to cut
        (1, 100, 1, []),
    ],
)
def test_range_boundaries_cut_between_the_bounds(lower, upper, partitions, expected):
    cuts = range_boundaries(lower, upper, partitions)
    assert cuts == expected
    assert all(lower < c <= upper for c in cuts) and cuts == sorted(set(cuts))
