"""MySQL/MariaDB SQL text: every statement parses as MySQL and says what the task means."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from sqlglot import exp

from data_extractor.adapters.jdbc import dialect_for
from data_extractor.adapters.jdbc.mysql import MariaDbDialect, MySqlDialect
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.domain.model import TableState
from tests.unit.sql_cases import COMMITTED, UPPER, task_for
from tests.unit.sql_cases import cast_bounds as bounds
from tests.unit.sql_cases import from_names as names
from tests.unit.sql_cases import parse as parse_as

parse = functools.partial(parse_as, dialect="mysql")


@pytest.fixture(params=["mysql", "mariadb"])
def dialect(request) -> MySqlDialect:
    """Each test runs for MySQL and for MariaDB."""
    return dialect_for(request.param)


def reader(dialect) -> JdbcSourceReader:
    """A reader whose SQL needs no Spark session."""
    return JdbcSourceReader(None, JdbcSettings(type=dialect.name), dialect)


def test_full_extract_uses_backticks_and_keeps_case(dialect):
    task = task_for({"table_name": "Order$Items#", "schema_name": "Shop", "is_full_extract": True})
    sql = reader(dialect).select_sql(task)
    assert sql == "SELECT * FROM `Shop`.`Order$Items#`"
    tree = parse(sql)
    assert tree.find(exp.Where) is None and names(tree) == (("Shop", True), ("Order$Items#", True))
    assert reader(dialect).describe(task) == sql


def test_first_watermark_run_reads_up_to_the_maximum_and_nulls(dialect):
    task = task_for({"table_name": "order", "incremental_column": "key"}, upper=UPPER)
    tree = parse(reader(dialect).select_sql(task))
    assert names(tree) == (("order", True),)
    condition = tree.find(exp.Where).this.unnest()
    assert isinstance(condition, exp.Or) and isinstance(condition.expression, exp.Is)
    assert bounds(tree) == {"LTE": ("key", "2024-05-02 06:00:00.000001", "TIMESTAMPTZ")}


def test_watermark_window_uses_timestamp_literals(dialect):
    task = task_for({"table_name": "events", "incremental_column": "updated_at"}, COMMITTED, UPPER)
    sql = reader(dialect).select_sql(task)
    assert "> TIMESTAMP '2024-05-01 23:59:59.250000'" in sql
    tree = parse(sql)
    assert tree.find(exp.Is) is None
    assert bounds(tree) == {
        "GT": ("updated_at", "2024-05-01 23:59:59.250000", "TIMESTAMPTZ"),
        "LTE": ("updated_at", "2024-05-02 06:00:00.000001", "TIMESTAMPTZ"),
    }


def test_daily_window_with_lookback(dialect):
    entry = {
        "table_name": "events",
        "incremental_column": "created",
        "extraction_date": "2024-04-30",
        "lookback": "30m",
    }
    state = TableState(watermark=dt.datetime(2024, 4, 30), last_run_id="r0")
    tree = parse(reader(dialect).select_sql(task_for(entry, state)))
    assert bounds(tree) == {
        "GTE": ("created", "2024-04-29 23:30:00.000000", "TIMESTAMPTZ"),
        "LT": ("created", "2024-05-01 00:00:00.000000", "TIMESTAMPTZ"),
    }


def test_date_and_numeric_cursors(dialect):
    state = TableState(watermark=dt.date(2024, 4, 1), last_run_id="r0")
    task = task_for({"table_name": "t", "incremental_column": "d"}, state, dt.date(2024, 5, 1))
    sql = reader(dialect).select_sql(task)
    assert "DATE '2024-04-01'" in sql
    assert bounds(parse(sql)) == {
        "GT": ("d", "2024-04-01", "DATE"),
        "LTE": ("d", "2024-05-01", "DATE"),
    }
    state = TableState(watermark=100, last_run_id="r0")
    tree = parse(
        reader(dialect).select_sql(
            task_for({"table_name": "t", "incremental_column": "id"}, state, 250)
        )
    )
    assert bounds(tree) == {"GT": ("id", "100", "number"), "LTE": ("id", "250", "number")}


def test_custom_query_is_an_aliased_subquery(dialect):
    entry = {
        "table_name": "recent",
        "custom_query": "SELECT id, ts FROM orders WHERE note <> 'x;y'",
        "incremental_column": "ts",
    }
    sql = reader(dialect).select_sql(task_for(entry, COMMITTED, UPPER))
    tree = parse(sql)
    subquery = tree.find(exp.Subquery)
    assert subquery.alias == "q" and subquery.this.find(exp.Literal).this == "x;y"
    assert set(bounds(tree)) == {"GT", "LTE"}
    assert parse(f"SELECT * FROM {dialect.subquery(sql, 't')}").find(exp.Subquery).alias == "t"


def test_hash_predicates_use_crc32_of_the_joined_key(dialect):
    predicates = dialect.hash_predicates(["id", "Region Code"], 4)
    assert len(predicates) == 4
    for i, predicate in enumerate(predicates):
        condition = parse(f"SELECT * FROM t WHERE {predicate}").find(exp.Where).this
        assert isinstance(condition, exp.EQ) and condition.expression.this == str(i)
        modulo = condition.this
        assert isinstance(modulo, exp.Mod) and modulo.expression.this == "4"
        crc = modulo.this.this  # inside COALESCE(..., 0)
        assert crc.name.upper() == "CRC32"
        joined = crc.find(exp.ConcatWs)
        separator, *columns = joined.expressions
        assert separator.this == "|"
        assert [(c.name, c.this.quoted) for c in columns] == [("id", True), ("Region Code", True)]
    with pytest.raises(NotImplementedError):  # the reader then reads one partition
        dialect.hash_predicates([], 2)


def test_urls_drivers_and_streaming_options():
    settings = JdbcSettings(type="mysql", host="db", database="shop")
    mysql, mariadb = MySqlDialect(), MariaDbDialect()
    assert mysql.url(settings) == "jdbc:mysql://db:3306/shop?useCursorFetch=true"
    assert mysql.driver == "com.mysql.cj.jdbc.Driver"
    assert mariadb.url(settings) == "jdbc:mariadb://db:3306/shop"
    assert mariadb.driver == "org.mariadb.jdbc.Driver"
    raw = "jdbc:mariadb://h:1/x?useSsl=true"
    assert mariadb.url(JdbcSettings(type="mariadb", url=raw)) == raw


def set_items(sql: str) -> dict[str, str]:
    """The variables a SET statement assigns, with their values as SQL."""
    tree = parse(sql)
    assert isinstance(tree, exp.Set)
    return {item.this.this.name: item.this.expression.sql("mysql") for item in tree.expressions}


def test_session_init_sets_utc_and_ansi_quotes_only_for_mariadb():
    mariadb = set_items(MariaDbDialect().session_init("data-extractor", "src/t"))
    assert mariadb["time_zone"] == "'+00:00'"
    assert "'ANSI_QUOTES'" in mariadb["sql_mode"] and "@@SESSION.sql_mode" in mariadb["sql_mode"]
    mysql = set_items(MySqlDialect().session_init("data-extractor", "src/t"))
    assert "sql_mode" not in mysql and mysql["time_zone"] == "'+00:00'"
