"""ArrowSourceReader: the SourceReader port without a JVM.

It is the JDBC reader with its queries answered by an Arrow driver (ArrowQuery) instead of a
JDBC connection on the Spark driver: the same dialect writes every statement (relation,
window, probe, range and hash split predicates, column guards), so both engines read the
same rows. Only the read itself differs: a list of statements (one per split) that the
ArrowDatasetWriter streams on threads.
"""

from __future__ import annotations

import logging
import os

import attrs

from ...domain.errors import ExtractionError
from ...domain.model import ExtractionTask, TableSpec
from ...domain.splits import DEFAULT_ROWS_PER_PARTITION
from ..jdbc.cursor_text import int_or_none
from ..jdbc.dialect import ColumnPlan, Dialect, SourceColumn, sql_string
from ..jdbc.oracle import OracleDialect
from ..jdbc.postgresql import PostgresDialect
from ..jdbc.settings import JdbcSettings
from ..jdbc.source_sql import SqlSourceReader
from ..spark_errors import translate
from .drivers import ArrowDriver
from .oracle import for_arrow
from .postgresql import postgres_for_arrow
from .queries import ArrowQuery
from .types import TypePlan, parse_custom_schema

log = logging.getLogger(__name__)
MYSQL_COLUMNS = (
    "SELECT column_name, data_type, numeric_precision, numeric_scale, column_type "
    "FROM information_schema.columns WHERE table_schema = {owner} AND table_name = {table} "
    "ORDER BY ordinal_position"
)


# What Spark makes of these through MariaDB Connector/J (checked by the differential test):
# small integers as INTEGER, FLOAT as DOUBLE (here widened exactly from the stored float).
SPARK_MYSQL_TYPES = {
    "tinyint": "INTEGER",
    "smallint": "INTEGER",
    "mediumint": "INTEGER",
    "float": "DOUBLE",
}


@attrs.frozen
class ArrowDataset:
    """What a read hands the writer: one statement per split, the driver, the type plan."""

    statements: tuple[str, ...]
    driver: ArrowDriver
    types: TypePlan


class ArrowSourceReader(SqlSourceReader):
    """Reads tables with a Python-native Arrow driver; SQL from the same dialects as Spark's."""

    def __init__(
        self,
        settings: JdbcSettings,
        dialect: Dialect,
        driver: ArrowDriver,
        rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
        parallelism: int | None = None,
    ) -> None:
        if isinstance(dialect, OracleDialect):
            dialect = for_arrow(dialect)
        elif isinstance(dialect, PostgresDialect):
            dialect = postgres_for_arrow(dialect)
        super().__init__(settings, dialect, ArrowQuery(driver), rows_per_partition)
        self._driver = driver
        self._parallelism = parallelism or os.cpu_count() or 1

    def parallelism(self) -> int:
        """Splits read at once: this machine's cores (the Spark engine's rule otherwise)."""
        return self._parallelism

    def exact_aggregate(self, fn: str, quoted: str, kind: str) -> str | None:
        """On MySQL/MariaDB a decimal MIN/MAX as its text: ConnectorX rounds decimals to 10
        places, and a rounded-up MAX would close a window above rows not yet read."""
        if kind == "decimal" and self._dialect.name in ("mysql", "mariadb"):
            return f"CAST({fn}({quoted}) AS CHAR)"
        return super().exact_aggregate(fn, quoted, kind)

    def column_names(self, sql: str, spec: TableSpec) -> set[str]:
        """The statement's columns, from the driver's answer to it (no rows)."""
        return {field.name for field in self._driver.table(sql).schema}

    def read(self, task: ExtractionTask) -> ArrowDataset:
        """The task's statements (one per split, as the Spark engine's predicates cut it)."""
        spec = task.spec
        try:
            select_list, types = self.arrow_columns(spec)
            sql = self.select_sql(task, select_list)
            predicates = list(spec.predicates) or self.split_predicates(task)
        except ExtractionError:
            raise
        except Exception as exc:
            raise translate(exc, f"reading {task.key}") from exc
        if not predicates:
            return ArrowDataset((sql,), self._driver, types)
        table = self._dialect.subquery(sql, "t")
        statements = tuple(f"SELECT * FROM {table} WHERE {p}" for p in predicates)
        return ArrowDataset(statements, self._driver, types)

    def arrow_columns(self, spec: TableSpec) -> tuple[str, TypePlan]:
        """The select list and the written type of each column the driver cannot tell."""
        if self._dialect.name in ("mysql", "mariadb"):
            return self._mysql_columns(spec)
        # The dialect's customSchema (bare numerics under number_mapping, Oracle's NUMBERs)
        # names the columns whose type the driver's own mapping would get wrong.
        plan = self.column_plan(spec)
        return plan.select_list, TypePlan(parse_custom_schema(plan.custom_schema))

    def _mysql_columns(self, spec: TableSpec) -> tuple[str, TypePlan]:
        """Decimals as text (ConnectorX would cut them to 10 places) cast back to their
        declared type; TINYINT(1) and BIT(1) as booleans, as MariaDB's JDBC driver reads them."""
        if spec.custom_query:
            # Its columns are unknown before it runs: a DECIMAL among them would be cut.
            return "*", TypePlan(refuse_decimals=True)
        columns = mysql_catalog(self, spec)
        if not columns:
            raise ExtractionError(f"{spec.key}: no columns found in information_schema.columns")
        plan = mysql_column_plan(self._dialect, columns)
        return plan.select_list, TypePlan(parse_custom_schema(plan.custom_schema))


def mysql_catalog(reader: ArrowSourceReader, spec: TableSpec) -> list[tuple[SourceColumn, str]]:
    """The table's columns with their full column_type ('tinyint(1)', 'decimal(30,12)')."""
    dialect = reader._dialect
    owner = sql_string(dialect.normalize(spec.schema_name)) if spec.schema_name else "DATABASE()"
    dialect.quote(spec.table_name)  # refuses unsafe names before they reach SQL
    table = sql_string(dialect.normalize(spec.table_name))
    sql = MYSQL_COLUMNS.format(owner=owner, table=table)
    found = []
    for row in reader._queries.rows(sql, {}):
        name, kind, precision, scale, column_type = (text for text, _ in row.values())
        column = SourceColumn(str(name), str(kind), int_or_none(precision), int_or_none(scale))
        found.append((column, str(column_type).lower()))
    return found


def mysql_column_plan(dialect: Dialect, columns: list[tuple[SourceColumn, str]]) -> ColumnPlan:
    """Select list and Spark-type overrides for MySQL/MariaDB columns read by ConnectorX."""
    selected: list[str] = []
    overrides: list[str] = []
    for column, column_type in columns:
        quoted = dialect.quote(column.name)
        name = column.name.replace("`", "``")
        kind = column.data_type.lower()
        if kind == "decimal":
            selected.append(f"CAST({quoted} AS CHAR) AS {quoted}")
            overrides.append(f"`{name}` DECIMAL({column.precision},{column.scale})")
            continue
        if column_type == "bit(1)":  # ConnectorX gives BIT as bytes; Connector/J a boolean
            selected.append(f"CAST({quoted} AS UNSIGNED) AS {quoted}")
            overrides.append(f"`{name}` BOOLEAN")
            continue
        if column_type == "tinyint(1)":
            overrides.append(f"`{name}` BOOLEAN")
        elif kind in SPARK_MYSQL_TYPES:
            overrides.append(f"`{name}` {SPARK_MYSQL_TYPES[kind]}")
        selected.append(quoted)
    return ColumnPlan(", ".join(selected), ", ".join(overrides) or None)
