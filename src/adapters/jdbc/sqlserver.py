"""SQL Server: bracket quoting, DATETIME2 literals, CHECKSUM splits."""

from __future__ import annotations

import datetime as dt

from .dialect import Dialect, utc_instant, wall_clock
from .settings import JdbcSettings


class SqlServerDialect(Dialect):
    """SQL Server and Azure SQL through Microsoft's mssql-jdbc driver."""

    name = "sqlserver"
    driver = "com.microsoft.sqlserver.jdbc.SQLServerDriver"
    default_port = 1433
    maven_coordinates = "com.microsoft.sqlserver:mssql-jdbc:12.8.1.jre11"
    # Names are matched by the database's collation; they are sent as written.
    case_folding = None
    quote_open = "["
    quote_close = "]"

    def build_url(self, settings: JdbcSettings) -> str:
        """jdbc:sqlserver://host:port;databaseName=db;encrypt=true;trustServerCertificate=false.

        Encryption with certificate validation is the safe default (and the driver's own
        since 10.2); a server with a self-signed certificate needs a full `url` that says
        trustServerCertificate=true, a choice we leave to the user.
        """
        host = settings.host or "localhost"
        port = settings.port or self.default_port
        parts = [f"jdbc:sqlserver://{host}:{port}"]
        if settings.database:
            parts.append(f"databaseName={settings.database}")
        parts += ["encrypt=true", "trustServerCertificate=false", "applicationName=data-extractor"]
        return ";".join(parts)

    def timestamp_literal(self, value: dt.datetime) -> str:
        """CAST('yyyy-mm-dd hh:mi:ss.ffffff' AS DATETIME2): read the same whatever DATEFORMAT."""
        if value.tzinfo is not None:  # an instant: its offset kept, whatever the server's zone
            return f"CAST('{utc_instant(value)}' AS DATETIMEOFFSET)"
        return f"CAST('{wall_clock(value)}' AS DATETIME2)"

    def date_literal(self, value: dt.date) -> str:
        """CAST('yyyy-mm-dd' AS DATE)."""
        return f"CAST('{value.isoformat()}' AS DATE)"

    def hash_expression(self, columns: list[str]) -> str:
        """CHECKSUM of the key columns; BIGINT before ABS, since ABS(INT_MIN) overflows."""
        if not columns:
            raise NotImplementedError("sqlserver hash splits need a key column")
        key = ", ".join(self.quote(c) for c in columns)
        return f"ABS(CAST(CHECKSUM({key}) AS BIGINT))"

    def modulo(self, expression: str, divisor: int) -> str:
        """T-SQL has no MOD function: the % operator."""
        return f"({expression} % {divisor})"
