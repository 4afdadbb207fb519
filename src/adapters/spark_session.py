"""Session providers: a local SparkSession built for extraction, or the one already running."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import attrs

from .jvm_class_cache import ClassCachePlan, JvmClassCache
from .session_kind import connect_session_class, is_connect
from .spark_install import require_pyspark

log = logging.getLogger(__name__)
JAVA_OPTION_KEYS = ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")
ARCHIVE_WRITE_SECONDS = 300


@attrs.frozen
class SparkSettings:
    """What a locally built session needs: master, driver jars or packages, extra conf."""

    master: str = "local[*]"
    app_name: str = "data-extractor"
    jars: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    conf: tuple[tuple[str, str], ...] = ()
    class_cache: str | None = None  # folder of JVM class archives; None: no archive
    remote: str | None = None  # sc://host:port: a Spark Connect client instead of a local JVM


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
    # INT96 (Spark's default) loses the calendar outside 1677-2262 in readers such as pyarrow.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}
TIMESTAMP_TYPE_KEY = "spark.sql.parquet.outputTimestampType"


def warn_about_borrowed_conf(session: Any) -> None:
    """Log what a borrowed session (never reconfigured by the tool) writes differently.

    The tool does not change a session it did not build: other code shares its conf.
    """
    try:
        kind = session.conf.get(TIMESTAMP_TYPE_KEY, "INT96")
    except Exception:  # noqa: BLE001 - a session that cannot tell is left alone
        return
    if str(kind).upper() != "TIMESTAMP_MICROS":
        log.warning(
            "the running Spark session writes Parquet timestamps as %s; set %s=TIMESTAMP_MICROS "
            "in its conf so every reader gets exact timestamps outside 1677-2262",
            kind,
            TIMESTAMP_TYPE_KEY,
        )


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
        self._archive: ClassCachePlan | None = None

    def get(self) -> Any:
        """The session, created once and shared by every table worker."""
        require_pyspark()
        with self._lock:
            if self._session is None:
                self._session = self._active()
                if self._session is not None:
                    warn_about_borrowed_conf(self._session)
                else:
                    self._session = self._build()
                    self._owned = True
                if is_connect(self._session):
                    log.info("a Spark Connect session: its server reads the source and writes")
            return self._session

    def _active(self) -> Any:
        if self._settings.remote:
            # Only a Connect session is borrowed then: a classic one in this process is not it.
            return connect_session_class().getActiveSession()
        from pyspark.sql import SparkSession

        return SparkSession.getActiveSession()

    def _build(self) -> Any:
        from pyspark.sql import SparkSession

        if self._settings.remote:
            return self._connect(self._settings.remote)
        # Spark binds to loopback unless told otherwise; never to a public interface.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        s = self._settings
        builder = SparkSession.builder.master(s.master).appName(s.app_name)
        conf = self.conf()
        self._archive = self._plan_archive(conf)
        if self._archive is not None:
            key = "spark.driver.extraJavaOptions"
            conf[key] = f"{conf[key]} {self._archive.java_options}"
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session

    def _connect(self, url: str) -> Any:
        """A Spark Connect session: the client sets SQL conf only, the rest is the server's."""
        # Connect's own builder: pyspark.sql's refuses a remote session beside a classic one
        # in the same process (a notebook's, a test's), which this client does not touch.
        builder = connect_session_class().builder.remote(url)
        conf = self.conf()
        for key, value in conf.items():
            if key.startswith("spark.sql."):
                builder = builder.config(key, value)
        if self._settings.jars or self._settings.packages:
            log.info(
                "Spark Connect: driver_jars / driver_packages are not sent to the server; "
                "start it with the JDBC driver on its class path (--jars)"
            )
        return builder.getOrCreate()

    def conf(self) -> dict[str, str]:
        """The session's conf: BASE_CONF, jars, then [spark]; user JVM options are appended."""
        s = self._settings
        conf = dict(BASE_CONF)
        quiet_logs = f"-Dlog4j2.configurationFile={_log4j_config()}"
        for key in JAVA_OPTION_KEYS:
            conf[key] = f"{conf[key]} {quiet_logs}"
        if s.jars:
            conf["spark.jars"] = ",".join(os.path.abspath(j) for j in s.jars)
            conf["spark.driver.extraClassPath"] = os.pathsep.join(
                os.path.abspath(j) for j in s.jars
            )
        if s.packages:
            conf["spark.jars.packages"] = ",".join(s.packages)
        user = dict(s.conf)
        for key in JAVA_OPTION_KEYS:
            if user.get(key):
                # Appended, not replacing: the UTC zone and quiet logs must survive.
                conf[key] = f"{conf[key]} {user.pop(key)}"
        conf.update(user)
        return conf

    def _plan_archive(self, conf: dict[str, str]) -> ClassCachePlan | None:
        """A class archive for the driver JVM, when this process is about to start one."""
        from pyspark import SparkContext

        folder = self._settings.class_cache
        if not folder or SparkContext._gateway is not None:
            return None  # off, or a JVM already runs in this process: its options are set
        classpath = tuple(
            entry
            for entry in conf.get("spark.driver.extraClassPath", "").split(os.pathsep)
            if entry
        )
        packages = tuple(p for p in conf.get("spark.jars.packages", "").split(",") if p)
        try:
            return JvmClassCache(Path(folder)).plan(classpath, packages)
        except OSError as exc:
            log.info("JVM class cache unavailable (%s); starting without it", exc)
            return None

    def stop(self) -> None:
        """Stop the session only if this provider built it; a borrowed one keeps running.

        When this JVM is to write the class archive, it is shut down here and waited for,
        so the archive is complete before the process exits.
        """
        with self._lock:
            if self._session is not None and self._owned:
                self._session.stop()
                if self._archive is not None and self._archive.pending is not None:
                    self._write_archive(self._archive)
            self._session = None
            self._owned = False
            self._archive = None

    def _write_archive(self, plan: ClassCachePlan) -> None:
        from pyspark import SparkContext

        cache = JvmClassCache(plan.archive.parent)
        gateway = SparkContext._gateway
        process = getattr(gateway, "proc", None)
        if gateway is None or process is None or process.stdin is None:
            cache.discard(plan)
            return
        log.info("saving the JVM class cache (once per JDK and jar set): later runs start faster")
        gateway.shutdown()
        process.stdin.close()  # the gateway JVM exits on end of input, writing the archive
        try:
            process.wait(timeout=ARCHIVE_WRITE_SECONDS)
            finished = True
        except subprocess.TimeoutExpired:
            process.kill()
            finished = False
        # A later session in this process starts a new JVM.
        SparkContext._gateway = None
        SparkContext._jvm = None
        if not finished:
            cache.discard(plan)
        elif not cache.commit(plan):
            log.info("the JVM wrote no class cache; later runs start without one")
