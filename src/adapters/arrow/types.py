"""Arrow batches from any driver -> the column types the Spark engine writes, values unchanged.

Drivers hand over what they have: ADBC gives PostgreSQL's `numeric` as exact text (with its
typmod), json and uuid as extension types; ConnectorX gives MySQL's unsigned integers and
large binaries. `TypePlan` decides each column's target once (from the batch's schema, the
dialect's Spark type overrides and the source catalog) and converts every batch with safe
casts: a value that does not fit its target fails the table naming the column, never rounds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping

import attrs
import pyarrow as pa
import pyarrow.compute as pc

from ...domain.errors import ExtractionError

# Spark's default for a bare PostgreSQL numeric / Oracle NUMBER (number_mapping unset).
DEFAULT_NUMBER = "DECIMAL(38,18)"
MAX_PRECISION = 38
# Dates and timestamps Spark writes: years 1 to 9999 (as days and microseconds since 1970).
EPOCH = dt.date(1970, 1, 1)
DAY_RANGE = ((dt.date(1, 1, 1) - EPOCH).days, (dt.date(9999, 12, 31) - EPOCH).days)
MICROS_RANGE = (DAY_RANGE[0] * 86_400_000_000, (DAY_RANGE[1] + 1) * 86_400_000_000 - 1)
TEXT_HINT = "cast it to text in custom_query (or use engine = spark)"
SPARK_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$", re.IGNORECASE)
OVERRIDE = re.compile(r"`((?:[^`]|``)+)`\s+([A-Za-z]+(?:\(\s*\d+\s*,\s*\d+\s*\))?)")
# Arrow types Parquet keeps as Spark writes them; others are converted below.
WIDER = {
    pa.uint8(): pa.int16(),  # Spark reads unsigned integers into the next signed type
    pa.uint16(): pa.int32(),
    pa.uint32(): pa.int64(),
    pa.uint64(): pa.decimal128(20, 0),
    pa.large_string(): pa.string(),
    pa.large_binary(): pa.binary(),
}
SPARK_NAMES = {
    pa.int8(): "byte",
    pa.int16(): "short",
    pa.int32(): "integer",
    pa.int64(): "long",
    pa.float32(): "float",
    pa.float64(): "double",
    pa.bool_(): "boolean",
    pa.string(): "string",
    pa.binary(): "binary",
    pa.date32(): "date",
    pa.null(): "void",  # a column of NULLs only (an empty read's untyped text)
}


def spark_type_to_arrow(spark_type: str) -> pa.DataType:
    """A Spark type name of a customSchema or number_mapping ('DECIMAL(38,18)', 'STRING',
    'DOUBLE', 'BOOLEAN') as the Arrow type the Parquet column gets."""
    text = spark_type.strip().lower()
    match = SPARK_DECIMAL.match(text)
    if match:
        return bounded_decimal(int(match.group(1)), int(match.group(2)))
    known = {"string": pa.string(), "double": pa.float64(), "boolean": pa.bool_()}
    known |= {"long": pa.int64(), "integer": pa.int32(), "short": pa.int16()}
    if text not in known:
        raise ValueError(f"no Arrow type for Spark type {spark_type!r}")
    return known[text]


def parse_custom_schema(custom_schema: str | None) -> dict[str, pa.DataType]:
    """Spark's customSchema text (`` `name` DECIMAL(10,2), ... ``) as {name: Arrow type}."""
    found = {}
    for name, spark_type in OVERRIDE.findall(custom_schema or ""):
        found[name.replace("``", "`")] = spark_type_to_arrow(spark_type)
    return found


def bounded_decimal(precision: int, scale: int) -> pa.DataType:
    """Spark's DecimalType.bounded: precision and scale capped at 38."""
    return pa.decimal128(min(precision, MAX_PRECISION), min(scale, MAX_PRECISION))


def postgres_numeric(field: pa.Field, number: pa.DataType) -> pa.DataType:
    """A PostgreSQL numeric's type from its typmod; a bare one (typmod -1) gets `number`."""
    typmod = int((field.metadata or {}).get(b"POSTGRESQL:typmod", b"-1"))
    if typmod < 4:
        return number
    precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0x7FF
    if scale >= 0x400:  # PostgreSQL 15+ keeps a negative scale as an 11-bit two's complement
        scale -= 0x800
    if scale < 0:  # numeric(5,-2) holds integers of up to 7 digits
        return bounded_decimal(precision - scale, 0)
    return bounded_decimal(precision, scale)


def refused(field: pa.Field, why: str) -> ExtractionError:
    """The error for a column the Arrow engine cannot write as the Spark engine does."""
    return ExtractionError(f"column {field.name} ({_describe(field)}) {why}: {TEXT_HINT}")


def _source_type(field: pa.Field) -> str:
    """The source's own type name where the driver says it (ADBC's PostgreSQL metadata)."""
    return (field.metadata or {}).get(b"POSTGRESQL:type", b"").decode()


def _unwritable(kind: pa.DataType) -> bool:
    """Times of day and intervals: Spark 4.0 writes neither (a Parquet TIME it cannot read)."""
    return pa.types.is_time(kind) or pa.types.is_duration(kind) or pa.types.is_interval(kind)


def _extension_name(field: pa.Field) -> str:
    kind = field.type
    if isinstance(kind, pa.BaseExtensionType):
        name = getattr(kind, "type_name", None) or kind.extension_name
        return str(name).removeprefix("arrow.")
    return ""


@attrs.frozen
class TypePlan:
    """Target types per column: the dialect's overrides, then the catalog's, then defaults."""

    overrides: Mapping[str, pa.DataType] = attrs.field(factory=dict)
    number: pa.DataType = attrs.field(factory=lambda: spark_type_to_arrow(DEFAULT_NUMBER))
    # ConnectorX hands every MySQL DECIMAL over as decimal(38,10), already cut: refuse those.
    refuse_decimals: bool = False

    def target(self, field: pa.Field) -> pa.DataType:
        """The Arrow type this column is written as: one with a Spark type name, else refused."""
        kind = self._target(field)
        if not pa.types.is_nested(kind) and spark_type_name(kind) == "":
            raise refused(field, f"would be written as {kind}, a type Spark does not write")
        return kind

    def _target(self, field: pa.Field) -> pa.DataType:
        if field.name in self.overrides:
            return self.overrides[field.name]
        kind = field.type
        extension = _extension_name(field)
        if extension == "numeric":
            return postgres_numeric(field, self.number)
        if extension == "uuid" or (extension and _text_storage(kind)):
            return pa.string()  # json, jsonb, uuid and opaque values stored as their text
        if extension:  # inet, timetz, bit...: binary wire bytes, never a text
            raise refused(field, "arrives as the driver's binary form, not as text")
        if _source_type(field) == "money":  # int64 cents; the Spark engine writes text
            raise refused(field, "arrives as cents, not as the text the Spark engine writes")
        if _unwritable(kind):
            raise refused(field, "is a time of day or an interval, which Spark cannot write")
        if pa.types.is_timestamp(kind):
            return pa.timestamp("us", "UTC" if kind.tz else None)
        if pa.types.is_decimal(kind):
            return bounded_decimal(kind.precision, kind.scale)
        return WIDER.get(kind, kind)

    def schema(self, source: pa.Schema) -> pa.Schema:
        """The written schema: every column nullable, as Spark writes files."""
        decimals = [f.name for f in source if pa.types.is_decimal(f.type)]
        if self.refuse_decimals and decimals:
            raise ExtractionError(
                f"columns {', '.join(decimals)} are DECIMAL, which the MySQL Arrow driver cuts "
                "to 10 decimal places: CAST them AS CHAR in custom_query, or use engine = spark"
            )
        return pa.schema([pa.field(f.name, self.target(f), nullable=True) for f in source])

    def conform(self, batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
        """The batch in the written schema; a value that would change fails naming its column."""
        columns = []
        for field, column, target in zip(batch.schema, batch.columns, schema, strict=True):
            try:
                columns.append(_convert(field, column, target.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ExtractionError(
                    f"column {field.name} ({_describe(field)}) cannot be written as "
                    f"{target.type} without changing a value: {exc}"
                ) from None
        for column, target in zip(columns, schema, strict=True):
            check_calendar_range(target, column)
        return pa.RecordBatch.from_arrays(columns, schema=schema)


def check_calendar_range(field: pa.Field, column: pa.Array) -> None:
    """Fail on a date or timestamp outside years 1..9999 (PostgreSQL's +-infinity arrive as
    overflowed numbers): Spark cannot write them, and nothing may change silently."""
    kind = field.type
    if pa.types.is_date32(kind):
        lowest, highest = DAY_RANGE
    elif pa.types.is_timestamp(kind) and kind.unit == "us":
        lowest, highest = MICROS_RANGE
    else:
        return
    bounds = pc.min_max(column.view(pa.int32() if pa.types.is_date32(kind) else pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is not None and (low < lowest or high > highest):
        raise ExtractionError(
            f"column {field.name} holds a {kind} outside years 1..9999 (+-infinity?), which "
            "Spark and Parquet cannot hold: map it in custom_query with a CASE or LEAST/GREATEST"
        )


def _text_storage(kind: pa.DataType) -> bool:
    storage = getattr(kind, "storage_type", None)
    return storage is not None and (
        pa.types.is_string(storage) or pa.types.is_large_string(storage)
    )


def _describe(field: pa.Field) -> str:
    return _extension_name(field) or str(field.type)


def _convert(field: pa.Field, column: pa.Array, target: pa.DataType) -> pa.Array:
    if isinstance(column.type, pa.BaseExtensionType):
        if _extension_name(field) == "uuid":
            return uuid_text(column.storage)
        column = column.storage
    if column.type == target:
        return column
    if pa.types.is_timestamp(column.type) and column.type.tz and target.tz:
        return column.cast(target)  # the same instants, labelled UTC
    return column.cast(target, safe=True)


def uuid_text(values: pa.Array) -> pa.Array:
    """16-byte UUIDs as their canonical text (8-4-4-4-12 lower-case hex digits)."""
    texts = [None if v is None else _hyphenated(v.hex()) for v in values.to_pylist()]
    return pa.array(texts, pa.string())


def _hyphenated(digits: str) -> str:
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def spark_schema_json(schema: pa.Schema) -> str:
    """The written schema as Spark's StructType JSON, so manifests read alike for both engines."""
    fields = [
        {"name": f.name, "type": spark_type_name(f.type), "nullable": True, "metadata": {}}
        for f in schema
    ]
    return json.dumps({"type": "struct", "fields": fields}, separators=(",", ":"))


def spark_type_name(kind: pa.DataType) -> str:
    """Spark's JSON name of the type a Parquet column of this Arrow type reads back as."""
    if pa.types.is_decimal(kind):
        return f"decimal({kind.precision},{kind.scale})"
    if pa.types.is_timestamp(kind):
        return "timestamp" if kind.tz else "timestamp_ntz"
    if pa.types.is_nested(kind):
        return str(kind)
    return SPARK_NAMES.get(kind, "")  # "": none (TypePlan.target refuses such columns)
