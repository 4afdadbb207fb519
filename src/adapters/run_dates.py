"""RunDateRecords: the date each run recorded on its first start, reused by its reruns."""

from __future__ import annotations

import datetime as dt
import json

from .files import FileSystem
from .state_versions import CorruptStateError


class RunDateRecords:
    """`runs/<run id>.json`, published exclusively: the first start's date wins."""

    def __init__(self, fs: FileSystem, root: str) -> None:
        self._fs = fs
        self._root = root

    def run_date(self, run_id: str, today: dt.date) -> dt.date:
        """The date recorded for run_id, recording today if the run is new."""
        path = f"{self._root}/runs/{run_id}.json"
        self._fs.publish_text(path, json.dumps({"run_id": run_id, "date": today.isoformat()}))
        recorded = self.recorded_run_date(run_id)
        return recorded if recorded is not None else today  # a store slow to show the file

    def recorded_run_date(self, run_id: str) -> dt.date | None:
        """The date run_id recorded on its first start, or None if it never started."""
        path = f"{self._root}/runs/{run_id}.json"
        text = self._fs.read_text(path)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(json.loads(text or "")["date"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptStateError(
                f"run record {path} is unreadable ({type(exc).__name__}); delete it to record "
                "today as the run's date"
            ) from exc
