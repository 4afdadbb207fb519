"""The probe's text values read back: cursor values, split bounds, catalog numbers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ...domain.model import CursorValue

# Spark can split these by value ranges; anything else is split by hashing.
INTEGER_TYPES = ("integer", "long", "short", "byte")
UTC_TIMESTAMP = "timestamp_utc"  # a zoned value read back as its UTC wall clock
RANGE_TYPES = (*INTEGER_TYPES, "date", "timestamp", "timestamp_ntz", "timestamp_tz", UTC_TIMESTAMP)
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")
INTEGER_TEXT = re.compile(r"^[-+]?\d+$")


def integral(lo: str, hi: str, kind: str) -> bool:
    """Whether a key's bounds are whole numbers, so hi - lo + 1 bounds its row count."""
    if kind in INTEGER_TYPES:
        return True
    # NUMBER(p,0) and numeric(p,0) keys come back as decimals without a fraction.
    return kind.startswith("decimal") and "." not in lo + hi and "E" not in (lo + hi).upper()


def int_or_none(value: Any) -> int | None:
    """A catalog's precision or scale as an int (None stays None)."""
    return None if value is None else int(Decimal(str(value)))


def split_bound(text: str) -> int | Decimal | dt.date | dt.datetime:
    """A split key's MIN or MAX from the probe's text: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS.ffffff'
    or a plain number (the driver-side probe's forms, whatever the column's Spark type)."""
    text = text.strip()
    if DATE_TEXT.match(text):
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    value = Decimal(text)
    return int(value) if INTEGER_TEXT.match(text) else value


def parse_cursor(text: str | None, type_name: str) -> CursorValue | None:
    """A cursor value from Spark's string form of it, keeping its type."""
    if text is None:
        return None
    if text.strip().lower().lstrip("+-") in ("nan", "infinity", "inf"):
        raise ValueError(
            f"its highest value is {text}, which cannot bound a window; "
            "remove such values or filter them out with custom_query"
        )
    if type_name in ("integer", "long", "short", "byte"):
        return int(text)
    if type_name.startswith("decimal"):
        value = Decimal(text)
        return int(value) if value == value.to_integral_value() and "." not in text else value
    if type_name in ("float", "double"):
        return Decimal(text)
    if type_name == "date":
        return dt.date.fromisoformat(text)
    if type_name == UTC_TIMESTAMP:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    if type_name.startswith("timestamp"):
        return dt.datetime.fromisoformat(text)
    raise ValueError(f"cursor columns must be numeric, date or timestamp, not {type_name}")
