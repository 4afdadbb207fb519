"""The tool's log lines: text or JSON objects on stderr, every one redacted before it prints."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator

from ..adapters.secrets import RedactingFilter, Redactor


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line (time, level, logger, message, exception) for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON; the redacting filter has already rendered its message."""
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def setup_logging(redactor: Redactor, level: str = "info", log_format: str = "text") -> None:
    """Log lines (text, or JSON objects) to stderr, every one redacted before it is printed."""
    handler = logging.StreamHandler(sys.stderr)
    text = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(JsonLogFormatter() if log_format == "json" else text)
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger("data_extractor")
    root.handlers = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    logging.getLogger("py4j").setLevel(logging.WARNING)


def logging_lifecycle(
    redactor: Redactor, level: str | None, log_format: str | None
) -> Iterator[None]:
    """The container's logging resource: set up on init, flushed on shutdown."""
    setup_logging(redactor, level or "info", log_format or "text")
    yield
    for handler in logging.getLogger("data_extractor").handlers:
        handler.flush()
