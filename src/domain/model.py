"""Value objects of an extraction run: what to read, which window, what was written."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from decimal import Decimal

import attrs

from .errors import ExtractionError

CursorValue = int | Decimal | dt.date | dt.datetime
UNSAFE_IN_FOLDER = re.compile(r"[^A-Za-z0-9_.-]")
DayRange = tuple[dt.date, dt.date]  # first and last day, both included
ONE_DAY = dt.timedelta(days=1)


class Strategy(enum.StrEnum):
    """How a table's rows are chosen run after run."""

    FULL = "full"
    WATERMARK = "watermark"
    DAILY = "daily"


class Mode(enum.StrEnum):
    """What one task reads: the whole table or a cursor window."""

    FULL = "full"
    INCREMENTAL = "incremental"


class Status(enum.StrEnum):
    """Outcome of one table in a run."""

    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    FAILED = "failed"


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
class TableSpec:
    """One table as the user asked for it in the tables file (validated)."""

    source_name: str
    table_name: str
    schema_name: str | None = None
    incremental_column: str | None = None
    strategy: Strategy = Strategy.FULL
    extraction_date: dt.date | None = None
    custom_query: str | None = None
    lookback: Lookback | None = None
    primary_key: tuple[str, ...] = ()
    split_column: str | None = None
    num_partitions: int | None = None
    fetch_size: int | None = None
    rows_per_file: int | None = None
    predicates: tuple[str, ...] = ()
    flashback: str | None = None
    initial_watermark: CursorValue | None = None  # where a table with no commit starts

    @property
    def key(self) -> str:
        """The table's identity in state and reports."""
        return f"{self.source_name}/{self.table_name}"

    @property
    def folder(self) -> str:
        """The table's folder in the lake: a name safe on every object store.

        The name as the catalog stores it (identifier quotes dropped), with each character
        other than letters, digits, '_', '-' and '.' replaced by '_': `"Order Lines"` is
        `Order_Lines`.
        """
        name = self.table_name
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1]
        return UNSAFE_IN_FOLDER.sub("_", name)


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
        if lower is not None and upper is not None and _kind(lower) != _kind(upper):
            raise ExtractionError(
                f"the lower bound {lower} of cursor {self.column} is a {_kind(lower)}, but the "
                f"column's values are {_kind(upper)}s (such as {upper}): give this table an "
                "initial_watermark of the cursor's type (or, if its committed watermark is of the "
                "old type, forget it: data-extractor state reset --table)"
            )
        return attrs.evolve(self, lower=lower, upper=upper)

    @property
    def is_empty(self) -> bool:
        """True when no row can fall in the window (the source has nothing new)."""
        if self.lower is None or self.upper is None:
            return False
        if self.lower_inclusive and self.upper_inclusive:
            return self.upper < self.lower
        return self.upper <= self.lower


@attrs.frozen
class SourceProbe:
    """What one round trip to the source learned before the read.

    The high watermark closes the window; the row count and the split column's bounds
    (as the source's text, with a kind: "range" for numbers and dates, "hash" otherwise)
    let the reader choose partitions. All optional: a reader may learn nothing.
    """

    high_watermark: CursorValue | None = None
    rows: int | None = None
    split_column: str | None = None
    split_kind: str | None = None
    split_lower: str | None = None
    split_upper: str | None = None


@attrs.frozen
class ExtractionTask:
    """One table to extract in one run, with its window and output location."""

    spec: TableSpec
    mode: Mode
    output_path: str
    window: Window | None = None
    upper_from_source: bool = False
    replaces_commit: bool = False
    probe: SourceProbe | None = None
    snapshot: str | None = None
    expected_rows: int | None = None  # what the last commit wrote; None: never measured
    expected_bytes: int | None = None  # its size on storage, for bytes_per_file
    day: dt.date | None = None  # the day a daily table's task extracts

    @property
    def key(self) -> str:
        """The table's identity."""
        return self.spec.key


@attrs.frozen
class PlannedSkip:
    """A table the planner decided not to read, and why."""

    spec: TableSpec
    reason: str


@attrs.frozen
class ExtractionPlan:
    """Everything one run will do, decided before any data is read."""

    run_id: str
    run_date: dt.date
    tasks: tuple[ExtractionTask, ...]
    skipped: tuple[PlannedSkip, ...] = ()
    table_order: tuple[str, ...] = ()  # the tables file's order, which reports keep

    def in_table_order(self, results: Sequence[TableResult]) -> tuple[TableResult, ...]:
        """Results sorted as the tables file lists their tables (a table's days stay in order)."""
        rank = {key: i for i, key in enumerate(self.table_order)}
        return tuple(sorted(results, key=lambda r: rank.get(r.table, len(rank))))


@attrs.frozen
class WriteStats:
    """What a writer reports about one written dataset, from the pass that wrote it."""

    rows: int
    files: int
    bytes: int
    schema_json: str


@attrs.frozen
class Manifest:
    """The commit record written last into a run directory."""

    run_id: str
    table: str
    mode: Mode
    output_path: str
    stats: WriteStats
    window: Window | None
    source_query: str
    started_at: dt.datetime
    finished_at: dt.datetime
    snapshot: str | None = None


@attrs.frozen
class PendingCommit:
    """A table output that was being written when the state was last saved."""

    run_id: str
    output_path: str
    watermark: CursorValue | None
    window: Window | None
    # A redo writes beside the committed output and switches it in once complete.
    staging_path: str | None = None


@attrs.frozen
class TableState:
    """What has been committed for one table, plus an in-flight write if any."""

    watermark: CursorValue | None = None
    last_run_id: str | None = None
    last_output_path: str | None = None
    previous_watermark: CursorValue | None = None
    previous_run_id: str | None = None
    pending: PendingCommit | None = None
    version: int = 0
    last_rows: int | None = None  # rows the last commit wrote, to schedule the next run
    last_bytes: int | None = None  # and their size, to size the next run's files
    days: tuple[DayRange, ...] = ()  # a daily table's committed days, sorted, merged

    @property
    def has_commit(self) -> bool:
        """True once any output of this table was committed."""
        return self.last_run_id is not None

    def committed(
        self,
        run_id: str,
        output_path: str,
        watermark: CursorValue | None,
        rows: int | None = None,
        size: int | None = None,
    ) -> TableState:
        """The state after a new output is committed (the previous commit kept for redo).

        A pending day window (a daily table's) adds its whole days to the committed days.
        """
        redo = run_id == self.last_run_id
        days = self.days
        span = window_days(self.pending.window) if self.pending else None
        if span is not None:
            days = add_days(self.covered_days(), span)
        return attrs.evolve(
            self,
            days=days,
            watermark=watermark,
            last_rows=rows,
            last_bytes=size,
            last_run_id=run_id,
            last_output_path=output_path,
            previous_watermark=self.previous_watermark if redo else self.watermark,
            previous_run_id=self.previous_run_id if redo else self.last_run_id,
            pending=None,
        )

    def covered_days(self) -> tuple[DayRange, ...]:
        """Committed days; a state from before days were kept: every day below its watermark."""
        if self.days or not isinstance(self.watermark, dt.date):
            return self.days
        end = self.watermark
        last = end.date() if isinstance(end, dt.datetime) else end
        return ((dt.date.min, last - ONE_DAY),)


def _aware(value: object) -> bool:
    return isinstance(value, dt.datetime) and value.tzinfo is not None


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


def _kind(value: object) -> str:
    """'number', 'date' or 'timestamp': what can be compared with what."""
    if isinstance(value, dt.datetime):
        return "timestamp"
    return "date" if isinstance(value, dt.date) else "number"


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


@attrs.frozen
class TableResult:
    """How one table went in one run."""

    table: str
    status: Status
    mode: Mode | None = None
    output_path: str | None = None
    window: Window | None = None
    stats: WriteStats | None = None
    seconds: float = 0.0
    attempts: int = 0
    error: str | None = None
    note: str | None = None
    day: dt.date | None = None  # the day a daily table's task extracted


@attrs.frozen
class RunReport:
    """The outcome of a whole run."""

    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime
    results: tuple[TableResult, ...]

    @property
    def failed(self) -> tuple[TableResult, ...]:
        """Tables that did not commit."""
        return tuple(r for r in self.results if r.status is Status.FAILED)

    @property
    def exit_code(self) -> int:
        """0 when every table succeeded or was already done, 1 otherwise."""
        return 1 if self.failed else 0
