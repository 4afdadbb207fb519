"""The checks a config value passes: each returns a problem message, or None when fine."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping

from ..adapters.catalog_reader import CATALOG_TYPE
from ..adapters.jdbc import ALIASES, DIALECTS
from ..adapters.location import StorageLocation
from ..domain.errors import InputError, Problem
from ..domain.specs import did_you_mean, parse_initial_watermark

Check = Callable[[str], str | None]  # returns a problem message, or None when fine

BYTE_SIZE = re.compile(r"^\s*(\d+)\s*(?:([KMG])B?|B)?\s*$", re.IGNORECASE)
BYTE_UNITS = {None: 1, "K": 2**10, "M": 2**20, "G": 2**30}


def parse_byte_size(text: str) -> int:
    """'128MB' (or 128M, 1GB, 512KB, a plain number of bytes) in bytes, binary multiples."""
    match = BYTE_SIZE.match(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"expected a size such as 128MB, 1GB or 134217728, got {text!r}")
    unit = match.group(2).upper() if match.group(2) else None
    return int(match.group(1)) * BYTE_UNITS[unit]


def whole_number(minimum: int) -> Check:
    """A whole number of at least `minimum`."""

    def check(value: str) -> str | None:
        try:
            number = int(value)
        except ValueError:
            return f"expected a whole number, got {value!r}"
        return None if number >= minimum else f"must be at least {minimum}, got {number}"

    return check


def non_negative(value: str) -> str | None:
    """A number, zero or more."""
    try:
        return None if float(value) >= 0 else f"must not be negative, got {value}"
    except ValueError:
        return f"expected a number, got {value!r}"


def choice(*choices: str) -> Check:
    """One of `choices`, in any case."""

    def check(value: str) -> str | None:
        if value.lower() in choices:
            return None
        return f"{value!r} is not one of {', '.join(choices)}" + did_you_mean(value, choices)

    return check


def time_zone(value: str) -> str | None:
    """An IANA time zone name."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}; use an IANA name such as UTC or Europe/Paris"
    return None


def any_text(value: str) -> str | None:
    """Any text: the key is free-form (or checked elsewhere)."""
    return None


def initial_watermark(value: str) -> str | None:
    """A date, a timestamp or a number."""
    try:
        parse_initial_watermark(value)
    except ValueError:
        return (
            f"{value!r} is not a date (YYYY-MM-DD), a timestamp (YYYY-MM-DD HH:MM:SS, "
            "optionally +HH:MM) or a number"
        )
    return None


def spark_remote(value: str) -> str | None:
    """A Spark Connect URL: sc://host[:port][/;params] (the message never repeats params)."""
    if re.fullmatch(r"sc://[^/\s:@]+(:\d+)?(/;\S*)?", value.strip()):
        return None
    return (
        f"{masked_remote(value)!r} is not a Spark Connect URL; write sc://host:port "
        "(e.g. sc://localhost:15002, parameters after /;)"
    )


def masked_remote(value: str) -> str:
    """A remote as it may be shown: its parameters (token=...) and any user:password@ hidden."""
    address, params, _ = value.strip().partition(";")
    address = re.sub(r"(?<=//)[^/@]*@", "***@", address)
    return f"{address};***" if params else address


def environment_remote(configured: str | None, environ: Mapping[str, str]) -> list[Problem]:
    """SPARK_REMOTE checked like [spark] remote, when it is the remote this run would use."""
    value = environ.get("SPARK_REMOTE")
    message = spark_remote(value) if value and not configured else None
    return [Problem("environment", "SPARK_REMOTE", message)] if message else []


def database_types() -> tuple[str, ...]:
    """The [database] types a dialect is registered for, and the catalog source."""
    return tuple(sorted([*DIALECTS, CATALOG_TYPE]))


def database_type(value: str) -> str | None:
    """A [database] type a dialect is registered for (or one of its aliases)."""
    name = ALIASES.get(value.lower(), value.lower())
    if name in DIALECTS or name == CATALOG_TYPE:
        return None
    known = database_types()
    return f"{value!r} is not a supported database type; use one of {', '.join(known)}" + (
        did_you_mean(value.lower(), [*known, *ALIASES])
    )


def location_problem(value: str, platform: str = "local") -> str | None:
    """Why no storage accepts a path as written on this platform, or None when one does."""
    try:
        location = StorageLocation.parse(value, platform=platform)
    except InputError as exc:
        return getattr(exc, "reason", None) or "; ".join(p.message for p in exc.problems)
    except ValueError as exc:
        return str(exc)
    if location.kind == "dbfs" and platform != "databricks":
        return (
            "DBFS exists only on Databricks, and this run is local; write a local path or an "
            "object-store URI, or run on Databricks (--databricks, [runtime] platform = databricks)"
        )
    return None


def number_mapping(value: str) -> str | None:
    """decimal(p,s), string or double."""
    if re.fullmatch(r"(?i)string|double|decimal\(\s*\d{1,2}\s*,\s*\d{1,2}\s*\)", value.strip()):
        return None
    return f"{value!r} is not a number mapping; use decimal(38,18), decimal(p,s), string or double"


def byte_size(value: str) -> str | None:
    """A size such as 128MB (see parse_byte_size)."""
    try:
        parse_byte_size(value)
    except ValueError as exc:
        return str(exc)
    return None
