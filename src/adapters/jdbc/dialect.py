"""What differs between databases when we talk JDBC: URLs, quoting, literals, splits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise
from typing import ClassVar

import attrs

from ...domain.model import CursorValue, Window
from .settings import JdbcSettings

DECIMAL_MAPPING = re.compile(r"^decimal\(\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$", re.IGNORECASE)


class UnsafeIdentifierError(ValueError):
    """An identifier that cannot be quoted safely reached the SQL builder."""


@attrs.frozen
class SourceColumn:
    """A column as the source's catalog describes it."""

    name: str
    data_type: str
    precision: int | None = None
    scale: int | None = None


@attrs.frozen
class ColumnPlan:
    """How to select a table's columns so Spark reads them faithfully.

    `select_list` replaces `*`; `custom_schema` is Spark's customSchema option;
    `warnings` name the columns converted or left out, for the log and the report.
    """

    select_list: str
    custom_schema: str | None = None
    warnings: tuple[str, ...] = ()


class Dialect:
    """The base dialect: ANSI double quotes and typed literals; subclasses override."""

    name: ClassVar[str] = "ansi"
    driver: ClassVar[str] = ""
    default_port: ClassVar[int | None] = None
    default_fetch_size: ClassVar[int] = 10_000
    maven_coordinates: ClassVar[str | None] = None
    # How the database folds unquoted names: "upper", "lower" or None (kept as written).
    case_folding: ClassVar[str | None] = None
    quote_open: ClassVar[str] = '"'
    quote_close: ClassVar[str] = '"'
    subquery_as: ClassVar[str] = " AS "
    # The session's zone where the dialect sets one: [extraction] timezone. Only a daily
    # window's zone-less bounds meet zoned columns through it; instants carry their offset.
    time_zone: str = "UTC"

    def url(self, settings: JdbcSettings) -> str:
        """The JDBC URL for the settings (a raw url in the settings wins)."""
        if settings.url:
            return settings.url
        return self.build_url(settings)

    def build_url(self, settings: JdbcSettings) -> str:
        """The JDBC URL from host, port and database."""
        raise NotImplementedError(f"{self.name} needs a full 'url' in [database]")

    def extra_options(self, settings: JdbcSettings) -> dict[str, str]:
        """Spark JDBC options this database wants on every read."""
        return {}

    # -- identifiers -------------------------------------------------------
    def normalize(self, identifier: str) -> str:
        """The name as stored in the catalog: quoted kept exactly, unquoted folded."""
        if len(identifier) >= 2 and identifier[0] == identifier[-1] == '"':
            return identifier[1:-1]
        if self.case_folding == "upper":
            return identifier.upper()
        if self.case_folding == "lower":
            return identifier.lower()
        return identifier

    def quote(self, identifier: str) -> str:
        """The identifier quoted for this database, after folding."""
        name = self.normalize(identifier)
        # Validation already refused these; this is the last line of defence before SQL.
        unsafe = any(ch in name for ch in "\"`[];'\\\n\r\t\0")
        if not name or unsafe or any(m in name for m in ("--", "/*", "*/")):
            raise UnsafeIdentifierError(f"unsafe identifier {identifier!r}")
        return f"{self.quote_open}{name}{self.quote_close}"

    def table(self, schema: str | None, table: str) -> str:
        """A schema-qualified, quoted table name."""
        if schema:
            return f"{self.quote(schema)}.{self.quote(table)}"
        return self.quote(table)

    def subquery(self, sql: str, alias: str = "src") -> str:
        """A query usable where a table name goes."""
        return f"({sql}){self.subquery_as}{alias}"

    # -- literals ------------------------------------------------------------
    def literal(self, value: CursorValue) -> str:
        """A SQL literal for a cursor value, independent of session settings."""
        if isinstance(value, bool):
            raise TypeError("booleans are not cursor values")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Decimal):
            return number_literal(value)
        if isinstance(value, dt.datetime):
            return self.timestamp_literal(value)
        if isinstance(value, dt.date):
            return self.date_literal(value)
        raise TypeError(f"no literal for {type(value).__name__}")

    def timestamp_literal(self, value: dt.datetime) -> str:
        """A timestamp literal (naive wall-clock, microseconds)."""
        return f"TIMESTAMP '{wall_clock(value)}'"

    def date_literal(self, value: dt.date) -> str:
        """A date literal."""
        return f"DATE '{value.isoformat()}'"

    # -- predicates ------------------------------------------------------------
    def window_predicate(self, window: Window, upper_sql: str | None = None) -> str | None:
        """The WHERE condition selecting a window's rows (None when unbounded).

        `upper_sql` stands in for an upper bound not known yet (a plan shows
        `:high_watermark`). A window of NULLs only (the source had no cursor value when
        probed) selects exactly the NULL rows, so rows arriving during the read wait.
        """
        column = self.quote(window.column)
        parts = []
        if window.lower is not None:
            op = ">=" if window.lower_inclusive else ">"
            parts.append(f"{column} {op} {self.literal(window.lower)}")
        upper = self.literal(window.upper) if window.upper is not None else upper_sql
        if upper is not None:
            parts.append(f"{column} {'<=' if window.upper_inclusive else '<'} {upper}")
        if not parts:
            return f"{column} IS NULL" if window.include_nulls else None
        condition = " AND ".join(parts)
        if window.include_nulls:
            return f"({condition} OR {column} IS NULL)"
        return condition

    def range_predicates(self, column: str, boundaries: Sequence[CursorValue]) -> list[str]:
        """One condition per value range between sorted boundaries, every row in exactly one.

        The first range also takes NULL keys; the last has no upper bound, so a row above
        the probed maximum is still read.
        """
        if not boundaries:
            return []
        quoted = self.quote(column)
        bounds = [self.literal(b) for b in boundaries]
        first = f"({quoted} < {bounds[0]} OR {quoted} IS NULL)"
        middle = [f"{quoted} >= {lo} AND {quoted} < {hi}" for lo, hi in pairwise(bounds)]
        return [first, *middle, f"{quoted} >= {bounds[-1]}"]

    def hash_expression(self, columns: list[str]) -> str:
        """A non-negative integer hash of the key columns (NULL allowed), for text keys."""
        raise NotImplementedError(f"{self.name} has no hash split")

    def modulo(self, expression: str, divisor: int) -> str:
        """expression modulo divisor."""
        return f"MOD({expression}, {divisor})"

    def hash_predicates(self, columns: list[str], partitions: int) -> list[str]:
        """One condition per bucket, together covering every row exactly once.

        A NULL hash counts as 0, so rows whose hash is NULL land in the first bucket
        instead of in none.
        """
        if not columns:
            raise NotImplementedError(f"{self.name} hash splits need a key column")
        bucket = self.modulo(f"COALESCE({self.hash_expression(columns)}, 0)", partitions)
        return [f"{bucket} = {i}" for i in range(partitions)]

    # -- column handling (databases whose types Spark misreads) -------------------
    needs_column_plan: bool = False

    def columns_sql(self, schema: str | None, table: str) -> str:
        """A catalog query returning name, data_type, precision, scale for the table."""
        raise NotImplementedError

    def column_plan(self, columns: list[SourceColumn]) -> ColumnPlan:
        """The projection and type overrides for these columns."""
        return ColumnPlan("*")

    catalog_view: ClassVar[str] = "information_schema.columns"

    def catalog_name(self, identifier: str) -> str:
        """The validated name as the catalog stores it (raises on unsafe input)."""
        self.quote(identifier)
        return self.normalize(identifier)

    def current_schema_sql(self) -> str:
        """A one-value query naming the schema unqualified table names resolve in."""
        return "SELECT CURRENT_SCHEMA AS s"

    # -- the probe -------------------------------------------------------------------
    # What a SELECT of scalar subqueries only reads FROM (None: no FROM clause needed).
    dual_table: ClassVar[str | None] = None

    def select_without_table(self, select_list: str) -> str:
        """SELECT of expressions that need no table (Oracle adds FROM DUAL, Derby its own)."""
        sql = f"SELECT {select_list}"
        return f"{sql} FROM {self.dual_table}" if self.dual_table else sql

    def utc_aggregate(self, function: str, quoted_column: str) -> str | None:
        """MIN/MAX of a zoned timestamp column as a UTC timestamp (None: the driver's value)."""
        return None

    def session_init(self, module: str, action: str) -> str | None:
        """A statement run when each connection opens (None for nothing)."""
        return None

    def current_snapshot_sql(self) -> str:
        """The query for the current snapshot token; only flashback databases have one."""
        raise NotImplementedError(f"{self.name} has no flashback query")

    def flashback_clause(self, snapshot: str | None) -> str:
        """AS OF clause for consistent reads; only some databases have one."""
        if snapshot:
            raise NotImplementedError(f"{self.name} has no flashback query")
        return ""


def wall_clock(value: dt.datetime) -> str:
    """'YYYY-MM-DD HH:MM:SS.ffffff'; an aware value as its UTC wall clock."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def number_literal(value: Decimal) -> str:
    """A plain decimal literal: never exponent notation, which SQL reads as a float."""
    if not value.is_finite():
        raise ValueError(f"no SQL literal for {value}")
    return format(value, "f")


def utc_instant(value: dt.datetime) -> str:
    """An aware timestamp as 'YYYY-MM-DD HH:MM:SS.ffffff +00:00': the instant, in UTC."""
    return f"{wall_clock(value)} +00:00"


def spark_number_type(mapping: str) -> str:
    """number_mapping as a Spark type: 'decimal(p,s)', 'string' or 'double'."""
    text = mapping.strip().lower()
    if text in ("string", "double"):
        return text.upper()
    match = DECIMAL_MAPPING.match(text)
    if match:
        precision, scale = int(match.group(1)), int(match.group(2))
        if 1 <= precision <= 38 and scale <= precision:
            return f"DECIMAL({precision},{scale})"
    raise ValueError(
        f"number_mapping {mapping!r} is not one of: decimal(p,s) with p <= 38, string, double"
    )


def sql_string(value: str) -> str:
    """A single-quoted SQL literal, quotes doubled and control characters dropped."""
    clean = "".join(ch for ch in value if ch >= " " or ch == "\t")
    return "'" + clean.replace("'", "''") + "'"
