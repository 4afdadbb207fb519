"""JdbcSourceReader: the SourceReader port over Spark's JDBC data source."""

from __future__ import annotations

from typing import Any

from ...domain.model import ExtractionTask, TableSpec
from ...domain.splits import DEFAULT_ROWS_PER_PARTITION
from ..session_kind import session_parallelism
from ..session_provider import SessionProvider
from ..spark_errors import translate
from .dialect import Dialect
from .driver_query import DriverQuery
from .settings import JdbcSettings
from .source_sql import SqlSourceReader


class JdbcSourceReader(SqlSourceReader):
    """Reads tables with `spark.read.format("jdbc")`, one lazy DataFrame per task."""

    def __init__(
        self,
        sessions: SessionProvider,
        settings: JdbcSettings,
        dialect: Dialect,
        rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
        queries: DriverQuery | None = None,
    ) -> None:
        super().__init__(settings, dialect, queries or DriverQuery(sessions), rows_per_partition)
        self._sessions = sessions

    def _load(self, sql: str, spec: TableSpec | None, extra: dict[str, str] | None = None) -> Any:
        spark = self._sessions.get()
        reader = spark.read.format("jdbc").options(**self.options(spec))
        reader = reader.option("dbtable", self._dialect.subquery(sql, "t"))
        return reader.options(**(extra or {})).load()

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

    def parallelism(self) -> int:
        """The session's task slots."""
        return session_parallelism(self._sessions.get())

    def column_names(self, sql: str, spec: TableSpec) -> set[str]:
        """The statement's columns, from the schema Spark reads for it (no rows)."""
        return {field.name for field in self._load(sql, spec).schema.fields}
