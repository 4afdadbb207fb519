"""HadoopStateStore: per-table state, run dates and the run lock, beside the data."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

from ..domain.model import TableState
from .files import FileSystem
from .run_dates import RunDateRecords
from .run_lock import RunLockHolder
from .state_versions import CorruptStateError, StateConflictError, TableStateFiles

__all__ = ["CorruptStateError", "HadoopStateStore", "StateConflictError"]


class HadoopStateStore:
    """The StateStore port over one state root: table versions, run dates and the run lock."""

    def __init__(self, fs: FileSystem, root: str, lease_seconds: int = 300) -> None:
        self._root = root.rstrip("/")
        self._lock = RunLockHolder(fs, self._root, lease_seconds)
        self._tables = TableStateFiles(fs, self._root, fence=self._lock.fence)
        self._runs = RunDateRecords(fs, self._root)

    @property
    def root(self) -> str:
        """Where the state lives."""
        return self._root

    def load(self, table_key: str) -> TableState:
        """The newest version of the table's state (an empty state when there is none)."""
        return self._tables.load(table_key)

    def save(self, table_key: str, state: TableState) -> TableState:
        """Create the next version; fail rather than overwrite a concurrent writer's."""
        return self._tables.save(table_key, state)

    def table_keys(self) -> list[str]:
        """Every table that has state, as `source/table`."""
        return self._tables.table_keys()

    def reset(self, table_key: str) -> None:
        """Forget a table's state: its next run is a full extract again."""
        self._tables.reset(table_key)

    def run_date(self, run_id: str, today: dt.date) -> dt.date:
        """The date recorded for run_id, recording today if the run is new."""
        return self._runs.run_date(run_id, today)

    def recorded_run_date(self, run_id: str) -> dt.date | None:
        """The date run_id recorded on its first start, or None if it never started."""
        return self._runs.recorded_run_date(run_id)

    def lock(self, run_id: str) -> AbstractContextManager[None]:
        """Hold the lock for this state root while the block runs, renewing its lease."""
        return self._lock.lock(run_id)

    def fence(self) -> None:
        """Raise RunLockedError if this store's run lock was taken over (no-op when unlocked)."""
        self._lock.fence()
