"""Databricks: runtime detection, the borrowed session, dbutils (secrets, widgets), sizing, files.

Split by concern; every name the rest of the program imports is re-exported here.
"""

from .dbutils import (
    WIDGET_KEYS,
    DatabricksSecretStore,
    DbutilsLocator,
    sdk_runtime_dbutils,
    widget_overrides,
    widget_value,
)
from .detection import databricks_signal, detect_platform, runtime_context
from .filesystem import FUSE_ROOTS, DatabricksRouting
from .session import (
    DatabricksSessionProvider,
    NoActiveSessionError,
    find_active_session,
    notebook_global,
    session_alive,
    session_to_join,
)
from .sizing import (
    DEFAULT_WORKERS,
    SHARED_MODES,
    ClusterSizing,
    cluster_sizing,
    connect_sizing,
    is_shared_cluster,
    resolve_max_workers,
    suggest_workers,
)

__all__ = [
    "DEFAULT_WORKERS",
    "FUSE_ROOTS",
    "SHARED_MODES",
    "WIDGET_KEYS",
    "ClusterSizing",
    "DatabricksRouting",
    "DatabricksSecretStore",
    "DatabricksSessionProvider",
    "DbutilsLocator",
    "NoActiveSessionError",
    "cluster_sizing",
    "connect_sizing",
    "databricks_signal",
    "detect_platform",
    "find_active_session",
    "is_shared_cluster",
    "notebook_global",
    "resolve_max_workers",
    "runtime_context",
    "sdk_runtime_dbutils",
    "session_alive",
    "session_to_join",
    "suggest_workers",
    "widget_overrides",
    "widget_value",
]
