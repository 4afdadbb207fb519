"""JdbcSourceReader: the SourceReader port over Spark's JDBC data source."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from ...domain.model import CursorValue, ExtractionTask, TableSpec
from ..spark_errors import translate
from .dialect import ColumnPlan, Dialect, SourceColumn
from .settings import JdbcSettings

log = logging.getLogger(__name__)


class JdbcSourceReader:
    """Reads tables with `spark.read.format("jdbc")`, one lazy DataFrame per task."""

    def __init__(self, sessions: Any, settings: JdbcSettings, dialect: Dialect) -> None:
        self._sessions = sessions
        self._settings = settings
        self._dialect = dialect

    # -- SQL text (no Spark needed) ------------------------------------------
    def relation(self, spec: TableSpec) -> str:
        """The table, or the user's query as a subquery."""
        if spec.custom_query:
            return self._dialect.subquery(spec.custom_query, "q")
        return self._dialect.table(spec.schema_name, spec.table_name)

    def select_sql(self, task: ExtractionTask, select_list: str = "*") -> str:
        """SELECT of the task's rows: the whole relation or one cursor window."""
        sql = f"SELECT {select_list} FROM {self.relation(task.spec)}"
        condition = self._dialect.window_predicate(task.window) if task.window else None
        return f"{sql} WHERE {condition}" if condition else sql

    def high_watermark_sql(self, task: ExtractionTask) -> str:
        """MAX of the cursor, above the window's lower bound so an index can serve it."""
        assert task.window is not None
        column = self._dialect.quote(task.window.column)
        sql = f"SELECT MAX({column}) AS hw FROM {self.relation(task.spec)}"
        if task.window.lower is not None:
            sql += f" WHERE {column} > {self._dialect.literal(task.window.lower)}"
        return sql

    def describe(self, task: ExtractionTask) -> str:
        """The SQL the read sends (credentials never appear in it)."""
        return self.select_sql(task)

    # -- Spark -----------------------------------------------------------------
    def options(self, spec: TableSpec | None = None) -> dict[str, str]:
        """Spark JDBC options common to every read of this source."""
        s = self._settings
        opts = {
            "url": self._dialect.url(s),
            "driver": s.driver or self._dialect.driver,
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

    def _load(self, sql: str, spec: TableSpec, extra: dict[str, str] | None = None) -> Any:
        spark = self._sessions.get()
        reader = spark.read.format("jdbc").options(**self.options(spec))
        reader = reader.option("dbtable", self._dialect.subquery(sql, "t"))
        return reader.options(**(extra or {})).load()

    def high_watermark(self, task: ExtractionTask) -> CursorValue | None:
        """Read MAX(cursor) now; the window's upper bound is fixed before the data read."""
        try:
            frame = self._load(self.high_watermark_sql(task), task.spec)
            field = frame.schema.fields[0]
            text = frame.selectExpr(f"CAST(`{field.name}` AS STRING) AS v").first()[0]
        except Exception as exc:
            raise translate(exc, f"reading the high watermark of {task.key}") from exc
        return parse_cursor(text, field.dataType.typeName())

    def read(self, task: ExtractionTask) -> Any:
        """The task's rows as a lazy DataFrame, split when the spec asks for it."""
        spec = task.spec
        try:
            columns = self.column_plan(spec)
            extra = {"customSchema": columns.custom_schema} if columns.custom_schema else {}
            sql = self.select_sql(task, columns.select_list)
            if spec.predicates:
                spark = self._sessions.get()
                opts = {**self.options(spec), **extra}
                url = opts.pop("url")
                table = self._dialect.subquery(sql, "t")
                return spark.read.jdbc(
                    url, table, predicates=list(spec.predicates), properties=opts
                )
            return self._load(sql, spec, {**extra, **self._split_options(task)})
        except Exception as exc:
            raise translate(exc, f"reading {task.key}") from exc

    def column_plan(self, spec: TableSpec) -> ColumnPlan:
        """Ask the catalog for column types when the dialect must correct Spark's mapping."""
        if not self._dialect.needs_column_plan or spec.custom_query:
            return ColumnPlan("*")
        sql = self._dialect.columns_sql(spec.schema_name, spec.table_name)
        rows = self._load(sql, spec).collect()
        columns = [SourceColumn(r[0], r[1], _int_or_none(r[2]), _int_or_none(r[3])) for r in rows]
        plan = self._dialect.column_plan(columns)
        for warning in plan.warnings:
            log.warning("%s: %s", spec.key, warning)
        return plan

    def _split_options(self, task: ExtractionTask) -> dict[str, str]:
        spec = task.spec
        if not spec.split_column or not spec.num_partitions or spec.num_partitions < 2:
            return {}
        column = self._dialect.quote(spec.split_column)
        sql = f"SELECT MIN({column}) AS lo, MAX({column}) AS hi FROM ({self.select_sql(task)}) b"
        row = self._load(sql, spec).selectExpr("CAST(lo AS STRING)", "CAST(hi AS STRING)").first()
        if row[0] is None:
            return {}
        return {
            "partitionColumn": self._dialect.normalize(spec.split_column),
            "lowerBound": row[0],
            "upperBound": row[1],
            "numPartitions": str(spec.num_partitions),
        }


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def parse_cursor(text: str | None, type_name: str) -> CursorValue | None:
    """A cursor value from Spark's string form of it, keeping its type."""
    if text is None:
        return None
    if type_name in ("integer", "long", "short", "byte"):
        return int(text)
    if type_name.startswith("decimal"):
        value = Decimal(text)
        return int(value) if value == value.to_integral_value() and "." not in text else value
    if type_name in ("float", "double"):
        return Decimal(text)
    if type_name == "date":
        return dt.date.fromisoformat(text)
    if type_name.startswith("timestamp"):
        return dt.datetime.fromisoformat(text)
    raise ValueError(f"cursor columns must be numeric, date or timestamp, not {type_name}")
