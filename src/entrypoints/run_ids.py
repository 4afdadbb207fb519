"""A run's name and its day: what `run`, `plan` and `validate` each work out the same way."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ..domain.errors import InputError, Problem
from ..domain.specs import PATH_SEGMENT


def run_name(run_id: str | None, clock_now: dt.datetime) -> str:
    """The --run-id as given (checked: it names a folder), else one from the clock."""
    if run_id is None:
        return clock_now.strftime("%Y%m%d_%H%M%S")
    if not PATH_SEGMENT.match(run_id):
        problem = Problem(
            "--run-id", None, f"{run_id!r} cannot be a file name; use letters, digits, _ - ."
        )
        raise InputError([problem])
    return run_id


def today(timezone: str | None, now: dt.datetime) -> dt.date:
    """The day it is now in [extraction] timezone (UTC when unset)."""
    tz = zoneinfo.ZoneInfo(timezone or "UTC")
    return now.astimezone(tz).date()
