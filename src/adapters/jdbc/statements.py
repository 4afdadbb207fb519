"""The statements a source reader sends, written by its dialect: the read, the probe, counts."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ...domain.errors import ExtractionError
from ...domain.model import ExtractionTask, TableSpec
from .cursor_text import UTC_TIMESTAMP
from .dialect import Dialect


class TableStatements:
    """SQL text for one table or query: no connection, no engine."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect

    def relation(self, spec: TableSpec, snapshot: str | None = None) -> str:
        """The table (as of a snapshot, where asked), or the user's query as a subquery."""
        if spec.custom_query:
            if snapshot:
                raise ExtractionError(
                    f"{spec.key}: a flashback snapshot cannot apply to custom_query; "
                    "write AS OF inside the query"
                )
            return self._dialect.subquery(spec.custom_query, "q")
        table = self._dialect.table(spec.schema_name, spec.table_name)
        return table + self._dialect.flashback_clause(snapshot)

    def select_sql(self, task: ExtractionTask, select_list: str = "*") -> str:
        """SELECT of the task's rows: the whole relation or one cursor window.

        Before the probe has fixed it, an upper bound read from the source shows as the
        bind name `:high_watermark` (plans print this form).
        """
        sql = f"SELECT {select_list} FROM {self.relation(task.spec, task.snapshot)}"
        pending = ":high_watermark" if task.upper_from_source and task.probe is None else None
        window = task.window
        condition = self._dialect.window_predicate(window, pending) if window else None
        return f"{sql} WHERE {condition}" if condition else sql

    def probe_sql(
        self,
        task: ExtractionTask,
        split: str | None,
        with_count: bool = True,
        exact: Mapping[str, str] | None = None,
    ) -> str:
        """The probe query: one scalar subquery per aggregate, over the window so far known.

        Separate subqueries let Oracle answer each MIN/MAX from an index (a MIN/MAX scan
        needs the aggregate alone in its SELECT). `exact` names aggregates (hw, lo, hi) to ask
        in their exact form (`exact_aggregate`), with the kind the plain probe returned.
        """
        wanted = []
        if task.upper_from_source and task.window is not None:
            wanted.append(("hw", "MAX", task.window.column))
        if split:
            wanted += [("lo", "MIN", split), ("hi", "MAX", split)]
        parts = [
            f"({self._aggregate_sql(task, fn, column, (exact or {}).get(name))}) AS {name}"
            for name, fn, column in wanted
        ]
        if with_count or not parts:
            parts.append(f"({self.count_sql(task)}) AS n")
        return self._dialect.select_without_table(", ".join(parts))

    def _aggregate_sql(self, task: ExtractionTask, fn: str, column: str, kind: str | None) -> str:
        quoted = self._dialect.quote(column)
        expression = self.exact_aggregate(fn, quoted, kind) if kind else None
        return self._over_known_window(task, f"SELECT {expression or f'{fn}({quoted})'}")

    def exact_aggregate(self, fn: str, quoted: str, kind: str) -> str | None:
        """The aggregate in a form the queries return exactly where the plain one is not, or
        None: a zoned timestamp's MIN/MAX as its UTC wall clock, where the dialect can."""
        return self._dialect.utc_aggregate(fn, quoted) if kind == "timestamp_tz" else None

    def exact_kind(self, kind: str) -> str:
        """The kind of a value `exact_aggregate` asked for: a zoned one arrives as UTC."""
        return UTC_TIMESTAMP if kind == "timestamp_tz" else kind

    def count_sql(self, task: ExtractionTask) -> str:
        """COUNT(*) over the window as far as it is known (for keys a range cannot size)."""
        return self._over_known_window(task, "SELECT COUNT(*) AS n")

    def _over_known_window(self, task: ExtractionTask, select: str) -> str:
        sql = f"{select} FROM {self.relation(task.spec, task.snapshot)}"
        # The probe counts and bounds non-NULL cursors; NULL rows never move a watermark.
        window = attrs.evolve(task.window, include_nulls=False) if task.window else None
        condition = self._dialect.window_predicate(window) if window else None
        return f"{sql} WHERE {condition}" if condition else sql
