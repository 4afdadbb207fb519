"""Session providers: a local SparkSession built for extraction, or the one already running."""

from __future__ import annotations

import os
import threading
from typing import Any

import attrs


@attrs.frozen
class SparkSettings:
    """What a locally built session needs: master, driver jars or packages, extra conf."""

    master: str = "local[*]"
    app_name: str = "data-extractor"
    jars: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    conf: tuple[tuple[str, str], ...] = ()


# Extraction-friendly defaults; every one can be overridden from [spark].
BASE_CONF = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.scheduler.mode": "FAIR",
    "spark.sql.sources.partitionOverwriteMode": "static",
    "spark.sql.parquet.compression.codec": "snappy",
}


def _log4j_config() -> str:
    """The packaged log4j2 file: Spark logs errors only, so the tool's own output stays readable."""
    from importlib import resources

    return str(resources.files("data_extractor").joinpath("log4j2.properties"))


class LocalSparkSessionProvider:
    """Builds one SparkSession on first use, or reuses the active one (notebooks, tests)."""

    def __init__(self, settings: SparkSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._session: Any = None
        self._owned = False

    def get(self) -> Any:
        """The session, created once and shared by every table worker."""
        with self._lock:
            if self._session is None:
                self._session = self._active()
                if self._session is None:
                    self._session = self._build()
                    self._owned = True
            return self._session

    def _active(self) -> Any:
        from pyspark.sql import SparkSession

        return SparkSession.getActiveSession()

    def _build(self) -> Any:
        from pyspark.sql import SparkSession

        # Spark binds to loopback unless told otherwise; never to a public interface.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        s = self._settings
        builder = SparkSession.builder.master(s.master).appName(s.app_name)
        conf = dict(BASE_CONF)
        quiet_logs = f"-Dlog4j2.configurationFile={_log4j_config()}"
        for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
            conf[key] = f"{conf[key]} {quiet_logs}"
        if s.jars:
            conf["spark.jars"] = ",".join(os.path.abspath(j) for j in s.jars)
            conf["spark.driver.extraClassPath"] = os.pathsep.join(
                os.path.abspath(j) for j in s.jars
            )
        if s.packages:
            conf["spark.jars.packages"] = ",".join(s.packages)
        conf.update(dict(s.conf))
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session

    def stop(self) -> None:
        """Stop the session only if this provider built it; a borrowed one keeps running."""
        with self._lock:
            if self._session is not None and self._owned:
                self._session.stop()
            self._session = None
            self._owned = False
