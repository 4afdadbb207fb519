"""CatalogSourceReader: the SourceReader port over tables the session's catalog names.

`[database] type = catalog` reads `catalog.schema.table` (`[database] catalog`, else the
session's current one; a Lakehouse Federation foreign catalog, a Delta table, any Spark
table, a JDBC table registered with `USING jdbc`) with
`spark.table(name)`: no JDBC URL, driver jar or credentials of ours. Windows become
DataFrame filters (`.where(...)`, which Spark pushes down to the table's source), the probe
is one Spark aggregate, and everything after the read (manifests, state, the commit
protocol) is the same as for a JDBC source. Works on classic and Spark Connect sessions.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import attrs

from ..domain.errors import ExtractionError
from ..domain.model import CursorValue, ExtractionTask, SourceProbe, TableSpec, Window
from .jdbc.cursor_text import UTC_TIMESTAMP, parse_cursor
from .jdbc.dialect import Dialect, wall_clock
from .spark_errors import translate

log = logging.getLogger(__name__)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

CATALOG_TYPE = "catalog"  # the [database] type that selects this reader


class SparkSqlDialect(Dialect):
    """Spark SQL's quoting and literals, for the filters and the text plans show."""

    name = "spark"
    quote_open = "`"
    quote_close = "`"

    def qualified(self, *parts: str | None) -> str:
        """`catalog`.`schema`.`table`, each part quoted, unset parts left out."""
        return ".".join(self.quote(part) for part in parts if part)

    def timestamp_literal(self, value: dt.datetime) -> str:
        """A zone-less value as TIMESTAMP_NTZ (no session zone applies); an instant as UTC."""
        if value.tzinfo is None:
            return f"TIMESTAMP_NTZ '{wall_clock(value)}'"
        return f"TIMESTAMP '{wall_clock(value)}+00:00'"


class CatalogSourceReader:
    """Reads catalog tables by name, one lazy DataFrame per task."""

    def __init__(self, sessions: Any, catalog: str | None = None) -> None:
        self._sessions = sessions
        self._catalog = catalog  # None: the session's current catalog
        self._sql = SparkSqlDialect()

    # -- text (no Spark needed) ----------------------------------------------------------
    def options(self, spec: TableSpec | None = None) -> dict[str, str]:
        """No connection options: the session's catalog knows where the table lives."""
        return {}

    def relation(self, spec: TableSpec, snapshot: str | None = None) -> str:
        """The table's quoted name, or the user's Spark SQL query as a subquery."""
        if snapshot or spec.flashback:
            raise ExtractionError(
                f"{spec.key}: flashback snapshots need an Oracle JDBC source, not type = catalog"
            )
        if spec.custom_query:
            return self._sql.subquery(spec.custom_query, "q")
        return self._sql.qualified(self._catalog, spec.schema_name, spec.table_name)

    def condition(self, window: Window | None, pending: str | None = None) -> str | None:
        """The window as a Spark SQL condition (None: every row)."""
        return self._sql.window_predicate(window, pending) if window else None

    def select_sql(self, task: ExtractionTask, select_list: str = "*") -> str:
        """What the read selects, as Spark SQL (`:high_watermark` before the probe)."""
        sql = f"SELECT {select_list} FROM {self.relation(task.spec, task.snapshot)}"
        pending = ":high_watermark" if task.upper_from_source and task.probe is None else None
        condition = self.condition(task.window, pending)
        return f"{sql} WHERE {condition}" if condition else sql

    def describe(self, task: ExtractionTask) -> str:
        """The read as Spark SQL, for manifests and plans."""
        return self.select_sql(task)

    # -- Spark -----------------------------------------------------------------------------
    def _table(self, spec: TableSpec) -> Any:
        spark = self._sessions.get()
        if spec.custom_query:
            return spark.sql(spec.custom_query)
        return spark.table(self.relation(spec))

    def _where(self, frame: Any, window: Window | None) -> Any:
        condition = self.condition(window)
        return frame.where(condition) if condition else frame

    def probe(self, task: ExtractionTask) -> SourceProbe:
        """One Spark aggregate: MAX(cursor) over the known window, and the row count."""
        wants_upper = task.upper_from_source and task.window is not None
        try:
            # NULL cursors never move a watermark: the probe looks at non-NULL ones.
            window = attrs.evolve(task.window, include_nulls=False) if task.window else None
            frame = self._where(self._table(task.spec), window)
            cursor = task.window.column if wants_upper and task.window else None
            text, kind, rows = self._aggregate(frame, cursor)
        except Exception as exc:
            raise translate(exc, f"probing {task.key}") from exc
        high = _cursor_value(text, kind, f"{task.key}: MAX({cursor})") if cursor else None
        return SourceProbe(high_watermark=high, rows=rows)

    def _aggregate(self, frame: Any, cursor: str | None) -> tuple[str | None, str, int]:
        """MAX(cursor) as text with its type name, and COUNT(*).

        SQL text, not pyspark.sql.functions: those build classic Columns unless pyspark's own
        builder made the Connect session. A TIMESTAMP maximum leaves Spark as epoch
        microseconds, so no session time zone (an offset such as +02:00 included) moves it.
        """
        aggregates = ["COUNT(1) AS n"]
        if cursor:
            aggregates.append(f"MAX({self._sql.quote(cursor)}) AS hw")
        totals = frame.selectExpr(*aggregates)
        kind = totals.schema["hw"].dataType.typeName() if cursor else ""
        text = "CAST(unix_micros(hw) AS STRING)" if kind == "timestamp" else "CAST(hw AS STRING)"
        row = totals.selectExpr("n", f"{text} AS hw" if cursor else "NULL AS hw").first()
        return row["hw"], kind, int(row["n"])

    def read(self, task: ExtractionTask) -> Any:
        """The task's rows as a lazy DataFrame, the window pushed down as a filter."""
        try:
            return self._where(self._table(task.spec), task.window)
        except Exception as exc:
            raise translate(exc, f"reading {task.key}") from exc

    def current_snapshot(self) -> str:
        """Catalog sources have no snapshot token of ours: consistent_snapshot is refused."""
        raise ExtractionError(
            "consistent_snapshot needs an Oracle JDBC source; type = catalog has none"
        )

    def count_window(self, spec: TableSpec, window: Window | None) -> int:
        """COUNT(*) now of the rows a read of this window selected (`verify --source`)."""
        try:
            return int(self._where(self._table(spec), window).count())
        except Exception as exc:
            raise translate(exc, f"counting {spec.key}") from exc

    def check_connection(self) -> str | None:
        """A session to read through: a one-line reason when there is none, else None."""
        try:
            self._sessions.get()
        except Exception as exc:  # noqa: BLE001 - whatever failed is the answer to give
            return " ".join(str(translate(exc, "no session")).split())
        return None

    def check_table(self, spec: TableSpec) -> str | None:
        """The table resolves and has the named columns: a one-line problem, or None."""
        try:
            names = set(self._table(spec).columns)
        except Exception as exc:  # noqa: BLE001 - whatever failed is the answer to give
            return " ".join(str(translate(exc, "cannot find it")).split())
        folded = {name.lower() for name in names}
        wanted = (spec.incremental_column, spec.split_column, *spec.primary_key)
        missing = [c for c in wanted if c and c.lower() not in folded]
        if not missing:
            return None
        return f"column {', '.join(missing)} not found; its columns are {', '.join(sorted(names))}"


def _cursor_value(text: str | None, kind: str, label: str) -> CursorValue | None:
    """MAX(cursor) from its text; a TIMESTAMP (an instant, as epoch microseconds) becomes an
    aware UTC value."""
    if text is None:
        return None
    try:
        if kind == "timestamp":
            instant = EPOCH + dt.timedelta(microseconds=int(text))
            return parse_cursor(wall_clock(instant), UTC_TIMESTAMP)
        return parse_cursor(text, kind)
    except (ValueError, ArithmeticError) as exc:
        raise ExtractionError(f"{label} is {text!r} ({kind}), not a cursor value: {exc}") from None
