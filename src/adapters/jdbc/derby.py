"""Apache Derby, embedded: the driver ships inside pyspark, so the demo needs nothing else."""

from __future__ import annotations

import datetime as dt

from .dialect import Dialect, wall_clock
from .settings import JdbcSettings


class DerbyDialect(Dialect):
    """Derby embedded (jdbc:derby:/path); names fold to upper case."""

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

    def hash_expression(self, columns: list[str]) -> str:
        """Derby has no string hash function: only numeric keys split evenly."""
        if len(columns) != 1:
            raise NotImplementedError("derby splits only on one numeric column")
        return f"ABS({self.quote(columns[0])})"
