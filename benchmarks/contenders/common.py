"""What every hand-written contender shares: the job file and a plain local SparkSession."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

# The tests' variable names the jar where Debian's package is not installed.
JDBC_JAR = os.environ.get("DATA_EXTRACTOR_TEST_PG_JAR", "/usr/share/java/postgresql.jar")


def load_job() -> dict[str, Any]:
    """The job file named on the command line: url, schema, tables {name: rows}, out, workers."""
    parser = argparse.ArgumentParser()
    parser.add_argument("job", type=Path)
    return json.loads(parser.parse_args().job.read_text())


def spark_session(app: str, extra: dict[str, str] | None = None) -> Any:
    """A local[*] session bound to loopback, UI off, with the PostgreSQL driver."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[*]")
        .appName(app)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.jars", JDBC_JAR)
        .config("spark.driver.extraClassPath", JDBC_JAR)
    )
    for key, value in (extra or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def jdbc_properties(job: dict[str, Any], **extra: str) -> dict[str, str]:
    """Connection properties for spark.read.jdbc."""
    return {"user": job["user"], "driver": "org.postgresql.Driver", **extra}


def log(message: str) -> None:
    """A timestamped progress line on stdout."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)
