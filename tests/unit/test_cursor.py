"""Cursor values compare only with their own kind: numbers, dates, timestamps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from data_extractor.domain.cursor import Window, kind_of, precedes

DAY = dt.date(2024, 5, 1)
MOMENT = dt.datetime(2024, 5, 1, 6)


@pytest.mark.parametrize(
    ("lower", "upper"),
    [(1, 2), (1, Decimal("1.5")), (Decimal("-0.1"), 0), (DAY, dt.date(2024, 5, 2)), (DAY, DAY)],
)
def test_values_of_one_kind_compare(lower, upper):
    assert precedes(lower, upper) is (lower < upper)
    assert precedes(lower, upper, or_equal=True)
    assert not precedes(upper, lower) or lower == upper


@pytest.mark.parametrize(("lower", "upper"), [(1, DAY), (DAY, Decimal(3)), (DAY, MOMENT)])
def test_values_of_different_kinds_do_not(lower, upper):
    with pytest.raises(TypeError):
        precedes(lower, upper)
    with pytest.raises(TypeError):
        precedes(upper, lower)


def test_kinds():
    assert [kind_of(v) for v in (7, Decimal(1), DAY, MOMENT)] == [
        "number",
        "number",
        "date",
        "timestamp",
    ]


@pytest.mark.parametrize(
    ("window", "empty"),
    [
        (Window("c", 5, 5), True),  # (5, 5]
        (Window("c", 5, 5, lower_inclusive=True), False),  # [5, 5]
        (Window("c", MOMENT, MOMENT, lower_inclusive=True, upper_inclusive=False), True),
        (Window("c", 5, Decimal("5.5")), False),
        (Window("c", None, 3), False),
    ],
)
def test_a_window_is_empty_when_no_value_can_fall_in_it(window, empty):
    assert window.is_empty is empty
