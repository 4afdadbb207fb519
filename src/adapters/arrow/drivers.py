"""Python-native database drivers that stream Arrow record batches, one per source type.

PostgreSQL: ADBC (libpq, COPY in binary: exact numerics as text). MySQL and MariaDB:
ConnectorX (Rust; its decimals are cut to 10 places, so the reader selects them as text).
Oracle: python-oracledb in thin mode (`fetch_df_batches`, no Instant Client, no JDBC jar).
Each is imported only when used: a missing one is an InputError naming the extra.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urlencode

import pyarrow as pa

from ...domain.errors import InputError, Problem
from ..jdbc.dialect import Dialect
from ..jdbc.settings import JdbcSettings

EXTRA_HINT = "pip install 'data-extractor[arrow]'"
BATCH_ROWS = 65_536
MAX_IDLE = 16  # connections kept for reuse: splits and tables at once, with room


class DriverError(Exception):
    """A driver's failure, its message cleaned of the connection's password."""


def load_module(name: str, database_type: str) -> Any:
    """Import a driver module, or an InputError saying which extra provides it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        message = (
            f"engine = arrow reads {database_type} with the Python package providing {name}, "
            f"which is not installed: {EXTRA_HINT} (or set [runtime] engine = spark)"
        )
        raise InputError([Problem("config [runtime]", "engine", message)]) from None


class ArrowDriver:
    """Runs SQL statements and yields their rows as record batches (one statement per
    connection at a time)."""

    database_type: ClassVar[str] = ""
    module: ClassVar[str] = ""

    def __init__(self, settings: JdbcSettings, init_sql: str | None = None) -> None:
        self._settings = settings
        self._init_sql = init_sql
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def _open(self) -> Any:
        """A new connection with the session settings applied (pooled drivers override)."""
        raise NotImplementedError

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """An idle connection or a new one, owned by one statement at a time.

        ADBC's PostgreSQL driver reads the type catalog at each connect (~0.2 s, three times
        per table: probe, catalog, read), so connections are kept for the next statement.
        One whose statement failed or was not read to the end is closed, never reused.
        """
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            try:
                connection = self._open()
            except Exception as exc:
                raise self.scrubbed(exc) from None
        try:
            yield connection
        except Exception:
            # A failed statement may mean the server restarted: the idle connections are as
            # dead as this one, and each would cost the retry that picks it up.
            connection.close()
            self.drop_idle()
            raise
        except BaseException:  # not read to the end (GeneratorExit): this one only
            connection.close()
            raise
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(connection)
                return
        connection.close()

    def drop_idle(self) -> None:
        """Close every idle connection (the next statements open fresh ones)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            with suppress(Exception):  # closing a dead connection may fail too
                connection.close()

    def scrubbed(self, exc: Exception) -> Exception:
        """The driver's error with the password (as given and as URL-encoded) masked: a
        driver may echo its connection string, whose encoded form no Redactor knows."""
        password = self._settings.password
        text = f"{type(exc).__name__}: {exc}"
        if not password or (password not in text and quote(password, safe="") not in text):
            return exc
        masked = text.replace(password, "***").replace(quote(password, safe=""), "***")
        return DriverError(masked)

    def check_installed(self) -> None:
        """Raise the InputError naming the extra when this driver's package is missing."""
        load_module(self.module, self.database_type)

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """The statement's rows, streamed (never the whole result in memory)."""
        raise NotImplementedError

    def table(self, sql: str) -> pa.Table:
        """A small result in full (probes and catalog lookups)."""
        batches = list(self.batches(sql))
        if not batches:
            return pa.table({})
        return pa.Table.from_batches(batches)


def at_least_one(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    """The reader's batches; an empty result still yields one batch, carrying the columns."""
    empty = True
    for batch in reader:
        empty = False
        yield batch
    if empty:
        yield pa.RecordBatch.from_pylist([], schema=reader.schema)


def jdbc_rest(settings: JdbcSettings, translated: dict[str, str]) -> str:
    """host:port/database of a JDBC url, with the query parameters this driver takes under
    its own names (`translated`: JDBC name -> driver name, same values); any other is an
    InputError, since the driver would fail on it or drop it silently."""
    url = settings.url or ""
    rest, _, query = url.removeprefix("jdbc:").partition("://")[2].partition("?")
    kept, unknown = [], []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in translated:
            kept.append((translated[key], value))
        else:
            unknown.append(key)
    if unknown:
        message = (
            f"engine = arrow cannot pass the JDBC parameters {', '.join(unknown)} of url to "
            f"its {settings.type} driver: set host, port and database instead of url "
            "(or drop the JDBC parameters, or use engine = spark)"
        )
        raise InputError([Problem("config [database]", "url", message)])
    return f"{rest}?{urlencode(kept)}" if kept else rest


def _host_port(settings: JdbcSettings, default_port: int) -> str:
    return f"{settings.host or 'localhost'}:{settings.port or default_port}"


def _credentials(settings: JdbcSettings) -> str:
    if not settings.user:
        return ""
    password = f":{quote(settings.password, safe='')}" if settings.password else ""
    return f"{quote(settings.user, safe='')}{password}@"


class PostgresAdbcDriver(ArrowDriver):
    """PostgreSQL through ADBC's libpq driver (adbc-driver-postgresql)."""

    database_type = "postgresql"
    module = "adbc_driver_postgresql.dbapi"

    def uri(self) -> str:
        """postgresql://user:password@host:port/database (a jdbc:postgresql: url is reused)."""
        s = self._settings
        if s.url:  # pgjdbc's sslmode takes libpq's values under libpq's name
            rest = jdbc_rest(s, {"sslmode": "sslmode"})
            return f"postgresql://{_credentials(s)}{rest}"
        return f"postgresql://{_credentials(s)}{_host_port(s, 5432)}/{s.database or ''}"

    def _open(self) -> Any:
        dbapi = load_module(self.module, self.database_type)
        connection = dbapi.connect(self.uri(), autocommit=True)
        if self._init_sql:
            with connection.cursor() as cursor:
                cursor.execute(self._init_sql)
        return connection

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """Rows streamed by ADBC (COPY ... TO STDOUT BINARY under the hood)."""
        with self._connection() as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            yield from at_least_one(cursor.fetch_record_batch())


class MySqlConnectorXDriver(ArrowDriver):
    """MySQL and MariaDB through ConnectorX's Arrow stream."""

    database_type = "mysql"
    module = "connectorx"

    def uri(self) -> str:
        """mysql://user:password@host:port/database (ConnectorX speaks to MariaDB as MySQL)."""
        s = self._settings
        if s.url:
            return f"mysql://{_credentials(s)}{jdbc_rest(s, {})}"
        return f"mysql://{_credentials(s)}{_host_port(s, 3306)}/{s.database or ''}"

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """Rows streamed in batches; the session settings run first on the same connection."""
        cx = load_module(self.module, self.database_type)
        init = [self._init_sql] if self._init_sql else None
        try:
            reader = cx.read_sql(
                self.uri(),
                sql,
                return_type="arrow_stream",
                batch_size=BATCH_ROWS,
                pre_execution_query=init,
            )
        except Exception as exc:
            raise self.scrubbed(exc) from None
        yield from at_least_one(reader)


class OracleThinDriver(ArrowDriver):
    """Oracle through python-oracledb in thin mode (pure Python, no client libraries)."""

    database_type = "oracle"
    module = "oracledb"

    def dsn(self) -> str:
        """host:port/service (or the SID, or a TNS alias / descriptor as given)."""
        s = self._settings
        if s.tns:
            return s.tns
        if s.url:
            return s.url.removeprefix("jdbc:oracle:thin:@").removeprefix("//")
        return f"{_host_port(s, 1521)}/{s.service or s.sid or ''}"

    def _open(self) -> Any:
        oracledb = load_module(self.module, self.database_type)
        s = self._settings
        connection = oracledb.connect(user=s.user, password=s.password, dsn=self.dsn())
        if self._init_sql:
            with connection.cursor() as cursor:
                cursor.execute(self._init_sql)
        return connection

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """DataFrames of BATCH_ROWS rows, each handed to Arrow without copying."""
        with self._connection() as connection:
            for frame in connection.fetch_df_batches(sql, size=BATCH_ROWS, fetch_decimals=True):
                yield from pa.table(frame).to_batches()


DRIVERS: dict[str, type[ArrowDriver]] = {
    "postgresql": PostgresAdbcDriver,
    "mysql": MySqlConnectorXDriver,
    "mariadb": MySqlConnectorXDriver,
    "oracle": OracleThinDriver,
}


def arrow_driver(dialect: Dialect, settings: JdbcSettings) -> ArrowDriver:
    """The Arrow driver for a dialect, its package checked; else an InputError saying why."""
    dialect_name = dialect.name
    try:
        driver_class = DRIVERS[dialect_name]
    except KeyError:
        known = ", ".join(sorted(DRIVERS))
        message = f"engine = arrow reads {known}; {dialect_name} needs engine = spark"
        raise InputError([Problem("config [runtime]", "engine", message)]) from None
    init_sql = settings.init_statement or dialect.session_init("data-extractor", "")
    driver = driver_class(settings, init_sql)
    if settings.url and isinstance(driver, PostgresAdbcDriver | MySqlConnectorXDriver):
        driver.uri()  # a url the driver cannot take exactly is bad input, before any read
    driver.check_installed()
    return driver
