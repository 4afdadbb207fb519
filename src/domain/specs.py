"""Validation of the tables file's entries into TableSpecs, reporting every problem at once."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import InputError, Problem
from .model import CursorValue, Lookback, Strategy, TableSpec

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

TOP = ("tables",)  # the only key at the top of a tables file
KNOWN_KEYS = (
    "source_name",
    "table_name",
    "schema_name",
    "incremental_column",
    "extraction_date",
    "is_full_extract",
    "custom_query",
    "incremental_strategy",
    "lookback",
    "primary_key",
    "split_column",
    "num_partitions",
    "fetch_size",
    "rows_per_file",
    "predicates",
    "flashback",
    "initial_watermark",
)
# A flashback snapshot: an SCN (digits) or a timestamp 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
FLASHBACK = re.compile(r"^(\d{1,20}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?)$")


class _Collector:
    """Gathers problems for one table entry so the user sees all of them at once."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def add(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.where, key, message))


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """' (did you mean X?)' when a close match exists, else ''."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_table_specs(
    entries: Any,
    file_name: str,
    default_source: str | None = None,
    default_initial: str | None = None,
) -> tuple[TableSpec, ...]:
    """Validate raw tables-file entries; raise InputError listing every problem.

    `default_initial` is [extraction] initial_watermark, for entries that set none.
    """
    entries, problems = _table_list(entries, file_name)
    specs: list[TableSpec] = []
    if default_initial and not _parses(default_initial):
        default_initial = None  # the config's own check names it once, not once per table
    for index, entry in enumerate(entries):
        if default_initial and isinstance(entry, Mapping) and "initial_watermark" not in entry:
            entry = {**entry, "initial_watermark": default_initial}
        spec, found = _parse_entry(entry, file_name, index, default_source)
        problems.extend(found)
        if spec is not None:
            specs.append(spec)
    problems.extend(_duplicate_outputs(specs, file_name))
    if problems:
        raise InputError(problems)
    return tuple(specs)


def _table_list(entries: Any, file_name: str) -> tuple[list, list[Problem]]:
    """The list of table entries, or InputError saying what the file holds instead."""
    problems: list[Problem] = []
    if isinstance(entries, Mapping) and "tables" in entries:
        for key in sorted(set(entries) - {"tables"}, key=str):
            message = "unknown top-level key; the file holds only 'tables'"
            problems.append(Problem(file_name, str(key), message + did_you_mean(str(key), TOP)))
        entries = entries["tables"]
    elif isinstance(entries, Mapping):
        raise InputError([Problem(file_name, None, _no_tables_key(entries))])
    if isinstance(entries, list) and entries:
        return entries, problems
    if isinstance(entries, list):
        message = "the list of tables is empty; add at least one table"
    elif entries is None:
        message = 'the file holds no tables; write {"tables": [{"table_name": ...}, ...]}'
    else:
        message = f"expected a list of tables, got {_kind(entries)}"
    raise InputError([*problems, Problem(file_name, "tables", message)])


def _no_tables_key(entries: Mapping) -> str:
    if "table_name" in entries:
        return 'this is one table, not a list: write {"tables": [ ...this table... ]}'
    keys = ", ".join(repr(str(k)) for k in list(entries)[:5]) or "no keys"
    hint = next((h for k in entries if (h := did_you_mean(str(k), TOP))), "")
    return f"expected a 'tables' key holding the list of tables, found {keys}{hint}"


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"[:60]


def _parse_entry(
    entry: Any, file_name: str, index: int, default_source: str | None
) -> tuple[TableSpec | None, list[Problem]]:
    name = entry.get("table_name") if isinstance(entry, Mapping) else None
    label = f"table '{name}'" if isinstance(name, str) and name else f"table #{index + 1}"
    c = _Collector(f"{file_name}: {label}")
    if not isinstance(entry, Mapping):
        c.add(None, "each table must be an object with at least 'table_name'")
        return None, c.problems
    for key in entry:
        if key not in KNOWN_KEYS:
            c.add(str(key), "unknown key" + did_you_mean(str(key), KNOWN_KEYS))
    fields = _fields(entry, c, default_source)
    if c.problems:
        return None, c.problems
    return TableSpec(**fields), c.problems


def _fields(entry: Mapping[str, Any], c: _Collector, default_source: str | None) -> dict:
    get = entry.get
    fields: dict[str, Any] = {
        "table_name": _identifier(c, "table_name", get("table_name"), required=True),
        "source_name": _source_name(c, get("source_name", default_source)),
        "schema_name": _identifier(c, "schema_name", get("schema_name")),
        "incremental_column": _identifier(c, "incremental_column", get("incremental_column")),
        "split_column": _identifier(c, "split_column", get("split_column")),
        "custom_query": _text(c, "custom_query", get("custom_query")),
        "extraction_date": _date(c, get("extraction_date")),
        "lookback": _lookback(c, get("lookback")),
        "primary_key": _identifiers(c, "primary_key", get("primary_key")),
        "predicates": _texts(c, "predicates", get("predicates")),
        "flashback": _flashback(c, get("flashback")),
        "initial_watermark": _initial_watermark(c, get("initial_watermark")),
    }
    for key in ("num_partitions", "fetch_size", "rows_per_file"):
        fields[key] = _positive_int(c, key, get(key))
    fields["strategy"] = _strategy(c, entry, fields)
    start = fields["initial_watermark"]
    is_day = isinstance(start, dt.date) and not isinstance(start, dt.datetime)
    if fields["strategy"] is Strategy.DAILY and start is not None and not is_day:
        c.add("initial_watermark", f"{start} is not a day; a daily table starts at a YYYY-MM-DD")
    return fields


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


def _parses(value: str) -> bool:
    try:
        parse_initial_watermark(value)
    except ValueError:
        return False
    return True


def _initial_watermark(c: _Collector, value: Any) -> CursorValue | None:
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


def _flashback(c: _Collector, value: Any) -> str | None:
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


def _strategy(c: _Collector, entry: Mapping[str, Any], fields: dict) -> Strategy:
    full = entry.get("is_full_extract", False)
    if not isinstance(full, bool):
        c.add("is_full_extract", f"expected true or false (no quotes), got {full!r}")
        return Strategy.FULL
    raw = entry.get("incremental_strategy")
    if raw is not None and raw not in ("watermark", "daily"):
        c.add(
            "incremental_strategy",
            f"expected 'watermark' or 'daily', got {raw!r}"
            + did_you_mean(str(raw), ("watermark", "daily")),
        )
        return Strategy.FULL
    if fields["extraction_date"] is not None and raw == "watermark":
        c.add(
            "extraction_date",
            "extraction_date implies the 'daily' strategy, "
            "but incremental_strategy is 'watermark'; remove one of them",
        )
    if full:
        return Strategy.FULL
    if fields["incremental_column"] is None:
        if _cursor_reported(entry):
            return Strategy.FULL
        c.add(
            "incremental_column",
            "an incremental table needs a cursor column: set "
            "incremental_column, or set is_full_extract: true to copy the whole table",
        )
        return Strategy.FULL
    if raw == "daily" or fields["extraction_date"] is not None:
        return Strategy.DAILY
    return Strategy.WATERMARK


def _cursor_reported(entry: Mapping[str, Any]) -> bool:
    """A cursor was written but is invalid or misspelt: that problem is already reported."""
    if entry.get("incremental_column") not in (None, ""):
        return True
    hint = did_you_mean("incremental_column", [str(k) for k in entry if k not in KNOWN_KEYS])
    return bool(hint)


def _identifier(c: _Collector, key: str, value: Any, required: bool = False) -> str | None:
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


def _identifiers(c: _Collector, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        c.add(key, "expected a column name or a list of column names")
        return ()
    names = [_identifier(c, key, item, required=True) for item in items]
    return tuple(n for n in names if n)


def _source_name(c: _Collector, value: Any) -> str:
    if value is None or value == "":
        c.add("source_name", "is required (or set default_source in the config's [extraction])")
        return ""
    if not isinstance(value, str) or not PATH_SEGMENT.match(value):
        c.add("source_name", f"{value!r} cannot be a folder name: use letters, digits, _, -, .")
        return ""
    return value


def _text(c: _Collector, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        c.add(key, "expected non-empty text")
        return None
    return value.strip().rstrip(";")


def _texts(c: _Collector, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        c.add(key, "expected a list of SQL conditions, one per partition")
        return ()
    return tuple(v.strip() for v in value)


def _date(c: _Collector, value: Any) -> dt.date | None:
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


def _positive_int(c: _Collector, key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        hint = (
            f" (write {value} without quotes)" if isinstance(value, str) and value.isdigit() else ""
        )
        c.add(key, f"expected a whole number above 0, got {value!r}{hint}")
        return None
    return value


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


def _lookback(c: _Collector, value: Any) -> Lookback | None:
    if value is None:
        return None
    try:
        return parse_lookback(value)
    except ValueError:
        c.add(
            "lookback", f"{value!r} is not a duration or number; use e.g. '2h', '30m', '1d' or 500"
        )
        return None


def unended_days(
    specs: Sequence[TableSpec], file_name: str, today: dt.date, zone: str
) -> list[Problem]:
    """A problem for each extraction_date that has not ended yet in the run's time zone.

    Extracting it would commit a partial (or empty) day and move the watermark past rows
    that have not arrived yet.
    """
    return [
        Problem(
            f"{file_name}: table '{spec.table_name}'",
            "extraction_date",
            f"{spec.extraction_date.isoformat()} has not ended yet in {zone} "
            f"(today there is {today.isoformat()}); extract a day once it is over",
        )
        for spec in specs
        if spec.extraction_date is not None and spec.extraction_date >= today
    ]


def _duplicate_outputs(specs: Sequence[TableSpec], file_name: str) -> list[Problem]:
    seen: dict[str, TableSpec] = {}
    problems = []
    for spec in specs:
        key = f"{spec.source_name}/{spec.folder}".lower()
        if key in seen:
            problems.append(
                Problem(
                    f"{file_name}: table '{spec.table_name}'",
                    "table_name",
                    f"writes to the same output location as another entry ({seen[key].key}); "
                    "give one of them a different source_name",
                )
            )
        seen[key] = spec
    return problems
