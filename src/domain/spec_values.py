"""Parsers of single tables-file values: identifiers, dates, watermarks, durations, sizes."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .cursor import CursorValue, Lookback

# Quoting makes mixed case, $, # and reserved words safe; anything else (quotes,
# semicolons, spaces, comment markers) has no business in a table or column name.
# A name in double quotes is kept exactly as written (the database's case folding is skipped).
IDENTIFIER = re.compile(r'^(?:[A-Za-z_][A-Za-z0-9_$#]{0,127}|"[A-Za-z0-9_$# ]{1,128}")$')
PATH_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.$#-]{0,127}$")
DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?|w|weeks?)\s*$"
)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fullmatch: YYYY-MM-DD and nothing else
# YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional offset (+HH:MM or Z): a timestamp cursor.
ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# A flashback snapshot: an SCN (digits) or a timestamp 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
FLASHBACK = re.compile(r"^(\d{1,20}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?)$")


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """' (did you mean X?)' when a close match exists, else ''."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_initial_watermark(value: Any) -> CursorValue:
    """'2024-01-31' -> a date, '2024-01-31 06:00[:00][+02:00]' -> a timestamp, 42 -> a number."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if ISO_DATE.fullmatch(text):
        return dt.date.fromisoformat(text)
    if ISO_TIMESTAMP.fullmatch(text):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if NUMBER.fullmatch(text):
        number = Decimal(text)
        return int(number) if "." not in text else number
    raise ValueError(value)


def parse_lookback(value: Any) -> Lookback:
    """'2h', '30 minutes', '1d' -> a duration; 100 or '100' -> a numeric margin."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        amount = Decimal(str(value))
    else:
        match = DURATION.match(str(value))
        if match:
            seconds = float(match.group(1)) * UNIT_SECONDS[match.group(2)[0]]
            return Lookback(dt.timedelta(seconds=seconds))
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(value) from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError(value)
    return Lookback(amount)
