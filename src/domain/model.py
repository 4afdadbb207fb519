"""Value objects of an extraction run: what to read, in which window, with what outcome.

The domain's vocabulary is one import: the cursor, day, state and report objects live in
their own modules (cursor, days, table_state, report) and are named here too.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence

import attrs

from .cursor import CursorValue, Lookback, Window, kind_of, precedes
from .days import ONE_DAY, DayRange, add_days, covers, missing_days, window_days
from .report import Manifest, Mode, RunReport, Status, TableResult, WriteStats
from .table_state import PendingCommit, TableState

__all__ = [
    "ONE_DAY",
    "CursorValue",
    "DayRange",
    "ExtractionPlan",
    "ExtractionTask",
    "Lookback",
    "Manifest",
    "Mode",
    "PendingCommit",
    "PlannedSkip",
    "RunReport",
    "SourceProbe",
    "Status",
    "Strategy",
    "TableResult",
    "TableSpec",
    "TableState",
    "Window",
    "WriteStats",
    "add_days",
    "covers",
    "kind_of",
    "missing_days",
    "precedes",
    "window_days",
]

UNSAFE_IN_FOLDER = re.compile(r"[^A-Za-z0-9_.-]")


class Strategy(enum.StrEnum):
    """How a table's rows are chosen run after run."""

    FULL = "full"
    WATERMARK = "watermark"
    DAILY = "daily"


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
