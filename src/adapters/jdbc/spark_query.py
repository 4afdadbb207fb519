"""The probe and catalog lookups as Spark queries (JDBC `query` option): the Spark Connect path.

A Connect client has no JVM to open a driver-side JDBC connection in, so the same SQL runs as
a small Spark job. Values come back as the text DriverQuery gives, typed from the result's
Spark schema, so the domain sees identical probes whichever path answered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

# Spark type names (DataType.typeName()) -> the kinds DriverQuery reports for the same column.
SPARK_KINDS = {
    "boolean": "boolean",
    "byte": "byte",
    "short": "short",
    "integer": "integer",
    "long": "long",
    "float": "double",
    "double": "double",
    "decimal": "decimal",
    "date": "date",
    "timestamp_ntz": "timestamp",
    "timestamp": "timestamp_tz",  # Spark's zoned type: an instant
}
# Spark's JDBC source reads a NUMERIC without precision as DECIMAL(38,18) (Oracle's bare NUMBER
# as DECIMAL(38,10)); such values are trimmed back to the digits the database holds, as the
# driver hands them over.
UNBOUNDED_DECIMALS = ((38, 18), (38, 10))
INSTANT_PREFIX = "_instant_"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# The Spark JDBC option naming a Unity Catalog connection (Databricks), which holds the URL,
# the driver and the credentials: only Spark's JDBC source can resolve it, never a driver.
CONNECTION_OPTION = "databricks.connection"
# Options the `query` form cannot take with it.
NOT_WITH_QUERY = ("dbtable", "partitionColumn", "lowerBound", "upperBound", "numPartitions")


def query_rows(
    spark: Any, sql: str, options: dict[str, str], limit: int
) -> list[dict[str, tuple[str | None, str]]]:
    """Up to `limit` rows of `sql` read through Spark's JDBC source, as DriverQuery.rows."""
    opts = {k: v for k, v in options.items() if k not in NOT_WITH_QUERY}
    frame = spark.read.format("jdbc").options(**opts).option("query", sql).load()
    fields = list(frame.schema.fields)
    # Instants leave Spark as epoch microseconds: no client or session time zone can move them.
    # SQL text, not pyspark.sql.functions: those build classic Columns when this process also
    # runs a classic session.
    columns = [
        f"unix_micros({_quoted(f.name)}) AS {INSTANT_PREFIX}{i}"
        if f.dataType.typeName() == "timestamp"
        else _quoted(f.name)
        for i, f in enumerate(fields)
    ]
    found = frame.selectExpr(*columns).limit(limit).collect()
    return [_row(fields, tuple(values)) for values in found]


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _row(fields: list[Any], values: tuple[Any, ...]) -> dict[str, tuple[str | None, str]]:
    row = {}
    for field, value in zip(fields, values, strict=True):
        kind = SPARK_KINDS.get(field.dataType.typeName(), "string")
        row[field.name.lower()] = (_text(value, kind, field.dataType), kind)
    return row


def _text(value: Any, kind: str, data_type: Any) -> str | None:
    """The value as DriverQuery writes it: plain digits, ISO dates, UTC instants."""
    if value is None:
        return None
    if kind == "decimal":
        return _decimal_text(value, (data_type.precision, data_type.scale))
    if kind == "timestamp_tz":
        moment = EPOCH + dt.timedelta(microseconds=int(value))
        return moment.isoformat(sep=" ", timespec="microseconds")
    if kind == "timestamp":
        return value.isoformat(sep=" ", timespec="microseconds")
    if kind == "date":
        return value.isoformat()
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _decimal_text(value: Decimal, precision_scale: tuple[int, int]) -> str:
    if precision_scale in UNBOUNDED_DECIMALS:
        value = value.normalize() if value != value.to_integral_value() else value.quantize(1)
    return format(value, "f")
