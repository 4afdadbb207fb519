"""Tables at once on a Databricks cluster: from the session's own numbers, or config."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs

from ..session_provider import SessionProvider

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 4  # tables at once when nothing says otherwise (laptops, plain clusters)

SHARED_MODES = frozenset(
    {"USER_ISOLATION", "DATA_SECURITY_MODE_STANDARD", "LEGACY_TABLE_ACL", "LEGACY_PASSTHROUGH"}
)


def suggest_workers(parallelism: int, executors: int, shared: bool) -> int:
    """Tables to extract at once: half the cluster's task slots, a quarter on shared clusters.

    Each table keeps at least one slot busy reading and more when it is split, so half the
    slots stay free for split reads and writes. Single-node clusters (no executors) cap at 4
    because the driver does everything; shared (standard access mode) ones cap at 8 and use
    a quarter, leaving room for the other users.
    """
    slots = max(1, parallelism)
    cap = 4 if executors <= 0 else 16
    if shared:
        return max(1, min(cap, 8, slots // 4))
    return max(1, min(cap, slots // 2))


def is_shared_cluster(conf: Callable[[str], str | None]) -> bool:
    """True on shared (standard access mode, legacy high concurrency or table ACL) clusters."""
    mode = (conf("spark.databricks.clusterUsageTags.dataSecurityMode") or "").upper()
    profile = (conf("spark.databricks.cluster.profile") or "").lower()
    acls = (conf("spark.databricks.acl.dfAclsEnabled") or "").lower() == "true"
    return mode in SHARED_MODES or profile == "serverless" or acls


@attrs.frozen
class ClusterSizing:
    """What the cluster offers and what the tool makes of it."""

    parallelism: int
    executors: int
    shared: bool
    workers: int


def session_conf(spark: Any) -> Callable[[str], str | None]:
    """A reader of the session's conf that answers None for unset or hidden keys."""

    def conf(key: str) -> str | None:
        try:
            return spark.conf.get(key, None)
        except Exception:  # noqa: BLE001 - some confs are hidden on shared clusters
            return None

    return conf


def cluster_sizing(spark: Any) -> ClusterSizing:
    """Read parallelism, executor count and access mode from a live classic session."""
    sc = spark.sparkContext
    parallelism = int(sc.defaultParallelism)
    # The driver is listed too: a single-node cluster (or local mode) has 0 executors.
    executors = max(0, int(sc._jsc.sc().getExecutorMemoryStatus().size()) - 1)
    shared = is_shared_cluster(session_conf(spark))
    workers = suggest_workers(parallelism, executors, shared)
    return ClusterSizing(parallelism, executors, shared, workers)


def connect_sizing(spark: Any) -> ClusterSizing | None:
    """Sizing from what a Spark Connect session exposes: its conf, when it says parallelism.

    A Connect client has no SparkContext, so the executor count is unknown (taken as 0)
    and the cluster as shared: standard access mode and serverless are shared compute.
    """
    text = session_conf(spark)("spark.default.parallelism") or ""
    if not text.strip().isdigit() or int(text) <= 0:
        return None
    parallelism = int(text)
    workers = suggest_workers(parallelism, 0, True)
    return ClusterSizing(parallelism, 0, True, workers)


def resolve_max_workers(setting: Any, platform: str, sessions: SessionProvider) -> int:
    """`[extraction] max_workers` when set; on Databricks from the cluster; else 4.

    Sizing never aborts a run: where the session exposes no numbers (Spark Connect without
    `spark.default.parallelism`), one log line says so and the default applies.
    """
    if setting not in (None, ""):
        return int(setting)
    if platform != "databricks":
        return DEFAULT_WORKERS
    spark = sessions.get()
    try:
        sizing: ClusterSizing | None = cluster_sizing(spark)
    except Exception:  # noqa: BLE001 - Connect: sparkContext is JVM_ATTRIBUTE_NOT_SUPPORTED
        sizing = connect_sizing(spark)
    if sizing is None:
        log.info(
            "max_workers = %d: this session exposes no SparkContext or parallelism to size "
            "from; set [extraction] max_workers to override",
            DEFAULT_WORKERS,
        )
        return DEFAULT_WORKERS
    log.info(
        "max_workers = %d from the cluster (%d task slots, %d executors, %s access); "
        "set [extraction] max_workers to override",
        sizing.workers,
        sizing.parallelism,
        sizing.executors,
        "shared" if sizing.shared else "dedicated",
    )
    return sizing.workers
