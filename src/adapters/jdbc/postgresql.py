"""PostgreSQL: double-quoted names folded to lower case, hashtext splits."""

from __future__ import annotations

from .dialect import Dialect
from .settings import JdbcSettings


class PostgresDialect(Dialect):
    """PostgreSQL through the pgjdbc driver."""

    name = "postgresql"
    driver = "org.postgresql.Driver"
    default_port = 5432
    maven_coordinates = "org.postgresql:postgresql:42.7.4"
    case_folding = "lower"

    def build_url(self, settings: JdbcSettings) -> str:
        """jdbc:postgresql://host:port/database."""
        port = settings.port or self.default_port
        return f"jdbc:postgresql://{settings.host or 'localhost'}:{port}/{settings.database or ''}"

    def extra_options(self, settings: JdbcSettings) -> dict[str, str]:
        """Binary transfer from the first execution: pgjdbc otherwise sends text for the
        first five runs of a statement, and each Spark partition runs its query once."""
        return {"prepareThreshold": "-1"}

    def hash_expression(self, columns: list[str]) -> str:
        """hashtext over the key's text form; ABS keeps MOD non-negative."""
        if not columns:
            # ctid is not visible through the subquery Spark wraps the read in.
            raise NotImplementedError("postgresql hash splits need a key column")
        text = " || '|' || ".join(f"COALESCE({self.quote(c)}::text, '')" for c in columns)
        return f"ABS(hashtext({text})::bigint)"
