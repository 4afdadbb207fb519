"""A careful hand-written Spark loop: range-split reads of big tables, FAIR pools, one pass.

Per table: MIN/MAX(id) (one small query), then a read split on id into partitions sized to
the table, written straight to Parquet (no count, no coalesce). Four tables at a time, each
thread in its own FAIR pool so small tables are not stuck behind the big one.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .common import jdbc_properties, load_job, log, spark_session

ROWS_PER_PARTITION = 500_000
MAX_PARTITIONS = 8
_pools = threading.local()


def bounds(spark: Any, job: dict[str, Any], table: str) -> tuple[int, int]:
    """MIN(id) and MAX(id) of the table."""
    sql = f"(SELECT MIN(id) AS lo, MAX(id) AS hi FROM {job['schema']}.{table}) b"
    row = spark.read.jdbc(job["url"], sql, properties=jdbc_properties(job)).first()
    return int(row["lo"] or 0), int(row["hi"] or 0)


def read(spark: Any, job: dict[str, Any], table: str) -> Any:
    """The table as a DataFrame, range-split on id when it is big."""
    props = jdbc_properties(job, fetchsize="10000")
    name = f"{job['schema']}.{table}"
    lo, hi = bounds(spark, job, table)
    parts = max(1, min(MAX_PARTITIONS, math.ceil((hi - lo + 1) / ROWS_PER_PARTITION)))
    if parts == 1:
        return spark.read.jdbc(job["url"], name, properties=props)
    return spark.read.jdbc(job["url"], name, "id", lo, hi, numPartitions=parts, properties=props)


def extract(spark: Any, job: dict[str, Any], table: str) -> None:
    """Read one table and write it, in this thread's FAIR pool."""
    if not hasattr(_pools, "name"):
        _pools.name = threading.current_thread().name
    spark.sparkContext.setLocalProperty("spark.scheduler.pool", _pools.name)
    read(spark, job, table).write.mode("overwrite").parquet(f"{job['out']}/{table}")
    log(f"{table}: written")


def main() -> None:
    """Extract every table of the job, four at a time."""
    job = load_job()
    spark = spark_session("careful-loop", {"spark.scheduler.mode": "FAIR"})
    with ThreadPoolExecutor(job["workers"]) as pool:
        list(pool.map(lambda t: extract(spark, job, t), job["tables"]))
    spark.stop()


if __name__ == "__main__":
    main()
