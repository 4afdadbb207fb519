"""The `verify` use case: does the lake still hold what the state says was committed?

It reads manifests, Parquet footers and (optionally) the source, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from ..domain.model import TableSpec, TableState
from ..domain.ports import StateAdmin
from ..domain.reasons import one_line
from ..domain.verify import (
    Finding,
    FooterReader,
    LakeInspector,
    LakeOutput,
    SourceCounter,
    StateReader,
    VerifyReport,
    state_findings,
    to_recount,
    window_findings,
)


@attrs.define
class LakeVerifier:
    """Checks every table's committed outputs against its state, footers and source."""

    state: StateReader
    lake: LakeInspector
    footers: FooterReader
    counter: SourceCounter | None = None

    def verify(self, keys: Sequence[str], specs: Mapping[str, TableSpec]) -> VerifyReport:
        """Findings for every table (specs give lookbacks, and the SQL to recount with)."""
        findings: list[Finding] = []
        outputs = 0
        for key in keys:
            try:
                found = self.lake.outputs(key)
                state = self.state.load(key)
            except Exception as exc:  # noqa: BLE001 - one unreadable table; the others go on
                message = f"cannot read its outputs or state: {one_line(exc)}"
                findings.append(Finding(key, None, message))
                continue
            outputs += sum(1 for o in found if o.manifest is not None)
            findings += self._table_findings(key, state, found, specs.get(key))
        return VerifyReport(tuple(keys), outputs, tuple(findings))

    def _table_findings(
        self, key: str, state: TableState, found: Sequence[LakeOutput], spec: TableSpec | None
    ) -> list[Finding]:
        committed = [o for o in found if o.manifest is not None]
        findings = state_findings(key, state, found)
        findings += self._footer_findings(key, committed)
        lookback = spec.lookback if spec else None
        findings += window_findings(key, committed, lookback, known=spec is not None)
        if self.counter is not None and spec is not None:
            findings += self._source_findings(spec, committed)
        return findings

    def _footer_findings(self, key: str, committed: Sequence[LakeOutput]) -> list[Finding]:
        findings = []
        for output in committed:
            if output.format != "parquet":
                continue  # a Delta directory keeps files its log removed: footers would over-count
            message = self._footer_problem(output)
            if message:
                findings.append(Finding(key, output.path, message))
        return findings

    def _footer_problem(self, output: LakeOutput) -> str | None:
        assert output.manifest is not None
        total = 0
        for path in output.data_files:
            try:
                total += self.footers.rows(path)
            except Exception as exc:  # noqa: BLE001 - an unreadable file is a finding
                return f"data file {path} is not readable Parquet: {one_line(exc)}"
        stats = output.manifest.stats
        if total == stats.rows and len(output.data_files) == stats.files:
            return None
        return (
            f"Parquet footers hold {total:,} rows in {len(output.data_files)} files; "
            f"the manifest says {stats.rows:,} rows in {stats.files} files"
        )

    def _source_findings(self, spec: TableSpec, committed: Sequence[LakeOutput]) -> list[Finding]:
        assert self.counter is not None
        findings = []
        for output in to_recount(committed):
            assert output.manifest is not None
            window, rows = output.manifest.window, output.manifest.stats.rows
            try:
                now = self.counter.count_window(spec, window)
            except Exception as exc:  # noqa: BLE001 - a failed count is told per output
                findings.append(Finding(spec.key, output.path, f"cannot recount: {one_line(exc)}"))
                continue
            if now != rows:
                what = "its window" if window is not None else "the table"
                findings.append(
                    Finding(
                        spec.key,
                        output.path,
                        f"drift: the source now holds {now:,} rows in {what}; "
                        f"the output holds {rows:,}",
                    )
                )
        return findings


def verify_lake(
    verifier: LakeVerifier, state: StateAdmin, specs: Sequence[TableSpec] | None
) -> VerifyReport:
    """Check the given tables (with their lookbacks), or every table that has state."""
    keys = [spec.key for spec in specs] if specs is not None else state.table_keys()
    return verifier.verify(keys, {spec.key: spec for spec in specs or ()})
