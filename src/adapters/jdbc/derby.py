"""Apache Derby, embedded: the driver ships inside pyspark, so the demo needs nothing else."""

from __future__ import annotations

import datetime as dt

from .dialect import Dialect, wall_clock
from .settings import JdbcSettings


class DerbyDialect(Dialect):
    """Derby embedded (jdbc:derby:/path); names fold to upper case.

    Derby has no hash function, so text keys are not split (the base hooks raise
    NotImplementedError and the reader reads one partition); numbers and dates split by range.
    """

    name = "derby"
    driver = "org.apache.derby.jdbc.EmbeddedDriver"
    case_folding = "upper"
    dual_table = "SYSIBM.SYSDUMMY1"

    def build_url(self, settings: JdbcSettings) -> str:
        """jdbc:derby:/path/to/db (the database setting is the path)."""
        if not settings.database:
            raise ValueError("derby needs 'database' = the database directory")
        return f"jdbc:derby:{settings.database}"

    def timestamp_literal(self, value: dt.datetime) -> str:
        """Derby spells typed literals as functions."""
        return f"TIMESTAMP('{wall_clock(value)}')"

    def date_literal(self, value: dt.date) -> str:
        """DATE('yyyy-mm-dd')."""
        return f"DATE('{value.isoformat()}')"
