"""What `verify` finds in a lake, the ports it reads through, and its pure rules.

Each finding names the table, the output and what is wrong, so one line is enough to act on.
The use case that walks the tables is `usecases.verify`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from .model import Lookback, Manifest, TableSpec, TableState, Window


@attrs.frozen
class LakeOutput:
    """One run directory under a table's folder: its manifest (None: uncommitted) and files."""

    path: str
    manifest: Manifest | None
    data_files: tuple[str, ...] = ()
    format: str = "parquet"  # "delta" when the directory holds a _delta_log

    @property
    def run_id(self) -> str:
        """The run that wrote it: the directory's name without `.parquet`."""
        return self.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".parquet")


@attrs.frozen
class Finding:
    """One thing wrong in the lake: which table, which output, what."""

    table: str
    output_path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.table}: {self.output_path or '-'}: {self.message}"


@attrs.frozen
class VerifyReport:
    """What verify looked at and what it found."""

    tables: tuple[str, ...]
    outputs: int
    findings: tuple[Finding, ...]

    @property
    def exit_code(self) -> int:
        """0 when the lake matches the state, 1 otherwise."""
        return 1 if self.findings else 0


class LakeInspector(Protocol):
    """Lists a table's run directories with their manifests."""

    def outputs(self, table_key: str) -> list[LakeOutput]:
        """Every run directory under the table's folder, committed or not."""


class FooterReader(Protocol):
    """Reads the row count of a Parquet file from its footer (no data pages)."""

    def rows(self, path: str) -> int:
        """The file's row count; raises when the file is not readable Parquet."""


class SourceCounter(Protocol):
    """Counts a table's rows on the source, with the predicate a read of the window used."""

    def count_window(self, spec: TableSpec, window: Window | None) -> int:
        """COUNT(*) of the rows a read of this window selects (the whole table for None)."""


class StateReader(Protocol):
    """The part of the StateStore verify needs."""

    def load(self, table_key: str) -> TableState:
        """The table's latest state."""


def state_findings(key: str, state: TableState, found: Sequence[LakeOutput]) -> list[Finding]:
    """The outputs the state records as committed must still hold their manifests."""
    recorded = [(state.last_run_id, state.last_output_path), (state.previous_run_id, None)]
    findings = []
    for run_id, path in recorded:
        if run_id is None:
            continue
        match = [o for o in found if (o.path == path if path else o.run_id == run_id)]
        if not match and path is not None:
            message = f"missing: the state records run {run_id} as committed here"
            findings.append(Finding(key, path, message))
        for output in match:
            if output.manifest is None:
                message = (
                    f"_manifest.json is missing: the state records run {run_id} as committed, "
                    f"and readers now ignore its {len(output.data_files)} data files"
                )
                findings.append(Finding(key, output.path, message))
    return findings


def current_chain(committed: Sequence[LakeOutput]) -> list[LakeOutput]:
    """Windowed outputs since the latest read from the beginning, sorted by window.

    A read with no lower bound (a first run, or after `state reset`) starts a new chain:
    outputs committed before it are superseded by it and not compared with it.
    """
    windowed = sorted(
        (o for o in committed if o.manifest and o.manifest.window is not None),
        key=lambda o: _manifest(o).started_at,
    )
    starts = [i for i, o in enumerate(windowed) if _window(o).lower is None]
    chain = windowed[starts[-1] :] if starts else windowed
    return sorted(chain, key=_sort_key)


def window_findings(
    key: str, committed: Sequence[LakeOutput], lookback: Lookback | None, known: bool = True
) -> list[Finding]:
    """Incremental windows must follow one another: no overlap (beyond a lookback), no gap.

    `known` is False when the table's spec (so its lookback) is not at hand.
    """
    findings = []
    reach: Any = None  # the highest upper bound so far
    for number, output in enumerate(current_chain(committed)):
        window = _window(output)
        if number == 0 and window.lower is not None:
            message = (
                f"the first committed window starts at {window.lower}: no committed output "
                f"holds the rows below it (a manifest deleted, or an output removed)"
            )
            findings.append(Finding(key, output.path, message))
        elif number > 0 and window.lower is not None and reach is not None:
            problem = _join_problem(window, reach, lookback, known)
            if problem:
                findings.append(Finding(key, output.path, problem))
        if window.upper is not None:
            reach = window.upper if reach is None else max(reach, window.upper)
    return findings


def _join_problem(window: Window, reach: Any, lookback: Lookback | None, known: bool) -> str | None:
    """Why a window does not continue where the committed ones before it ended."""
    lower: Any = window.lower
    try:
        allowed = lookback.subtract_from(reach) if lookback else reach
        if lower == reach or (lookback and allowed <= lower < reach):
            return None
        overlaps = lower < reach
    except TypeError:  # bounds of different types: the cursor column changed; nothing to say
        return None
    if overlaps:
        margin = f" (more than its lookback of {lookback.amount})" if lookback else ""
        hint = "" if known else " (if the table has a lookback, give verify the tables file)"
        return (
            f"its window {window.column} from {window.lower} overlaps committed rows up to "
            f"{reach}{margin}: those rows are in two outputs{hint}"
        )
    return (
        f"gap: rows with {window.column} between {reach} and {window.lower} are in no "
        f"committed output (a manifest deleted, or an output removed)"
    )


def to_recount(committed: Sequence[LakeOutput]) -> list[LakeOutput]:
    """The windows of the current chain, or the latest snapshot of a full table."""
    chain = current_chain(committed)
    if chain:
        return [o for o in chain if _window(o).upper is not None or _manifest(o).stats.rows]
    snapshots = [o for o in committed if o.manifest is not None]
    return [max(snapshots, key=lambda o: _manifest(o).started_at)] if snapshots else []


def _manifest(output: LakeOutput) -> Manifest:
    assert output.manifest is not None
    return output.manifest


def _window(output: LakeOutput) -> Window:
    window = _manifest(output).window
    assert window is not None
    return window


def _sort_key(output: LakeOutput) -> tuple:
    window = _window(output)
    # Bounds of one column share a type; None (from the beginning) sorts first.
    return (window.lower is not None, window.lower or 0, _manifest(output).started_at)
