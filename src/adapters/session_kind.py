"""Which kind a SparkSession is (classic, or a Spark Connect client) and what differs by kind.

A Connect session has no JVM in this process: no `_jvm`, `sparkContext` or `_jsc`, and
pyspark's classic Columns and Observations do not work with its DataFrames.
"""

from __future__ import annotations

import re
from typing import Any

from ..domain.errors import DataExtractorError

# Task slots assumed on a Connect session that tells none (its server's cores are not visible).
CONNECT_DEFAULT_PARALLELISM = 8
LOCAL_MASTER = re.compile(r"^local\[(\d+)(?:,\s*\d+)?\]$")


def is_connect(session: Any) -> bool:
    """True for a Spark Connect session (no JVM in this process), from the session's own class."""
    return type(session).__module__.startswith("pyspark.sql.connect.")


def sql_functions(session: Any) -> Any:
    """pyspark's functions module for the session's kind: a Column only works with DataFrames
    of its own kind, and pyspark.sql.functions builds classic ones beside a classic session."""
    if is_connect(session):
        from pyspark.sql.connect import functions as connect_functions

        return connect_functions
    from pyspark.sql import functions

    return functions


def connect_session_class() -> Any:
    """pyspark's Connect SparkSession class; a one-line install hint when its client
    dependencies (grpcio, pandas, zstandard...) are missing."""
    try:
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as exc:
        raise DataExtractorError(
            f"[spark] remote / SPARK_REMOTE needs the Spark Connect client: "
            f"pip install 'data-extractor[connect]' ({exc})"
        ) from None
    return ConnectSession


def new_observation(session: Any, name: str) -> Any:
    """A pyspark Observation of the session's kind (each kind's DataFrames take only their own)."""
    if is_connect(session):
        from pyspark.sql.connect.observation import Observation as ConnectObservation

        return ConnectObservation(name)
    from pyspark.sql import Observation

    return Observation(name)


def session_parallelism(session: Any) -> int:
    """Task slots of the session: SparkContext's where classic; on Connect from its conf
    (spark.default.parallelism, then a local[N] master), else CONNECT_DEFAULT_PARALLELISM."""
    if not is_connect(session):
        return int(session.sparkContext.defaultParallelism)
    for key in ("spark.default.parallelism", "spark.master"):
        try:
            text = str(session.conf.get(key, None) or "")
        except Exception:  # noqa: BLE001 - a conf the server will not show is no answer
            continue
        local = LOCAL_MASTER.match(text.strip())
        if text.strip().isdigit() or local:
            return max(1, int(local.group(1) if local else text))
    return CONNECT_DEFAULT_PARALLELISM
