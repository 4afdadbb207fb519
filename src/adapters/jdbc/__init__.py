"""JDBC sources: one dialect per database, one reader for all of them."""

from __future__ import annotations

from .derby import DerbyDialect
from .dialect import Dialect
from .postgresql import PostgresDialect

DIALECTS: dict[str, type[Dialect]] = {
    "postgresql": PostgresDialect,
    "derby": DerbyDialect,
}
ALIASES = {"postgres": "postgresql", "pg": "postgresql"}


def dialect_for(database_type: str) -> Dialect:
    """The dialect for a [database] type (adding a database = one module + one line here)."""
    name = ALIASES.get(database_type.lower(), database_type.lower())
    try:
        return DIALECTS[name]()
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise ValueError(f"unknown database type {database_type!r}; known: {known}") from None
