"""Checks of one key of a tables-file entry, each adding a problem instead of raising."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .cursor import CursorValue, Lookback
from .errors import Problem
from .spec_values import (
    FLASHBACK,
    IDENTIFIER,
    ISO_DATE,
    PATH_SEGMENT,
    parse_initial_watermark,
    parse_lookback,
)


class Collector:
    """Gathers problems for one table entry so the user sees all of them at once."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def add(self, key: str | None, message: str) -> None:
        """Record a problem with this entry's key (None: the entry as a whole)."""
        self.problems.append(Problem(self.where, key, message))


def check_initial_watermark(c: Collector, value: Any) -> CursorValue | None:
    """initial_watermark as a cursor value, or None (a problem when unparseable)."""
    if value is None:
        return None
    try:
        return parse_initial_watermark(value)
    except ValueError as exc:
        detail = f": {exc}" if str(exc) != str(value) else ""
        c.add(
            "initial_watermark",
            f"{value!r} is not a date (YYYY-MM-DD), a timestamp (YYYY-MM-DD HH:MM:SS, "
            f"optionally +HH:MM) or a number{detail}",
        )
        return None


def check_flashback(c: Collector, value: Any) -> str | None:
    """flashback as an SCN or timestamp text, or None (a problem when neither)."""
    if value is None:
        return None
    plain = isinstance(value, str | int) and not isinstance(value, bool)
    text = str(value).strip() if plain else ""
    if not FLASHBACK.match(text):
        c.add(
            "flashback",
            f"{value!r} is neither an SCN (digits) nor a timestamp 'YYYY-MM-DD HH:MM:SS'",
        )
        return None
    return text


def check_identifier(c: Collector, key: str, value: Any, required: bool = False) -> str | None:
    """A table or column name safe to quote, or None (a problem when unsafe or missing)."""
    if value is None or value == "":
        if required:
            c.add(key, "is required and must not be empty")
        return None
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        c.add(
            key,
            f"{value!r} is not a valid identifier: use letters, digits, _, $ or #, "
            "starting with a letter or _ (quoting is done for you)",
        )
        return None
    return value


def check_identifiers(c: Collector, key: str, value: Any) -> tuple[str, ...]:
    """One name or a list of names, each checked as an identifier."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        c.add(key, "expected a column name or a list of column names")
        return ()
    names = [check_identifier(c, key, item, required=True) for item in items]
    return tuple(n for n in names if n)


def check_source_name(c: Collector, value: Any) -> str:
    """source_name as a folder-safe name ("" with a problem when missing or unsafe)."""
    if value is None or value == "":
        c.add("source_name", "is required (or set default_source in the config's [extraction])")
        return ""
    if not isinstance(value, str) or not PATH_SEGMENT.match(value):
        c.add("source_name", f"{value!r} cannot be a folder name: use letters, digits, _, -, .")
        return ""
    return value


def check_text(c: Collector, key: str, value: Any) -> str | None:
    """Non-empty text without a trailing semicolon, or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        c.add(key, "expected non-empty text")
        return None
    return value.strip().rstrip(";")


def check_texts(c: Collector, key: str, value: Any) -> tuple[str, ...]:
    """A list of non-empty SQL conditions, or ()."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        c.add(key, "expected a list of SQL conditions, one per partition")
        return ()
    return tuple(v.strip() for v in value)


def check_date(c: Collector, value: Any) -> dt.date | None:
    """extraction_date as a date, or None (a problem when not YYYY-MM-DD)."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        c.add("extraction_date", f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2024-01-31")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        c.add("extraction_date", f"{value!r} is not a valid date: {exc}")
        return None


def check_positive_int(c: Collector, key: str, value: Any) -> int | None:
    """A whole number above 0, or None (a problem otherwise)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        hint = (
            f" (write {value} without quotes)" if isinstance(value, str) and value.isdigit() else ""
        )
        c.add(key, f"expected a whole number above 0, got {value!r}{hint}")
        return None
    return value


def check_lookback(c: Collector, value: Any) -> Lookback | None:
    """lookback as a duration or numeric margin, or None (a problem when neither)."""
    if value is None:
        return None
    try:
        return parse_lookback(value)
    except ValueError:
        c.add(
            "lookback", f"{value!r} is not a duration or number; use e.g. '2h', '30m', '1d' or 500"
        )
        return None
