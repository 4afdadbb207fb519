"""Arrow batches from any driver -> the column types the Spark engine writes, values unchanged.

Drivers hand over what they have: ADBC gives PostgreSQL's `numeric` as exact text (with its
typmod), json and uuid as extension types; ConnectorX gives MySQL's unsigned integers and
large binaries. `TypePlan` decides each column's target once (from the batch's schema, the
dialect's Spark type overrides and the source catalog) and converts every batch with safe
casts: a value that does not fit its target fails the table naming the column, never rounds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import attrs
import pyarrow as pa

from ...domain.errors import ExtractionError

# Spark's default for a bare PostgreSQL numeric / Oracle NUMBER (number_mapping unset).
DEFAULT_NUMBER = "DECIMAL(38,18)"
MAX_PRECISION = 38
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
}


def spark_type_to_arrow(spark_type: str) -> pa.DataType:
    """A Spark type name of a customSchema or number_mapping ('DECIMAL(38,18)', 'STRING',
    'DOUBLE', 'BOOLEAN') as the Arrow type the Parquet column gets."""
    text = spark_type.strip().lower()
    match = SPARK_DECIMAL.match(text)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
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
    precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0xFFFF
    return bounded_decimal(precision, scale)


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
        """The Arrow type this column is written as."""
        if field.name in self.overrides:
            return self.overrides[field.name]
        kind = field.type
        extension = _extension_name(field)
        if extension == "numeric":
            return postgres_numeric(field, self.number)
        if extension:  # json, jsonb, uuid and other opaque values: their text
            return pa.string()
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
        return pa.RecordBatch.from_arrays(columns, schema=schema)


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
    return SPARK_NAMES.get(kind, str(kind))
