"""SQL Server SQL text: every statement parses as T-SQL and says what the task means."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from sqlglot import exp

from data_extractor.adapters.jdbc import dialect_for
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.adapters.jdbc.sqlserver import SqlServerDialect
from data_extractor.domain.model import TableState
from tests.unit.sql_cases import COMMITTED, UPPER, task_for
from tests.unit.sql_cases import cast_bounds as bounds
from tests.unit.sql_cases import from_names as names
from tests.unit.sql_cases import parse as parse_as

parse = functools.partial(parse_as, dialect="tsql")


DIALECT = SqlServerDialect()
READER = JdbcSourceReader(None, JdbcSettings(type="sqlserver"), DIALECT)


def test_full_extract_uses_bracketed_names_as_written():
    task = task_for({"table_name": "Order$Items#", "schema_name": "Sales", "is_full_extract": True})
    sql = READER.select_sql(task)
    assert sql == "SELECT * FROM [Sales].[Order$Items#]"
    tree = parse(sql)
    assert tree.find(exp.Where) is None
    assert names(tree) == (("Sales", True), ("Order$Items#", True))
    assert READER.describe(task) == sql


def test_first_watermark_run_reads_up_to_the_maximum_and_nulls():
    task = task_for({"table_name": "events", "incremental_column": "select"}, upper=UPPER)
    tree = parse(READER.select_sql(task))
    condition = tree.find(exp.Where).this.unnest()
    assert isinstance(condition, exp.Or) and isinstance(condition.expression, exp.Is)
    assert condition.expression.this.name == "select"  # a reserved word, bracketed
    assert bounds(tree) == {"LTE": ("select", "2024-05-02 06:00:00.000001", "DATETIME2")}


def test_watermark_window_uses_datetime2_casts():
    task = task_for({"table_name": "events", "incremental_column": "UpdatedAt"}, COMMITTED, UPPER)
    tree = parse(READER.select_sql(task))
    assert tree.find(exp.Is) is None
    assert bounds(tree) == {
        "GT": ("UpdatedAt", "2024-05-01 23:59:59.250000", "DATETIME2"),
        "LTE": ("UpdatedAt", "2024-05-02 06:00:00.000001", "DATETIME2"),
    }


def test_daily_window_and_lookback():
    entry = {
        "table_name": "events",
        "incremental_column": "created",
        "extraction_date": "2024-04-30",
        "lookback": "1d",
    }
    state = TableState(watermark=dt.datetime(2024, 4, 30), last_run_id="r0")
    tree = parse(READER.select_sql(task_for(entry, state)))
    assert bounds(tree) == {
        "GTE": ("created", "2024-04-29 00:00:00.000000", "DATETIME2"),
        "LT": ("created", "2024-05-01 00:00:00.000000", "DATETIME2"),
    }


def test_date_and_numeric_cursors():
    state = TableState(watermark=dt.date(2024, 4, 1), last_run_id="r0")
    tree = parse(
        READER.select_sql(
            task_for({"table_name": "t", "incremental_column": "d"}, state, dt.date(2024, 5, 1))
        )
    )
    assert bounds(tree) == {"GT": ("d", "2024-04-01", "DATE"), "LTE": ("d", "2024-05-01", "DATE")}
    state = TableState(watermark=41, last_run_id="r0")
    entry = {"table_name": "t", "incremental_column": "id", "lookback": 10}
    tree = parse(READER.select_sql(task_for(entry, state, 99)))
    assert bounds(tree) == {"GT": ("id", "31", "number"), "LTE": ("id", "99", "number")}


def test_custom_query_is_an_aliased_subquery():
    entry = {
        "table_name": "open_orders",
        "custom_query": "SELECT TOP 100 id, ts FROM dbo.orders WHERE status = N'OPEN'",
        "incremental_column": "ts",
    }
    sql = READER.select_sql(task_for(entry, COMMITTED, UPPER))
    assert ") AS q WHERE" in sql
    tree = parse(sql)
    subquery = tree.find(exp.Subquery)
    assert subquery.alias == "q" and subquery.this.args["limit"] is not None
    assert set(bounds(tree)) == {"GT", "LTE"}
    assert parse(f"SELECT * FROM {DIALECT.subquery(sql, 't')}").find(exp.Subquery).alias == "t"


def test_hash_predicates_use_checksum_and_the_modulo_operator():
    predicates = DIALECT.hash_predicates(["id", "Region Code"], 3)
    assert len(predicates) == 3
    for i, predicate in enumerate(predicates):
        condition = parse(f"SELECT * FROM t WHERE {predicate}").find(exp.Where).this
        assert isinstance(condition, exp.EQ) and condition.expression.this == str(i)
        modulo = condition.this.unnest()
        assert isinstance(modulo, exp.Mod) and modulo.expression.this == "3"
        hashed = modulo.this.this  # inside COALESCE(..., 0)
        # ABS over a BIGINT: ABS(INT) overflows on -2147483648.
        assert isinstance(hashed, exp.Abs) and hashed.this.to.this.name == "BIGINT"
        checksum = hashed.this.this
        assert checksum.name.upper() == "CHECKSUM"
        assert [(c.name, c.this.quoted) for c in checksum.expressions] == [
            ("id", True),
            ("Region Code", True),
        ]
    with pytest.raises(NotImplementedError):  # the reader then reads one partition
        DIALECT.hash_predicates([], 2)


def test_url_defaults_to_encrypted_and_validated():
    url = DIALECT.url(JdbcSettings(type="sqlserver", host="sql.example", database="Sales"))
    assert url == (
        "jdbc:sqlserver://sql.example:1433;databaseName=Sales;encrypt=true;"
        "trustServerCertificate=false;applicationName=data-extractor"
    )
    raw = "jdbc:sqlserver://h:1;encrypt=true;trustServerCertificate=true"
    assert DIALECT.url(JdbcSettings(type="sqlserver", url=raw, host="x")) == raw
    assert DIALECT.driver == "com.microsoft.sqlserver.jdbc.SQLServerDriver"
    assert isinstance(dialect_for("mssql"), SqlServerDialect)
    assert isinstance(dialect_for("SQLServer"), SqlServerDialect)
