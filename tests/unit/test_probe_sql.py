"""The probe's SQL on every dialect, Oracle's catalog query and connection options."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from data_extractor.adapters.jdbc import DIALECTS, dialect_for
from data_extractor.adapters.jdbc.dialect import SourceColumn
from data_extractor.adapters.jdbc.oracle import OracleDialect
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from tests.unit.sql_cases import COMMITTED, SQLGLOT, WATERMARK, task_for, value_of

DUAL = {"oracle": "DUAL", "derby": "SYSIBM.SYSDUMMY1"}


def reader(name: str) -> JdbcSourceReader:
    settings = JdbcSettings(type=name, url=f"jdbc:{name}:test")
    return JdbcSourceReader(None, settings, dialect_for(name))


def test_each_aggregate_is_its_own_scalar_subquery_on_every_dialect():
    # Before: "SELECT MAX(c) AS hw, MIN(k) AS lo, MAX(k) AS hi FROM t WHERE ...", which keeps
    # Oracle from answering each MIN/MAX from an index.
    task = task_for({"table_name": "t", "incremental_column": "updated_at"}, COMMITTED)
    for name in DIALECTS:
        sql = reader(name).probe_sql(task, "id", with_count=False)
        outer_from = f" FROM {DUAL[name]}" if name in DUAL else ""
        assert sql.endswith(")" + outer_from) or sql.endswith(") AS hi" + outer_from), sql
        assert sql.startswith("SELECT (SELECT MAX("), sql
        if name == "derby":
            continue  # sqlglot has no Derby dialect
        tree = sqlglot.parse_one(sql, read=SQLGLOT[name])
        aliases = [e.alias for e in tree.expressions]
        assert aliases == ["hw", "lo", "hi"]
        inner = [e.this.this for e in tree.expressions]
        assert all(isinstance(q, exp.Select) for q in inner)
        assert [type(q.expressions[0]).__name__ for q in inner] == ["Max", "Min", "Max"]
        assert all(q.find(exp.Where) is not None for q in inner)


def test_the_high_watermark_is_the_cursors_maximum_above_the_committed_one_on_every_dialect():
    # Above the lower bound, so an index on the cursor serves the MAX.
    task = task_for({"table_name": "events", "incremental_column": "updated_at"}, COMMITTED)
    for name in DIALECTS:
        if name == "derby":
            continue  # sqlglot has no Derby dialect
        sql = reader(name).probe_sql(task, None, with_count=False)
        [hw] = sqlglot.parse_one(sql, read=SQLGLOT[name]).expressions
        inner = hw.this.this
        assert hw.alias == "hw" and isinstance(inner.expressions[0], exp.Max), name
        assert inner.expressions[0].this.name.lower() == "updated_at", name
        [above] = list(inner.find(exp.Where).find_all(exp.GT))
        assert above.this.name.lower() == "updated_at", name
        assert value_of(above.expression).replace(tzinfo=None) == WATERMARK, name


def test_a_zoned_oracle_cursor_is_probed_as_its_utc_instant():
    task = task_for({"table_name": "t", "incremental_column": "changed_at"})
    sql = reader("oracle").probe_sql(task, None, with_count=False, exact={"hw": "timestamp_tz"})
    tree = sqlglot.parse_one(sql, read="oracle")
    [hw] = tree.expressions
    assert hw.alias == "hw"
    assert hw.this.this.expressions[0].sql("oracle") == 'SYS_EXTRACT_UTC(MAX("CHANGED_AT"))'
    assert OracleDialect().utc_aggregate("MIN", '"K"') == 'SYS_EXTRACT_UTC(MIN("K"))'
    assert dialect_for("postgresql").utc_aggregate("MAX", '"k"') is None


def test_the_count_is_a_scalar_subquery_too():
    task = task_for({"table_name": "t", "incremental_column": "updated_at"}, COMMITTED)
    tree = sqlglot.parse_one(reader("oracle").probe_sql(task, None), read="oracle")
    assert [e.alias for e in tree.expressions] == ["hw", "n"]


def test_oracle_catalog_query_resolves_synonyms_in_oracles_order():
    sql = OracleDialect().columns_sql(None, "orders")
    tree = sqlglot.parse_one(sql, read="oracle")
    assert [e.name for e in tree.expressions] == [
        "COLUMN_NAME",
        "DATA_TYPE",
        "DATA_PRECISION",
        "DATA_SCALE",
    ]
    synonyms = [t for t in tree.find_all(exp.Table) if t.name == "ALL_SYNONYMS"]
    assert len(synonyms) == 2  # the schema's private synonym, then PUBLIC
    assert "'PUBLIC'" in sql and "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')" in sql
    # With a schema, "SALES.ORDERS" can only be SALES's object or SALES's private synonym.
    with_schema = OracleDialect().columns_sql("sales", "orders")
    assert "'PUBLIC'" not in with_schema and "'SALES'" in with_schema


def test_integer_and_float_columns_get_explicit_types():
    dialect = OracleDialect()
    plan = dialect.column_plan(
        [
            SourceColumn("N", "NUMBER", None, 0),  # INTEGER
            SourceColumn("S", "NUMBER", None, 4),  # NUMBER(*,4)
            SourceColumn("F", "FLOAT", 126, None),
            SourceColumn("F2", "FLOAT", 10, None),
            SourceColumn("P", "NUMBER", 9, 2),
        ]
    )
    assert plan.custom_schema == ("`N` DECIMAL(38,0), `S` DECIMAL(38,4), `F` DOUBLE, `F2` DOUBLE")


def test_every_oracle_connection_sends_the_time_zone_as_an_offset():
    # Before: no such option; a JVM zone newer than the database's file gave ORA-01882.
    options = reader("oracle").options()
    assert options["oracle.jdbc.timezoneAsRegion"] == "false"
    wallet = JdbcSettings(type="oracle", tns="prod_high", tns_admin="/wallet")
    assert OracleDialect().extra_options(wallet) == {
        "oracle.jdbc.timezoneAsRegion": "false",
        "oracle.net.tns_admin": "/wallet",
    }
