"""All the wiring: which adapter serves which port, read from the merged config."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from dependency_injector import containers, providers

from ..adapters.arrow.drivers import arrow_driver
from ..adapters.arrow.reader import ArrowSourceReader
from ..adapters.arrow.writer import ArrowDatasetWriter
from ..adapters.catalog_reader import CATALOG_TYPE, CatalogSourceReader
from ..adapters.clock import SystemClock
from ..adapters.databricks import (
    DatabricksRouting,
    DatabricksSecretStore,
    DatabricksSessionProvider,
    DbutilsLocator,
    detect_platform,
    resolve_max_workers,
)
from ..adapters.fsspec_fs import FsspecFileSystem
from ..adapters.hadoop_fs import HadoopFileSystem
from ..adapters.jdbc import dialect_for
from ..adapters.jdbc.reader import JdbcSourceReader
from ..adapters.jdbc.settings import JdbcSettings
from ..adapters.jvm_class_cache import default_folder as default_class_cache_folder
from ..adapters.local_fs import LocalFileSystem
from ..adapters.location import to_spark_path
from ..adapters.progress import LoggingProgressReporter, RichProgressReporter, SparkRowMeter
from ..adapters.routed_fs import LocalRouting, RoutedFileSystem
from ..adapters.secrets import EnvSecretStore, Redactor
from ..adapters.session_provider import SessionProvider
from ..adapters.spark_session import LocalSparkSessionProvider

# Two SparkSettings: the adapter's (what a session is built with) and the [spark] section.
from ..adapters.spark_session import SparkSettings as SessionSettings
from ..adapters.state import HadoopStateStore
from ..adapters.storage import HadoopManifestStore, SparkDatasetWriter, require_output_format
from ..domain.reasons import one_line
from ..usecases.extraction_service import ExtractionService, RunSettings
from .logs import logging_lifecycle
from .settings import (
    DatabaseSettings,
    ExtractionSettings,
    RuntimeSettings,
    Settings,
    build_settings,
)
from .settings import SparkSettings as SparkSection


def jdbc_settings(database: DatabaseSettings, secrets: EnvSecretStore) -> JdbcSettings:
    """JdbcSettings from [database], with secret references resolved."""
    where = "config [database]"
    return JdbcSettings(
        type=database.type or "",
        host=database.host,
        port=database.port,
        database=database.database,
        service=database.service,
        sid=database.sid,
        tns=database.tns,
        tns_admin=database.tns_admin,
        user=secrets.resolve(database.user, where, "user"),
        password=secrets.resolve(database.password, where, "password"),
        url=secrets.resolve(database.url, where, "url"),
        connection=database.connection,
        driver=database.driver,
        driver_jars=database.driver_jars,
        driver_packages=database.driver_packages,
        fetch_size=database.fetch_size,
        init_statement=database.init_statement,
    )


def session_settings(spark: SparkSection, database: DatabaseSettings) -> SessionSettings:
    """What a local session is built with: [spark], and the driver jars or packages."""
    return SessionSettings(
        master=spark.master or "local[*]",
        app_name=spark.app_name or "data-extractor",
        jars=database.driver_jars,
        packages=database.driver_packages,
        conf=spark.conf,
        class_cache=class_cache_folder(spark),
        remote=spark.remote or os.environ.get("SPARK_REMOTE") or None,
    )


def class_cache_folder(spark: SparkSection) -> str | None:
    """Where JVM class archives go: jvm_class_cache_dir or the user cache; None when off."""
    if not spark.jvm_class_cache:
        return None
    folder = spark.jvm_class_cache_dir
    return os.path.expanduser(folder) if folder else str(default_class_cache_folder())


def reason_describer(redactor: Redactor) -> Callable[[BaseException], str]:
    """How a failure is told in reports and logs: one line, secrets scrubbed."""
    return lambda exc: redactor.redact(one_line(exc))


def max_backoff(value: float | None) -> float:
    """retry_backoff_max_seconds, or RunSettings' own cap when the key is unset."""
    return RunSettings().max_backoff_seconds if value is None else value


def state_root(extraction: ExtractionSettings) -> str:
    """Where state lives: state_path, or _state beside the data."""
    base = (extraction.output_base_path or "").rstrip("/")
    return to_spark_path(extraction.state_path or f"{base}/_state")


def reader_kind(database: DatabaseSettings, runtime: RuntimeSettings) -> str:
    """Which reader serves the source: `catalog` tables by name; else Spark's JDBC source, or
    an Arrow driver with no JVM when [runtime] engine = arrow."""
    if database.type == CATALOG_TYPE:
        return "catalog"
    return "arrow" if runtime.engine == "arrow" else "jdbc"


def platform_of(runtime: Mapping[str, str], environ: Mapping[str, str] = os.environ) -> str:
    """`auto` resolved: Databricks when its runtime says so, else local."""
    return detect_platform(runtime.get("platform"), environ)


def session_lifecycle(provider: SessionProvider) -> Iterator[SessionProvider]:
    """The session resource: shutdown stops a session the tool started, never a borrowed one."""
    try:
        yield provider
    finally:
        provider.stop()


class Container(containers.DeclarativeContainer):
    """The application's object graph; tests override single providers with fakes."""

    # Both given by the entry point that made it: Container(settings=..., redactor=...).
    settings = providers.Dependency(instance_of=Settings)
    # The redactor may already hold secrets (a literal password of the Python API).
    redactor = providers.Dependency(instance_of=Redactor)
    # A dbutils the Python API's caller handed over; None lets the runtime's be found.
    given_dbutils: providers.Provider[Any] = providers.Object(None)
    database = settings.provided.database
    extraction = settings.provided.extraction
    runtime = settings.provided.runtime

    # Started by the bootstrap; stopped with the other resources by shutdown_resources().
    logging = providers.Resource(logging_lifecycle, redactor, runtime.log_level, runtime.log_format)

    session_settings = providers.Singleton(session_settings, settings.provided.spark, database)
    session_provider = providers.Selector(
        runtime.resolved_platform,
        local=providers.Resource(
            session_lifecycle, providers.Singleton(LocalSparkSessionProvider, session_settings)
        ),
        databricks=providers.Resource(
            session_lifecycle, providers.Singleton(DatabricksSessionProvider)
        ),
    )
    dbutils = providers.Singleton(DbutilsLocator, session_provider, given_dbutils)
    secrets = providers.Selector(
        runtime.resolved_platform,
        local=providers.Singleton(EnvSecretStore, redactor),
        databricks=providers.Singleton(DatabricksSecretStore, redactor, dbutils),
    )

    jdbc_settings = providers.Singleton(jdbc_settings, database, secrets)
    dialect = providers.Singleton(
        dialect_for,
        database.type,
        number_mapping=database.number_mapping,
        time_zone=extraction.timezone,
    )
    # The catalog source; Spark's JDBC source; or Arrow drivers with no JVM (never touching
    # session_provider, so no Spark starts).
    reader = providers.Selector(
        providers.Callable(reader_kind, database, runtime),
        jdbc=providers.Singleton(
            JdbcSourceReader,
            session_provider,
            jdbc_settings,
            dialect,
            extraction.rows_per_partition,
        ),
        catalog=providers.Singleton(CatalogSourceReader, session_provider, database.catalog),
        arrow=providers.Singleton(
            ArrowSourceReader,
            jdbc_settings,
            dialect,
            providers.Singleton(arrow_driver, dialect, jdbc_settings),
            extraction.rows_per_partition,
        ),
    )

    local_fs = providers.Singleton(LocalFileSystem)
    hadoop_fs = providers.Singleton(HadoopFileSystem, session_provider)
    fsspec_fs = providers.Singleton(FsspecFileSystem)
    filesystem = providers.Singleton(
        RoutedFileSystem,
        providers.Selector(
            runtime.resolved_platform,
            local=providers.Singleton(
                LocalRouting, local_fs, hadoop_fs, fsspec_fs, session_provider
            ),
            databricks=providers.Singleton(
                DatabricksRouting, local_fs, hadoop_fs, session_provider, remote=fsspec_fs
            ),
        ),
    )
    writer = providers.Selector(
        runtime.engine,
        spark=providers.Singleton(
            SparkDatasetWriter,
            filesystem,
            # Checked when the writer is made, before any table is read.
            providers.Callable(require_output_format, session_provider, extraction.output_format),
            extraction.rows_per_file,
            extraction.bytes_per_file,
        ),
        arrow=providers.Singleton(
            ArrowDatasetWriter,
            filesystem,
            extraction.output_format,
            extraction.rows_per_file,
            extraction.bytes_per_file,
        ),
    )
    manifests = providers.Singleton(HadoopManifestStore, filesystem)
    state_store = providers.Singleton(
        HadoopStateStore,
        filesystem,
        providers.Callable(state_root, extraction),
        extraction.lock_lease_seconds,
    )
    clock = providers.Singleton(SystemClock)
    progress = providers.Selector(
        runtime.progress,
        live=providers.Singleton(
            RichProgressReporter,
            providers.Selector(
                runtime.engine,
                spark=providers.Singleton(SparkRowMeter, session_provider),
                arrow=writer.provided.rows_written,
            ),
        ),
        log=providers.Singleton(LoggingProgressReporter),
    )
    run_settings = providers.Singleton(
        RunSettings,
        max_workers=providers.Callable(
            resolve_max_workers, extraction.max_workers, runtime.resolved_platform, session_provider
        ),
        attempts=extraction.retry_attempts,
        backoff_seconds=extraction.retry_backoff_seconds,
        max_backoff_seconds=providers.Callable(max_backoff, extraction.retry_backoff_max_seconds),
    )
    service = providers.Factory(
        ExtractionService,
        reader=reader,
        writer=writer,
        manifests=manifests,
        state=state_store,
        clock=clock,
        progress=progress,
        settings=run_settings,
        describe_error=providers.Singleton(reason_describer, redactor),
    )


def build_container(
    merged: Mapping[str, Mapping[str, str]],
    redactor: Redactor,
    progress: str = "log",
    dbutils: Any = None,
) -> Container:
    """A container with the typed settings of validated config values, and the entry point's
    redactor (and dbutils, if it has one); progress is `log` (log lines) unless an entry point
    asks for the live display."""
    platform = platform_of(merged.get("runtime", {}))
    settings = build_settings(merged, platform, progress)
    return Container(settings=settings, redactor=redactor, given_dbutils=dbutils)
