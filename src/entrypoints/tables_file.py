"""Reads the tables file (JSON, or YAML by extension) into validated TableSpecs."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any

import yaml

from ..domain.errors import InputError, Problem
from ..domain.model import TableSpec
from ..domain.specs import parse_table_specs, unended_days

BOOL_TAG = "tag:yaml.org,2002:bool"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, dates kept as text, and repeated keys recorded.

    `yes`/`no`/`on`/`off` stay text (so `source_name: no` is not False), and dates reach the
    validator as written (so 2024-02-30 gets a message naming its table, not a crash).
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (BOOL_TAG, TIMESTAMP_TAG)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[tuple[str, int]] = []

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        """A mapping, noting every key written twice in it (YAML would keep only the last)."""
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == MERGE_TAG:
                continue
            if key_node.value in seen:
                self.repeated.append((key_node.value, key_node.start_mark.line + 1))
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


StrictYamlLoader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read(path: Path) -> str:
    where = str(path)
    try:
        return path.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is dropped
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError([Problem(where, None, f"cannot read tables file: {reason}")]) from None
    except UnicodeDecodeError as exc:
        message = (
            f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save it as UTF-8"
        )
        raise InputError([Problem(where, None, message)]) from None


def parse_yaml(text: str, where: str) -> tuple[Any, list[Problem]]:
    """The YAML document, and a problem for each key written twice in one mapping."""
    loader = StrictYamlLoader(text)
    try:
        raw = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}" if mark else ""
        column = f" (column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{problem}, {context}" if context else problem
        if "'\\t'" in detail:
            detail += " (YAML indents with spaces, never tabs)"
        raise InputError(
            [Problem(f"{where}{at}", None, f"not valid YAML{column}: {detail}")]
        ) from None
    finally:
        loader.dispose()
    repeated = [
        Problem(f"{where}:{line}", key, "is written twice in one table; keep only one")
        for key, line in loader.repeated
    ]
    return raw, repeated


def parse_json(text: str, where: str) -> tuple[Any, list[Problem]]:
    """The JSON document, and a problem for each key written twice in one object."""
    repeated: list[Problem] = []

    def pairs(items: list[tuple[str, Any]]) -> dict:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                repeated.append(
                    Problem(where, key, "is written twice in one object; keep only one")
                )
            seen.add(key)
        return dict(items)

    try:
        raw = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        hint = ""
        if "double quotes" in exc.msg:
            hint = " (JSON wants double-quoted keys and no comma after the last item)"
        message = f"not valid JSON (column {exc.colno}): {exc.msg}{hint}"
        raise InputError([Problem(f"{where}:{exc.lineno}", None, message)]) from None
    return raw, repeated


def load_tables(
    path: Path, default_source: str | None, default_initial: str | None = None
) -> tuple[TableSpec, ...]:
    """Parse and validate; every problem names the file, the table and the key.

    `default_initial` is [extraction] initial_watermark, for tables that set none.
    """
    where = str(path)
    text = _read(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        raw, problems = parse_yaml(text, where)
    else:
        raw, problems = parse_json(text, where)
    try:
        specs = parse_table_specs(raw, where, default_source, default_initial)
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise InputError(problems)
    return specs


def days_not_over(
    specs: tuple[TableSpec, ...], path: Path | str, timezone: str | None, now: dt.datetime
) -> list[Problem]:
    """Each extraction_date that is today or later in `timezone` (UTC when unset), as a problem."""
    zone = timezone or "UTC"
    today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    return unended_days(specs, str(path), today, zone)
