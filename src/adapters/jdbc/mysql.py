"""MySQL and MariaDB: backtick quoting, CRC32 splits, streaming fetches."""

from __future__ import annotations

from typing import ClassVar

from .dialect import Dialect
from .settings import JdbcSettings


class MySqlDialect(Dialect):
    """MySQL through MySQL Connector/J (jdbc:mysql:)."""

    name = "mysql"
    driver = "com.mysql.cj.jdbc.Driver"
    scheme: ClassVar[str] = "mysql"
    default_port = 3306
    maven_coordinates = "com.mysql:mysql-connector-j:8.4.0"
    # Table names follow the server's file system (lower_case_table_names): sent as written.
    case_folding = None
    quote_open = "`"
    quote_close = "`"
    # Connector/J ignores the fetch size and buffers the whole result unless it reads
    # through a server-side cursor; useCursorFetch makes Spark's fetchsize take effect.
    url_parameters: ClassVar[tuple[str, ...]] = ("useCursorFetch=true",)
    # Spark talks to jdbc:mysql URLs with its MySQL dialect, which quotes with backticks.
    needs_ansi_quotes: ClassVar[bool] = False

    def build_url(self, settings: JdbcSettings) -> str:
        """jdbc:<scheme>://host:port/database[?parameters]."""
        host = settings.host or "localhost"
        port = settings.port or self.default_port
        url = f"jdbc:{self.scheme}://{host}:{port}/{settings.database or ''}"
        return f"{url}?{'&'.join(self.url_parameters)}" if self.url_parameters else url

    def session_init(self, module: str, action: str) -> str | None:
        """UTC session time zone (TIMESTAMP columns read as UTC) and a patient write timeout.

        A streamed result is abandoned by the server after net_write_timeout seconds
        without a read, which a slow Parquet writer can hit; 600 s is Connector/J's own
        value for streaming.
        """
        settings = ["time_zone = '+00:00'", "net_write_timeout = 600"]
        if self.needs_ansi_quotes:
            settings.insert(
                0, "sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES')"
            )
        return "SET SESSION " + ", ".join(settings)

    def hash_expression(self, columns: list[str]) -> str:
        """CRC32 of the key columns joined with '|' (unsigned, so MOD stays non-negative)."""
        if not columns:
            raise NotImplementedError(f"{self.name} hash splits need a key column")
        return f"CRC32(CONCAT_WS('|', {', '.join(self.quote(c) for c in columns)}))"


class MariaDbDialect(MySqlDialect):
    """MariaDB through MariaDB Connector/J (jdbc:mariadb:)."""

    name = "mariadb"
    driver = "org.mariadb.jdbc.Driver"
    scheme = "mariadb"
    maven_coordinates = "org.mariadb.jdbc:mariadb-java-client:3.4.1"
    # MariaDB Connector/J streams with any positive fetch size (read fetchsize rows at a
    # time from the socket) since 1.4; useCursorFetch is a MySQL Connector/J option.
    url_parameters = ()
    # Spark has no dialect for jdbc:mariadb URLs and quotes the columns it selects with
    # double quotes: ANSI_QUOTES makes the server read them as names, not strings.
    needs_ansi_quotes = True
