"""The verify use case against fakes of its ports: state, lake listing, footers, source counts."""

from __future__ import annotations

import datetime as dt

import attrs

from data_extractor.domain.model import (
    Lookback,
    Manifest,
    Mode,
    TableSpec,
    TableState,
    Window,
    WriteStats,
)
from data_extractor.domain.verify import LakeOutput
from data_extractor.usecases.verify import LakeVerifier
from tests.fakes import FakeStateStore

KEY = "pg/events"
SPEC = TableSpec("pg", "events", incremental_column="n")
BASE = "/lake/pg/events/202401/01"
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def output(run: int, lower: int | None, upper: int | None, rows: int = 10, **kw) -> LakeOutput:
    """A committed run directory holding `rows` rows in one file, its window (lower, upper]."""
    path = f"{BASE}/r{run}.parquet"
    window = None if kw.pop("full", False) else Window("n", lower, upper)
    manifest = Manifest(
        f"r{run}",
        KEY,
        Mode.FULL if lower is None else Mode.INCREMENTAL,
        path,
        WriteStats(rows, 1, 100, "{}"),
        window,
        "SELECT ...",
        T0 + dt.timedelta(hours=run),
        T0 + dt.timedelta(hours=run, minutes=1),
    )
    return LakeOutput(path, manifest, (f"{path}/part-0.parquet",), **kw)


class FakeLake:
    """The LakeInspector port over a list of outputs."""

    def __init__(self, outputs: list[LakeOutput]) -> None:
        self.outputs_ = outputs

    def outputs(self, table_key: str) -> list[LakeOutput]:
        """The outputs, whatever the table."""
        return list(self.outputs_)


class FakeFooters:
    """The FooterReader port: rows per file, or an error for a broken one."""

    def __init__(self, rows: dict[str, int] | None = None, broken: str | None = None) -> None:
        self.rows_ = rows or {}
        self.broken = broken

    def rows(self, path: str) -> int:
        """Rows of a file (10 unless told otherwise)."""
        if path == self.broken:
            raise OSError(f"{path} is not a Parquet file (too small)")
        return self.rows_.get(path, 10)


class FakeCounter:
    """The SourceCounter port: rows per window upper bound, recording what it counted."""

    def __init__(self, rows: dict[int | None, int]) -> None:
        self.rows = rows
        self.counted: list[Window | None] = []

    def count_window(self, spec: TableSpec, window: Window | None) -> int:
        """The rows the source holds now in the window."""
        self.counted.append(window)
        return self.rows.get(window.upper if window else None, 10)


def state_for(*outputs: LakeOutput) -> FakeStateStore:
    """A state whose last commit is the last output and previous the one before it."""
    store = FakeStateStore()
    state = TableState()
    for out in outputs:
        assert out.manifest is not None
        state = state.committed(out.run_id, out.path, None)
    store.states[KEY] = state
    return store


def verify(outputs, state=None, footers=None, counter=None, specs=None) -> list[str]:
    """The findings, as lines."""
    verifier = LakeVerifier(
        state or state_for(*outputs), FakeLake(outputs), footers or FakeFooters(), counter
    )
    report = verifier.verify([KEY], {KEY: SPEC} if specs is None else specs)
    return [str(f) for f in report.findings]


CHAIN = [output(1, None, 100), output(2, 100, 150), output(3, 150, 200)]


def test_a_clean_lake_has_no_findings_and_exit_code_0():
    verifier = LakeVerifier(state_for(*CHAIN), FakeLake(CHAIN), FakeFooters())
    report = verifier.verify([KEY], {})
    assert report.findings == () and report.exit_code == 0 and report.outputs == 3


def test_the_last_commit_without_its_manifest_is_named():
    uncommitted = attrs.evolve(CHAIN[2], manifest=None)
    found = verify([*CHAIN[:2], uncommitted], state=state_for(*CHAIN))
    assert found == [
        f"{KEY}: {BASE}/r3.parquet: _manifest.json is missing: the state records run r3 as "
        "committed, and readers now ignore its 1 data files"
    ]


def test_the_previous_commit_without_its_manifest_is_named_and_leaves_a_gap():
    found = verify([CHAIN[0], attrs.evolve(CHAIN[1], manifest=None), CHAIN[2]], state_for(*CHAIN))
    assert found[0].startswith(f"{KEY}: {BASE}/r2.parquet: _manifest.json is missing")
    assert found[1] == (
        f"{KEY}: {BASE}/r3.parquet: gap: rows with n between 100 and 150 are in no committed "
        "output (a manifest deleted, or an output removed)"
    )
    assert len(found) == 2


def test_a_missing_first_window_is_a_gap_below_the_chain():
    found = verify(CHAIN[1:], state_for(*CHAIN))
    assert found == [
        f"{KEY}: {BASE}/r2.parquet: the first committed window starts at 100: no committed "
        "output holds the rows below it (a manifest deleted, or an output removed)"
    ]


def test_a_recorded_output_that_is_gone_is_named():
    found = verify(CHAIN[:2], state_for(*CHAIN))
    assert found == [
        f"{KEY}: {BASE}/r3.parquet: missing: the state records run r3 as committed here"
    ]


def test_footers_that_disagree_with_the_manifest_or_cannot_be_read():
    footers = FakeFooters(
        {f"{BASE}/r2.parquet/part-0.parquet": 7}, f"{BASE}/r3.parquet/part-0.parquet"
    )
    found = verify(CHAIN, footers=footers)
    assert found == [
        f"{KEY}: {BASE}/r2.parquet: Parquet footers hold 7 rows in 1 files; the manifest says "
        "10 rows in 1 files",
        f"{KEY}: {BASE}/r3.parquet: data file {BASE}/r3.parquet/part-0.parquet is not readable "
        f"Parquet: {BASE}/r3.parquet/part-0.parquet is not a Parquet file (too small)",
    ]


def test_a_lost_data_file_is_found_by_the_file_count():
    found = verify([CHAIN[0], attrs.evolve(CHAIN[1], data_files=()), CHAIN[2]])
    assert found == [
        f"{KEY}: {BASE}/r2.parquet: Parquet footers hold 0 rows in 0 files; the manifest says "
        "10 rows in 1 files"
    ]


def test_delta_outputs_are_not_counted_by_footers():
    delta = attrs.evolve(CHAIN[1], format="delta")
    assert verify([CHAIN[0], delta, CHAIN[2]], footers=FakeFooters({}, delta.data_files[0])) == []


def test_overlapping_windows_are_two_copies_of_rows_unless_within_the_lookback():
    overlapping = [CHAIN[0], output(2, 90, 150), output(3, 150, 200)]
    found = verify(overlapping)
    assert found == [
        f"{KEY}: {BASE}/r2.parquet: its window n from 90 overlaps committed rows up to 100: "
        "those rows are in two outputs"
    ]
    unknown = verify(overlapping, specs={})
    assert unknown == [found[0] + " (if the table has a lookback, give verify the tables file)"]
    with_lookback = {KEY: attrs.evolve(SPEC, lookback=Lookback(10))}
    assert verify(overlapping, specs=with_lookback) == []
    too_far = verify([CHAIN[0], output(2, 80, 150)], specs=with_lookback)
    assert len(too_far) == 1 and "(more than its lookback of 10)" in too_far[0]


def test_a_new_read_from_the_beginning_supersedes_older_outputs():
    again = [*CHAIN, output(4, None, 220), output(5, 220, 230)]
    assert verify(again) == []


def test_daily_windows_chain_with_their_inclusive_lower_bound():
    day = dt.datetime(2024, 1, 1)
    days = [day + dt.timedelta(days=i) for i in range(4)]
    outputs = [output(i + 1, None, None) for i in range(3)]
    windows = [
        Window("d", None, days[1], upper_inclusive=False, include_nulls=True),
        Window("d", days[1], days[2], lower_inclusive=True, upper_inclusive=False),
        Window("d", days[1], days[2], lower_inclusive=True, upper_inclusive=False),
    ]
    daily = [
        attrs.evolve(o, manifest=attrs.evolve(o.manifest, window=w))
        for o, w in zip(outputs, windows, strict=True)
    ]
    assert verify(daily[:2]) == []
    found = verify(daily)
    assert len(found) == 1 and "r3.parquet: its window d from 2024-01-02 00:00:00" in found[0]


def test_source_drift_is_reported_per_window():
    counter = FakeCounter({150: 7})
    found = verify(CHAIN, counter=counter)
    assert found == [
        f"{KEY}: {BASE}/r2.parquet: drift: the source now holds 7 rows in its window; "
        "the output holds 10"
    ]
    assert [w.upper for w in counter.counted if w] == [100, 150, 200]


def test_a_full_table_recounts_only_its_latest_snapshot():
    snapshots = [output(1, None, None, full=True), output(2, None, None, rows=12, full=True)]
    counter = FakeCounter({None: 11})
    footers = FakeFooters({f"{BASE}/r2.parquet/part-0.parquet": 12})
    found = verify(snapshots, footers=footers, counter=counter)
    assert counter.counted == [None]
    assert found == [
        f"{KEY}: {BASE}/r2.parquet: drift: the source now holds 11 rows in the table; "
        "the output holds 12"
    ]


def test_without_a_spec_the_source_is_not_counted():
    counter = FakeCounter({150: 7})
    assert verify(CHAIN, counter=counter, specs={}) == []
    assert counter.counted == []


class BrokenLake(FakeLake):
    """A lake whose listing fails for one table (a permission, a network fault)."""

    def outputs(self, table_key: str) -> list[LakeOutput]:
        """The outputs, or an error for pg/broken."""
        if table_key == "pg/broken":
            raise PermissionError("listing /lake/pg/broken: permission denied")
        return super().outputs(table_key)


def test_a_table_that_cannot_be_listed_is_a_finding_and_the_others_are_checked():
    verifier = LakeVerifier(state_for(*CHAIN), BrokenLake(CHAIN), FakeFooters())
    report = verifier.verify(["pg/broken", KEY], {})
    assert [str(f) for f in report.findings] == [
        "pg/broken: -: cannot read its outputs or state: listing /lake/pg/broken: permission denied"
    ]
    assert report.outputs == 3 and report.exit_code == 1
