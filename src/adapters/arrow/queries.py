"""The probe's and the catalog's small queries through an Arrow driver, answered as DriverQuery
answers them: {lower-case column: (value as text, kind)}, so the JDBC reader's SQL and parsing
(probe, cursor values, split bounds, column plans) serve the Arrow engine unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa

from .drivers import ArrowDriver
from .types import _extension_name

Row = dict[str, tuple[str | None, str]]


def kind_of(field: pa.Field) -> str:
    """The reader's type name for an Arrow column (Spark's names, as DriverQuery gives them)."""
    kind = field.type
    if _extension_name(field) == "numeric" or pa.types.is_decimal(kind):
        return "decimal"
    if pa.types.is_integer(kind):
        if kind == pa.uint64():
            return "decimal"
        names = {8: "byte", 16: "short", 32: "integer"}
        return "long" if pa.types.is_unsigned_integer(kind) else names.get(kind.bit_width, "long")
    if pa.types.is_floating(kind):
        return "double"
    if pa.types.is_date(kind):
        return "date"
    if pa.types.is_timestamp(kind):
        return "timestamp_tz" if kind.tz else "timestamp"
    if pa.types.is_boolean(kind):
        return "boolean"
    return "string"


def value_text(value: Any, kind: str) -> str | None:
    """A value in the text form parse_cursor and split_bound read (DriverQuery's forms)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if kind == "timestamp_tz":
            value = value.astimezone(dt.UTC)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ArrowQuery:
    """DriverQuery's interface over an ArrowDriver: no JVM, no Spark session."""

    def __init__(self, driver: ArrowDriver) -> None:
        self._driver = driver

    def first_row(self, sql: str, options: dict[str, str]) -> Row:
        """The first row as {lower-case column name: (value as text, kind)}."""
        found = self.rows(sql, options, limit=1)
        return found[0] if found else {}

    def rows(self, sql: str, options: dict[str, str], limit: int = 10_000) -> list[Row]:
        """Up to `limit` rows (the options are Spark's: the driver has its own connection)."""
        table = self._driver.table(sql)
        kinds = [kind_of(field) for field in table.schema]
        names = [field.name.lower() for field in table.schema]
        found = []
        for record in table.slice(0, limit).to_pylist():
            values = record.values()
            found.append(
                {
                    name: (value_text(value, kind), kind)
                    for name, value, kind in zip(names, values, kinds, strict=True)
                }
            )
        return found

    def ping(self, options: dict[str, str], sql: str) -> None:
        """Log in, run `sql` (SELECT 1), log out: raises what the driver raises when it cannot."""
        self._driver.table(sql)
