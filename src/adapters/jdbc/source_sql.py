"""SqlSourceReader: what every engine's reader shares: the SQL, the probe, the splits."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Protocol

from ...domain.errors import ExtractionError
from ...domain.model import CursorValue, ExtractionTask, Mode, SourceProbe, TableSpec, Window
from ...domain.splits import DEFAULT_ROWS_PER_PARTITION, partition_count, range_boundaries
from ..spark_errors import translate
from .cursor_text import (
    RANGE_TYPES,
    int_or_none,
    integral,
    parse_cursor,
    split_bound,
)
from .dialect import ColumnPlan, Dialect, SourceColumn
from .settings import JdbcSettings
from .spark_query import CONNECTION_OPTION
from .statements import TableStatements

log = logging.getLogger(__name__)
Row = dict[str, tuple[str | None, str]]  # {column: (value as text, kind)}


class SourceQueries(Protocol):
    """Small statements answered on the spot: the probe, catalog lookups, a login check."""

    def first_row(self, sql: str, options: dict[str, str]) -> Row:
        """The first row as {lower-case column name: (value as text, kind)}."""

    def rows(self, sql: str, options: dict[str, str], limit: int = 10_000) -> list[Row]:
        """Up to `limit` rows in first_row's form."""

    def ping(self, options: dict[str, str], sql: str) -> None:
        """Log in, run `sql`, log out; raises what the driver raises when it cannot."""


class SqlSourceReader(TableStatements):
    """The SourceReader port's SQL side, whatever engine reads the rows.

    Relation, windows, the probe, split predicates, column plans and checks are written by
    the dialect and answered by `queries` (plain JDBC on the Spark driver, a Spark query on
    Connect, or an Arrow driver); a subclass reads the rows (`read`) and says how many task
    slots a read can fill (`parallelism`) and which columns a statement has (`column_names`).
    """

    def __init__(
        self,
        settings: JdbcSettings,
        dialect: Dialect,
        queries: SourceQueries,
        rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
    ) -> None:
        super().__init__(dialect)
        self._settings = settings
        self._queries = queries
        self._rows_per_partition = rows_per_partition

    def read(self, task: ExtractionTask) -> Any:
        """The task's rows, lazily: what the engine's writer consumes."""
        raise NotImplementedError

    def parallelism(self) -> int:
        """How many splits of one read can run at once."""
        raise NotImplementedError

    def column_names(self, sql: str, spec: TableSpec) -> set[str]:
        """The columns a statement returns, reading no rows."""
        raise NotImplementedError

    # -- SQL text (no Spark needed) ------------------------------------------
    def describe(self, task: ExtractionTask) -> str:
        """The SQL the read sends (credentials never appear in it)."""
        return self.select_sql(task)

    def options(self, spec: TableSpec | None = None) -> dict[str, str]:
        """Spark JDBC options common to every read of this source."""
        s = self._settings
        # A Unity Catalog connection (Databricks) holds the URL, driver and credentials.
        where = (
            {CONNECTION_OPTION: s.connection}
            if s.connection
            else {"url": self._dialect.url(s), "driver": s.driver or self._dialect.driver}
        )
        opts = {
            **where,
            "fetchsize": str(
                (spec.fetch_size if spec else None)
                or s.fetch_size
                or self._dialect.default_fetch_size
            ),
            # Source timestamps without a zone stay wall-clock values end to end.
            "preferTimestampNTZ": "true",
        }
        if s.user:
            opts["user"] = s.user
        if s.password:
            opts["password"] = s.password
        init = s.init_statement or self._dialect.session_init(
            "data-extractor", spec.key if spec else ""
        )
        if init:
            opts["sessionInitStatement"] = init
        opts.update(self._dialect.extra_options(s))
        return opts

    def current_snapshot(self) -> str:
        """The source's current snapshot token (Oracle's SCN), read through Spark."""
        try:
            sql = self._dialect.current_snapshot_sql()
            [(value, _)] = self._queries.first_row(sql, self.options()).values()
            return str(value)
        except NotImplementedError as exc:
            raise ExtractionError(
                f"consistent_snapshot needs flashback queries; {self._dialect.name} has none"
            ) from exc
        except Exception as exc:
            raise translate(exc, "reading the current snapshot") from exc

    def probe(self, task: ExtractionTask) -> SourceProbe:
        """One query before the read: MAX(cursor) and the split column's MIN/MAX.

        It runs through `queries` (on the Spark driver: plain JDBC, no Spark job). Rows are
        estimated from an integral key's range; only other split keys pay for a COUNT(*).
        """
        spec = task.spec
        wants_upper = task.upper_from_source and task.window is not None
        split = None if spec.predicates or spec.num_partitions == 1 else self.split_column(spec)
        if not wants_upper and split is None:
            return SourceProbe()
        options = self.options(spec)
        try:
            row = self._probe_row(task, split, options)
            hw, hw_kind = row.get("hw", (None, ""))
            lo, kind = row.get("lo", (None, ""))
            hi, _ = row.get("hi", (None, ""))
            rows = None
            if split and lo is not None and hi is not None and integral(lo, hi, kind):
                rows = int(Decimal(hi)) - int(Decimal(lo)) + 1
            elif split and lo is not None:
                counted = self._queries.first_row(self.count_sql(task), options)
                rows = int(Decimal(str(counted["n"][0])))
        except Exception as exc:
            raise translate(exc, f"probing {task.key}") from exc
        return SourceProbe(
            high_watermark=self._cursor(task, hw, hw_kind) if wants_upper else None,
            rows=rows,
            split_column=split,
            split_kind="range" if kind in RANGE_TYPES or kind.startswith("decimal") else "hash",
            split_lower=lo,
            split_upper=hi,
        )

    def _probe_row(
        self, task: ExtractionTask, split: str | None, options: dict[str, str]
    ) -> dict[str, tuple[str | None, str]]:
        """The probe's row; aggregates the queries return inexactly (a zoned timestamp: the
        session's wall clock) are asked again in their exact form (`exact_aggregate`)."""
        row = self._queries.first_row(self.probe_sql(task, split, with_count=False), options)
        inexact = {
            name: kind
            for name, (_, kind) in row.items()
            if self.exact_aggregate("MAX", "x", kind) is not None
        }
        if not inexact:
            return row
        sql = self.probe_sql(task, split, with_count=False, exact=inexact)
        again = self._queries.first_row(sql, options)
        kinds = {name: kind for name, (_, kind) in row.items()}
        return {
            k: (text, self.exact_kind(kinds[k]) if k in inexact else kinds[k])
            for k, (text, _) in again.items()
        }

    def _cursor(self, task: ExtractionTask, text: str | None, kind: str) -> CursorValue | None:
        """The probed MAX(cursor) as a cursor value, or a one-line error naming it."""
        try:
            return parse_cursor(text, kind)
        except (ValueError, ArithmeticError) as exc:
            column = task.window.column if task.window else "?"
            raise ExtractionError(
                f"{task.key}: MAX({column}) is {text!r} ({kind or 'unknown type'}), "
                f"which cannot be a cursor value: {exc}"
            ) from None

    def split_column(self, spec: TableSpec) -> str | None:
        """The column to split on: configured, else a one-column key, else the cursor."""
        if spec.split_column:
            return spec.split_column
        if len(spec.primary_key) == 1:
            return spec.primary_key[0]
        return spec.incremental_column

    def count_window(self, spec: TableSpec, window: Window | None) -> int:
        """COUNT(*) now of the rows a read of this window selected (`verify --source`).

        The WHERE clause is the read's own (NULL cursors included where the read took them);
        it runs on the driver over plain JDBC, like the probe.
        """
        task = ExtractionTask(spec, Mode.INCREMENTAL if window else Mode.FULL, "", window)
        try:
            sql = self.select_sql(task, "COUNT(*) AS n")
            return int(self._queries.first_row(sql, self.options(spec))["n"][0] or 0)
        except Exception as exc:
            raise translate(exc, f"counting {spec.key}") from exc

    def column_plan(self, spec: TableSpec) -> ColumnPlan:
        """Ask the catalog for column types when the dialect must correct Spark's mapping."""
        if not self._dialect.needs_column_plan or spec.custom_query:
            return ColumnPlan("*")
        sql = self._dialect.columns_sql(spec.schema_name, spec.table_name)
        options = self.options(spec)
        # Plain JDBC on the driver: a Spark job per table here would double its overhead.
        columns = []
        for row in self._queries.rows(sql, options):
            name, kind, precision, scale = (text for text, _ in row.values())
            columns.append(
                SourceColumn(str(name), str(kind), int_or_none(precision), int_or_none(scale))
            )
        if not columns:
            raise ExtractionError(self._no_columns(spec, options))
        plan = self._dialect.column_plan(columns)
        for warning in plan.warnings:
            log.warning("%s: %s", spec.key, warning)
        return plan

    def _no_columns(self, spec: TableSpec, options: dict[str, str]) -> str:
        """The message for a table the catalog does not list, naming the owner it looked in."""
        owner = self._dialect.catalog_name(spec.schema_name) if spec.schema_name else None
        if owner is None:
            row = self._queries.first_row(self._dialect.current_schema_sql(), options)
            owner = next((str(text) for text, _ in row.values() if text), "the current schema")
        table = self._dialect.catalog_name(spec.table_name)
        return (
            f"{spec.key}: no columns found for {owner}.{table} in "
            f"{self._dialect.catalog_view}; check schema_name / grants"
        )

    def partitions(self, task: ExtractionTask) -> int:
        """How many partitions the read gets (1 unless the probe found a big table)."""
        probe = task.probe
        if probe is None or probe.rows is None:
            return task.spec.num_partitions or 1
        return partition_count(
            probe.rows, self.parallelism(), self._rows_per_partition, task.spec.num_partitions
        )

    def split_predicates(self, task: ExtractionTask) -> list[str]:
        """One condition per partition (none: one partition), each row in exactly one.

        Value ranges for numbers, dates and timestamps, with typed literals the dialect
        builds: Spark's own partitionColumn/lowerBound/upperBound would write the bounds
        as strings (converted through Oracle's NLS formats) and parse numbers as longs.
        Hash buckets for other keys. No split column: one partition, never a ROWID hash.
        """
        probe = task.probe
        count = self.partitions(task) if probe is not None else 1
        if probe is None or count < 2:
            return []
        column = probe.split_column
        if not column:
            log.info(
                "%s: read in one partition: no split column (split_column, a one-column "
                "primary_key or the cursor); set split_column to split it",
                task.key,
            )
            return []
        if probe.split_lower is None or probe.split_upper is None:
            return []  # no non-NULL key: nothing to cut
        if probe.split_kind == "range":
            lower, upper = split_bound(probe.split_lower), split_bound(probe.split_upper)
            return self._dialect.range_predicates(column, range_boundaries(lower, upper, count))
        try:
            return self._dialect.hash_predicates([column], count)
        except NotImplementedError:
            log.info(
                "%s: %s cannot hash-split %s; reading in one partition",
                task.key,
                self._dialect.name,
                column,
            )
            return []

    def check_connection(self) -> str | None:
        """Log in to the source and log out: a one-line reason when that fails, else None."""
        try:
            self._queries.ping(self.options(), self._dialect.select_without_table("1 AS ok"))
        except Exception as exc:  # noqa: BLE001 - whatever failed is the answer to give
            return " ".join(str(translate(exc, "cannot connect")).split())
        return None

    def check_table(self, spec: TableSpec) -> str | None:
        """Ask the source for the table's columns, reading no rows: a one-line problem or None."""
        try:
            names = self.column_names(f"SELECT * FROM {self.relation(spec)} WHERE 1=0", spec)
        except Exception as exc:  # noqa: BLE001 - whatever failed is the answer to give
            return " ".join(str(translate(exc, "cannot query it")).split())
        folded = {name.lower() for name in names}
        missing = [
            column
            for column in (spec.incremental_column, spec.split_column, *spec.primary_key)
            if column
            and self._dialect.normalize(column) not in names
            and (column.startswith('"') or column.lower() not in folded)
        ]
        if not missing:
            return None
        shown = ", ".join(sorted(names)[:20]) + (", ..." if len(names) > 20 else "")
        return f"column {', '.join(missing)} not found; its columns are {shown}"
