"""Cursor values and the windows over them: what an incremental read selects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from .errors import ExtractionError

CursorValue = int | Decimal | dt.date | dt.datetime


def precedes(lower: CursorValue, upper: CursorValue, or_equal: bool = False) -> bool:
    """lower < upper (or <=): values of one kind; TypeError across kinds, as Python's own."""
    if isinstance(lower, dt.date) and isinstance(upper, dt.date):
        # A date against a datetime raises TypeError here, as it always did.
        return lower <= upper if or_equal else lower < upper
    if isinstance(lower, dt.date) or isinstance(upper, dt.date):
        raise TypeError(f"cannot compare the {kind_of(lower)} {lower} with {upper}")
    return lower <= upper if or_equal else lower < upper


def kind_of(value: object) -> str:
    """'number', 'date' or 'timestamp': what can be compared with what."""
    if isinstance(value, dt.datetime):
        return "timestamp"
    return "date" if isinstance(value, dt.date) else "number"


@attrs.frozen
class Lookback:
    """A margin re-read below the committed watermark, for rows that arrive late."""

    amount: Decimal | dt.timedelta

    def subtract_from(self, value: CursorValue) -> CursorValue:
        """The lower bound moved down by this margin, keeping the cursor's type."""
        if isinstance(self.amount, dt.timedelta):
            if not isinstance(value, dt.date):
                raise TypeError("a duration lookback needs a date or timestamp cursor")
            return value - self.amount
        if isinstance(value, dt.date):
            raise TypeError("a numeric lookback needs a numeric cursor")
        result = Decimal(value) - self.amount
        return int(result) if isinstance(value, int) and result == int(result) else result


@attrs.frozen
class Window:
    """A cursor interval: lower bound excluded or included, upper bound included or not.

    Watermark windows are (lower, upper]; daily windows are [lower, upper).
    A missing lower bound means "from the beginning" (first, full run).
    """

    column: str
    lower: CursorValue | None
    upper: CursorValue | None
    lower_inclusive: bool = False
    upper_inclusive: bool = True
    include_nulls: bool = False

    def with_upper(self, upper: CursorValue | None) -> Window:
        """This window closed at an upper bound read from the source.

        A zone-less lower bound (a state saved before zoned watermarks were instants, when the
        tool's JVM ran in UTC) meets an instant as the UTC time it was.
        """
        lower = self.lower
        if _aware(upper) and isinstance(lower, dt.datetime) and lower.tzinfo is None:
            lower = lower.replace(tzinfo=dt.UTC)
        if isinstance(upper, dt.datetime) and type(lower) is dt.date:
            # A date initial_watermark on a timestamp cursor: from that day's start.
            lower = dt.datetime.combine(lower, dt.time(), tzinfo=dt.UTC if _aware(upper) else None)
        if lower is not None and upper is not None and kind_of(lower) != kind_of(upper):
            raise ExtractionError(
                f"the lower bound {lower} of cursor {self.column} is a {kind_of(lower)}, but the "
                f"column's values are {kind_of(upper)}s (such as {upper}): give this table an "
                "initial_watermark of the cursor's type (or, if its committed watermark is of the "
                "old type, forget it: data-extractor state reset --table)"
            )
        return attrs.evolve(self, lower=lower, upper=upper)

    @property
    def is_empty(self) -> bool:
        """True when no row can fall in the window (the source has nothing new)."""
        if self.lower is None or self.upper is None:
            return False
        both_inclusive = self.lower_inclusive and self.upper_inclusive
        return precedes(self.upper, self.lower, or_equal=not both_inclusive)


def _aware(value: object) -> bool:
    return isinstance(value, dt.datetime) and value.tzinfo is not None
