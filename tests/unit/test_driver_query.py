"""Values the driver-side probe and catalog lookups read: real Java objects through py4j.

H2 (in Oracle mode) returns the Java types Oracle's driver does for NUMBER, DATE and
TIMESTAMP columns: java.math.BigDecimal, java.sql.Timestamp, java.sql.Date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from data_extractor.adapters.jdbc import driver_query
from data_extractor.adapters.jdbc.driver_query import JDBC_KINDS, DriverQuery, _wall_clock
from data_extractor.domain.reasons import one_line
from tests.conftest import H2_JAR, unavailable


class Sessions:
    """The session provider DriverQuery asks for the SparkSession (the test's own)."""

    def __init__(self, spark) -> None:
        self.spark = spark

    def get(self):
        return self.spark


def h2_options(name: str) -> dict[str, str]:
    """Options for a named in-memory H2 database in Oracle mode, kept while the JVM lives."""
    return {
        "url": f"jdbc:h2:mem:{name};MODE=Oracle;DB_CLOSE_DELAY=-1;IGNORE_UNKNOWN_SETTINGS=TRUE",
        "driver": "org.h2.Driver",
    }


def h2_execute(spark, options: dict[str, str], *statements: str) -> None:
    """Run DDL/DML in the H2 database through the JVM's own JDBC."""
    jvm = spark._jvm
    loader = jvm.org.apache.spark.util.Utils.getContextOrSparkClassLoader()
    driver = jvm.java.lang.Class.forName(options["driver"], True, loader).newInstance()
    connection = driver.connect(options["url"], jvm.java.util.Properties())
    try:
        for sql in statements:
            statement = connection.createStatement()
            statement.execute(sql)
            statement.close()
    finally:
        connection.close()


@pytest.fixture
def h2(spark):
    """(DriverQuery, options) over a fresh H2 database."""
    if not Path(H2_JAR).exists():
        unavailable(f"H2 jar not found at {H2_JAR} (apt-get install libh2-java)")
    return DriverQuery(Sessions(spark)), h2_options(f"dq_{uuid.uuid4().hex[:8]}")


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2024-05-01T06:00", "2024-05-01 06:00:00.000000"),
        ("2024-05-01T06:00:07", "2024-05-01 06:00:07.000000"),
        ("2024-05-01T06:00:07.25", "2024-05-01 06:00:07.250000"),
        ("2024-05-01T06:00:07.123456789", "2024-05-01 06:00:07.123456"),
    ],
)
def test_local_date_time_text_becomes_microsecond_wall_clock(iso, expected):
    assert _wall_clock(iso) == expected


def test_numbers_dates_and_timestamps_from_a_real_result_set(h2):
    # Before: 'decimal.Decimal' object has no attribute 'toPlainString' (py4j converts
    # java.math.BigDecimal to Decimal), so every NUMBER broke the probe.
    queries, options = h2
    row = queries.first_row(
        "SELECT CAST(1234.5 AS NUMERIC(12,3)) AS amount, CAST(7 AS NUMBER(10,0)) AS id, "
        "CAST(-0.000001 AS NUMERIC(12,6)) AS tiny, COUNT(*) AS n, "
        "TIMESTAMP '2024-05-01 06:00:07.123456' AS ts, DATE '2024-02-29' AS due, "
        "CAST(NULL AS NUMBER(5,2)) AS nothing FROM DUAL",
        options,
    )
    assert row["amount"] == ("1234.500", "decimal") or row["amount"] == ("1234.5", "decimal")
    assert row["id"] == ("7", "decimal")
    assert row["tiny"] == ("-0.000001", "decimal")
    assert Decimal(row["n"][0]) == 1
    assert row["ts"] == ("2024-05-01 06:00:07.123456", "timestamp")
    # H2 in Oracle mode, like Oracle's driver, reports DATE as a timestamp.
    assert row["due"][0].startswith("2024-02-29")
    assert row["nothing"] == (None, "decimal")


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("1E+3", "1000"),
        ("1.500", "1.500"),
        ("-0.000001", "-0.000001"),
        ("1E-7", "0.0000001"),
        ("123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678"),
    ],
)
def test_java_big_decimals_become_plain_digits(spark, text, plain):
    value = spark._jvm.java.math.BigDecimal(text)
    assert driver_query.decimal_text(value) == plain
    assert Decimal(driver_query.decimal_text(value)) == Decimal(text)


def test_java_timestamps_and_dates_keep_their_wall_clock(spark):
    jvm = spark._jvm
    stamp = jvm.java.sql.Timestamp.valueOf("1999-12-31 23:59:59.999999")
    assert _wall_clock(stamp.toLocalDateTime().toString()) == "1999-12-31 23:59:59.999999"
    day = jvm.java.sql.Date.valueOf("2024-02-29")
    assert dt.date.fromisoformat(day.toLocalDate().toString()) == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (2, "decimal"),
        (3, "decimal"),
        (93, "timestamp"),
        (91, "date"),
        (100, "double"),  # Oracle BINARY_FLOAT
        (101, "double"),  # Oracle BINARY_DOUBLE
        (-101, "timestamp_tz"),  # Oracle TIMESTAMP WITH TIME ZONE
        (-102, "timestamp_tz"),  # Oracle TIMESTAMP WITH LOCAL TIME ZONE
    ],
)
def test_oracle_type_codes_have_kinds(code, kind):
    assert JDBC_KINDS[code] == kind


def test_a_unity_catalog_connection_is_queried_through_sparks_jdbc_source(spark):
    """`[database] connection = NAME` gives no URL or driver class to open a connection with:
    on a classic session too the probe and lookups go to Spark's JDBC source, which resolves
    `databricks.connection` on Databricks. Locally no connection resolves, so Spark's own
    one-line reason (not a KeyError 'driver') is what comes back."""
    query = DriverQuery(Sessions(spark))
    options = {"databricks.connection": "sales_pg", "fetchsize": "10"}
    for attempt in (
        lambda: query.first_row("SELECT 1 AS one", options),
        lambda: query.rows("SELECT 1 AS one", options),
        lambda: query.ping(options, "SELECT 1"),
    ):
        with pytest.raises(Exception) as raised:
            attempt()
        reason = one_line(raised.value)
        assert "Option 'url' is required" in reason and "\n" not in reason
        assert not isinstance(raised.value, KeyError)
