"""The Oracle reader's probe and catalog lookup through a real JDBC driver (H2, Oracle mode).

H2's driver returns the Java values Oracle's does for NUMBER, DATE and TIMESTAMP, runs the
probe's scalar subqueries FROM DUAL, and stands in for Oracle's catalog with tables named
ALL_TAB_COLUMNS and ALL_SYNONYMS (SYS_CONTEXT is a Java function naming the current schema).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from data_extractor.adapters.jdbc.oracle import OracleDialect
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.domain.errors import ExtractionError
from data_extractor.domain.specs import parse_table_specs
from tests.conftest import H2_JAR, unavailable
from tests.unit.sql_cases import task_for
from tests.unit.test_driver_query import Sessions, h2_execute, h2_options

ORDERS = [
    "CREATE SCHEMA APP",
    "CREATE TABLE APP.ORDERS (ID NUMBER(10,0) PRIMARY KEY, AMOUNT NUMERIC(12,3), DUE DATE, "
    "TS TIMESTAMP(6), NOTE VARCHAR2(20))",
    "INSERT INTO APP.ORDERS VALUES (10, 1.5, DATE '2024-05-01', "
    "TIMESTAMP '2024-05-01 06:00:00.000001', 'a')",
    "INSERT INTO APP.ORDERS VALUES (11, 1234.567, DATE '2024-05-03', "
    "TIMESTAMP '2024-05-02 23:59:59.999999', 'b')",
    "INSERT INTO APP.ORDERS VALUES (15, NULL, NULL, NULL, 'zz')",
]


def reader_for(spark, options: dict[str, str]) -> JdbcSourceReader:
    """The Oracle reader, pointed at H2 (its PL/SQL session block replaced)."""
    settings = JdbcSettings(
        type="oracle",
        url=options["url"],
        driver=options["driver"],
        init_statement="SELECT 1 FROM DUAL",
    )
    return JdbcSourceReader(Sessions(spark), settings, OracleDialect())


def h2_reader(spark, statements: list[str]) -> JdbcSourceReader:
    """A reader over a fresh Oracle-mode H2 database set up by `statements`."""
    if not Path(H2_JAR).exists():
        unavailable(f"H2 jar not found at {H2_JAR} (apt-get install libh2-java)")
    options = h2_options(f"probe_{uuid.uuid4().hex[:8]}")
    h2_execute(spark, options, *statements)
    return reader_for(spark, options)


@pytest.fixture
def oracle_like(spark):
    """An Oracle-mode H2 database with APP.ORDERS, and a reader for it."""
    return h2_reader(spark, ORDERS)


def orders_task(cursor: str):
    """A first incremental run of APP.ORDERS on `cursor`, split on the one-column key."""
    entry = {
        "table_name": "orders",
        "schema_name": "app",
        "incremental_column": cursor,
        "primary_key": "id",
    }
    return task_for(entry)


def test_number_cursor_and_number_key_are_probed(oracle_like):
    # Before: 'decimal.Decimal' object has no attribute 'toPlainString'.
    probe = oracle_like.probe(orders_task("amount"))
    assert probe.high_watermark == Decimal("1234.567")
    assert (probe.split_lower, probe.split_upper, probe.split_kind) == ("10", "15", "range")
    # NUMBER(10,0) bounds size the read like an integer key: 15 - 10 + 1, no COUNT(*).
    assert probe.rows == 6


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [
        ("due", dt.datetime(2024, 5, 3)),  # DATE comes back as a timestamp, as from Oracle
        ("ts", dt.datetime(2024, 5, 2, 23, 59, 59, 999999)),
    ],
)
def test_date_and_timestamp_cursors_are_probed(oracle_like, cursor, expected):
    assert oracle_like.probe(orders_task(cursor)).high_watermark == expected


def test_a_cursor_that_is_no_cursor_type_fails_naming_table_column_and_value(oracle_like):
    # Before: a bare ValueError escaped the probe's error translation.
    with pytest.raises(ExtractionError) as caught:
        oracle_like.probe(orders_task("note"))
    message = str(caught.value)
    assert "src/orders" in message and "NOTE" in message.upper() and "'zz'" in message
    assert "\n" not in message


CATALOG = [
    "CREATE TABLE ALL_TAB_COLUMNS (OWNER VARCHAR2(128), TABLE_NAME VARCHAR2(128), "
    "COLUMN_NAME VARCHAR2(128), DATA_TYPE VARCHAR2(128), DATA_PRECISION NUMBER, "
    "DATA_SCALE NUMBER, COLUMN_ID NUMBER)",
    "CREATE TABLE ALL_SYNONYMS (OWNER VARCHAR2(128), SYNONYM_NAME VARCHAR2(128), "
    "TABLE_OWNER VARCHAR2(128), TABLE_NAME VARCHAR2(128))",
    # The connected user's schema is APPUSER.
    "CREATE ALIAS SYS_CONTEXT AS $$ String sysContext(String space, String key) "
    '{ return "APPUSER"; } $$',
    "INSERT INTO ALL_TAB_COLUMNS VALUES "
    "('SALES', 'ORDERS', 'ID', 'NUMBER', NULL, 0, 1), "
    "('SALES', 'ORDERS', 'RATE', 'FLOAT', 126, NULL, 2), "
    "('SALES', 'ORDERS', 'QTY', 'NUMBER', NULL, 2, 3), "
    "('SALES', 'ORDER_ITEMS', 'ITEM', 'VARCHAR2', NULL, NULL, 1), "
    "('OTHER', 'ITEMS', 'WRONG', 'VARCHAR2', NULL, NULL, 1)",
    "INSERT INTO ALL_SYNONYMS VALUES "
    "('PUBLIC', 'ORDERS', 'SALES', 'ORDERS'), "
    "('APPUSER', 'ITEMS', 'SALES', 'ORDER_ITEMS'), "
    "('PUBLIC', 'ITEMS', 'OTHER', 'ITEMS')",
]


@pytest.fixture
def catalog(spark):
    """A reader over an H2 database holding a stand-in Oracle catalog."""
    return h2_reader(spark, CATALOG)


def spec(entry: dict):
    [found] = parse_table_specs([{"is_full_extract": True, **entry}], "tables.json", "src")
    return found


def test_a_public_synonym_is_resolved_to_its_table(catalog):
    # Before: no rows, then "no column of the table can be read: " and nothing more.
    plan = catalog.column_plan(spec({"table_name": "orders"}))
    assert plan.select_list == '"ID", "RATE", "QTY"'
    # INTEGER is NUMBER(*,0), NUMBER(*,2) keeps its scale; FLOAT is binary: a double.
    assert plan.custom_schema == "`ID` DECIMAL(38,0), `RATE` DOUBLE, `QTY` DECIMAL(38,2)"


def test_the_schemas_private_synonym_wins_over_a_public_one(catalog):
    plan = catalog.column_plan(spec({"table_name": "items"}))
    assert plan.select_list == '"ITEM"'


def test_a_table_the_catalog_does_not_list_is_named_in_the_error(catalog):
    with pytest.raises(ExtractionError) as caught:
        catalog.column_plan(spec({"table_name": "missing"}))
    assert str(caught.value) == (
        "src/missing: no columns found for APPUSER.MISSING in ALL_TAB_COLUMNS; "
        "check schema_name / grants"
    )
    with pytest.raises(ExtractionError, match="for SALES.MISSING in ALL_TAB_COLUMNS"):
        catalog.column_plan(spec({"table_name": "missing", "schema_name": "sales"}))
