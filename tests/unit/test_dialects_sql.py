"""The contract every dialect in the registry keeps: quoting, literals, windows and splits.

Each statement is parsed as its database's SQL (sqlglot); the comparisons in it are then
evaluated on Python values, so "every row in exactly one partition" is checked on the SQL
the dialect wrote, not on the code that wrote it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlglot
from sqlglot import exp

from data_extractor.adapters.jdbc import DIALECTS, dialect_for
from data_extractor.adapters.jdbc.dialect import Dialect, UnsafeIdentifierError
from data_extractor.domain.model import Window
from data_extractor.domain.splits import range_boundaries
from tests.unit.sql_cases import INJECTIONS, SQLGLOT, value_of

NAMES = sorted(DIALECTS)
UTC_PLUS_2 = dt.timezone(dt.timedelta(hours=2))
VALUES = [
    42,
    -7,
    10**20,
    Decimal("10.5"),
    Decimal("-0.000001"),
    Decimal("1E+3"),  # str() would write 1E+3, which SQL reads as a float
    dt.date(2024, 5, 1),
    dt.datetime(2024, 5, 1, 6, 30, 15),
    dt.datetime(2024, 5, 1, 6, 30, 15, 250),
    dt.datetime(2024, 5, 1, 8, 30, 15, tzinfo=UTC_PLUS_2),
]


@pytest.fixture(params=NAMES)
def name(request) -> str:
    """Every registered database type."""
    return request.param


def where(name: str, condition: str) -> exp.Expression:
    """The condition parsed as the database's SQL."""
    tree = sqlglot.parse_one(f"SELECT * FROM t WHERE {condition}", read=SQLGLOT[name])
    return tree.find(exp.Where).this


def holds(node: exp.Expression, value) -> bool:
    """SQL's answer for a row whose key is `value` (None: NULL), for the forms splits use."""
    node = node.unnest()
    if isinstance(node, exp.Or):
        return holds(node.this, value) or holds(node.expression, value)
    if isinstance(node, exp.And):
        return holds(node.this, value) and holds(node.expression, value)
    if isinstance(node, exp.Is):
        return value is None
    if value is None:
        return False  # a comparison with NULL is never true
    bound = value_of(node.expression)
    compare = {
        exp.LT: lambda a, b: a < b,
        exp.LTE: lambda a, b: a <= b,
        exp.GT: lambda a, b: a > b,
        exp.GTE: lambda a, b: a >= b,
    }[type(node)]
    return compare(value, bound)


def utc(value):
    """An aware value as the UTC wall clock the databases compare it with."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


# -- quoting ------------------------------------------------------------------------------
def test_quoting_makes_one_quoted_identifier(name):
    dialect = dialect_for(name)
    column = where(name, f"{dialect.quote('order_id')} = 1").this
    assert isinstance(column, exp.Column) and column.this.quoted
    assert column.name.lower() == "order_id"
    assert dialect.quote('"MiXed"') == f"{dialect.quote_open}MiXed{dialect.quote_close}"


@pytest.mark.parametrize("bad", INJECTIONS)
def test_quoting_refuses_injection(name, bad):
    with pytest.raises(UnsafeIdentifierError):
        dialect_for(name).quote(bad)


# -- literals -----------------------------------------------------------------------------
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_literals_round_trip(name, value):
    literal = dialect_for(name).literal(value)
    if isinstance(value, int | Decimal):  # plain digits: 1E+3 would be read as a float
        assert re.fullmatch(r"-?\d+(\.\d+)?", literal), literal
    node = where(name, f"x = {literal}").expression
    back = utc(value_of(node))  # PostgreSQL writes an aware value with its +00:00 offset
    assert back == utc(value)
    if isinstance(value, dt.date):  # a date stays a date, a timestamp a timestamp
        assert type(back) is type(value)


@pytest.mark.parametrize("bad", [True, "2024-05-01", 1.5, Decimal("NaN"), Decimal("Infinity")])
def test_literals_refuse_what_is_not_a_cursor_value(name, bad):
    with pytest.raises((TypeError, ValueError)):
        dialect_for(name).literal(bad)


# -- windows -----------------------------------------------------------------------------
WINDOWS = [
    Window("c", 10, 20),  # watermark: (10, 20]
    Window("c", dt.datetime(2024, 4, 30), dt.datetime(2024, 5, 1), True, False),  # daily
    Window("c", None, Decimal("2.5"), include_nulls=True),  # first run
    Window("c", dt.date(2024, 4, 1), None, lower_inclusive=True),
]


@pytest.mark.parametrize("window", WINDOWS, ids=["watermark", "daily", "first", "open"])
def test_window_predicates_select_the_window_and_nothing_else(name, window):
    condition = where(name, dialect_for(name).window_predicate(window))
    lower, upper = window.lower, window.upper
    if lower is not None:
        assert holds(condition, lower) is window.lower_inclusive
        assert not holds(condition, step(lower, -1))
    if upper is not None:
        assert holds(condition, upper) is window.upper_inclusive
        assert not holds(condition, step(upper, +1))
    inside = step(lower, +1) if lower is not None else step(upper, -1)
    assert holds(condition, inside)
    assert holds(condition, None) is window.include_nulls


def step(value, direction: int):
    """The next value up or down of the value's own kind."""
    if isinstance(value, dt.datetime):
        return value + direction * dt.timedelta(microseconds=1)
    if isinstance(value, dt.date):
        return value + direction * dt.timedelta(days=1)
    return value + direction * (Decimal("0.001") if isinstance(value, Decimal) else 1)


# -- range splits -----------------------------------------------------------------------
RANGES = [
    (1, 5000, [None, -3, 1, 2, 999, 1000, 1001, 2500, 4999, 5000, 7000]),
    (Decimal("0.5"), Decimal("99.75"), [None, Decimal("0.5"), Decimal("25.31"), Decimal(50)]),
    (dt.date(2024, 1, 1), dt.date(2024, 3, 1), [None, dt.date(2024, 1, 1), dt.date(2024, 2, 9)]),
    (
        dt.datetime(2024, 1, 1),
        dt.datetime(2024, 1, 3, 12, 0, 0, 5),
        [
            None,
            dt.datetime(2024, 1, 1),
            dt.datetime(2024, 1, 2, 0, 0, 0, 1),
            dt.datetime(2030, 1, 1),
        ],
    ),
]


@pytest.mark.parametrize(("lower", "upper", "keys"), RANGES, ids=["int", "decimal", "date", "ts"])
def test_range_predicates_put_every_key_in_exactly_one_partition(name, lower, upper, keys):
    dialect = dialect_for(name)
    cuts = range_boundaries(lower, upper, 4)
    predicates = dialect.range_predicates("k", cuts)
    assert len(predicates) == 4
    conditions = [where(name, p) for p in predicates]
    edges = [lower, upper, *cuts, *(step(c, -1) for c in cuts)]
    for key in [*keys, *edges]:
        assert [holds(c, key) for c in conditions].count(True) == 1, key
    assert holds(conditions[0], None)  # NULL keys go to the first range
    assert holds(conditions[-1], step(upper, +1))  # above the probed maximum: still read


# -- hash splits and unsupported hooks ---------------------------------------------------
def test_hash_predicates_name_each_bucket_once_and_count_a_null_hash_as_zero(name):
    dialect = dialect_for(name)
    try:
        predicates = dialect.hash_predicates(["code"], 3)
    except NotImplementedError:
        assert name == "derby"  # no hash function: the reader reads one partition
        return
    buckets = []
    for predicate in predicates:
        condition = where(name, predicate)
        assert isinstance(condition, exp.EQ)
        modulo = condition.this.unnest()
        assert isinstance(modulo, exp.Mod) and modulo.expression.this == "3"
        assert isinstance(modulo.this, exp.Coalesce)
        buckets.append(int(condition.expression.this))
    assert buckets == [0, 1, 2]


UNSUPPORTED_BY_ALL = [
    ("hash_predicates", ([], 2)),  # no key: never ROWID or any other row address
    ("hash_expression", ([],)),
]


@pytest.mark.parametrize(("hook", "args"), UNSUPPORTED_BY_ALL, ids=lambda v: str(v))
def test_hooks_without_input_raise_not_implemented(name, hook, args):
    with pytest.raises(NotImplementedError):
        getattr(dialect_for(name), hook)(*args)


@pytest.mark.parametrize(
    ("hook", "args"),
    [
        ("hash_predicates", (["code"], 2)),
        ("current_snapshot_sql", ()),
        ("flashback_clause", ("123",)),
        ("columns_sql", (None, "t")),
    ],
)
def test_every_hook_answers_or_raises_not_implemented(name, hook, args):
    """The reader falls back on NotImplementedError only; any other error is a bug."""
    dialect: Dialect = dialect_for(name)
    try:
        answer = getattr(dialect, hook)(*args)
    except NotImplementedError:
        return
    assert isinstance(answer, str | list)
