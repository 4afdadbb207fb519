"""Turns Spark and JDBC driver exceptions into the domain's errors, with one readable line."""

from __future__ import annotations

import re

from ..domain.errors import ExtractionError, TransientSourceError

# Failures that a retry can cure: the network or the server hiccuped, the data is fine.
TRANSIENT = re.compile(
    r"connection reset|broken pipe|timed out|timeout|socketexception|"
    r"communications link failure|i/o error|connection is closed|"
    r"terminating connection due to administrator command|ORA-03113|ORA-03114|ORA-12170",
    re.IGNORECASE,
)


def root_message(exc: BaseException) -> str:
    """The innermost Java cause's message when there is one, else the Python message."""
    java = getattr(exc, "java_exception", None)
    message = None
    while java is not None:
        try:
            text = java.getMessage()
            message = f"{java.getClass().getSimpleName()}: {text}" if text else message
            java = java.getCause()
        except Exception:  # noqa: BLE001 - the JVM may be gone; keep what we have
            break
    if message:
        return message
    text = str(exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "JVM stacktrace", "Traceback")):
            return line
    return type(exc).__name__


def translate(exc: BaseException, what: str) -> ExtractionError:
    """A domain error for a failure while doing `what`, transient or not."""
    message = f"{what}: {root_message(exc)}"
    if TRANSIENT.search(message):
        return TransientSourceError(message)
    return ExtractionError(message)
