"""Databricks: runtime detection, the cluster's own session, dbutils (secrets, widgets), sizing."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..domain.errors import DataExtractorError, InputError, Problem
from ..domain.reasons import one_line
from .files import FileEntry, FileSystem
from .location import InvalidLocationError, StorageLocation
from .secrets import EnvSecretStore, Redactor, env_name_for
from .session_provider import BorrowedSessions, SessionProvider
from .spark_install import require_pyspark

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 4  # tables at once when nothing says otherwise (laptops, plain clusters)


# -- runtime detection -------------------------------------------------------------------------
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


# -- the session ---------------------------------------------------------------------------------
class NoActiveSessionError(DataExtractorError):
    """Databricks mode found no running SparkSession to borrow."""

    def __init__(self) -> None:
        super().__init__(
            "no active SparkSession: in Databricks mode the tool borrows the cluster's session "
            "and never starts one. Run it in a Databricks notebook, job or wheel task. To run "
            "elsewhere: from the command line, leave out --databricks; in Python, use "
            "DataExtractor rather than DatabricksDataExtractor; in the config, set [runtime] "
            "platform = local."
        )


def _notebook_global(name: str) -> Any:
    """A variable of the notebook that runs us (IPython's namespace, else __main__)."""
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None and name in getattr(shell, "user_ns", {}):
        return shell.user_ns[name]
    return getattr(sys.modules.get("__main__"), name, None)


def find_active_session() -> Any:
    """The session already running in this process, or None; never starts a SparkContext."""
    require_pyspark()
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    # The JVM's active session is per thread: a wheel task's or worker's thread may not see it,
    # while the context is there. builder.getOrCreate() then wraps that context and its
    # default session; it creates a context only when none exists, which we checked.
    if session is None and SparkContext._active_spark_context is not None:
        session = SparkSession.builder.getOrCreate()
    return session if session is not None else _notebook_global("spark")


def _alive(session: Any) -> bool:
    try:
        return session.sparkContext._jsc is not None
    except Exception:  # noqa: BLE001 - Spark Connect sessions have no sparkContext
        return True


class DatabricksSessionProvider:
    """Borrows the cluster's SparkSession for every table worker; never creates or stops one."""

    def __init__(self, finder: Callable[[], Any] = find_active_session) -> None:
        self._find = finder
        self._lock = threading.Lock()
        self._session: Any = None

    def active(self) -> Any:
        """The running session, or None (never raises, never creates)."""
        with self._lock:
            if self._session is None or not _alive(self._session):
                self._session = self._find()
            return self._session

    def get(self) -> Any:
        """The running session, shared by all threads; NoActiveSessionError when there is none."""
        session = self.active()
        if session is None:
            raise NoActiveSessionError()
        return session

    def stop(self) -> None:
        """Forget the session and leave it running: it belongs to the cluster."""
        with self._lock:
            self._session = None


# -- dbutils: secrets and widgets ----------------------------------------------------------------
class DbutilsLocator:
    """Finds dbutils the way Databricks documents for library code, once."""

    def __init__(self, sessions: SessionProvider) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._resolved = False
        self._dbutils: Any = None

    def get(self) -> Any:
        """`DBUtils(spark)` from pyspark.dbutils, else the notebook's `dbutils`, else None."""
        with self._lock:
            if not self._resolved:
                self._dbutils = self._find()
                self._resolved = True
            return self._dbutils

    def _find(self) -> Any:
        try:
            from pyspark.dbutils import DBUtils  # type: ignore[import-not-found]
        except ImportError:
            # pyspark.dbutils exists only on Databricks runtimes; notebooks also have a global.
            return _notebook_global("dbutils")
        try:
            return DBUtils(self._sessions.get())
        except Exception:
            # Some access modes refuse DBUtils(spark) in library code; a notebook's works.
            fallback = _notebook_global("dbutils")
            if fallback is None:
                raise
            return fallback


class DatabricksSecretStore(EnvSecretStore):
    """`secret://scope/key` read from Databricks secret scopes; env: and file: as everywhere."""

    def __init__(
        self, redactor: Redactor, dbutils: DbutilsLocator, environ: dict[str, str] | None = None
    ) -> None:
        super().__init__(redactor, environ)
        self._locator = dbutils

    def scope_secret(self, scope: str, name: str, ref: str, where: str, key: str) -> str:
        """dbutils.secrets.get(scope, key); the SCOPE_KEY variable only where dbutils is absent."""
        dbutils = self._locator.get()
        if dbutils is None:
            if env_name_for(scope, name) in self._environ:
                return super().scope_secret(scope, name, ref, where, key)
            raise InputError(
                [
                    Problem(
                        where,
                        key,
                        f"key {name!r} of secret scope {scope!r} needs Databricks, but "
                        f"dbutils is not available here; run on Databricks, or export "
                        f"{env_name_for(scope, name)} in the environment",
                    )
                ]
            )
        try:
            return str(dbutils.secrets.get(scope=scope, key=name))
        except Exception as exc:  # noqa: BLE001 - py4j and dbutils raise many types
            raise InputError(
                [
                    Problem(
                        where,
                        key,
                        # Named by scope and key: the redactor scrubs "secret:" references.
                        f"cannot read key {name!r} of Databricks secret scope {scope!r} "
                        f"({one_line(exc)}); check `databricks secrets list-secrets {scope}` "
                        "and that the job's identity may READ the scope",
                    )
                ]
            ) from None


# Widgets (and notebook-task job parameters, which arrive as widgets) that override config.
WIDGET_KEYS: dict[str, tuple[str, str]] = {
    "output_base_path": ("extraction", "output_base_path"),
    "state_path": ("extraction", "state_path"),
    "max_workers": ("extraction", "max_workers"),
    "output_format": ("extraction", "output_format"),
    "default_source": ("extraction", "default_source"),
    "timezone": ("extraction", "timezone"),
    "log_level": ("runtime", "log_level"),
}


def widget_value(dbutils: Any, name: str) -> str | None:
    """A widget's value; None when the widget is not defined or is empty."""
    if dbutils is None:
        return None
    try:
        value = dbutils.widgets.get(name)
    except Exception:  # noqa: BLE001 - an undefined widget raises (InputWidgetNotDefined)
        return None
    value = str(value).strip() if value is not None else ""
    return value or None


def widget_overrides(dbutils: Any) -> dict[str, dict[str, str]]:
    """Config overrides from the notebook's widgets, as {section: {key: value}}."""
    out: dict[str, dict[str, str]] = {}
    for name, (section, key) in WIDGET_KEYS.items():
        value = widget_value(dbutils, name)
        if value is not None:
            out.setdefault(section, {})[key] = value
    return out


# -- cluster-aware sizing ----------------------------------------------------------------------
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


def cluster_sizing(spark: Any) -> ClusterSizing:
    """Read parallelism, executor count and access mode from a live session."""
    sc = spark.sparkContext
    parallelism = int(sc.defaultParallelism)
    # The driver is listed too: a single-node cluster (or local mode) has 0 executors.
    executors = max(0, int(sc._jsc.sc().getExecutorMemoryStatus().size()) - 1)

    def conf(key: str) -> str | None:
        try:
            return spark.conf.get(key, None)
        except Exception:  # noqa: BLE001 - some confs are hidden on shared clusters
            return None

    shared = is_shared_cluster(conf)
    workers = suggest_workers(parallelism, executors, shared)
    return ClusterSizing(parallelism, executors, shared, workers)


def resolve_max_workers(setting: Any, platform: str, sessions: SessionProvider) -> int:
    """`[extraction] max_workers` when set; on Databricks from the cluster; else 4."""
    if setting not in (None, ""):
        return int(setting)
    if platform != "databricks":
        return DEFAULT_WORKERS
    sizing = cluster_sizing(sessions.get())
    log.info(
        "max_workers = %d from the cluster (%d task slots, %d executors, %s access); "
        "set [extraction] max_workers to override",
        sizing.workers,
        sizing.parallelism,
        sizing.executors,
        "shared" if sizing.shared else "dedicated",
    )
    return sizing.workers


# -- files on Databricks -------------------------------------------------------------------------
FUSE_ROOTS = {"dbfs": "/dbfs", "volume": "/Volumes"}


class DatabricksFileSystem:
    """Small files on Databricks: through the session's Hadoop FS, or the FUSE mount without one.

    With a session (every run) everything but driver-local paths goes through Hadoop, so reads
    see exactly what writes wrote. Without one (`plan` from a shell) reads use the /dbfs or
    /Volumes FUSE mount when it is there, and otherwise find nothing: a plan then shows every
    table as never extracted, and says so in a warning. Writes always need the session.
    """

    def __init__(
        self,
        local: FileSystem,
        hadoop: FileSystem,
        sessions: BorrowedSessions,
        fuse_roots: Mapping[str, str] = FUSE_ROOTS,
    ) -> None:
        self._local = local
        self._hadoop = hadoop
        self._sessions = sessions
        self._fuse_roots = dict(fuse_roots)
        self._warned = False

    def _location(self, path: str) -> StorageLocation | None:
        try:
            return StorageLocation.parse(path, platform="databricks")
        except InvalidLocationError:
            return None

    def _reader(self, path: str) -> tuple[FileSystem | None, str]:
        loc = self._location(path)
        if loc is not None and loc.kind == "local":
            return self._local, loc.local_path or path
        if self._sessions.active() is not None:
            return self._hadoop, path
        root = self._fuse_roots.get(loc.kind) if loc is not None else None
        if root and loc is not None and loc.local_path and os.path.isdir(root):
            default_root = FUSE_ROOTS[loc.kind]
            return self._local, root + loc.local_path[len(default_root) :]
        if not self._warned:
            self._warned = True
            log.warning(
                "no SparkSession and no FUSE mount to read %s: treating it as empty "
                "(a plan made here shows tables as never extracted)",
                path,
            )
        return None, path

    def _writer(self, path: str) -> tuple[FileSystem, str]:
        loc = self._location(path)
        if loc is not None and loc.kind == "local":
            return self._local, loc.local_path or path
        return self._hadoop, path

    def exists(self, path: str) -> bool:
        """True when a file or directory is there."""
        fs, where = self._reader(path)
        return fs.exists(where) if fs else False

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when missing (or unreadable without a session)."""
        fs, where = self._reader(path)
        return fs.read_text(where) if fs else None

    def list_files(self, path: str) -> list[FileEntry]:
        """Plain files directly under a directory."""
        fs, where = self._reader(path)
        return fs.list_files(where) if fs else []

    def list_dirs(self, path: str) -> list[str]:
        """Directories directly under a directory."""
        fs, where = self._reader(path)
        return fs.list_dirs(where) if fs else []

    def write_text(self, path: str, text: str, overwrite: bool = True) -> bool:
        """Write a file; exclusive when overwrite=False."""
        fs, where = self._writer(path)
        return fs.write_text(where, text, overwrite)

    def replace_text(self, path: str, text: str) -> None:
        """Replace a file's content, atomically where the store allows."""
        fs, where = self._writer(path)
        fs.replace_text(where, text)

    def publish_text(self, path: str, text: str) -> bool:
        """Create a file complete or not at all; False when it exists."""
        fs, where = self._writer(path)
        return fs.publish_text(where, text)

    def rename(self, source: str, target: str) -> bool:
        """Move to a free name; False when it is taken."""
        fs, where = self._writer(source)
        return fs.rename(where, self._writer(target)[1])

    def modified(self, path: str) -> float | None:
        """The file's last change, None when missing (or unreadable without a session)."""
        fs, where = self._reader(path)
        return fs.modified(where) if fs else None

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file or tree."""
        fs, where = self._writer(path)
        fs.delete(where, recursive)
