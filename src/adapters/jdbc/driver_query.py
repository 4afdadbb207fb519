"""Small queries on the Spark driver over a plain JDBC connection: no Spark job, no schema query.

The probe before each table's read is a single aggregate row, and a catalog lookup a few rows;
running them as Spark jobs cost a schema query, a job and a task per table, which dominated
the per-table overhead. A Spark Connect session has no driver JVM in this process, and a Unity
Catalog connection (`databricks.connection`) no URL or driver class: there the same queries
run as Spark queries (spark_query.py) and give the same text values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..session_kind import is_connect
from ..session_provider import SessionProvider
from .spark_query import CONNECTION_OPTION, query_rows

# java.sql.Types codes (and Oracle's own) -> the type names the reader speaks (Spark's,
# where they exist).
JDBC_KINDS = {
    -7: "boolean",
    -6: "byte",
    5: "short",
    4: "integer",
    -5: "long",
    6: "double",
    7: "double",
    8: "double",
    2: "decimal",
    3: "decimal",
    91: "date",
    93: "timestamp",
    2014: "timestamp_tz",
    # oracle.jdbc.OracleTypes: BINARY_FLOAT, BINARY_DOUBLE, TIMESTAMP WITH (LOCAL) TIME ZONE.
    100: "double",
    101: "double",
    -101: "timestamp_tz",
    -102: "timestamp_tz",
}
# Column type names of zoned timestamps: instants, whatever java.sql.Types code the driver
# reports (pgjdbc reports timestamptz as Types.TIMESTAMP).
ZONED_TYPE_NAMES = ("timestamptz", "timestamp with time zone", "datetimeoffset")
# How PostgreSQL spells values outside every calendar; they can never bound a window.
NOT_FINITE = ("infinity", "-infinity")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Options that are Spark's, not the driver's.
SPARK_ONLY = {
    "url",
    "driver",
    "fetchsize",
    "preferTimestampNTZ",
    "sessionInitStatement",
    "dbtable",
    "customSchema",
    "partitionColumn",
    "lowerBound",
    "upperBound",
    "numPartitions",
}


def _through_spark(spark: Any, options: dict[str, str]) -> bool:
    """Whether the query must run as a Spark query: no driver JVM here (Connect), or a Unity
    Catalog connection, which gives no URL or driver class to open a connection with."""
    return is_connect(spark) or CONNECTION_OPTION in options


class DriverQuery:
    """Runs a query through the JDBC driver class Spark already loaded, on the driver."""

    def __init__(self, sessions: SessionProvider) -> None:
        self._sessions = sessions

    def first_row(self, sql: str, options: dict[str, str]) -> dict[str, tuple[str | None, str]]:
        """The first row as {lower-case column name: (value as text, kind)}."""
        found = self.rows(sql, options, limit=1)
        return found[0] if found else {}

    def rows(
        self, sql: str, options: dict[str, str], limit: int = 10_000
    ) -> list[dict[str, tuple[str | None, str]]]:
        """Up to `limit` rows, each as first_row gives it (catalog lookups, not data)."""
        spark = self._sessions.get()
        if _through_spark(spark, options):
            return query_rows(spark, sql, options, limit)
        connection = self._connect(options)
        try:
            init = options.get("sessionInitStatement")
            if init:
                statement = connection.createStatement()
                statement.execute(init)
                statement.close()
            statement = connection.createStatement()
            try:
                result = statement.executeQuery(sql)
                found: list[dict[str, tuple[str | None, str]]] = []
                while len(found) < limit and result.next():
                    found.append(_row(result))
                return found
            finally:
                statement.close()
        finally:
            connection.close()

    def ping(self, options: dict[str, str], sql: str) -> None:
        """Open a connection and close it (on Connect: run `sql`, a trivial query, through Spark);
        raises what the driver raises when it cannot."""
        spark = self._sessions.get()
        if _through_spark(spark, options):
            query_rows(spark, sql, options, limit=1)
            return
        self._connect(options).close()

    def _connect(self, options: dict[str, str]) -> Any:
        jvm = self._sessions.get()._jvm
        # Spark's class loader sees jars from spark.jars and --packages, not only the classpath.
        loader = jvm.org.apache.spark.util.Utils.getContextOrSparkClassLoader()
        driver = jvm.java.lang.Class.forName(options["driver"], True, loader).newInstance()
        props = jvm.java.util.Properties()
        for key, value in options.items():
            if key not in SPARK_ONLY:
                props.setProperty(key, value)
        connection = driver.connect(options["url"], props)
        if connection is None:
            raise ValueError(f"driver {options['driver']} does not accept this JDBC URL")
        connection.setReadOnly(True)
        return connection


def _row(result: Any) -> dict[str, tuple[str | None, str]]:
    meta = result.getMetaData()
    row = {}
    for i in range(1, meta.getColumnCount() + 1):
        kind = JDBC_KINDS.get(meta.getColumnType(i), "string")
        if kind.startswith("timestamp") and _zoned(meta.getColumnTypeName(i)):
            kind = "timestamp_tz"
        row[meta.getColumnLabel(i).lower()] = (_text(result, i, kind), kind)
    return row


def _text(result: Any, i: int, kind: str) -> str | None:
    """The value in a form parse_cursor reads, independent of session or NLS formats."""
    if kind in ("byte", "short", "integer", "long"):
        value = result.getLong(i)
        return None if result.wasNull() else str(value)
    if kind == "decimal":
        return decimal_text(result.getBigDecimal(i))
    if kind in ("date", "timestamp", "timestamp_tz") and _not_finite(result, i):
        return result.getString(i).lower()
    if kind == "timestamp_tz":
        return _instant(result, i)
    if kind == "date":
        value = result.getDate(i)
        return None if value is None else value.toLocalDate().toString()
    if kind == "timestamp":
        value = result.getTimestamp(i)
        return None if value is None else _wall_clock(value.toLocalDateTime().toString())
    value = result.getString(i)
    return None if value is None else str(value)


def decimal_text(value: Any) -> str | None:
    """A java.math.BigDecimal as plain digits ('1.500', never '1.5E+3').

    py4j hands a BigDecimal over as Python's Decimal; a gateway without that conversion
    would give the Java object, which has toPlainString.
    """
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value.toPlainString())


def _zoned(type_name: str | None) -> bool:
    return (type_name or "").lower() in ZONED_TYPE_NAMES


def _not_finite(result: Any, i: int) -> bool:
    text = result.getString(i)
    return text is not None and text.lower() in NOT_FINITE


def _instant(result: Any, i: int) -> str | None:
    """A zoned value as a UTC instant with its offset, from epoch time: no JVM zone involved."""
    value = result.getTimestamp(i)
    if value is None:
        return None
    seconds = value.getTime() // 1000  # floor: the epoch millis of instants before 1970 are < 0
    moment = EPOCH + dt.timedelta(seconds=seconds, microseconds=value.getNanos() // 1000)
    return moment.isoformat(sep=" ", timespec="microseconds")


def _wall_clock(iso: str) -> str:
    """LocalDateTime's ISO text (seconds, fraction optional) as 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    date, _, time = iso.partition("T")
    clock, _, fraction = time.partition(".")
    if clock.count(":") == 1:
        clock += ":00"
    return f"{date} {clock}.{(fraction + '000000')[:6]}"
