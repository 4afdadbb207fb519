"""Is this a Databricks cluster, and which platform the config's `auto` resolves to."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping


def databricks_signal(environ: Mapping[str, str]) -> str | None:
    """Which environment variable says this is a Databricks cluster, or None."""
    if environ.get("DATABRICKS_RUNTIME_VERSION"):
        return "DATABRICKS_RUNTIME_VERSION"
    # Older runtimes and some init-script contexts lack the version but keep these.
    if environ.get("SPARK_HOME", "").rstrip("/") == "/databricks/spark":
        return "SPARK_HOME"
    if environ.get("DB_HOME") and environ.get("DB_CLUSTER_ID"):
        return "DB_CLUSTER_ID"
    return None


def detect_platform(setting: str | None, environ: Mapping[str, str]) -> str:
    """`[runtime] platform` resolved: local/databricks as forced, auto from the environment."""
    platform = (setting or "auto").strip().lower()
    if platform != "auto":
        return platform
    return "databricks" if databricks_signal(environ) else "local"


def runtime_context(environ: Mapping[str, str] = os.environ) -> dict[str, object]:
    """Where we run, as the original tool's `get_databricks_context()` told it."""
    return {
        "is_databricks": databricks_signal(environ) is not None,
        "runtime_version": environ.get("DATABRICKS_RUNTIME_VERSION"),
        "hostname": environ.get("HOSTNAME") or socket.gethostname(),
    }
