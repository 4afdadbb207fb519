"""The Oracle scenarios against the Oracle twin (H2 in Oracle mode), through the CLI.

The tool reads the twin with its real Oracle dialect; tests/oracle_twin.py says what the twin
bridges and what only a real Oracle verifies (test_oracle_container.py runs the same scenarios,
and the consistent-snapshot one this module leaves out: H2 has no AS OF SCN).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import H2_JAR, unavailable
from tests.oracle_scenarios import (  # noqa: F401 - fixtures and tests pytest collects here
    SCHEMA,
    extraction,
    test_each_run_commits_exactly_its_rows_with_source_types,
    test_every_source_row_is_committed_once_across_runs,
)
from tests.oracle_twin import READER, start_twin, stop_twin

pytestmark = pytest.mark.integration
# java.sql.Types codes
NUMERIC, TIMESTAMP = 2, 93


@pytest.fixture(scope="module")
def oracle_source(spark, tmp_path_factory):
    """A fresh twin database for this module."""
    if not Path(H2_JAR).exists():
        unavailable(f"H2 JDBC jar not found at {H2_JAR} (apt-get install libh2-java)")
    if shutil.which("javac") is None:
        unavailable(
            "the Oracle twin compiles its SYS_CONTEXT alias in the JVM, which needs a JDK, not "
            "only a JRE (apt-get install openjdk-17-jdk-headless)"
        )
    source = start_twin(spark, tmp_path_factory.mktemp("twin"))
    yield source
    stop_twin(source)


def test_twin_driver_reports_number_as_numeric_and_date_as_timestamp(oracle_source):
    """The driver values that matter are Oracle's: BigDecimal NUMBERs, DATE with a time."""
    oracle_source.create_table(SCHEMA, "DRIVER_TYPES")
    statement = oracle_source.admin.conn.createStatement()
    try:
        meta = statement.executeQuery(f"SELECT * FROM {SCHEMA}.DRIVER_TYPES").getMetaData()
        types = {meta.getColumnName(i): meta.getColumnType(i) for i in range(1, 8)}
    finally:
        statement.close()
    assert types["ID"] == types["AMOUNT"] == types["BARE"] == NUMERIC
    assert types["OPENED"] == types["UPDATED_AT"] == TIMESTAMP


def test_twin_catalog_answers_with_oracle_values(oracle_source):
    """ALL_TAB_COLUMNS, ALL_SYNONYMS, V$DATABASE and SYS_CONTEXT as Oracle fills them."""
    oracle_source.create_table(SCHEMA, "CATALOG_TYPES")
    oracle_source.admin.execute(f"CREATE SYNONYM {SCHEMA}.CATALOG_SYN FOR {SCHEMA}.CATALOG_TYPES")
    columns = oracle_source.admin.rows(
        "SELECT COLUMN_NAME, DATA_TYPE, DATA_PRECISION, DATA_SCALE FROM ALL_TAB_COLUMNS "
        f"WHERE OWNER = '{SCHEMA}' AND TABLE_NAME = 'CATALOG_TYPES' ORDER BY COLUMN_ID"
    )
    assert columns == [
        ("ID", "NUMBER", "10", "0"),
        ("CODE", "VARCHAR2", None, None),
        ("AMOUNT", "NUMBER", "12", "3"),
        ("BARE", "NUMBER", None, None),
        ("OPENED", "DATE", None, None),
        ("UPDATED_AT", "TIMESTAMP(6)", None, None),
        ("NOTE", "VARCHAR2", None, None),
    ]
    assert oracle_source.admin.rows(
        "SELECT OWNER, TABLE_OWNER, TABLE_NAME FROM ALL_SYNONYMS WHERE SYNONYM_NAME = 'CATALOG_SYN'"
    ) == [(SCHEMA, SCHEMA, "CATALOG_TYPES")]
    assert int(oracle_source.admin.scalar("SELECT CURRENT_SCN FROM V$DATABASE")) > 0
    context = "SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') FROM DUAL"
    assert oracle_source.admin.scalar(context) == "PUBLIC"
    assert oracle_source.database["user"] == READER
