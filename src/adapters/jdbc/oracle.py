"""Oracle: upper-case names, typed literals, flashback reads and column-type corrections."""

from __future__ import annotations

import datetime as dt
import re

from .dialect import (
    ColumnPlan,
    Dialect,
    SourceColumn,
    spark_number_type,
    sql_string,
    utc_instant,
    wall_clock,
)
from .oracle_columns import ColumnRead, column_read, oracle_column_plan
from .settings import JdbcSettings

# DBMS_APPLICATION_INFO truncates silently beyond these byte lengths; we cut first so the
# SQL literal we build is exactly what the database stores.
MODULE_MAX_BYTES = 48
ACTION_MAX_BYTES = 32

TNS_ALIAS = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
SCN = re.compile(r"^\d+$")

# Session settings that make implicit conversions (hash splits over DATE keys, TO_CHAR)
# independent of the server's or client's NLS defaults.
NLS_SETTINGS = (
    ("NLS_DATE_FORMAT", "YYYY-MM-DD HH24:MI:SS"),
    ("NLS_TIMESTAMP_FORMAT", "YYYY-MM-DD HH24:MI:SS.FF6"),
    ("NLS_TIMESTAMP_TZ_FORMAT", "YYYY-MM-DD HH24:MI:SS.FF6 TZH:TZM"),
    ("NLS_NUMERIC_CHARACTERS", ".,"),
)


class OracleDialect(Dialect):
    """Oracle through the thin driver (ojdbc11): service, SID or TNS connections."""

    name = "oracle"
    driver = "oracle.jdbc.OracleDriver"
    default_port = 1521
    default_fetch_size = 10_000
    maven_coordinates = "com.oracle.database.jdbc:ojdbc11:23.6.0.24.10"
    case_folding = "upper"
    # Oracle rejects AS before a table alias.
    subquery_as = " "
    needs_column_plan = True
    catalog_view = "ALL_TAB_COLUMNS"
    dual_table = "DUAL"

    def __init__(self, number_mapping: str = "decimal(38,18)") -> None:
        self.number_type = spark_number_type(number_mapping)

    # -- connection ----------------------------------------------------------------
    def build_url(self, settings: JdbcSettings) -> str:
        """TNS descriptor or alias, SID form, or the service-name form (in that order)."""
        if settings.tns:
            return f"jdbc:oracle:thin:@{tns_target(settings.tns)}"
        host = settings.host or "localhost"
        port = settings.port or self.default_port
        if settings.sid:
            return f"jdbc:oracle:thin:@{host}:{port}:{settings.sid}"
        service = settings.service or settings.database
        if not service:
            raise ValueError(
                "oracle needs 'service' (or 'sid', 'tns' or a full 'url') in [database]"
            )
        return f"jdbc:oracle:thin:@//{host}:{port}/{service}"

    def extra_options(self, settings: JdbcSettings) -> dict[str, str]:
        """Session time zone as an offset, and the tnsnames.ora / wallet directory if set."""
        # The driver names the session's zone after the JVM's region (e.g. Europe/Kyiv);
        # a database whose time-zone file predates that region refuses it (ORA-01882).
        options = {"oracle.jdbc.timezoneAsRegion": "false"}
        if settings.tns_admin:
            options["oracle.net.tns_admin"] = settings.tns_admin
        return options

    def session_init(self, module: str, action: str) -> str | None:
        """A PL/SQL block naming the session and fixing time zone and NLS formats."""
        lines = [
            "BEGIN",
            "DBMS_APPLICATION_INFO.SET_MODULE("
            f"{sql_string(truncate_bytes(module, MODULE_MAX_BYTES))}, "
            f"{sql_string(truncate_bytes(action, ACTION_MAX_BYTES))});",
        ]
        # TIME_ZONE: the run's timezone, so a daily window's bounds against a zoned column
        # are that zone's day; instants carry their offset and never depend on it.
        for parameter, value in (("TIME_ZONE", self.time_zone), *NLS_SETTINGS):
            statement = f"ALTER SESSION SET {parameter} = {sql_string(value)}"
            lines.append(f"EXECUTE IMMEDIATE {sql_string(statement)};")
        lines.append("END;")
        return " ".join(lines)

    # -- literals and splits ---------------------------------------------------------
    def timestamp_literal(self, value: dt.datetime) -> str:
        """An instant as a TIMESTAMP WITH TIME ZONE literal; TO_DATE(...) for whole seconds;
        TIMESTAMP '...' for a value with a fraction.

        Oracle compares a DATE with a TIMESTAMP by converting the DATE: a DATE column
        compared with a TIMESTAMP literal is converted row by row and its index cannot
        serve the range. A DATE value is exact for a DATE column, and a TIMESTAMP column
        compared with it converts the value, not the column. Only TIMESTAMP columns hold
        fractions, so those values keep the TIMESTAMP literal. Aware values come from zoned
        columns only, and are compared as the instants they are, offset written.
        """
        if value.tzinfo is not None:
            return f"TIMESTAMP '{utc_instant(value)}'"
        if value.microsecond:
            return super().timestamp_literal(value)
        return f"TO_DATE('{wall_clock(value)[:19]}', 'YYYY-MM-DD HH24:MI:SS')"

    def hash_expression(self, columns: list[str]) -> str:
        """ORA_HASH of the key columns joined with '|' (0 to 4294967295, never negative).

        Without a key there is no hash: ROWID is not visible through a view or the query
        Spark wraps around the read (ORA-01446), so such a table is read in one partition.
        """
        if not columns:
            raise NotImplementedError("oracle hash splits need a key column")
        return "ORA_HASH(" + "||'|'||".join(self.quote(c) for c in columns) + ")"

    # -- flashback -------------------------------------------------------------------
    def flashback_clause(self, snapshot: str | int | dt.datetime | None) -> str:
        """' AS OF SCN n' or ' AS OF TIMESTAMP TIMESTAMP ...' ('' without a snapshot)."""
        if snapshot is None or snapshot == "":
            return ""
        if isinstance(snapshot, bool):
            raise ValueError("a flashback snapshot is an SCN or a timestamp, not a boolean")
        if isinstance(snapshot, int):
            if snapshot < 0:
                raise ValueError(f"an SCN is not negative: {snapshot}")
            return f" AS OF SCN {snapshot}"
        if isinstance(snapshot, dt.datetime):
            return f" AS OF TIMESTAMP {super().timestamp_literal(snapshot)}"
        text = str(snapshot).strip()
        if SCN.match(text):
            return f" AS OF SCN {int(text)}"
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"flashback snapshot {snapshot!r} is neither an SCN (digits) nor an ISO "
                "timestamp such as 2024-05-01 12:00:00"
            ) from None
        return f" AS OF TIMESTAMP {super().timestamp_literal(moment)}"

    def utc_aggregate(self, function: str, quoted_column: str) -> str | None:
        """SYS_EXTRACT_UTC(MAX(col)): TIMESTAMP WITH (LOCAL) TIME ZONE as its UTC instant."""
        return f"SYS_EXTRACT_UTC({function}({quoted_column}))"

    def current_snapshot_sql(self) -> str:
        """The run-wide snapshot is Oracle's current SCN."""
        return self.current_scn_sql()

    def current_scn_sql(self) -> str:
        """The query returning the database's current SCN (needs SELECT on V$DATABASE)."""
        return "SELECT CURRENT_SCN FROM V$DATABASE"

    # -- columns ---------------------------------------------------------------------
    def columns_sql(self, schema: str | None, table: str) -> str:
        """ALL_TAB_COLUMNS rows of the table, or of what a synonym of that name points to.

        ALL_TAB_COLUMNS lists tables and views, not synonyms. The name is looked up as Oracle
        resolves it: the owner's own object first, then the owner's private synonym, then
        (only without schema_name) a PUBLIC synonym; the first that has columns wins.
        """
        owner = (
            sql_string(self.catalog_name(schema))
            if schema
            else "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')"
        )
        name = sql_string(self.catalog_name(table))
        candidates = [
            f"SELECT {owner} AS OWNER, {name} AS TABLE_NAME, 1 AS PRIORITY FROM DUAL",
            "SELECT TABLE_OWNER, TABLE_NAME, 2 FROM ALL_SYNONYMS "
            f"WHERE OWNER = {owner} AND SYNONYM_NAME = {name}",
        ]
        if not schema:
            candidates.append(
                "SELECT TABLE_OWNER, TABLE_NAME, 3 FROM ALL_SYNONYMS "
                f"WHERE OWNER = 'PUBLIC' AND SYNONYM_NAME = {name}"
            )
        return (
            "SELECT COLUMN_NAME, DATA_TYPE, DATA_PRECISION, DATA_SCALE FROM ("
            "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.DATA_PRECISION, c.DATA_SCALE, c.COLUMN_ID, "
            "t.PRIORITY, MIN(t.PRIORITY) OVER () AS FIRST_PRIORITY "
            f"FROM ({' UNION ALL '.join(candidates)}) t "
            "JOIN ALL_TAB_COLUMNS c ON c.OWNER = t.OWNER AND c.TABLE_NAME = t.TABLE_NAME"
            ") found WHERE PRIORITY = FIRST_PRIORITY ORDER BY COLUMN_ID"
        )

    def current_schema_sql(self) -> str:
        """The schema unqualified names resolve in."""
        return "SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AS s FROM DUAL"

    def column_plan(self, columns: list[SourceColumn]) -> ColumnPlan:
        """Select list and customSchema that read every readable column faithfully."""
        return oracle_column_plan(columns, self.quote, self.column_read)

    def column_read(self, column: SourceColumn, quoted: str) -> ColumnRead:
        """(select expression or None to leave out, Spark type override, warning)."""
        return column_read(column, quoted, self.number_type)


def tns_target(tns: str) -> str:
    """A TNS descriptor '(DESCRIPTION=...)' on one line, or a checked TNS alias."""
    text = " ".join(tns.split())
    if text.startswith("("):
        if text.count("(") != text.count(")") or not text.endswith(")"):
            raise ValueError("the 'tns' descriptor has unbalanced parentheses")
        return text
    if not TNS_ALIAS.match(text):
        raise ValueError(f"{tns!r} is neither a TNS alias nor a (DESCRIPTION=...) descriptor")
    return text


def truncate_bytes(value: str, limit: int) -> str:
    """The longest prefix whose UTF-8 form fits in limit bytes (never half a character)."""
    encoded = value.encode("utf-8")
    if len(encoded) <= limit:
        return value
    return encoded[:limit].decode("utf-8", errors="ignore")
