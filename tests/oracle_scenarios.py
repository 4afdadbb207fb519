"""Extraction scenarios shared by the Oracle twin (H2, tests/oracle_twin.py) and a real Oracle.

A test module defines a module-scoped `oracle_source` fixture (an `OracleSource`) and imports
the `test_*` functions below; pytest collects them there. Every scenario table has the same
columns (NUMBER(10) key, bare NUMBER, NUMBER(12,3), DATE, TIMESTAMP(6), VARCHAR2), so each
scenario also checks the types. All scenario tables go through the CLI together: two runs,
with rows inserted before each, so a module costs two runs whatever the number of scenarios.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pyarrow.parquet as pq
import pytest

from tests.conftest import write_config
from tests.helpers import committed_outputs, manifest, read_rows, run_cli, write_tables

SOURCE = "ora"
SCHEMA = "SRC"
COLUMNS = (
    "ID NUMBER(10) PRIMARY KEY, CODE VARCHAR2(40), AMOUNT NUMBER(12, 3) NOT NULL, BARE NUMBER,"
    " OPENED DATE NOT NULL, UPDATED_AT TIMESTAMP(6) NOT NULL, NOTE VARCHAR2(100)"
)
# Parquet types the tool must write for COLUMNS (bare NUMBER: number_mapping's default).
PARQUET_TYPES = {
    "ID": "decimal128(10, 0)",
    "CODE": "string",
    "AMOUNT": "decimal128(12, 3)",
    "BARE": "decimal128(38, 18)",
    "OPENED": "timestamp[us]",
    "UPDATED_AT": "timestamp[us]",
    "NOTE": "string",
}
BIG = Decimal("12345678901234567890.123456789")  # more digits than Spark's default 38,10 keeps
BATCHES = (range(1, 31), range(31, 41))  # rows inserted before run 1 and before run 2
DAYS = (dt.date(2024, 3, 1), dt.date(2024, 3, 2))  # the daily table's extraction dates
LOOKBACK = dt.timedelta(hours=1)


class Jdbc:
    """A plain JDBC connection through the test JVM (the driver jar is on its classpath)."""

    def __init__(self, spark: Any, driver: str, url: str, user: str, password: str) -> None:
        jvm = spark._jvm
        loader = jvm.org.apache.spark.util.Utils.getContextOrSparkClassLoader()
        props = jvm.java.util.Properties()
        props.setProperty("user", user)
        props.setProperty("password", password)
        driver_class = jvm.java.lang.Class.forName(driver, True, loader)
        self.conn = driver_class.newInstance().connect(url, props)

    def execute(self, *statements: str) -> None:
        """Run statements (autocommit)."""
        statement = self.conn.createStatement()
        try:
            for sql in statements:
                statement.execute(sql)
        finally:
            statement.close()

    def rows(self, sql: str) -> list[tuple[str | None, ...]]:
        """Every row of a query, each value as the driver's text (getString)."""
        statement = self.conn.createStatement()
        try:
            result = statement.executeQuery(sql)
            width = result.getMetaData().getColumnCount()
            found = []
            while result.next():
                found.append(tuple(result.getString(i) for i in range(1, width + 1)))
            return found
        finally:
            statement.close()

    def scalar(self, sql: str) -> str | None:
        """The first column of the first row, as text."""
        return self.rows(sql)[0][0]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


@attrs.frozen
class OracleSource:
    """An Oracle-compatible database as the scenarios need it: DDL as admin, config to read."""

    name: str
    admin: Jdbc
    database: dict[str, object]  # the [database] section the tool reads it with
    reader_schema: str  # the reader's current schema (tables read without schema_name)
    grants: tuple[str, ...] = ()  # run after each CREATE TABLE; {table} is the qualified name

    def create_table(self, schema: str, name: str) -> None:
        """A scenario table (COLUMNS) the reader may select from."""
        table = f"{schema}.{name}"
        # Oracle refuses grants to a table's owner (ORA-01749); its user is its schema.
        owned = schema == self.database.get("user")
        grants = () if owned else tuple(g.format(table=table) for g in self.grants)
        self.admin.execute(f"CREATE TABLE {table} ({COLUMNS})", *grants)

    def insert(self, schema: str, name: str, ids: range) -> None:
        """Insert scenario rows `ids`."""
        self.admin.execute(
            *(f"INSERT INTO {schema}.{name} VALUES ({literal_row(make_row(i))})" for i in ids)
        )


def make_row(i: int) -> dict:
    """Source row i as it must arrive in Parquet; the cursors grow with i, other columns vary."""
    return {
        "ID": Decimal(i),
        "CODE": None if i % 6 == 0 else f"Zoë-東京-{i % 11}-{i}",
        "AMOUNT": Decimal(i) * Decimal("1.125") + Decimal("0.000"),
        "BARE": None if i % 9 == 0 else (BIG if i % 4 == 1 else Decimal(-i) / Decimal(8)),
        "OPENED": dt.datetime(2024, 3, 1, 0, 30, 5) + dt.timedelta(hours=i),
        "UPDATED_AT": dt.datetime(2024, 1, 1) + dt.timedelta(minutes=20 * i, microseconds=i),
        "NOTE": None if i % 5 == 0 else f"note '{i}'",
    }


def literal_row(row: dict) -> str:
    """The row as Oracle literals (H2's Oracle mode reads the same text)."""

    def text(value: str | None) -> str:
        return "NULL" if value is None else "'" + value.replace("'", "''") + "'"

    return ", ".join(
        [
            str(row["ID"]),
            text(row["CODE"]),
            str(row["AMOUNT"]),
            "NULL" if row["BARE"] is None else str(row["BARE"]),
            f"TO_DATE('{row['OPENED']:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS')",
            f"TIMESTAMP '{row['UPDATED_AT']:%Y-%m-%d %H:%M:%S.%f}'",
            text(row["NOTE"]),
        ]
    )


def inserted(run: int) -> list[int]:
    """Ids in the source when run `run` (1-based) reads."""
    return [i for batch in BATCHES[:run] for i in batch]


def new_rows(run: int) -> list[int]:
    """Ids inserted just before run `run`: what a watermark run reads."""
    return list(BATCHES[run - 1])


def daily_rows(run: int) -> list[int]:
    """Ids of the extraction day (the first run reads everything up to its day's end)."""
    day = DAYS[run - 1]
    opened = {i: make_row(i)["OPENED"].date() for i in inserted(run)}
    return [i for i, d in opened.items() if d == day or (run == 1 and d < day)]


def lookback_rows(run: int) -> list[int]:
    """New ids plus those within LOOKBACK of the last watermark (UPDATED_AT, microseconds)."""
    if run == 1:
        return inserted(1)
    watermark = max(make_row(i)["UPDATED_AT"] for i in inserted(run - 1))
    return [i for i in inserted(run) if make_row(i)["UPDATED_AT"] > watermark - LOOKBACK]


@attrs.frozen
class Scenario:
    """One table: its tables-file entry per run and the ids each run must commit."""

    name: str
    entry: Callable[[int], dict]
    expected: Callable[[int], list[int]]
    split: bool = False  # the first run must write more than one file (a partitioned read)
    schema: str | None = SCHEMA  # None: read from the reader's current schema
    synonym: bool = False  # the entry names a synonym of the table

    @property
    def table(self) -> str:
        """The table's name in the source."""
        return self.name.upper()

    @property
    def read_name(self) -> str:
        """The name the tables file gives (the synonym, when there is one)."""
        return f"{self.table}_SYN" if self.synonym else self.table


def _fixed(**entry: object) -> Callable[[int], dict]:
    return lambda run: dict(entry)


SCENARIOS = (
    Scenario("full_no_key", _fixed(is_full_extract=True), inserted),
    Scenario(
        "watermark_date_number_key",
        _fixed(incremental_column="opened", primary_key="id"),
        new_rows,
    ),
    Scenario("watermark_number_12_3", _fixed(incremental_column="amount"), new_rows),
    Scenario(
        "daily_date",
        lambda run: {"incremental_column": "opened", "extraction_date": DAYS[run - 1].isoformat()},
        daily_rows,
    ),
    Scenario(
        "lookback_timestamp",
        _fixed(incremental_column="updated_at", lookback="1h", primary_key="id"),
        lookback_rows,
    ),
    Scenario(
        "range_split_number",
        _fixed(incremental_column="updated_at", split_column="id", num_partitions=3),
        new_rows,
        split=True,
    ),
    Scenario(
        "range_split_date",
        _fixed(incremental_column="id", split_column="opened", num_partitions=3),
        new_rows,
        split=True,
    ),
    Scenario(
        "hash_split_varchar_nulls",
        _fixed(incremental_column="updated_at", split_column="code", num_partitions=4),
        new_rows,
        split=True,
    ),
    Scenario("via_synonym", _fixed(is_full_extract=True), inserted, synonym=True),
    Scenario("no_schema_name", _fixed(incremental_column="updated_at"), new_rows, schema=None),
)


def config(tmp_path: Path, source: OracleSource, **extraction: object) -> Path:
    """A config INI reading `source`, output under tmp_path/lake."""
    return write_config(
        tmp_path / "config.ini",
        {
            "database": dict(source.database),
            "extraction": {
                "output_base_path": tmp_path / "lake",
                "default_source": SOURCE,
                "max_workers": 2,
                "retry_backoff_seconds": 0,
                **extraction,
            },
        },
    )


def run(tmp_path: Path, source: OracleSource, run_id: str, entries: list[dict], **extraction):
    """One `data-extractor run` of the entries; returns its run report (a dict by table)."""
    tables = write_tables(tmp_path / f"tables-{run_id}.json", entries)
    cfg = config(tmp_path, source, **extraction)
    result = run_cli("run", "--config", str(cfg), "--tables", str(tables), "--run-id", run_id)
    report_file = tmp_path / "lake" / "_runs" / run_id / "run_report.json"
    assert report_file.exists(), f"run {run_id} wrote no report:\n{result.output}"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return {entry["table"]: entry for entry in report["tables"]}


def entry_of(scenario: Scenario, run_number: int) -> dict:
    """The scenario's tables-file entry for a run."""
    names = {"table_name": scenario.read_name.lower()}
    if scenario.schema:
        names["schema_name"] = scenario.schema.lower()
    return {**names, **scenario.entry(run_number)}


def create(source: OracleSource, scenario: Scenario) -> str:
    """The scenario's table (and synonym); returns the schema it lives in."""
    schema = scenario.schema or source.reader_schema
    source.create_table(schema, scenario.table)
    if scenario.synonym:
        source.admin.execute(
            f"CREATE SYNONYM {schema}.{scenario.read_name} FOR {schema}.{scenario.table}"
        )
    return schema


@pytest.fixture(scope="module")
def extraction(oracle_source: OracleSource, tmp_path_factory) -> dict:
    """Every scenario table through two CLI runs, rows inserted before each."""
    tmp_path = tmp_path_factory.mktemp(f"oracle-{oracle_source.name}")
    schemas = {s.name: create(oracle_source, s) for s in SCENARIOS}
    reports = []
    for number, batch in enumerate(BATCHES, start=1):
        for s in SCENARIOS:
            oracle_source.insert(schemas[s.name], s.table, batch)
        entries = [entry_of(s, number) for s in SCENARIOS]
        reports.append(run(tmp_path, oracle_source, f"r{number}", entries))
    return {"lake": tmp_path / "lake", "reports": reports}


def table_key(scenario: Scenario) -> str:
    """The table's name in reports and output folders."""
    return scenario.read_name.lower()


def assert_committed(reports: list[dict], key: str) -> None:
    """Every run committed the table (else the error the run reported for it)."""
    for number, report in enumerate(reports, start=1):
        result = report.get(f"{SOURCE}/{key}") or report.get(key)
        assert result is not None, f"run r{number} did not report {key}: {sorted(report)}"
        reason = result["error"] or result["note"]
        assert result["status"] == "succeeded", f"run r{number}: {result['status']}: {reason}"


def sorted_rows(output: Path) -> list[dict]:
    """The rows of one committed output, by ID."""
    return sorted(read_rows([output]), key=lambda r: r["ID"])


def parquet_types(output: Path) -> dict[str, str]:
    """Column name -> Arrow type of a committed output."""
    schema = pq.read_table(output).schema
    return {field.name: str(field.type) for field in schema}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_each_run_commits_exactly_its_rows_with_source_types(extraction, scenario):
    key = table_key(scenario)
    assert_committed(extraction["reports"], key)
    outputs = committed_outputs(extraction["lake"], SOURCE, key)
    assert len(outputs) == len(BATCHES)
    for number, output in enumerate(outputs, start=1):
        assert parquet_types(output) == PARQUET_TYPES, f"run r{number}"
        rows, wanted = sorted_rows(output), scenario.expected(number)
        ids = [int(r["ID"]) for r in rows]
        missing, extra = sorted(set(wanted) - set(ids)), sorted(set(ids) - set(wanted))
        assert ids == wanted, f"run r{number}: ids missing {missing}, extra {extra}"
        assert rows == [make_row(i) for i in wanted], f"run r{number}"
    if scenario.split:
        assert manifest(outputs[0])["files"] > 1, "the first run was not read in partitions"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_every_source_row_is_committed_once_across_runs(extraction, scenario):
    key = table_key(scenario)
    assert_committed(extraction["reports"], key)
    outputs = committed_outputs(extraction["lake"], SOURCE, key)
    if scenario.expected is inserted:  # a full extract: the last run holds the whole table
        outputs = outputs[-1:]
    ids = [int(r["ID"]) for r in read_rows(outputs)]
    # A lookback re-reads its margin on purpose: those ids may repeat, no other may.
    again = set(lookback_rows(2)) & set(inserted(1)) if scenario.expected is lookback_rows else ()
    missing = sorted(set(inserted(len(BATCHES))) - set(ids))
    assert not missing, f"source rows never committed: ids {missing}"
    doubled = sorted(i for i in set(ids) if ids.count(i) > 1)
    assert doubled == sorted(again), f"rows committed twice: ids {doubled}"


def test_consistent_snapshot_reads_every_table_as_of_one_scn(oracle_source, tmp_path):
    """Needs flashback (AS OF SCN): a real Oracle only, the twin cannot run it."""
    spec = _fixed(incremental_column="updated_at", split_column="id", num_partitions=3)
    scenario = Scenario("snapshot_split", spec, new_rows, split=True)
    schema = create(oracle_source, scenario)
    oracle_source.insert(schema, scenario.table, BATCHES[0])
    entry = entry_of(scenario, 1)
    reports = [run(tmp_path, oracle_source, "s1", [entry], consistent_snapshot="true")]
    oracle_source.insert(schema, scenario.table, BATCHES[1])
    reports.append(run(tmp_path, oracle_source, "s2", [entry], consistent_snapshot="true"))
    key = table_key(scenario)
    assert_committed(reports, key)
    outputs = committed_outputs(tmp_path / "lake", SOURCE, key)
    snapshots = [manifest(o)["snapshot"] for o in outputs]
    assert all(re.fullmatch(r"\d+", str(s)) for s in snapshots), snapshots
    assert int(snapshots[1]) > int(snapshots[0])
    for number, output in enumerate(outputs, start=1):
        assert sorted_rows(output) == [make_row(i) for i in new_rows(number)]
