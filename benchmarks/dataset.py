"""Builds the benchmark data set in the local PostgreSQL: schema `bench`, server-side.

Tables (all with the same seven columns, see COLUMNS):
  big           5,000,000 rows (500,000 at --scale small)
  big_1m        the first 1,000,000 rows of big (100,000 small): memory as the table grows
  t01..t50      1k..500k rows, geometric spread (t01..t20, 1k..100k small)
  tiny001..200  100 rows each: per-table overhead

Idempotent: `bench._meta` records the scale; a schema whose marker and row counts match is
kept, anything else (or --rebuild) is dropped and built again with INSERT ... SELECT over
generate_series, then ANALYZE.

    .venv/bin/python -m benchmarks.dataset [--scale small|full] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass

import psycopg

DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
# Another name lets parallel work on one machine keep separate data sets.
SCHEMA = os.environ.get("DATA_EXTRACTOR_BENCH_SCHEMA", "bench")
TINY_TABLES = 200
TINY_ROWS = 100

COLUMNS = """
    id bigint PRIMARY KEY,
    amount numeric(14,2),
    rate numeric(20,6),
    created_at timestamp,
    business_date date,
    note text,
    quantity int
"""

# Deterministic values from the row number g: no random(), so every build is identical.
SELECT_ROWS = """
SELECT g,
       ((g * 7919) % 100000000) / 100.0,
       ((g * 104729) % 1000000000000) / 1000000.0,
       TIMESTAMP '2020-01-01' + (g % 157680000) * INTERVAL '1 second',
       DATE '2015-01-01' + (g % 3650)::int,
       CASE WHEN g % 13 = 0 THEN NULL
            WHEN g % 7 = 0 THEN 'Zürich café №' || g || ' — ✓ 日本語'
            ELSE 'customer ' || g || ' ' || md5(g::text) END,
       (g % 1000)::int
FROM generate_series({lo}::bigint, {hi}::bigint) AS g
"""


@dataclass(frozen=True)
class Scale:
    """How big each part of the data set is."""

    name: str
    big_rows: int
    big_small_rows: int
    tables: int
    min_rows: int
    max_rows: int


SCALES = {
    "full": Scale("full", 5_000_000, 1_000_000, 50, 1_000, 500_000),
    "small": Scale("small", 500_000, 100_000, 20, 1_000, 100_000),
}


def geometric_rows(count: int, low: int, high: int) -> list[int]:
    """`count` row counts from `low` to `high`, evenly spread on a log scale."""
    if count == 1:
        return [low]
    ratio = (high / low) ** (1 / (count - 1))
    return [round(low * ratio**i) for i in range(count)]


def main_tables(scale: Scale) -> dict[str, int]:
    """The tables every contender extracts: big plus t01..tNN, with their row counts."""
    sizes = geometric_rows(scale.tables, scale.min_rows, scale.max_rows)
    tables = {"big": scale.big_rows}
    tables.update({f"t{i + 1:02d}": rows for i, rows in enumerate(sizes)})
    return tables


def tiny_tables() -> dict[str, int]:
    """The 200 small tables of the per-table overhead measurement."""
    return {f"tiny{i + 1:03d}": TINY_ROWS for i in range(TINY_TABLES)}


def all_tables(scale: Scale) -> dict[str, int]:
    """Every table of the data set with its row count."""
    return {**main_tables(scale), "big_1m": scale.big_small_rows, **tiny_tables()}


def connect() -> psycopg.Connection:
    """A connection to the benchmark database (autocommit)."""
    return psycopg.connect(DSN, autocommit=True)


def is_built(conn: psycopg.Connection, scale: Scale) -> bool:
    """True when the schema holds this scale's marker and every table has its row count."""
    cur = conn.cursor()
    cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}._meta",))
    if cur.fetchone()[0] is None:
        return False
    cur.execute(f"SELECT scale FROM {SCHEMA}._meta")
    row = cur.fetchone()
    if row is None or row[0] != scale.name:
        return False
    return actual_counts(conn, all_tables(scale)) == all_tables(scale)


def actual_counts(conn: psycopg.Connection, tables: dict[str, int]) -> dict[str, int | None]:
    """COUNT(*) of each table (None when it does not exist)."""
    cur = conn.cursor()
    counts: dict[str, int | None] = {}
    for name in tables:
        cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.{name}",))
        if cur.fetchone()[0] is None:
            counts[name] = None
            continue
        cur.execute(f"SELECT count(*) FROM {SCHEMA}.{name}")
        counts[name] = cur.fetchone()[0]
    return counts


def create_table(conn: psycopg.Connection, name: str, rows: int) -> None:
    """One table filled server-side; the primary key is added after the load (faster)."""
    cur = conn.cursor()
    cur.execute(f"CREATE TABLE {SCHEMA}.{name} ({COLUMNS.replace(' PRIMARY KEY', '')})")
    cur.execute(f"INSERT INTO {SCHEMA}.{name} " + SELECT_ROWS.format(lo=1, hi=rows))
    cur.execute(f"ALTER TABLE {SCHEMA}.{name} ADD PRIMARY KEY (id)")


def build(conn: psycopg.Connection, scale: Scale) -> None:
    """Drop and rebuild the whole schema for `scale`, then ANALYZE it."""
    cur = conn.cursor()
    cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    cur.execute(f"CREATE SCHEMA {SCHEMA}")
    cur.execute("SET synchronous_commit = off")
    cur.execute("SET maintenance_work_mem = '512MB'")
    for name, rows in all_tables(scale).items():
        started = time.monotonic()
        create_table(conn, name, rows)
        cur.execute(f"ANALYZE {SCHEMA}.{name}")
        if rows >= 100_000:
            print(f"  {SCHEMA}.{name}: {rows:,} rows in {time.monotonic() - started:.1f}s")
    cur.execute(f"CREATE TABLE {SCHEMA}._meta (scale text, built_at timestamptz)")
    cur.execute(f"INSERT INTO {SCHEMA}._meta VALUES (%s, now())", (scale.name,))


def ensure(scale_name: str, rebuild: bool = False) -> Scale:
    """Build the data set unless it is already there at this scale; returns the scale."""
    scale = SCALES[scale_name]
    with connect() as conn:
        if not rebuild and is_built(conn, scale):
            print(f"data set {SCHEMA} ({scale.name}) already built: keeping it")
            return scale
        print(f"building data set {SCHEMA} ({scale.name}) ...")
        started = time.monotonic()
        build(conn, scale)
        print(f"built in {time.monotonic() - started:.0f}s")
    return scale


def main() -> None:
    """Command line: build (or keep) the data set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--rebuild", action="store_true", help="Drop and build again.")
    args = parser.parse_args()
    ensure(args.scale, args.rebuild)


if __name__ == "__main__":
    main()
