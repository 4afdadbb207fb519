"""The ports: what the domain needs from the outside world, as Protocols."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Any, Protocol

from .model import (
    ExtractionTask,
    Manifest,
    SourceProbe,
    TableResult,
    TableState,
    WriteStats,
)

# A dataset is opaque to the domain: a reader returns one, a writer consumes it.
Dataset = Any


class SourceReader(Protocol):
    """Reads one table (or query) from the source database."""

    def probe(self, task: ExtractionTask) -> SourceProbe:
        """One round trip before the read: MAX of the cursor, row count, split bounds."""

    def read(self, task: ExtractionTask) -> Dataset:
        """A lazy dataset of the task's rows; nothing is fetched until it is written."""

    def describe(self, task: ExtractionTask) -> str:
        """The SQL the read sends, for manifests and plans (never any secret)."""

    def current_snapshot(self) -> str:
        """A token for the source's state now (Oracle: the SCN), for consistent runs."""


class DatasetWriter(Protocol):
    """Writes a dataset to a run directory, replacing whatever was there."""

    def write(self, dataset: Dataset, task: ExtractionTask) -> WriteStats:
        """Write and report counts from the same pass (no second read)."""


class ManifestStore(Protocol):
    """Reads and writes the `_manifest.json` that commits a run directory."""

    def write(self, manifest: Manifest, directory: str | None = None) -> None:
        """Write the manifest into directory (default: its output path), atomically."""

    def exists(self, output_path: str) -> bool:
        """True when the output directory holds a manifest (is committed)."""

    def present(self, path: str) -> bool:
        """True when anything (a directory, committed or not) is at path."""

    def move(self, source: str, target: str) -> bool:
        """Rename a run directory to a free name; False when the name is taken."""

    def moves_atomically(self, path: str) -> bool:
        """True when a move of the directory at path is one atomic step (a redo's switch)."""

    def discard(self, path: str) -> None:
        """Delete a directory that is not (or no longer) a committed output."""


class TableStates(Protocol):
    """Versions of each table's committed state."""

    def load(self, table_key: str) -> TableState:
        """The table's latest state (an empty state when it has none)."""

    def save(self, table_key: str, state: TableState) -> TableState:
        """Store a new version of the state; refuses if another writer got there first."""


class RunDates(Protocol):
    """The logical date of each run, recorded once so a rerun reads the same days."""

    def run_date(self, run_id: str, today: dt.date) -> dt.date:
        """The logical date of a run: recorded on its first use, reused on reruns."""

    def recorded_run_date(self, run_id: str) -> dt.date | None:
        """The date a run recorded on its first use, or None for a new run (records nothing)."""


class RunLocking(Protocol):
    """One run at a time per state location, and fencing once the lock is lost."""

    def lock(self, run_id: str) -> AbstractContextManager[None]:
        """Hold the run lock for the state location; raise RunLockedError if taken."""

    def fence(self) -> None:
        """Raise RunLockedError when another run has taken the lock this process held."""


class StateAdmin(Protocol):
    """What a person does to state by hand: list the tables, forget one."""

    def table_keys(self) -> list[str]:
        """Every table that has state, as `source/table`."""

    def reset(self, table_key: str) -> None:
        """Forget a table's state: its next run is a full extract again."""


class StateStore(TableStates, RunDates, RunLocking, StateAdmin, Protocol):
    """Per-table committed state, run dates, the run lock and admin, beside the data."""


class Clock(Protocol):
    """The current time, injectable so planning is deterministic in tests."""

    def now(self) -> dt.datetime:
        """An aware datetime in UTC."""

    def sleep(self, seconds: float) -> None:
        """Wait, used between retries."""


class ProgressReporter(Protocol):
    """Told what happens to each table, to show it to a person or a log."""

    def run_started(self, tables: int) -> None:
        """A run with this many tables to read has begun."""

    def table_started(self, task: ExtractionTask) -> None:
        """A table's read has begun."""

    def table_finished(self, result: TableResult) -> None:
        """A table is done, whatever the outcome."""

    def run_finished(self) -> None:
        """The run is over (close any display)."""
