"""Validation of the tables file's entries into TableSpecs, reporting every problem at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InputError, Problem
from .model import Strategy, TableSpec
from .spec_fields import (
    Collector,
    check_date,
    check_flashback,
    check_identifier,
    check_identifiers,
    check_initial_watermark,
    check_lookback,
    check_positive_int,
    check_source_name,
    check_text,
    check_texts,
)

# Parsers the config reads too; their home is spec_values.
from .spec_values import (
    PATH_SEGMENT,
    did_you_mean,
    parse_initial_watermark,
    parse_lookback,
)

__all__ = [
    "PATH_SEGMENT",
    "did_you_mean",
    "parse_initial_watermark",
    "parse_lookback",
    "parse_table_specs",
    "unended_days",
]

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
    c = Collector(f"{file_name}: {label}")
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


def _fields(entry: Mapping[str, Any], c: Collector, default_source: str | None) -> dict:
    get = entry.get
    fields: dict[str, Any] = {
        "table_name": check_identifier(c, "table_name", get("table_name"), required=True),
        "source_name": check_source_name(c, get("source_name", default_source)),
        "schema_name": check_identifier(c, "schema_name", get("schema_name")),
        "incremental_column": check_identifier(c, "incremental_column", get("incremental_column")),
        "split_column": check_identifier(c, "split_column", get("split_column")),
        "custom_query": check_text(c, "custom_query", get("custom_query")),
        "extraction_date": check_date(c, get("extraction_date")),
        "lookback": check_lookback(c, get("lookback")),
        "primary_key": check_identifiers(c, "primary_key", get("primary_key")),
        "predicates": check_texts(c, "predicates", get("predicates")),
        "flashback": check_flashback(c, get("flashback")),
        "initial_watermark": check_initial_watermark(c, get("initial_watermark")),
    }
    for key in ("num_partitions", "fetch_size", "rows_per_file"):
        fields[key] = check_positive_int(c, key, get(key))
    fields["strategy"] = _strategy(c, entry, fields)
    start = fields["initial_watermark"]
    is_day = isinstance(start, dt.date) and not isinstance(start, dt.datetime)
    if fields["strategy"] is Strategy.DAILY and start is not None and not is_day:
        c.add("initial_watermark", f"{start} is not a day; a daily table starts at a YYYY-MM-DD")
    return fields


def _parses(value: str) -> bool:
    try:
        parse_initial_watermark(value)
    except ValueError:
        return False
    return True


def _strategy(c: Collector, entry: Mapping[str, Any], fields: dict) -> Strategy:
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
