"""JSON forms of the domain's value objects: manifests, state files and run reports."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..domain.model import (
    CursorValue,
    Manifest,
    PendingCommit,
    RunReport,
    TableResult,
    TableState,
    Window,
    WriteStats,
)

# Versions of the JSON documents the tool writes (README "JSON formats"). A reader accepts its
# own version and older ones; a change that breaks a reader of the old shape bumps the number.
REPORT_FORMAT = 1
PLAN_FORMAT = 1
# State files: 1 = written before state files carried a version (no "days", no
# "staging_path"); 2 = today's. Older files are migrated when read; newer ones are refused.
STATE_FORMAT = 2


class NewerFormatError(ValueError):
    """A file written by a newer data-extractor, in a format this one cannot read."""


def cursor_to_json(value: CursorValue | None) -> dict[str, str] | None:
    """A cursor value tagged with its type, so it reads back exactly."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return {"type": "timestamp", "value": value.isoformat()}
    if isinstance(value, dt.date):
        return {"type": "date", "value": value.isoformat()}
    if isinstance(value, int):
        return {"type": "integer", "value": str(value)}
    if isinstance(value, Decimal):
        return {"type": "decimal", "value": str(value)}
    raise TypeError(f"not a cursor value: {value!r}")


def cursor_from_json(data: dict[str, str] | None) -> CursorValue | None:
    """The inverse of cursor_to_json."""
    if data is None:
        return None
    kind, text = data["type"], data["value"]
    parsers: dict[str, Callable[[str], CursorValue]] = {
        "timestamp": dt.datetime.fromisoformat,
        "date": dt.date.fromisoformat,
        "integer": int,
        "decimal": Decimal,
    }
    return parsers[kind](text)


def window_to_json(window: Window | None) -> dict[str, Any] | None:
    """A window with typed bounds; None stays None."""
    if window is None:
        return None
    return {
        "column": window.column,
        "lower": cursor_to_json(window.lower),
        "upper": cursor_to_json(window.upper),
        "lower_inclusive": window.lower_inclusive,
        "upper_inclusive": window.upper_inclusive,
        "include_nulls": window.include_nulls,
    }


def window_from_json(data: dict[str, Any] | None) -> Window | None:
    """The inverse of window_to_json."""
    if data is None:
        return None
    return Window(
        data["column"],
        cursor_from_json(data["lower"]),
        cursor_from_json(data["upper"]),
        data["lower_inclusive"],
        data["upper_inclusive"],
        data["include_nulls"],
    )


def stats_to_json(stats: WriteStats | None) -> dict[str, Any] | None:
    """Rows, files and bytes written, with the Spark schema as JSON."""
    if stats is None:
        return None
    return {
        "rows": stats.rows,
        "files": stats.files,
        "bytes": stats.bytes,
        "schema": json.loads(stats.schema_json) if stats.schema_json else None,
    }


def manifest_to_json(manifest: Manifest) -> str:
    """The `_manifest.json` text."""
    body = {
        "format_version": 1,
        "run_id": manifest.run_id,
        "table": manifest.table,
        "mode": manifest.mode.value,
        "output_path": manifest.output_path,
        **(stats_to_json(manifest.stats) or {}),
        "window": window_to_json(manifest.window),
        "source_query": manifest.source_query,
        "snapshot": manifest.snapshot,
        "started_at": manifest.started_at.isoformat(),
        "finished_at": manifest.finished_at.isoformat(),
    }
    return json.dumps(body, indent=2)


def state_to_json(state: TableState) -> str:
    """A table's state file text."""
    pending = state.pending
    body = {
        "format_version": STATE_FORMAT,
        "version": state.version,
        "watermark": cursor_to_json(state.watermark),
        "last_run_id": state.last_run_id,
        "last_output_path": state.last_output_path,
        "previous_watermark": cursor_to_json(state.previous_watermark),
        "previous_run_id": state.previous_run_id,
        "last_rows": state.last_rows,
        "last_bytes": state.last_bytes,
        "days": [[first.isoformat(), last.isoformat()] for first, last in state.days],
        "pending": None
        if pending is None
        else {
            "run_id": pending.run_id,
            "output_path": pending.output_path,
            "watermark": cursor_to_json(pending.watermark),
            "window": window_to_json(pending.window),
            "staging_path": pending.staging_path,
        },
    }
    return json.dumps(body, indent=2)


def state_from_json(text: str) -> TableState:
    """The inverse of state_to_json, for this format and every older one."""
    data = migrate_state(json.loads(text))
    pending = data.get("pending")
    return TableState(
        watermark=cursor_from_json(data.get("watermark")),
        last_run_id=data.get("last_run_id"),
        last_output_path=data.get("last_output_path"),
        previous_watermark=cursor_from_json(data.get("previous_watermark")),
        previous_run_id=data.get("previous_run_id"),
        last_rows=data.get("last_rows"),
        last_bytes=data.get("last_bytes"),
        # States written before days were kept have none: covered_days() infers them.
        days=tuple(
            (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
            for first, last in data.get("days") or ()
        ),
        pending=None
        if pending is None
        else PendingCommit(
            pending["run_id"],
            pending["output_path"],
            cursor_from_json(pending["watermark"]),
            window_from_json(pending["window"]),
            pending.get("staging_path"),
        ),
        version=data["version"],
    )


def migrate_state(data: dict[str, Any]) -> dict[str, Any]:
    """A state file's JSON in today's format (refusing one from a newer tool)."""
    version = data.get("format_version", 1)
    if not isinstance(version, int) or version > STATE_FORMAT:
        raise NewerFormatError(
            f"state format {version!r}; this data-extractor reads up to {STATE_FORMAT}: upgrade it"
        )
    if version == 1:
        # Format 1 kept no committed days (covered_days() infers them from the watermark) and
        # no redo staging path (no redo was in flight): both start empty.
        data = {**data, "days": data.get("days") or [], "format_version": 2}
        if data.get("pending"):
            data["pending"] = {"staging_path": None, **data["pending"]}
    return data


def result_to_json(result: TableResult) -> dict[str, Any]:
    """One table's line of the run report."""
    return {
        "table": result.table,
        "day": result.day.isoformat() if result.day else None,
        "status": result.status.value,
        "mode": result.mode.value if result.mode else None,
        "output_path": result.output_path,
        "window": window_to_json(result.window),
        **{k: v for k, v in (stats_to_json(result.stats) or {}).items() if k != "schema"},
        "seconds": round(result.seconds, 3),
        "attempts": result.attempts,
        "error": result.error,
        "note": result.note,
    }


def report_to_json(report: RunReport) -> str:
    """The run report: what every table did, and the exit code it leads to."""
    body = {
        "format_version": REPORT_FORMAT,
        "run_id": report.run_id,
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "exit_code": report.exit_code,
        "tables": [result_to_json(r) for r in report.results],
    }
    return json.dumps(body, indent=2)
