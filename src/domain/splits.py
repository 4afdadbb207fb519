"""How a read is split: how many partitions, and where value ranges are cut."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import TypeVar

from .cursor import CursorValue, precedes

# A split key's value: what a range split cuts between.
Bound = CursorValue
# One kind of bound at a time: cuts compare only with bounds of their own kind.
Ordered = TypeVar("Ordered", int, Decimal, dt.date)

DEFAULT_ROWS_PER_PARTITION = 250_000
# More partitions than cores lets a FAIR scheduler interleave tables, but each partition is
# a separate query on the source: beyond a few per core the database pays more than Spark gains.
PARTITIONS_PER_CORE = 4


def partition_count(
    rows: int | None,
    parallelism: int,
    rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
    requested: int | None = None,
) -> int:
    """Partitions for a table of `rows`: one for small tables, capped by the cluster's cores."""
    if requested is not None:
        return max(1, requested)
    if not rows or rows <= rows_per_partition:
        return 1
    wanted = math.ceil(rows / rows_per_partition)
    return max(1, min(wanted, max(1, parallelism) * PARTITIONS_PER_CORE))


def range_boundaries(lower: Bound, upper: Bound, partitions: int) -> list[Bound]:
    """The inner boundaries cutting [lower, upper] into `partitions` ranges of equal width.

    Strictly increasing, each above `lower` and at most `upper`; fewer when the range is
    too narrow to cut that often. Integers split exactly, decimals with Decimal, dates by
    whole days and timestamps by whole seconds (microseconds only for a sub-second-wide
    range), so the literals stay short and a DATE column compares with DATE values.
    """
    if partitions < 2 or not precedes(lower, upper):
        return []
    if isinstance(lower, dt.datetime) and isinstance(upper, dt.datetime):
        return _increasing(lower, upper, _datetime_cuts(lower, upper, partitions))
    if isinstance(lower, dt.date) and isinstance(upper, dt.date):
        days = (upper - lower).days
        cuts = [lower + dt.timedelta(days=days * i // partitions) for i in range(1, partitions)]
        return _increasing(lower, upper, cuts)
    if isinstance(lower, dt.date) or isinstance(upper, dt.date):
        return []  # unreachable: precedes refused values of different kinds
    if isinstance(lower, int) and isinstance(upper, int) and upper - lower >= partitions:
        ints = [lower + (upper - lower) * i // partitions for i in range(1, partitions)]
        return _increasing(lower, upper, ints)
    low, high = Decimal(lower), Decimal(upper)
    return _increasing(low, high, _decimal_cuts(low, high, partitions))


def _increasing(lower: Ordered, upper: Ordered, cuts: Sequence[Ordered]) -> list[Bound]:
    """The cuts inside (lower, upper], each above the one before."""
    found: list[Bound] = []
    last = lower
    for cut in cuts:
        if last < cut <= upper:
            found.append(cut)
            last = cut
    return found


def _datetime_cuts(lower: dt.datetime, upper: dt.datetime, partitions: int) -> list[dt.datetime]:
    span = upper - lower
    cuts = [lower + span * i / partitions for i in range(1, partitions)]
    if span < dt.timedelta(seconds=partitions):
        return cuts
    return [cut.replace(microsecond=0) for cut in cuts]  # whole seconds: DATE literals


def _decimal_cuts(lower: Decimal, upper: Decimal, partitions: int) -> list[Decimal]:
    with localcontext() as context:
        context.prec = 60
        step = (upper - lower) / partitions
        # Two significant digits of the step, or the bounds' own scale (trailing zeros
        # aside: a numeric's text can carry many) if finer.
        places = max(0, _scale(lower), _scale(upper), 1 - step.adjusted())
        quantum = Decimal(1).scaleb(-places)
        return [(lower + step * i).quantize(quantum, ROUND_FLOOR) for i in range(1, partitions)]


def _scale(bound: Decimal) -> int:
    """Digits after the point, trailing zeros aside (0 for a number that is not finite)."""
    exponent = bound.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0
