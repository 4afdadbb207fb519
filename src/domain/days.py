"""Whole days of a daily table: which a window covers, which are committed, which are missing."""

from __future__ import annotations

import datetime as dt

from .cursor import Window

DayRange = tuple[dt.date, dt.date]  # first and last day, both included
ONE_DAY = dt.timedelta(days=1)


def window_days(window: Window | None) -> DayRange | None:
    """The whole days a daily window [start, end) covers; None for other windows.

    Only daily windows exclude their upper bound. A lookback's partial day is not covered.
    """
    if window is None or window.upper_inclusive or not isinstance(window.upper, dt.date):
        return None
    last = _day_of(window.upper) - ONE_DAY
    if window.lower is None:
        return (dt.date.min, last)
    if not isinstance(window.lower, dt.date):
        return None
    first = _day_of(window.lower)
    if isinstance(window.lower, dt.datetime) and window.lower.time() != dt.time():
        first += ONE_DAY
    return (first, last) if first <= last else None


def _day_of(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def add_days(ranges: tuple[DayRange, ...], span: DayRange) -> tuple[DayRange, ...]:
    """Day ranges with one more, sorted and merged (adjacent ranges join)."""
    merged: list[DayRange] = []
    for first, last in sorted([*ranges, span]):
        if merged and first <= _next(merged[-1][1]):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def _next(day: dt.date) -> dt.date:
    return day if day == dt.date.max else day + ONE_DAY


def missing_days(ranges: tuple[DayRange, ...], last: dt.date) -> list[dt.date]:
    """Days after the latest committed day up to `last`, in order: the runs that were missed.

    Gaps between committed ranges are left alone: only a backfill makes them (the runs never
    leave one, since a table's later days wait when a day fails), and a backfill of one day
    must not start extracting the days after it.
    """
    if not ranges:
        return [last]
    missing: list[dt.date] = []
    day = _next(ranges[-1][1])
    while day <= last:
        missing.append(day)
        day += ONE_DAY
    return missing


def covers(ranges: tuple[DayRange, ...], day: dt.date) -> bool:
    """True when a committed range holds the day."""
    return any(first <= day <= last for first, last in ranges)
