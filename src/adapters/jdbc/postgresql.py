"""PostgreSQL: double-quoted names folded to lower case, hashtext splits."""

from __future__ import annotations

import datetime as dt

from .dialect import (
    ColumnPlan,
    Dialect,
    SourceColumn,
    UnsafeIdentifierError,
    spark_number_type,
    sql_string,
    utc_instant,
)
from .settings import JdbcSettings

# Catalog type -> the cast of the guard's failing branch: dates and timestamps PostgreSQL holds
# (BC, years past 9999, +-infinity) that Spark would silently turn into other values.
CALENDAR_TYPES = {
    "date": "date",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
}


class PostgresDialect(Dialect):
    """PostgreSQL through the pgjdbc driver.

    A bare `numeric` (no precision) reads as Spark's DECIMAL(38,18), rounding digits past the
    18th decimal place. With `number_mapping` set, bare numerics are read as that type instead
    (`string` keeps every digit). The catalog is asked for every table's columns: dates and
    timestamps Spark cannot hold (BC, after 9999, +-infinity) would otherwise change silently,
    so they are guarded to fail the read naming the column and the value.
    """

    name = "postgresql"
    driver = "org.postgresql.Driver"
    default_port = 5432
    maven_coordinates = "org.postgresql:postgresql:42.7.4"
    case_folding = "lower"

    def __init__(self, number_mapping: str | None = None) -> None:
        self.number_type = spark_number_type(number_mapping) if number_mapping else None
        # One catalog round trip per table, on the driver: the price of never changing a date.
        self.needs_column_plan = True

    def columns_sql(self, schema: str | None, table: str) -> str:
        """information_schema.columns rows of the table, in column order."""
        owner = sql_string(self.normalize(schema)) if schema else "current_schema()"
        self.quote(table)  # refuses unsafe names before they reach SQL
        return (
            "SELECT column_name, data_type, numeric_precision, numeric_scale "
            "FROM information_schema.columns "
            f"WHERE table_schema = {owner} AND table_name = {sql_string(self.normalize(table))} "
            "ORDER BY ordinal_position"
        )

    def current_schema_sql(self) -> str:
        """The first schema of the search_path that exists."""
        return "SELECT current_schema() AS s"

    def column_plan(self, columns: list[SourceColumn]) -> ColumnPlan:
        """Every column as is but guarded dates and timestamps; bare numerics as mapped."""
        schema = None
        if self.number_type is not None:
            bare = [
                c.name for c in columns if c.data_type.lower() == "numeric" and c.precision is None
            ]
            schema = ", ".join(f"`{n.replace('`', '``')}` {self.number_type}" for n in bare)
        if not any(c.data_type.lower() in CALENDAR_TYPES for c in columns):
            return ColumnPlan("*", schema or None)
        try:
            select = ", ".join(self._guarded(c) for c in columns)
        except UnsafeIdentifierError:
            return ColumnPlan("*", schema or None, ("a column name cannot be quoted safely",))
        return ColumnPlan(select, schema or None)

    def _guarded(self, column: SourceColumn) -> str:
        """The column, or for a date/timestamp a CASE that fails on values Spark cannot hold.

        The failing branch casts a message naming the column and the value to the column's
        type, so the read stops with both in PostgreSQL's error; NULL passes.
        """
        name = self.quote(f'"{column.name}"')
        cast = CALENDAR_TYPES.get(column.data_type.lower())
        if cast is None:
            return name
        message = (
            f"'data-extractor: column {column.name} holds ' || {name}::text || "
            "', which Spark and Parquet cannot hold'"
        )
        held = f"{name} >= DATE '0001-01-01' AND {name} < DATE '10000-01-01'"
        return (
            f"CASE WHEN {name} IS NULL OR ({held}) THEN {name} "
            f"ELSE CAST({message} AS {cast}) END AS {name}"
        )

    def build_url(self, settings: JdbcSettings) -> str:
        """jdbc:postgresql://host:port/database."""
        port = settings.port or self.default_port
        return f"jdbc:postgresql://{settings.host or 'localhost'}:{port}/{settings.database or ''}"

    def extra_options(self, settings: JdbcSettings) -> dict[str, str]:
        """Binary transfer from the first execution: pgjdbc otherwise sends text for the
        first five runs of a statement, and each Spark partition runs its query once."""
        return {"prepareThreshold": "-1"}

    def timestamp_literal(self, value: dt.datetime) -> str:
        """An instant (a timestamptz watermark) as TIMESTAMPTZ with its offset, else TIMESTAMP."""
        if value.tzinfo is None:
            return super().timestamp_literal(value)
        return f"TIMESTAMPTZ '{utc_instant(value)}'"

    def session_init(self, module: str, action: str) -> str | None:
        """The run's timezone for the session (pgjdbc would take the JVM's): a day window's
        TIMESTAMP bounds against a timestamptz cursor are then that zone's day. Instants are
        written with their offset and never depend on it."""
        return f"SET TIME ZONE {sql_string(self.time_zone)}"

    def hash_expression(self, columns: list[str]) -> str:
        """hashtext over the key's text form; ABS keeps MOD non-negative."""
        if not columns:
            # ctid is not visible through the subquery Spark wraps the read in.
            raise NotImplementedError("postgresql hash splits need a key column")
        text = " || '|' || ".join(f"COALESCE({self.quote(c)}::text, '')" for c in columns)
        return f"ABS(hashtext({text})::bigint)"
