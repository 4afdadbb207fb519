"""What a run wrote and how each table went: write stats, manifests, results, the report."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from .cursor import Window


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
