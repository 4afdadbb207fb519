"""The port every Spark adapter reads its session through; the composition root owns it."""

from __future__ import annotations

from typing import Any, Protocol

# The session is typed Any on purpose: it is a classic pyspark.sql.SparkSession or a Spark
# Connect one (another class), and pyspark is an optional extra this module must not import.
Session = Any


class SessionProvider(Protocol):
    """Hands out the one Spark session the adapters share, and stops it when the run ends."""

    def get(self) -> Session:
        """The session, created or found on first use; raises when there can be none."""

    def stop(self) -> None:
        """End this provider's hold on the session (stopping it only if it built it)."""


class BorrowedSessions(SessionProvider, Protocol):
    """A provider of a session that someone else runs (Databricks): it may not be there."""

    def active(self) -> Session:
        """The running session, or None; never creates one."""
