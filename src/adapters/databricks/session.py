"""The cluster's own SparkSession, borrowed: never a second Spark on a Databricks driver."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ...domain.errors import DataExtractorError
from ..spark_install import require_pyspark


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


def notebook_global(name: str) -> Any:
    """A variable of the notebook that runs us (IPython's namespace, else __main__)."""
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None and name in getattr(shell, "user_ns", {}):
        return shell.user_ns[name]
    return getattr(sys.modules.get("__main__"), name, None)


def session_to_join(environ: Mapping[str, str], context_running: bool = False) -> str | None:
    """What `builder.getOrCreate()` would attach to without starting a Spark, or None.

    A Connect client (standard access mode, serverless, SPARK_REMOTE) gets the remote session;
    a classic driver's Python process finds the runtime's JVM through PYSPARK_GATEWAY_PORT or
    a SparkContext already running in this process. With none of these, getOrCreate would
    launch a new local Spark, which a Databricks driver must never do.
    """
    if environ.get("SPARK_REMOTE") or "SPARK_CONNECT_MODE_ENABLED" in environ:
        return "connect"
    if environ.get("PYSPARK_GATEWAY_PORT"):
        return "gateway"
    return "context" if context_running else None


def find_active_session(environ: Mapping[str, str] | None = None) -> Any:
    """The session already running for this process, or None; never starts a Spark."""
    require_pyspark()
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    # The JVM's active session is per thread, and a wheel task in a fresh process has none
    # yet: builder.getOrCreate() is how such code gets the cluster's session (Connect or
    # classic) when there is one to join.
    running = SparkContext._active_spark_context is not None
    if session is None and session_to_join(os.environ if environ is None else environ, running):
        session = SparkSession.builder.getOrCreate()
    return session if session is not None else notebook_global("spark")


def session_alive(session: Any) -> bool:
    """False only when the session says it has stopped (classic: no JVM context)."""
    stopped = getattr(type(session), "is_stopped", None)
    if isinstance(stopped, property):  # a Spark Connect session knows it
        return not session.is_stopped
    try:
        return session.sparkContext._jsc is not None
    except Exception:  # noqa: BLE001 - sessions without a JVM context cannot tell
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
            if self._session is None or not session_alive(self._session):
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
