"""Reads the tables file (JSON, or YAML by extension) into validated TableSpecs."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..domain.errors import InputError, Problem
from ..domain.model import TableSpec
from ..domain.specs import parse_table_specs


def load_tables(path: Path, default_source: str | None) -> tuple[TableSpec, ...]:
    """Parse and validate; every problem names the file, the table and the key."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            [Problem(where, None, f"cannot read tables file: {exc.strerror}")]
        ) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise InputError(
                [Problem(where, None, f"not valid YAML{at}: {getattr(exc, 'problem', exc)}")]
            ) from None
    else:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                [
                    Problem(
                        where,
                        None,
                        f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                    )
                ]
            ) from None
    return parse_table_specs(raw, where, default_source)
