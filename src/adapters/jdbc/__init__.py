"""JDBC sources: one dialect per database, one reader for all of them."""

from __future__ import annotations

from .derby import DerbyDialect
from .dialect import Dialect
from .mysql import MariaDbDialect, MySqlDialect
from .oracle import OracleDialect
from .postgresql import PostgresDialect
from .sqlserver import SqlServerDialect

DIALECTS: dict[str, type[Dialect]] = {
    "oracle": OracleDialect,
    "postgresql": PostgresDialect,
    "sqlserver": SqlServerDialect,
    "mysql": MySqlDialect,
    "mariadb": MariaDbDialect,
    "derby": DerbyDialect,
}
ALIASES = {"postgres": "postgresql", "pg": "postgresql", "mssql": "sqlserver"}


def dialect_for(
    database_type: str, *, number_mapping: str | None = None, time_zone: str | None = None
) -> Dialect:
    """The dialect for a [database] type (adding a database = one module + one line here).

    number_mapping is the Spark type for Oracle's bare NUMBER ("decimal(38,18)" when unset)
    and PostgreSQL's bare numeric: "decimal(p,s)", "string" or "double"; others ignore it.
    time_zone is [extraction] timezone: the zone of the sessions that set one (PostgreSQL,
    Oracle), so a daily window's day on a zoned cursor is the day in that zone.
    """
    name = ALIASES.get(database_type.lower(), database_type.lower())
    try:
        dialect_class = DIALECTS[name]
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise ValueError(f"unknown database type {database_type!r}; known: {known}") from None
    dialect: Dialect
    if dialect_class in (OracleDialect, PostgresDialect) and number_mapping:
        dialect = dialect_class(number_mapping)
    else:
        dialect = dialect_class()
    dialect.time_zone = time_zone or "UTC"
    return dialect
