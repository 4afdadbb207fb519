"""Fakes of our own ports, for domain tests without Spark or databases.

Each fake subclasses the Protocol it stands for, and tests/unit/test_ports.py checks it has
every method of that port with the port's parameters.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from data_extractor.domain.errors import RunLockedError
from data_extractor.domain.model import (
    ExtractionTask,
    Manifest,
    SourceProbe,
    TableState,
    WriteStats,
)
from data_extractor.domain.ports import (
    Clock,
    DatasetWriter,
    ManifestStore,
    ProgressReporter,
    SourceReader,
    StateStore,
)


def in_window(task: ExtractionTask, value: Any) -> bool:
    """Whether a cursor value falls in the task's window (the SQL's semantics)."""
    w = task.window
    if w is None:
        return True
    if value is None:
        return w.include_nulls
    if w.lower is not None and (value < w.lower or (value == w.lower and not w.lower_inclusive)):
        return False
    return not (
        w.upper is not None and (value > w.upper or (value == w.upper and not w.upper_inclusive))
    )


class FakeSource(SourceReader):
    """An in-memory source: table key -> list of row dicts; reads filter by the window."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = {}
        self.failures: dict[str, list[Exception]] = {}
        self.reads: list[ExtractionTask] = []

    def probe(self, task: ExtractionTask) -> SourceProbe:
        """MAX of the cursor over the table's rows, and the row count."""
        rows = self.tables[task.key]
        if task.window is None:
            return SourceProbe(rows=len(rows))
        values = [r[task.window.column] for r in rows if r[task.window.column] is not None]
        return SourceProbe(max(values) if values else None, len(rows))

    def read(self, task: ExtractionTask) -> list[dict]:
        """Rows in the window (raising queued failures first)."""
        if self.failures.get(task.key):
            raise self.failures[task.key].pop(0)
        self.reads.append(task)
        column = task.window.column if task.window else None
        return [r for r in self.tables[task.key] if column is None or in_window(task, r[column])]

    def describe(self, task: ExtractionTask) -> str:
        """A stand-in for the SQL."""
        return f"SELECT * FROM {task.key}"

    def current_snapshot(self) -> str:
        """A fixed SCN-like token."""
        self.snapshots_read = getattr(self, "snapshots_read", 0) + 1
        return "4242"


class FakeWriter(DatasetWriter):
    """Keeps written datasets by output path (an overwrite replaces)."""

    def __init__(self) -> None:
        self.outputs: dict[str, list[dict]] = {}
        self.before_write: Callable[[ExtractionTask], None] | None = None

    def write(self, dataset: list[dict], task: ExtractionTask) -> WriteStats:
        """Store the rows; count them."""
        if self.before_write is not None:
            self.before_write(task)
        self.outputs[task.output_path] = list(dataset)
        return WriteStats(len(dataset), 1, 100 * len(dataset), "{}")


class FakeManifests(ManifestStore):
    """Manifests by directory, over the writer's outputs; can 'crash' after a write or a move."""

    def __init__(self, outputs: dict[str, list[dict]] | None = None) -> None:
        self.written: dict[str, Manifest] = {}
        self.outputs = outputs if outputs is not None else {}
        self.crash_after: set[str] = set()
        self.crash_after_moves: int | None = None  # crash right after this many moves
        self.moves = 0
        self.atomic_moves = True  # False: a store (fsspec's) whose moves copy, then delete

    def write(self, manifest: Manifest, directory: str | None = None) -> None:
        """Record the manifest in its directory; optionally 'crash' afterwards."""
        self.written[directory or manifest.output_path] = manifest
        if manifest.table in self.crash_after:
            raise KeyboardInterrupt(f"crash after manifest of {manifest.table}")

    def exists(self, output_path: str) -> bool:
        """Committed?"""
        return output_path in self.written

    def present(self, path: str) -> bool:
        """Any data or manifest there?"""
        return path in self.written or path in self.outputs

    def move(self, source: str, target: str) -> bool:
        """Rename data and manifest together; refuse a taken name."""
        if self.present(target):
            return False
        for store in (self.written, self.outputs):
            if source in store:
                store[target] = store.pop(source)
        self.moves += 1
        if self.moves == self.crash_after_moves:
            raise KeyboardInterrupt(f"crash after moving {source} to {target}")
        return True

    def moves_atomically(self, path: str) -> bool:
        """As configured by the test."""
        return self.atomic_moves

    def discard(self, path: str) -> None:
        """Forget data and manifest."""
        self.written.pop(path, None)
        self.outputs.pop(path, None)


class FakeStateStore(StateStore):
    """Versioned states in a dict, a run-date record, and a lock that refuses a second holder."""

    def __init__(self) -> None:
        self.states: dict[str, TableState] = {}
        self.dates: dict[str, dt.date] = {}
        self.locked_by: str | None = None
        self.lost_to: str | None = None  # set: another run took the lock over
        self.unreadable: dict[str, Exception] = {}  # table -> what loading its state raises
        self.crash_before_save: int | None = None  # crash instead of this save (1-based)
        self.saves = 0

    def load(self, table_key: str) -> TableState:
        """Latest state or empty."""
        if table_key in self.unreadable:
            raise self.unreadable[table_key]
        return self.states.get(table_key, TableState())

    def save(self, table_key: str, state: TableState) -> TableState:
        """Refuse a stale version, like the real store's exclusive create."""
        self.fence()
        self.saves += 1
        if self.saves == self.crash_before_save:
            raise KeyboardInterrupt(f"crash while saving the state of {table_key}")
        current = self.states.get(table_key, TableState())
        if state.version != current.version:
            raise RuntimeError("stale state")
        saved = attrs.evolve(state, version=state.version + 1)
        self.states[table_key] = saved
        return saved

    def table_keys(self) -> list[str]:
        """Tables with state, sorted."""
        return sorted(self.states)

    def reset(self, table_key: str) -> None:
        """Forget the table's state."""
        self.states.pop(table_key, None)

    def run_date(self, run_id: str, today: dt.date) -> dt.date:
        """First date recorded for the run."""
        return self.dates.setdefault(run_id, today)

    def recorded_run_date(self, run_id: str) -> dt.date | None:
        """The run's date, if it recorded one."""
        return self.dates.get(run_id)

    @contextlib.contextmanager
    def lock(self, run_id: str) -> Iterator[None]:
        """One holder at a time."""
        if self.locked_by is not None:
            raise RunLockedError(f"run {self.locked_by} holds the lock")
        self.locked_by = run_id
        try:
            yield
        finally:
            self.locked_by = None

    def fence(self) -> None:
        """Refuse once the lock was taken over."""
        if self.lost_to is not None:
            raise RunLockedError(f"lost the run lock to run {self.lost_to}")


class FakeClock(Clock):
    """Time that moves only when told; sleeping advances it."""

    def __init__(self, now: dt.datetime) -> None:
        self.current = now
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        """The fake now."""
        return self.current

    def sleep(self, seconds: float) -> None:
        """Record and advance."""
        self.slept.append(seconds)
        self.current += dt.timedelta(seconds=seconds)


class RecordingProgress(ProgressReporter):
    """Remembers what it was told."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[Any] = []

    def run_started(self, tables: int) -> None:
        """Record the run's size."""
        self.total = tables

    def table_started(self, task: ExtractionTask) -> None:
        """Record a start."""
        self.started.append(task.key)

    def run_finished(self) -> None:
        """Record the end."""
        self.closed = True

    def table_finished(self, result: Any) -> None:
        """Record an end."""
        self.finished.append(result)
