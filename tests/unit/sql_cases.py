"""What the dialect SQL tests share: planner-made tasks, hostile names, parsing helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import sqlglot
from sqlglot import exp

from data_extractor.domain.model import ExtractionTask, TableState
from data_extractor.domain.planning import PlanOptions, plan_table
from data_extractor.domain.specs import parse_table_specs

RUN_DATE = dt.date(2024, 5, 2)
WATERMARK = dt.datetime(2024, 5, 1, 23, 59, 59, 250000)
UPPER = dt.datetime(2024, 5, 2, 6, 0, 0, 1)
COMMITTED = TableState(watermark=WATERMARK, last_run_id="r0")


def task_for(entry: dict, state: TableState | None = None, upper=None) -> ExtractionTask:
    """The planner's task for one tables-file entry, closed at `upper` like a real run."""
    [spec] = parse_table_specs([entry], "tables.json", "src")
    task = plan_table(spec, state or TableState(), PlanOptions("r1", RUN_DATE, "/lake"))
    assert isinstance(task, ExtractionTask), task
    if upper is not None:
        task = attrs.evolve(task, window=task.window.with_upper(upper))
    return task


# Names that must never reach SQL unquoted or be quoted at all: each tries to end the
# identifier, the statement or the line in one database's syntax or another's.
INJECTIONS = [
    '"; DROP TABLE x --"',
    'a" OR "1"="1',
    "`t`; DROP TABLE u",
    "t` UNION SELECT 1 --",
    "[t]; DROP TABLE u",
    "t]; DROP TABLE u; --",
    "t -- comment",
    "t; SELECT 1",
    "t' OR '1'='1",
    't\\"x',
    "t\nDROP TABLE u",
    "t/**/x",
]


def parse(sql: str, dialect: str) -> exp.Expression:
    """Parse as the sqlglot dialect; raises if the SQL is not valid there."""
    return sqlglot.parse_one(sql, read=dialect)


def from_names(tree: exp.Expression) -> tuple[tuple[str, bool], ...]:
    """(name, quoted) of the schema and table identifiers in FROM."""
    table = tree.find(exp.From).this
    parts = [table.args.get("db"), table.this]
    return tuple((p.this, p.quoted) for p in parts if p is not None)


def cast_bounds(tree: exp.Expression) -> dict[str, tuple[str, str, str]]:
    """Each comparison in the WHERE: operator -> (column, literal text, CAST type or "number")."""
    found = {}
    for cmp in tree.find(exp.Where).find_all(exp.GT, exp.GTE, exp.LT, exp.LTE):
        assert cmp.this.this.quoted, cmp.sql()
        value = cmp.expression
        kind = value.to.this.name if isinstance(value, exp.Cast) else "number"
        found[type(cmp).__name__] = (cmp.this.name, value.find(exp.Literal).this, kind)
    return found


# sqlglot's name for each database (Derby has none: its functions parse as generic SQL).
SQLGLOT = {
    "oracle": "oracle",
    "postgresql": "postgres",
    "sqlserver": "tsql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "derby": None,
}


def value_of(node: exp.Expression):
    """The value a literal node stands for: number, date, or (aware) datetime."""
    literals = list(node.find_all(exp.Literal))
    first = literals[0]
    if not first.is_string:
        text = node.sql()
        return Decimal(text.strip("()"))
    text = first.this
    if isinstance(node, exp.StrToDate):  # Oracle TO_DATE(text, format)
        # sqlglot turns the format YYYY-MM-DD HH24:MI:SS into its strftime form
        assert literals[1].this == "%Y-%m-%d %H:%M:%S" and len(text) == 19
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text)
