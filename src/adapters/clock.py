"""The real clock."""

from __future__ import annotations

import datetime as dt
import time


class SystemClock:
    """UTC wall-clock time and real sleeping."""

    def now(self) -> dt.datetime:
        """Now, aware, in UTC."""
        return dt.datetime.now(dt.UTC)

    def sleep(self, seconds: float) -> None:
        """Block the calling thread."""
        time.sleep(seconds)
