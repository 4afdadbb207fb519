"""The original tool's loop: one-partition reads, count() then coalesce(1) write, per table.

numPartitions without a partition column does not split the read: Spark reads each table in
one query, reads it twice (count, then write) and funnels the write through one task.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .common import jdbc_properties, load_job, log, spark_session


def extract(spark: Any, job: dict[str, Any], table: str) -> int:
    """Read one table, count it, write it as one Parquet file; returns the count."""
    props = jdbc_properties(job, fetchsize="10000", numPartitions="4")
    df = spark.read.jdbc(job["url"], f"{job['schema']}.{table}", properties=props)
    rows = df.count()
    df.coalesce(1).write.mode("overwrite").parquet(f"{job['out']}/{table}")
    log(f"{table}: {rows} rows")
    return rows


def main() -> None:
    """Extract every table of the job with a thread pool."""
    job = load_job()
    spark = spark_session("naive-loop")
    with ThreadPoolExecutor(job["workers"]) as pool:
        list(pool.map(lambda t: extract(spark, job, t), job["tables"]))
    spark.stop()


if __name__ == "__main__":
    main()
