"""Oracle SQL text: every statement parses as Oracle SQL and says what the task means."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

import attrs
import pytest
from sqlglot import exp
from sqlglot.dialects.oracle import Oracle

from data_extractor.adapters.jdbc import dialect_for
from data_extractor.adapters.jdbc.dialect import SourceColumn, UnsafeIdentifierError
from data_extractor.adapters.jdbc.oracle import OracleDialect
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.domain.errors import ExtractionError
from data_extractor.domain.model import Mode, SourceProbe, TableState
from tests.unit.sql_cases import COMMITTED, INJECTIONS, UPPER, task_for
from tests.unit.sql_cases import parse as parse_as

parse = functools.partial(parse_as, dialect="oracle")

DIALECT = OracleDialect()
READER = JdbcSourceReader(None, JdbcSettings(type="oracle"), DIALECT)


def source_table(tree: exp.Expression) -> exp.Table:
    """The table (or subquery) the SELECT reads from."""
    return tree.find(exp.From).this


def names(table: exp.Table) -> tuple[tuple[str, bool], ...]:
    """(name, quoted) of the schema and table identifiers."""
    parts = [table.args.get("db"), table.this]
    return tuple((p.this, p.quoted) for p in parts if p is not None)


def bounds(tree: exp.Expression) -> dict[str, tuple[str, str, type]]:
    """Each comparison in the WHERE: operator -> (column, literal text, literal node type)."""
    where = tree.find(exp.Where)
    found = {}
    for cmp in where.find_all(exp.GT, exp.GTE, exp.LT, exp.LTE):
        assert cmp.this.this.quoted, cmp.sql("oracle")
        found[type(cmp).__name__] = (
            cmp.this.name,
            cmp.expression.find(exp.Literal).this,
            type(cmp.expression),
        )
    return found


# -- full, windows, lookback -------------------------------------------------------------
def test_full_extract_selects_the_whole_table_with_quoted_folded_names():
    task = task_for(
        {"table_name": "order_items$v2#", "schema_name": "Sales", "is_full_extract": True}
    )
    tree = parse(READER.select_sql(task))
    assert tree.find(exp.Where) is None
    assert isinstance(tree.expressions[0], exp.Star)
    assert names(source_table(tree)) == (("SALES", True), ("ORDER_ITEMS$V2#", True))
    assert READER.describe(task) == READER.select_sql(task)


def test_quoted_names_keep_their_case_and_reserved_words_are_quoted():
    task = task_for(
        {"table_name": '"Order Lines"', "schema_name": '"sales"', "incremental_column": "level"},
        COMMITTED,
        UPPER,
    )
    tree = parse(READER.select_sql(task))
    assert names(source_table(tree)) == (("sales", True), ("Order Lines", True))
    assert {column for column, _, _ in bounds(tree).values()} == {"LEVEL"}


def test_first_watermark_run_reads_up_to_the_source_maximum_and_nulls():
    task = task_for({"table_name": "events", "incremental_column": "updated_at"}, upper=UPPER)
    assert task.mode is Mode.FULL
    tree = parse(READER.select_sql(task))
    where = tree.find(exp.Where).this.unnest()
    assert isinstance(where, exp.Or)
    assert isinstance(where.expression, exp.Is) and where.expression.this.name == "UPDATED_AT"
    assert bounds(tree) == {"LTE": ("UPDATED_AT", "2024-05-02 06:00:00.000001", exp.StrToTime)}


def test_watermark_window_is_half_open_with_typed_timestamp_literals():
    task = task_for({"table_name": "events", "incremental_column": "updated_at"}, COMMITTED, UPPER)
    tree = parse(READER.select_sql(task))
    assert tree.find(exp.Is) is None  # NULL cursors were read by the first run only
    assert bounds(tree) == {
        "GT": ("UPDATED_AT", "2024-05-01 23:59:59.250000", exp.StrToTime),
        "LTE": ("UPDATED_AT", "2024-05-02 06:00:00.000001", exp.StrToTime),
    }
    assert "TIMESTAMP '2024-05-01 23:59:59.250000'" in READER.select_sql(task)


def test_daily_window_covers_one_calendar_day_with_date_literals():
    # A DATE cursor compared with TIMESTAMP literals is converted row by row (no index
    # range scan); whole-second bounds are DATE values, exact to the second.
    entry = {
        "table_name": "events",
        "incremental_column": "created",
        "extraction_date": "2024-04-30",
    }
    task = task_for(entry, TableState(watermark=dt.datetime(2024, 4, 30), last_run_id="r0"))
    sql = READER.select_sql(task)
    assert bounds(parse(sql)) == {
        "GTE": ("CREATED", "2024-04-30 00:00:00", exp.StrToDate),
        "LT": ("CREATED", "2024-05-01 00:00:00", exp.StrToDate),
    }
    assert "TO_DATE('2024-04-30 00:00:00', 'YYYY-MM-DD HH24:MI:SS')" in sql
    assert "TIMESTAMP" not in sql


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (
            dt.datetime(2024, 5, 1, 6, 0, 7),
            "TO_DATE('2024-05-01 06:00:07', 'YYYY-MM-DD HH24:MI:SS')",
        ),
        (dt.datetime(2024, 5, 1, 6, 0, 7, 1), "TIMESTAMP '2024-05-01 06:00:07.000001'"),
        # An instant (only zoned columns give one) keeps its offset: the UTC instant it is.
        (
            dt.datetime(2024, 5, 1, 8, 0, 7, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "TIMESTAMP '2024-05-01 06:00:07.000000 +00:00'",
        ),
        (dt.date(2024, 5, 1), "DATE '2024-05-01'"),
    ],
)
def test_datetime_literals_are_dates_unless_they_carry_a_fraction(value, literal):
    assert DIALECT.literal(value) == literal
    parse(f"SELECT * FROM t WHERE x >= {literal}")


def test_lookback_moves_the_lower_bound_down():
    entry = {"table_name": "events", "incremental_column": "updated_at", "lookback": "2h"}
    task = task_for(entry, COMMITTED, UPPER)
    assert bounds(parse(READER.select_sql(task)))["GT"][1] == "2024-05-01 21:59:59.250000"


def test_date_and_numeric_cursors_use_date_and_number_literals():
    state = TableState(watermark=dt.date(2024, 4, 1), last_run_id="r0")
    task = task_for({"table_name": "t", "incremental_column": "d"}, state, dt.date(2024, 5, 1))
    assert bounds(parse(READER.select_sql(task))) == {
        "GT": ("D", "2024-04-01", exp.DateStrToDate),
        "LTE": ("D", "2024-05-01", exp.DateStrToDate),
    }
    state = TableState(watermark=Decimal("10.5"), last_run_id="r0")
    task = task_for({"table_name": "t", "incremental_column": "n"}, state, 99)
    assert bounds(parse(READER.select_sql(task))) == {
        "GT": ("N", "10.5", exp.Literal),
        "LTE": ("N", "99", exp.Literal),
    }


def test_custom_query_is_a_subquery_without_as_and_the_window_applies_outside():
    entry = {
        "table_name": "recent",
        "custom_query": "SELECT o.id, o.ts FROM orders o WHERE o.status = 'OPEN';",
        "incremental_column": "ts",
    }
    task = task_for(entry, COMMITTED, UPPER)
    sql = READER.select_sql(task)
    assert ") q WHERE" in sql and " AS q" not in sql  # Oracle rejects AS before a table alias
    tree = parse(sql)
    subquery = tree.find(exp.From).this
    assert isinstance(subquery, exp.Subquery) and subquery.alias == "q"
    assert subquery.this.find(exp.Where).this.expression.this == "OPEN"
    assert set(bounds(tree)) == {"GT", "LTE"}


def test_spark_dbtable_wrapper_has_no_as():
    task = task_for({"table_name": "events", "is_full_extract": True})
    wrapped = DIALECT.subquery(READER.select_sql(task), "t")
    assert not re.search(r"\)\s+AS\s+t$", wrapped)
    subquery = parse(f"SELECT * FROM {wrapped} WHERE 1 = 0").find(exp.Subquery)
    assert subquery.alias == "t"


# -- hash splits -------------------------------------------------------------------------
def test_hash_predicates_use_ora_hash_of_every_key_column():
    predicates = DIALECT.hash_predicates(["id", '"Region"'], 4)
    assert len(predicates) == 4
    for i, predicate in enumerate(predicates):
        condition = parse(f"SELECT * FROM t WHERE {predicate}").find(exp.Where).this
        assert isinstance(condition, exp.EQ) and condition.expression.this == str(i)
        modulo = condition.this
        assert isinstance(modulo, exp.Mod) and modulo.expression.this == "4"
        assert isinstance(modulo.this, exp.Coalesce)  # a NULL hash lands in bucket 0
        assert modulo.this.this.name.upper() == "ORA_HASH"
        columns = [(c.name, c.this.quoted) for c in modulo.find_all(exp.Column, bfs=False)]
        assert columns == [("ID", True), ("Region", True)]
        assert "|" in [lit.this for lit in modulo.find_all(exp.Literal)]


def test_hash_predicates_without_a_key_are_refused_never_rowid():
    # ROWID is not visible through a view or Spark's wrapping subquery (ORA-01446).
    with pytest.raises(NotImplementedError):
        DIALECT.hash_predicates([], 2)


# -- range splits ------------------------------------------------------------------------
def split_task(probe: SourceProbe, **entry):
    """A full-extract task asking for 4 partitions, after the given probe."""
    task = task_for({"table_name": "t", "is_full_extract": True, "num_partitions": 4, **entry})
    return attrs.evolve(task, probe=probe)


def test_a_date_key_is_range_split_with_date_literals_and_nulls_in_the_first_range():
    # The driver reports DATE as a timestamp; its MIN/MAX come with a .000000 fraction.
    probe = SourceProbe(
        split_column="OPENED",
        split_kind="range",
        split_lower="2024-01-01 00:00:00.000000",
        split_upper="2024-01-05 00:00:00.000000",
    )
    predicates = READER.split_predicates(split_task(probe, split_column="opened"))
    assert len(predicates) == 4
    trees = [parse(f"SELECT * FROM t WHERE {p}") for p in predicates]
    assert bounds(trees[0]) == {"LT": ("OPENED", "2024-01-02 00:00:00", exp.StrToDate)}
    assert trees[0].find(exp.Is) is not None
    assert bounds(trees[1]) == {
        "GTE": ("OPENED", "2024-01-02 00:00:00", exp.StrToDate),
        "LT": ("OPENED", "2024-01-03 00:00:00", exp.StrToDate),
    }
    assert bounds(trees[3]) == {"GTE": ("OPENED", "2024-01-04 00:00:00", exp.StrToDate)}
    assert all(".000000" not in p and "TIMESTAMP" not in p for p in predicates)


def test_a_number_key_with_fractional_bounds_is_split_by_decimal_ranges():
    probe = SourceProbe(
        split_column="AMOUNT", split_kind="range", split_lower="-0.5", split_upper="99.5"
    )
    predicates = READER.split_predicates(split_task(probe, split_column="amount"))
    assert [bounds(parse(f"SELECT * FROM t WHERE {p}")) for p in predicates] == [
        {"LT": ("AMOUNT", "24.5", exp.Literal)},
        {"GTE": ("AMOUNT", "24.5", exp.Literal), "LT": ("AMOUNT", "49.5", exp.Literal)},
        {"GTE": ("AMOUNT", "49.5", exp.Literal), "LT": ("AMOUNT", "74.5", exp.Literal)},
        {"GTE": ("AMOUNT", "74.5", exp.Literal)},
    ]


def test_a_text_key_is_hash_split_with_null_keys_in_a_bucket():
    probe = SourceProbe(split_column="CODE", split_kind="hash", split_lower="a", split_upper="z")
    predicates = READER.split_predicates(split_task(probe, split_column="code"))
    assert predicates[0] == 'MOD(COALESCE(ORA_HASH("CODE"), 0), 4) = 0'
    assert len(predicates) == 4


def test_without_a_split_column_the_table_is_read_in_one_partition_and_the_log_says_why(caplog):
    caplog.set_level("INFO")
    task = split_task(SourceProbe())
    assert READER.split_predicates(task) == []
    assert "set split_column" in caplog.text and task.key in caplog.text


# -- flashback -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("snapshot", "kind", "value"),
    [
        (123456789, "SCN", "123456789"),
        ("987654321", "SCN", "987654321"),
        (dt.datetime(2024, 5, 1, 12, 0, 0), "TIMESTAMP", "2024-05-01 12:00:00.000000"),
        ("2024-05-01T12:00:00.5", "TIMESTAMP", "2024-05-01 12:00:00.500000"),
        (
            dt.datetime(2024, 5, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "TIMESTAMP",
            "2024-05-01 12:00:00.000000",  # an instant as its UTC wall clock
        ),
    ],
)
def test_flashback_reads_the_table_as_of_a_snapshot(snapshot, kind, value):
    task = task_for({"table_name": "events", "incremental_column": "updated_at"}, COMMITTED, UPPER)
    tree = parse(READER.select_sql(attrs.evolve(task, snapshot=snapshot)))
    version = source_table(tree).args["version"]
    assert version.args["kind"] == "AS OF" and version.name == kind
    assert version.expression.find(exp.Literal).this == value
    assert set(bounds(tree)) == {"GT", "LTE"}


def test_flashback_without_snapshot_changes_nothing():
    spec = task_for({"table_name": "t", "is_full_extract": True}).spec
    assert DIALECT.flashback_clause(None) == "" and READER.relation(spec, None) == '"T"'


@pytest.mark.parametrize("bad", ["1; DROP TABLE t", "yesterday", "12 OR 1=1", -5, True])
def test_flashback_refuses_anything_but_an_scn_or_a_timestamp(bad):
    with pytest.raises(ValueError):
        DIALECT.flashback_clause(bad)


def test_current_scn_query():
    tree = parse(DIALECT.current_scn_sql())
    assert tree.expressions[0].name == "CURRENT_SCN"
    assert source_table(tree).name == "V$DATABASE"


# -- catalog and column plan -----------------------------------------------------------------
def test_columns_query_uses_literals_of_the_normalised_names():
    tree = parse(DIALECT.columns_sql("sales", '"Order Lines"'))
    assert [e.name for e in tree.expressions] == [
        "COLUMN_NAME",
        "DATA_TYPE",
        "DATA_PRECISION",
        "DATA_SCALE",
    ]
    literals = {e.this for e in tree.find_all(exp.Literal) if e.is_string}
    assert {"SALES", "Order Lines"} <= literals
    assert "ALL_TAB_COLUMNS" in {t.name for t in tree.find_all(exp.Table)}
    assert tree.args["order"].expressions[0].this.name == "COLUMN_ID"


def test_columns_query_without_schema_uses_the_current_schema():
    tree = parse(DIALECT.columns_sql(None, "events"))
    owners = [eq.expression.sql("oracle") for eq in tree.find_all(exp.EQ)]
    assert "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')" in owners


@pytest.mark.parametrize("bad", INJECTIONS)
def test_columns_query_rejects_unsafe_names(bad):
    with pytest.raises(UnsafeIdentifierError):
        DIALECT.columns_sql(bad, "t")
    with pytest.raises(UnsafeIdentifierError):
        DIALECT.columns_sql("s", bad)


CATALOG = [
    SourceColumn("ID", "NUMBER", None, None),
    SourceColumn("QTY", "NUMBER", 10, 2),
    SourceColumn("COUNT", "NUMBER", None, 0),
    SourceColumn("ROUNDED", "NUMBER", 5, -2),
    SourceColumn("RATIO", "FLOAT", 126, None),
    SourceColumn("mixed Case", "VARCHAR2"),
    SourceColumn("DUE", "DATE"),
    SourceColumn("TS", "TIMESTAMP(6)"),
    SourceColumn("TSTZ", "TIMESTAMP(6) WITH TIME ZONE"),
    SourceColumn("TSLTZ", "TIMESTAMP(3) WITH LOCAL TIME ZONE"),
    SourceColumn("BODY", "CLOB"),
    SourceColumn("PIC", "BLOB"),
    SourceColumn("HASH", "RAW"),
    SourceColumn("OLD", "LONG"),
    SourceColumn("SHAPE", "SDO_GEOMETRY"),
    SourceColumn("ATTACHMENT", "BFILE"),
]


def test_column_plan_selects_quoted_columns_and_fixes_types():
    plan = DIALECT.column_plan(CATALOG)
    task = task_for({"table_name": "wide", "is_full_extract": True})
    tree = parse(READER.select_sql(task, plan.select_list))
    selected = [(e.alias_or_name, e.find(exp.Identifier).quoted) for e in tree.expressions]
    assert selected == [
        (name, True)
        for name in ("ID", "QTY", "COUNT", "ROUNDED", "RATIO", "mixed Case", "DUE", "TS")
        + ("TSTZ", "TSLTZ", "BODY", "PIC", "HASH")
    ]
    utc = {e.alias: e.this.name.upper() for e in tree.expressions if isinstance(e, exp.Alias)}
    assert utc == {"TSTZ": "SYS_EXTRACT_UTC", "TSLTZ": "SYS_EXTRACT_UTC"}
    assert plan.custom_schema == (
        "`ID` DECIMAL(38,18), `COUNT` DECIMAL(38,0), `ROUNDED` DECIMAL(7,0), `RATIO` DOUBLE"
    )


def test_column_plan_warns_about_every_column_it_converts_or_leaves_out():
    warnings = DIALECT.column_plan(CATALOG).warnings
    assert [w.split()[1] for w in warnings] == ["TSTZ", "TSLTZ", "OLD", "SHAPE", "ATTACHMENT"]
    assert all("left out" in w for w in warnings[2:])
    assert "not readable over JDBC" in warnings[2] and "has no mapping" in warnings[3]


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [("string", "STRING"), ("double", "DOUBLE"), ("decimal(38, 10)", "DECIMAL(38,10)")],
)
def test_number_mapping_is_configurable(mapping, expected):
    dialect = dialect_for("oracle", number_mapping=mapping)
    plan = dialect.column_plan(
        [SourceColumn("AMOUNT", "NUMBER"), SourceColumn("N", "NUMBER", 9, 0)]
    )
    assert plan.custom_schema == f"`AMOUNT` {expected}"


@pytest.mark.parametrize("bad", ["decimal(39,2)", "decimal(5,6)", "int", "decimal(38,18); x"])
def test_number_mapping_rejects_unknown_types(bad):
    with pytest.raises(ValueError, match="number_mapping"):
        OracleDialect(bad)


def tokens(sql: str) -> list[tuple[str, str]]:
    """Oracle tokens as (type, text), for SQL sqlglot cannot parse."""
    return [(t.token_type.name, t.text) for t in Oracle().tokenize(sql)]


def test_xml_and_json_columns_are_serialised_to_text():
    # sqlglot cannot parse XMLSERIALIZE/JSON_SERIALIZE ... AS/RETURNING CLOB: check tokens.
    plan = DIALECT.column_plan([SourceColumn("DOC", "XMLTYPE"), SourceColumn("J", "JSON")])
    xml, json_column = plan.select_list.split(", ")
    assert tokens(xml) == [
        ("VAR", "XMLSERIALIZE"),
        ("L_PAREN", "("),
        ("VAR", "CONTENT"),
        ("IDENTIFIER", "DOC"),
        ("ALIAS", "AS"),
        ("TEXT", "CLOB"),
        ("R_PAREN", ")"),
        ("ALIAS", "AS"),
        ("IDENTIFIER", "DOC"),
    ]
    assert tokens(json_column)[:4] == [
        ("VAR", "JSON_SERIALIZE"),
        ("L_PAREN", "("),
        ("IDENTIFIER", "J"),
        ("RETURNING", "RETURNING"),
    ]
    assert tokens(json_column)[-2:] == [("ALIAS", "AS"), ("IDENTIFIER", "J")]
    assert len(plan.warnings) == 2


def test_column_plan_with_nothing_readable_fails_loudly():
    with pytest.raises(ValueError, match="OLD"):
        DIALECT.column_plan([SourceColumn("OLD", "LONG RAW")])


# -- session, connection ----------------------------------------------------------------------
LITERAL = re.compile(r"'(?:[^']|'')*'")


def literals(sql: str) -> tuple[str, list[str]]:
    """The SQL with every string literal replaced by ?, and the literals' values."""
    values = [m.group(0)[1:-1].replace("''", "'") for m in LITERAL.finditer(sql)]
    return LITERAL.sub("?", sql), values


SKELETON = "BEGIN DBMS_APPLICATION_INFO.SET_MODULE(?, ?); " + "EXECUTE IMMEDIATE ?; " * 5 + "END;"


def test_session_init_sets_module_time_zone_and_nls_formats():
    skeleton, values = literals(DIALECT.session_init("data-extractor", "src/events"))
    assert skeleton == SKELETON
    assert values[:2] == ["data-extractor", "src/events"]
    statements = values[2:]
    assert statements[0] == "ALTER SESSION SET TIME_ZONE = 'UTC'"
    assert "ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD HH24:MI:SS'" in statements
    assert "ALTER SESSION SET NLS_TIMESTAMP_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6'" in statements


def test_session_init_escapes_and_truncates_module_and_action():
    module = "m'); EXECUTE IMMEDIATE 'DROP TABLE t'; --" + "x" * 40
    action = "é" * 40  # 80 bytes in UTF-8; Oracle keeps 32 bytes
    skeleton, values = literals(DIALECT.session_init(module, action))
    assert skeleton == SKELETON
    assert values[0] == module.encode()[:48].decode() and len(values[0].encode()) == 48
    assert values[1] == "é" * 16
    assert "DROP" not in skeleton


def test_urls_for_service_sid_and_tns():
    base = {"type": "oracle", "host": "db.example", "port": 1522}
    assert (
        DIALECT.url(JdbcSettings(**base, service="ORCLPDB1"))
        == "jdbc:oracle:thin:@//db.example:1522/ORCLPDB1"
    )
    assert (
        DIALECT.url(JdbcSettings(type="oracle", host="h", service="S"))
        == "jdbc:oracle:thin:@//h:1521/S"
    )
    assert (
        DIALECT.url(JdbcSettings(**base, sid="ORCL", service="X"))
        == "jdbc:oracle:thin:@db.example:1522:ORCL"
    )
    descriptor = "(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=h)(PORT=2484))\n  (CONNECT_DATA=(SERVICE_NAME=s)))"
    assert DIALECT.url(JdbcSettings(type="oracle", tns=descriptor)) == (
        "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=h)(PORT=2484)) (CONNECT_DATA=(SERVICE_NAME=s)))"
    )
    alias = JdbcSettings(type="oracle", tns="prod_high", tns_admin="/wallet")
    assert DIALECT.url(alias) == "jdbc:oracle:thin:@prod_high"
    assert DIALECT.extra_options(alias)["oracle.net.tns_admin"] == "/wallet"
    assert "oracle.net.tns_admin" not in DIALECT.extra_options(
        JdbcSettings(type="oracle", tns="prod_high")
    )
    raw = JdbcSettings(type="oracle", url="jdbc:oracle:thin:@x:1/y", service="ignored")
    assert DIALECT.url(raw) == "jdbc:oracle:thin:@x:1/y"


@pytest.mark.parametrize(
    "settings",
    [
        JdbcSettings(type="oracle", host="h"),
        JdbcSettings(type="oracle", tns="bad alias; x"),
        JdbcSettings(type="oracle", tns="(DESCRIPTION=(ADDRESS=(HOST=h)"),
    ],
)
def test_incomplete_or_odd_connection_settings_are_refused(settings):
    with pytest.raises(ValueError):
        DIALECT.url(settings)


def test_reader_options_carry_driver_fetch_size_and_session_init():
    settings = JdbcSettings(
        type="oracle", host="h", service="s", user="u", password="secret", tns_admin="/w"
    )
    task = task_for({"table_name": "events", "is_full_extract": True})
    options = JdbcSourceReader(None, settings, DIALECT).options(task.spec)
    assert options["driver"] == "oracle.jdbc.OracleDriver"
    assert int(options["fetchsize"]) >= 10_000
    assert options["sessionInitStatement"].startswith("BEGIN DBMS_APPLICATION_INFO.SET_MODULE(")
    assert options["oracle.net.tns_admin"] == "/w"
    assert DIALECT.maven_coordinates.startswith("com.oracle.database.jdbc:ojdbc11:23.")


# -- injection -------------------------------------------------------------------------------


def test_the_reader_puts_the_tasks_snapshot_in_every_query():
    task = task_for({"table_name": "events", "incremental_column": "updated_at"}, COMMITTED)
    task = attrs.evolve(task, snapshot="987654")
    for sql in (
        READER.select_sql(task),
        READER.probe_sql(task, "ID"),
    ):
        tables = [t for t in parse(sql).find_all(exp.Table) if t.name != "DUAL"]
        for table in tables:
            version = table.args["version"]
            assert version.name == "SCN" and version.expression.this == "987654"


def test_a_snapshot_on_a_custom_query_is_refused():
    task = task_for(
        {"table_name": "q", "custom_query": "SELECT 1 AS x FROM dual", "is_full_extract": True}
    )
    with pytest.raises(ExtractionError, match="AS OF inside the query"):
        READER.select_sql(attrs.evolve(task, snapshot="1"))


@pytest.mark.parametrize(
    ("entry", "state"),
    [
        ({"table_name": "t", "is_full_extract": True}, None),
        ({"table_name": "t", "incremental_column": "updated_at"}, None),
        ({"table_name": "t", "incremental_column": "updated_at"}, COMMITTED),
        ({"table_name": "t", "incremental_column": "updated_at", "lookback": "1h"}, COMMITTED),
        (
            {
                "table_name": "t",
                "incremental_column": "updated_at",
                "extraction_date": "2024-05-01",
            },
            None,
        ),
        (
            {
                "table_name": "t",
                "incremental_column": "updated_at",
                "extraction_date": "2024-05-01",
            },
            COMMITTED,
        ),
    ],
)
def test_plan_sql_parses_as_oracle_in_every_mode(entry, state):
    task = task_for(entry, state)  # as `plan` shows it: no probe yet
    sql = READER.describe(task)
    tree = parse(sql)
    if task.upper_from_source:
        assert ":high_watermark" in sql
        assert tree.find(exp.Placeholder) is not None


def test_after_a_probe_that_found_no_cursor_value_only_null_rows_are_read():
    task = task_for({"table_name": "t", "incremental_column": "updated_at"})
    probed = attrs.evolve(task, probe=SourceProbe(rows=3))
    sql = READER.select_sql(probed)
    assert sql.endswith('WHERE "UPDATED_AT" IS NULL')
    parse(sql)


# -- the session's zone and zoned cursors ------------------------------------------------------
def test_the_session_takes_the_runs_timezone_for_daily_days_on_zoned_columns():
    block = dialect_for("oracle", time_zone="Asia/Tokyo").session_init("m", "a")
    assert "ALTER SESSION SET TIME_ZONE = ''Asia/Tokyo''" in block
    assert "TIME_ZONE = ''UTC''" in dialect_for("oracle").session_init("m", "a")
    assert dialect_for("postgresql", time_zone="Asia/Tokyo").session_init("m", "a") == (
        "SET TIME ZONE 'Asia/Tokyo'"
    )


class ZonedCatalog:
    """Stands in for DriverQuery: a TIMESTAMP WITH TIME ZONE cursor, then its UTC re-probe."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def first_row(self, sql: str, options: dict) -> dict:
        self.sql.append(sql)
        if "SYS_EXTRACT_UTC" in sql:
            return {"hw": ("2024-03-01 12:00:00.000000", "timestamp")}
        return {"hw": ("2024-03-01 21:00:00.000000+09:00", "timestamp_tz")}


def test_a_zoned_cursor_probed_as_utc_is_an_instant_whatever_the_sessions_zone():
    queries = ZonedCatalog()
    settings = JdbcSettings(type="oracle", url="jdbc:oracle:thin:@//db:1521/S")
    reader = JdbcSourceReader(None, settings, DIALECT, queries=queries)
    task = task_for({"table_name": "events", "incremental_column": "at"}, COMMITTED)
    probe = reader.probe(task)
    assert probe.high_watermark == dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
    assert "SYS_EXTRACT_UTC(MAX" in queries.sql[-1]
    # Its window literal carries the offset, so the session's TIME_ZONE cannot move it.
    window = task.window.with_upper(probe.high_watermark)
    assert "TIMESTAMP '2024-03-01 12:00:00.000000 +00:00'" in DIALECT.window_predicate(window)
