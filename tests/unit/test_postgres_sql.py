"""PostgreSQL SQL text: every statement parses as PostgreSQL and says what the task means."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
import sqlglot
from sqlglot import exp

from data_extractor.adapters.jdbc import dialect_for
from data_extractor.adapters.jdbc.dialect import ColumnPlan, SourceColumn, UnsafeIdentifierError
from data_extractor.adapters.jdbc.postgresql import PostgresDialect
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.domain.model import TableState
from tests.unit.sql_cases import COMMITTED, UPPER, task_for
from tests.unit.sql_cases import cast_bounds as bounds
from tests.unit.sql_cases import from_names as names
from tests.unit.sql_cases import parse as parse_as

parse = functools.partial(parse_as, dialect="postgres")


DIALECT = PostgresDialect()
READER = JdbcSourceReader(None, JdbcSettings(type="postgresql"), DIALECT)


def test_full_extract_folds_unquoted_names_to_lower_case():
    task = task_for(
        {"table_name": "Order$Items#", "schema_name": '"Sales"', "is_full_extract": True}
    )
    sql = READER.select_sql(task)
    assert sql == 'SELECT * FROM "Sales"."order$items#"'
    tree = parse(sql)
    assert tree.find(exp.Where) is None and names(tree) == (("Sales", True), ("order$items#", True))
    assert READER.describe(task) == sql


def test_first_watermark_run_reads_up_to_the_maximum_and_nulls():
    task = task_for({"table_name": "events", "incremental_column": "user"}, upper=UPPER)
    tree = parse(READER.select_sql(task))
    condition = tree.find(exp.Where).this.unnest()
    assert isinstance(condition, exp.Or) and isinstance(condition.expression, exp.Is)
    assert bounds(tree) == {"LTE": ("user", "2024-05-02 06:00:00.000001", "TIMESTAMP")}


def test_watermark_window_uses_timestamp_literals():
    task = task_for({"table_name": "events", "incremental_column": '"UpdatedAt"'}, COMMITTED, UPPER)
    tree = parse(READER.select_sql(task))
    assert tree.find(exp.Is) is None
    assert bounds(tree) == {
        "GT": ("UpdatedAt", "2024-05-01 23:59:59.250000", "TIMESTAMP"),
        "LTE": ("UpdatedAt", "2024-05-02 06:00:00.000001", "TIMESTAMP"),
    }


def test_aware_watermarks_are_timestamptz_instants_with_their_utc_offset():
    state = TableState(
        watermark=dt.datetime(2024, 5, 2, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        last_run_id="r0",
    )
    tree = parse(
        READER.select_sql(task_for({"table_name": "e", "incremental_column": "ts"}, state, UPPER))
    )
    # TIMESTAMPTZ with an offset: no session or JVM zone can move the bound.
    column, text, kind = bounds(tree)["GT"]
    assert (text, kind) == ("2024-05-01 23:00:00.000000 +00:00", "TIMESTAMPTZ")


def test_daily_window_with_lookback():
    entry = {
        "table_name": "events",
        "incremental_column": "created",
        "extraction_date": "2024-04-30",
        "lookback": "6h",
    }
    state = TableState(watermark=dt.datetime(2024, 4, 30), last_run_id="r0")
    tree = parse(READER.select_sql(task_for(entry, state)))
    assert bounds(tree) == {
        "GTE": ("created", "2024-04-29 18:00:00.000000", "TIMESTAMP"),
        "LT": ("created", "2024-05-01 00:00:00.000000", "TIMESTAMP"),
    }


def test_date_and_numeric_cursors():
    state = TableState(watermark=dt.date(2024, 4, 1), last_run_id="r0")
    tree = parse(
        READER.select_sql(
            task_for({"table_name": "t", "incremental_column": "d"}, state, dt.date(2024, 5, 1))
        )
    )
    assert bounds(tree) == {"GT": ("d", "2024-04-01", "DATE"), "LTE": ("d", "2024-05-01", "DATE")}
    state = TableState(watermark=7, last_run_id="r0")
    tree = parse(
        READER.select_sql(task_for({"table_name": "t", "incremental_column": "id"}, state, 70))
    )
    assert bounds(tree) == {"GT": ("id", "7", "number"), "LTE": ("id", "70", "number")}


def test_custom_query_is_an_aliased_subquery():
    entry = {
        "table_name": "recent",
        "custom_query": "SELECT id, ts FROM orders WHERE status = 'OPEN';",
        "incremental_column": "ts",
    }
    sql = READER.select_sql(task_for(entry, COMMITTED, UPPER))
    assert ";" not in sql  # the trailing semicolon is dropped, or the subquery would break
    tree = parse(sql)
    subquery = tree.find(exp.Subquery)
    assert subquery.alias == "q"
    assert set(bounds(tree)) == {"GT", "LTE"}
    assert parse(f"SELECT * FROM {DIALECT.subquery(sql, 't')}").find(exp.Subquery).alias == "t"


def test_hash_predicates_use_hashtext_of_every_key_column():
    predicates = DIALECT.hash_predicates(["id", "Region"], 3)
    assert len(predicates) == 3
    for i, predicate in enumerate(predicates):
        condition = parse(f"SELECT * FROM t WHERE {predicate}").find(exp.Where).this
        assert isinstance(condition, exp.EQ) and condition.expression.this == str(i)
        modulo = condition.this
        assert isinstance(modulo, exp.Mod) and modulo.expression.this == "3"
        assert isinstance(modulo.this, exp.Coalesce) and isinstance(modulo.this.this, exp.Abs)
        assert modulo.find(exp.Anonymous).name.lower() == "hashtext"
        columns = [(c.name, c.this.quoted) for c in modulo.find_all(exp.Column, bfs=False)]
        assert columns == [("id", True), ("region", True)]
        assert "|" in [lit.this for lit in modulo.find_all(exp.Literal)]


def test_url_and_aliases():
    assert (
        DIALECT.url(JdbcSettings(type="postgresql", host="pg", database="app"))
        == "jdbc:postgresql://pg:5432/app"
    )
    assert isinstance(dialect_for("postgres"), PostgresDialect)
    assert isinstance(dialect_for("pg"), PostgresDialect)
    with pytest.raises(
        ValueError, match="known: derby, mariadb, mysql, oracle, postgresql, sqlserver"
    ):
        dialect_for("db2")


def test_without_dates_or_number_mapping_every_column_is_read_as_is():
    # The catalog is always asked: dates and timestamps need guarding whatever number_mapping.
    assert PostgresDialect().needs_column_plan
    assert PostgresDialect().column_plan([SourceColumn("n", "numeric")]) == ColumnPlan("*")


def test_dates_and_timestamps_are_guarded_to_fail_on_values_spark_cannot_hold():
    plan = PostgresDialect().column_plan(
        [
            SourceColumn("id", "integer", 32, 0),
            SourceColumn("Born", "date"),
            SourceColumn("at", "timestamp with time zone"),
        ]
    )
    tree = sqlglot.parse_one(f"SELECT {plan.select_list} FROM t", read="postgres")
    names = [e.alias_or_name for e in tree.expressions]
    assert names == ["id", "Born", "at"]
    born = tree.expressions[1].find(exp.Case)
    assert "'0001-01-01'" in born.sql("postgres") and "'10000-01-01'" in born.sql("postgres")
    failing = born.args["default"]
    assert isinstance(failing, exp.Cast) and failing.to.this is exp.DataType.Type.DATE
    assert "column Born holds" in failing.sql("postgres")
    assert tree.expressions[2].find(exp.Cast).to.this is exp.DataType.Type.TIMESTAMPTZ


def test_number_mapping_reads_only_bare_numerics_as_the_mapped_type():
    dialect = dialect_for("postgresql", number_mapping="string")
    assert dialect.needs_column_plan
    plan = dialect.column_plan(
        [
            SourceColumn("id", "integer", 32, 0),
            SourceColumn("exact", "numeric"),
            SourceColumn("fixed", "numeric", 10, 2),
            SourceColumn("odd`name", "numeric"),
        ]
    )
    assert plan == ColumnPlan("*", "`exact` STRING, `odd``name` STRING")
    decimal = dialect_for("postgresql", number_mapping="decimal(38,10)")
    assert decimal.column_plan([SourceColumn("x", "numeric")]).custom_schema == "`x` DECIMAL(38,10)"


def test_catalog_query_names_schema_and_table_as_literals():
    sql = PostgresDialect("string").columns_sql("Sales", '"Order Lines"')
    assert "table_schema = 'sales'" in sql  # unquoted: folded as PostgreSQL folds it
    assert "table_name = 'Order Lines'" in sql
    assert "ORDER BY ordinal_position" in sql
    assert "current_schema()" in PostgresDialect("string").columns_sql(None, "t")
    sqlglot.parse_one(sql, read="postgres")
    with pytest.raises(UnsafeIdentifierError):
        PostgresDialect("string").columns_sql("s", "x'; DROP TABLE t; --")
