"""PostgreSQL for the Arrow engine: the JDBC dialect, with the types Spark reads as text
selected as their text.

ADBC hands inet, cidr, macaddr, xml, geometric types and others over as opaque extensions
holding PostgreSQL's binary wire form, and `money` as int64 cents. The Spark engine writes
each of them as a string (pgjdbc's getString, which is PostgreSQL's text output), so these
columns are selected as that text (`::text`; inet through its output function, since its
`::text` adds the mask); the dialect's guard on dates and timestamps stays.
"""

from __future__ import annotations

from ..jdbc.dialect import ColumnPlan, SourceColumn, UnsafeIdentifierError
from ..jdbc.postgresql import PostgresDialect

# information_schema data_type names whose values Spark's PostgresDialect reads as strings.
SPARK_TEXT_TYPES = frozenset(
    {
        "money",
        "inet",
        "cidr",
        "macaddr",
        "macaddr8",
        "xml",
        "tsvector",
        "tsquery",
        "txid_snapshot",
        "pg_lsn",
        "point",
        "line",
        "lseg",
        "box",
        "path",
        "polygon",
        "circle",
    }
)


class ArrowPostgresDialect(PostgresDialect):
    """PostgresDialect whose column plan selects Spark's text-read types as `::text`."""

    def column_plan(self, columns: list[SourceColumn]) -> ColumnPlan:
        """The JDBC plan (guards, number mapping), with text types selected as text."""
        plan = super().column_plan(columns)
        if not any(c.data_type.lower() in SPARK_TEXT_TYPES for c in columns):
            return plan
        try:
            select = ", ".join(self._as_read(c) for c in columns)
        except UnsafeIdentifierError:
            return ColumnPlan("*", plan.custom_schema, ("a column name cannot be quoted safely",))
        return ColumnPlan(select, plan.custom_schema, plan.warnings)

    def _as_read(self, column: SourceColumn) -> str:
        kind = column.data_type.lower()
        if kind not in SPARK_TEXT_TYPES:
            return self._guarded(column)
        name = self.quote(f'"{column.name}"')
        if kind == "inet":  # inet::text always adds the mask (/32); its output form does not
            return f"textin(inet_out({name})) AS {name}"
        return f"{name}::text AS {name}"


def postgres_for_arrow(dialect: PostgresDialect) -> ArrowPostgresDialect:
    """The same dialect (number mapping, time zone) with the Arrow engine's column reads."""
    arrow = ArrowPostgresDialect.__new__(ArrowPostgresDialect)
    arrow.__dict__.update(vars(dialect))
    return arrow
