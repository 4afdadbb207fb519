"""JdbcSourceReader: the SourceReader port over Spark's JDBC data source."""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal
from typing import Any

import attrs

from ...domain.errors import ExtractionError
from ...domain.model import CursorValue, ExtractionTask, Mode, SourceProbe, TableSpec, Window
from ...domain.splits import DEFAULT_ROWS_PER_PARTITION, partition_count, range_boundaries
from ..session_kind import session_parallelism
from ..session_provider import SessionProvider
from ..spark_errors import translate
from .dialect import ColumnPlan, Dialect, SourceColumn
from .driver_query import DriverQuery
from .settings import JdbcSettings

log = logging.getLogger(__name__)
# Spark can split these by value ranges; anything else is split by hashing.
INTEGER_TYPES = ("integer", "long", "short", "byte")
UTC_TIMESTAMP = "timestamp_utc"  # a zoned value read back as its UTC wall clock
RANGE_TYPES = (*INTEGER_TYPES, "date", "timestamp", "timestamp_ntz", "timestamp_tz", UTC_TIMESTAMP)
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")
INTEGER_TEXT = re.compile(r"^[-+]?\d+$")


class JdbcSourceReader:
    """Reads tables with `spark.read.format("jdbc")`, one lazy DataFrame per task."""

    def __init__(
        self,
        sessions: SessionProvider,
        settings: JdbcSettings,
        dialect: Dialect,
        rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
        queries: DriverQuery | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._dialect = dialect
        self._rows_per_partition = rows_per_partition
        self._queries = queries or DriverQuery(sessions)

    # -- SQL text (no Spark needed) ------------------------------------------
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

    def describe(self, task: ExtractionTask) -> str:
        """The SQL the read sends (credentials never appear in it)."""
        return self.select_sql(task)

    # -- Spark -----------------------------------------------------------------
    def options(self, spec: TableSpec | None = None) -> dict[str, str]:
        """Spark JDBC options common to every read of this source."""
        s = self._settings
        # A Unity Catalog connection (Databricks) holds the URL, driver and credentials.
        where = (
            {"databricks.connection": s.connection}
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

    def _load(self, sql: str, spec: TableSpec | None, extra: dict[str, str] | None = None) -> Any:
        spark = self._sessions.get()
        reader = spark.read.format("jdbc").options(**self.options(spec))
        reader = reader.option("dbtable", self._dialect.subquery(sql, "t"))
        return reader.options(**(extra or {})).load()

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

        It runs on the driver over plain JDBC (no Spark job). Rows are estimated from an
        integral key's range; only other split keys pay for a COUNT(*).
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
            if split and lo is not None and hi is not None and _integral(lo, hi, kind):
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
        """The probe's row; zoned columns are asked again as UTC where the dialect can."""
        row = self._queries.first_row(self.probe_sql(task, split, with_count=False), options)
        zoned = frozenset(name for name, (_, kind) in row.items() if kind == "timestamp_tz")
        if zoned and self._dialect.utc_aggregate("MAX", "x") is not None:
            sql = self.probe_sql(task, split, with_count=False, zoned=zoned)
            again = self._queries.first_row(sql, options)
            # The values are UTC wall clocks: instants, whatever the session's zone.
            row = {k: (t, UTC_TIMESTAMP if k in zoned else kind) for k, (t, kind) in again.items()}
        return row

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

    def probe_sql(
        self,
        task: ExtractionTask,
        split: str | None,
        with_count: bool = True,
        zoned: frozenset[str] = frozenset(),
    ) -> str:
        """The probe query: one scalar subquery per aggregate, over the window so far known.

        Separate subqueries let Oracle answer each MIN/MAX from an index (a MIN/MAX scan
        needs the aggregate alone in its SELECT). `zoned` names the aggregates (hw, lo, hi)
        to read as UTC instants.
        """
        wanted = []
        if task.upper_from_source and task.window is not None:
            wanted.append(("hw", "MAX", task.window.column))
        if split:
            wanted += [("lo", "MIN", split), ("hi", "MAX", split)]
        parts = [
            f"({self._aggregate_sql(task, fn, column, name in zoned)}) AS {name}"
            for name, fn, column in wanted
        ]
        if with_count or not parts:
            parts.append(f"({self.count_sql(task)}) AS n")
        return self._dialect.select_without_table(", ".join(parts))

    def _aggregate_sql(self, task: ExtractionTask, fn: str, column: str, zoned: bool) -> str:
        quoted = self._dialect.quote(column)
        expression = self._dialect.utc_aggregate(fn, quoted) if zoned else None
        return self._over_known_window(task, f"SELECT {expression or f'{fn}({quoted})'}")

    def count_sql(self, task: ExtractionTask) -> str:
        """COUNT(*) over the window as far as it is known (for keys a range cannot size)."""
        return self._over_known_window(task, "SELECT COUNT(*) AS n")

    def _over_known_window(self, task: ExtractionTask, select: str) -> str:
        sql = f"{select} FROM {self.relation(task.spec, task.snapshot)}"
        # The probe counts and bounds non-NULL cursors; NULL rows never move a watermark.
        window = attrs.evolve(task.window, include_nulls=False) if task.window else None
        condition = self._dialect.window_predicate(window) if window else None
        return f"{sql} WHERE {condition}" if condition else sql

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

    def read(self, task: ExtractionTask) -> Any:
        """The task's rows as a lazy DataFrame, split into partitions by the probe's numbers."""
        spec = task.spec
        try:
            columns = self.column_plan(spec)
            extra = {"customSchema": columns.custom_schema} if columns.custom_schema else {}
            sql = self.select_sql(task, columns.select_list)
            predicates = list(spec.predicates) or self.split_predicates(task)
            if predicates and self._settings.connection:
                return self._load_each(sql, predicates, spec, extra)
            if predicates:
                spark = self._sessions.get()
                opts = {**self.options(spec), **extra}
                url = opts.pop("url")
                table = self._dialect.subquery(sql, "t")
                return spark.read.jdbc(url, table, predicates=predicates, properties=opts)
            return self._load(sql, spec, extra)
        except Exception as exc:
            raise translate(exc, f"reading {task.key}") from exc

    def _load_each(
        self, sql: str, predicates: list[str], spec: TableSpec, extra: dict[str, str]
    ) -> Any:
        """One load per predicate, unioned: spark.read.jdbc needs a URL a connection hides."""
        inner = self._dialect.subquery(sql, "s")
        parts = [self._load(f"SELECT * FROM {inner} WHERE {p}", spec, extra) for p in predicates]
        frame = parts[0]
        for part in parts[1:]:
            frame = frame.unionAll(part)
        return frame

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
                SourceColumn(str(name), str(kind), _int_or_none(precision), _int_or_none(scale))
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
        parallelism = session_parallelism(self._sessions.get())
        return partition_count(
            probe.rows, parallelism, self._rows_per_partition, task.spec.num_partitions
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
            schema = self._load(f"SELECT * FROM {self.relation(spec)} WHERE 1=0", spec).schema
        except Exception as exc:  # noqa: BLE001 - whatever failed is the answer to give
            return " ".join(str(translate(exc, "cannot query it")).split())
        names = {field.name for field in schema.fields}
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


def _integral(lo: str, hi: str, kind: str) -> bool:
    """Whether a key's bounds are whole numbers, so hi - lo + 1 bounds its row count."""
    if kind in INTEGER_TYPES:
        return True
    # NUMBER(p,0) and numeric(p,0) keys come back as decimals without a fraction.
    return kind.startswith("decimal") and "." not in lo + hi and "E" not in (lo + hi).upper()


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(Decimal(str(value)))


def split_bound(text: str) -> int | Decimal | dt.date | dt.datetime:
    """A split key's MIN or MAX from the probe's text: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS.ffffff'
    or a plain number (the driver-side probe's forms, whatever the column's Spark type)."""
    text = text.strip()
    if DATE_TEXT.match(text):
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    value = Decimal(text)
    return int(value) if INTEGER_TEXT.match(text) else value


def parse_cursor(text: str | None, type_name: str) -> CursorValue | None:
    """A cursor value from Spark's string form of it, keeping its type."""
    if text is None:
        return None
    if text.strip().lower().lstrip("+-") in ("nan", "infinity", "inf"):
        raise ValueError(
            f"its highest value is {text}, which cannot bound a window; "
            "remove such values or filter them out with custom_query"
        )
    if type_name in ("integer", "long", "short", "byte"):
        return int(text)
    if type_name.startswith("decimal"):
        value = Decimal(text)
        return int(value) if value == value.to_integral_value() and "." not in text else value
    if type_name in ("float", "double"):
        return Decimal(text)
    if type_name == "date":
        return dt.date.fromisoformat(text)
    if type_name == UTC_TIMESTAMP:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    if type_name.startswith("timestamp"):
        return dt.datetime.fromisoformat(text)
    raise ValueError(f"cursor columns must be numeric, date or timestamp, not {type_name}")
