"""Oracle for the Arrow engine: the JDBC dialect, with NUMBERs of unknown scale read as text.

python-oracledb hands NUMBER(p,s) over as an exact decimal128(p,s) (`fetch_decimals`), but a
bare NUMBER, NUMBER(*,s) or a negative scale has no Arrow decimal of its own and would arrive
as a double. Those columns are selected as their exact text (`TO_CHAR(c, 'TM9')`, '.' as the
decimal mark whatever the session's NLS settings) and cast to the Spark type the dialect
chose for them, so no digit is lost or rounded on the way.
"""

from __future__ import annotations

from ..jdbc.dialect import SourceColumn
from ..jdbc.oracle import OracleDialect
from ..jdbc.oracle_columns import ColumnRead

EXACT_TEXT = "TO_CHAR({column}, 'TM9', 'NLS_NUMERIC_CHARACTERS=''.,''')"


class ArrowOracleDialect(OracleDialect):
    """OracleDialect whose column reads keep NUMBERs of unknown scale as exact text."""

    def column_read(self, column: SourceColumn, quoted: str) -> ColumnRead:
        """The JDBC read, but NUMBER/FLOAT overrides other than DOUBLE select exact text."""
        expression, spark_type, note = super().column_read(column, quoted)
        if spark_type and spark_type != "DOUBLE" and expression == quoted:
            expression = f"{EXACT_TEXT.format(column=quoted)} AS {quoted}"
        return expression, spark_type, note


def for_arrow(dialect: OracleDialect) -> ArrowOracleDialect:
    """The same dialect (number mapping, time zone) with the Arrow engine's column reads."""
    arrow = ArrowOracleDialect.__new__(ArrowOracleDialect)
    arrow.__dict__.update(vars(dialect))
    return arrow
