"""Oracle's column plan: which columns Spark reads as they are, converted, or not at all."""

from __future__ import annotations

import re
from collections.abc import Callable

from .dialect import ColumnPlan, SourceColumn, UnsafeIdentifierError

# Spark reads these as they are (strings, numbers, binary, timestamps).
KEPT_TYPES = frozenset(
    {
        "VARCHAR2",
        "NVARCHAR2",
        "VARCHAR",
        "CHAR",
        "NCHAR",
        "CLOB",
        "NCLOB",
        "BLOB",
        "RAW",
        "DATE",
        "BINARY_FLOAT",
        "BINARY_DOUBLE",
        "BOOLEAN",
    }
)
# Spark (or the driver) cannot read these at all; they are left out with a warning.
UNREADABLE_TYPES = frozenset({"LONG", "LONG RAW", "BFILE"})
PLAIN_TIMESTAMP = re.compile(r"^TIMESTAMP(\(\d\))?$")
ZONED_TIMESTAMP = re.compile(r"^TIMESTAMP(\(\d\))? WITH (LOCAL )?TIME ZONE$")
INTERVAL = re.compile(r"^INTERVAL (YEAR|DAY)")


ColumnRead = tuple[str | None, str | None, str | None]


def oracle_column_plan(
    columns: list[SourceColumn],
    quote: Callable[[str], str],
    read: Callable[[SourceColumn, str], ColumnRead],
) -> ColumnPlan:
    """Select list and customSchema that read every readable column faithfully (`read` says
    how one column is selected: `column_read` with the dialect's number type)."""
    selected: list[str] = []
    schema: list[str] = []
    warnings: list[str] = []
    for column in columns:
        try:
            quoted = quote(f'"{column.name}"')
        except UnsafeIdentifierError:
            warnings.append(f"column {column.name!r} left out: its name cannot be quoted")
            continue
        expression, spark_type, note = read(column, quoted)
        if note:
            warnings.append(f"column {column.name} ({column.data_type}) {note}")
        if expression is None:
            continue
        selected.append(expression)
        if spark_type:
            schema.append(f"`{column.name}` {spark_type}")
    if not selected:
        raise ValueError("no column of the table can be read: " + "; ".join(warnings))
    return ColumnPlan(", ".join(selected), ", ".join(schema) or None, tuple(warnings))


def column_read(column: SourceColumn, quoted: str, number_type: str) -> ColumnRead:
    """(select expression or None to leave out, Spark type override, warning)."""
    data_type = column.data_type.upper().strip()
    if data_type in ("NUMBER", "FLOAT"):
        return quoted, number_override(data_type, column, number_type), None
    if data_type in KEPT_TYPES or PLAIN_TIMESTAMP.match(data_type):
        return quoted, None, None
    if ZONED_TIMESTAMP.match(data_type):
        return f"SYS_EXTRACT_UTC({quoted}) AS {quoted}", None, "read as UTC"
    converted = {
        "XMLTYPE": f"XMLSERIALIZE(CONTENT {quoted} AS CLOB)",
        "JSON": f"JSON_SERIALIZE({quoted} RETURNING CLOB)",
        "ROWID": f"ROWIDTOCHAR({quoted})",
        "UROWID": f"CAST({quoted} AS VARCHAR2(4000))",
    }.get(data_type)
    if converted is None and INTERVAL.match(data_type):
        converted = f"TO_CHAR({quoted})"
    if converted is not None:
        return f"{converted} AS {quoted}", None, "read as text"
    reason = "is not readable over JDBC" if data_type in UNREADABLE_TYPES else "has no mapping"
    return None, None, f"left out: the type {reason}"


def number_override(data_type: str, column: SourceColumn, number_type: str) -> str | None:
    """Spark type for NUMBER/FLOAT columns whose JDBC metadata Spark misreads."""
    precision, scale = column.precision, column.scale
    if data_type == "FLOAT":
        # FLOAT(b) has a binary precision (b bits, 126 at most): a double holds its
        # magnitudes; a fixed decimal scale would turn values below 1e-18 into 0.
        return "DOUBLE"
    # Bare NUMBER reports scale -127; Spark would cut it to DECIMAL(38,10).
    if precision is None and scale is None:
        return number_type
    if precision is None:
        # NUMBER(*,s) (INTEGER is NUMBER(*,0)): 38 digits, said here, not left to the driver.
        return f"DECIMAL(38,{max(0, min(38, scale or 0))})"
    if scale is not None and scale < 0:
        return f"DECIMAL({min(38, precision - scale)},0)"
    if scale is not None and scale > precision:
        return f"DECIMAL({min(38, scale)},{min(38, scale)})"
    return None
