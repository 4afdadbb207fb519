"""How a failure is told in one line, for reports, findings and problems."""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """A short reason for a report: the exception's first non-empty line."""
    text = str(exc).strip() or type(exc).__name__
    first = text.splitlines()[0].strip()
    return first if len(first) <= 300 else first[:297] + "..."
