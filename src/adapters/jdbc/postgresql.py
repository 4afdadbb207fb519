"""PostgreSQL: double-quoted names folded to lower case, hashtext splits."""

from __future__ import annotations

import datetime as dt

from .dialect import (
    ColumnPlan,
    Dialect,
    SourceColumn,
    spark_number_type,
    sql_string,
    utc_instant,
)
from .settings import JdbcSettings


class PostgresDialect(Dialect):
    """PostgreSQL through the pgjdbc driver.

    A bare `numeric` (no precision) reads as Spark's DECIMAL(38,18), rounding digits past the
    18th decimal place. With `number_mapping` set, the catalog is asked which columns are
    bare numerics and they are read as that type instead (`string` keeps every digit).
    """

    name = "postgresql"
    driver = "org.postgresql.Driver"
    default_port = 5432
    maven_coordinates = "org.postgresql:postgresql:42.7.4"
    case_folding = "lower"

    def __init__(self, number_mapping: str | None = None) -> None:
        self.number_type = spark_number_type(number_mapping) if number_mapping else None
        # Only then is the catalog query worth its round trip per table.
        self.needs_column_plan = self.number_type is not None

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

    def column_plan(self, columns: list[SourceColumn]) -> ColumnPlan:
        """Every column as is, bare numerics as number_mapping's type."""
        if self.number_type is None:
            return ColumnPlan("*")
        bare = [c.name for c in columns if c.data_type.lower() == "numeric" and c.precision is None]
        schema = ", ".join(f"`{name.replace('`', '``')}` {self.number_type}" for name in bare)
        return ColumnPlan("*", schema or None)

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
        """UTC for the session: pgjdbc otherwise takes the JVM's zone, and a day window's
        TIMESTAMP bounds against a timestamptz cursor would move with it."""
        return "SET TIME ZONE 'UTC'"

    def hash_expression(self, columns: list[str]) -> str:
        """hashtext over the key's text form; ABS keeps MOD non-negative."""
        if not columns:
            # ctid is not visible through the subquery Spark wraps the read in.
            raise NotImplementedError("postgresql hash splits need a key column")
        text = " || '|' || ".join(f"COALESCE({self.quote(c)}::text, '')" for c in columns)
        return f"ABS(hashtext({text})::bigint)"
