"""What is committed for one table: its watermark, its days and an in-flight write."""

from __future__ import annotations

import datetime as dt

import attrs

from .cursor import CursorValue, Window
from .days import ONE_DAY, DayRange, add_days, window_days


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
