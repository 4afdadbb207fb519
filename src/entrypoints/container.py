"""All the wiring: which adapter serves which port, read from the merged config."""

from __future__ import annotations

import os
from collections.abc import Mapping

from dependency_injector import containers, providers

from ..adapters.arrow.drivers import arrow_driver
from ..adapters.arrow.reader import ArrowSourceReader
from ..adapters.arrow.writer import ArrowDatasetWriter
from ..adapters.clock import SystemClock
from ..adapters.databricks import (
    DatabricksFileSystem,
    DatabricksSecretStore,
    DatabricksSessionProvider,
    DbutilsLocator,
    detect_platform,
    resolve_max_workers,
)
from ..adapters.hadoop_fs import HadoopFileSystem
from ..adapters.jdbc import dialect_for
from ..adapters.jdbc.reader import JdbcSourceReader
from ..adapters.jdbc.settings import JdbcSettings
from ..adapters.jvm_class_cache import default_folder as default_class_cache_folder
from ..adapters.local_fs import LocalFileSystem, RoutingFileSystem
from ..adapters.location import to_spark_path
from ..adapters.progress import LoggingProgressReporter, RichProgressReporter, SparkRowMeter
from ..adapters.secrets import EnvSecretStore, Redactor
from ..adapters.spark_session import LocalSparkSessionProvider, SparkSettings
from ..adapters.state import HadoopStateStore
from ..adapters.storage import HadoopManifestStore, SparkDatasetWriter, require_output_format
from ..domain.services import ExtractionService, RunSettings, one_line
from ..domain.specs import parse_byte_size


def _opt(section: Mapping[str, str], key: str) -> str | None:
    value = (section.get(key) or "").strip()
    return value or None


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def jdbc_settings(database: Mapping[str, str], secrets: EnvSecretStore) -> JdbcSettings:
    """JdbcSettings from [database], with secret references resolved."""
    where = "config [database]"
    port = _opt(database, "port")
    fetch = _opt(database, "fetch_size")
    return JdbcSettings(
        type=database["type"],
        host=_opt(database, "host"),
        port=int(port) if port else None,
        database=_opt(database, "database"),
        service=_opt(database, "service"),
        sid=_opt(database, "sid"),
        tns=_opt(database, "tns"),
        tns_admin=_opt(database, "tns_admin"),
        user=secrets.resolve(_opt(database, "user"), where, "user"),
        password=secrets.resolve(_opt(database, "password"), where, "password"),
        url=secrets.resolve(_opt(database, "url"), where, "url"),
        driver=_opt(database, "driver"),
        driver_jars=_list(_opt(database, "driver_jars")),
        driver_packages=_list(_opt(database, "driver_packages")),
        fetch_size=int(fetch) if fetch else None,
        init_statement=_opt(database, "init_statement"),
    )


def spark_settings(spark: Mapping[str, str], database: Mapping[str, str]) -> SparkSettings:
    """SparkSettings from [spark], with the driver jars or packages of [database]."""
    conf = tuple((k, v) for k, v in spark.items() if k.startswith("spark.") and v)
    return SparkSettings(
        master=_opt(spark, "master") or "local[*]",
        app_name=_opt(spark, "app_name") or "data-extractor",
        jars=_list(_opt(database, "driver_jars")),
        packages=_list(_opt(database, "driver_packages")),
        conf=conf,
        class_cache=class_cache_folder(spark),
    )


def byte_size(text: str | None) -> int | None:
    """'128MB', '1GB', '512KB' or a plain number of bytes (binary multiples); None if unset."""
    if not text:
        return None
    return parse_byte_size(text)


def class_cache_folder(spark: Mapping[str, str]) -> str | None:
    """Where JVM class archives go: jvm_class_cache_dir or the user cache; None when off."""
    if (_opt(spark, "jvm_class_cache") or "true").lower() == "false":
        return None
    folder = _opt(spark, "jvm_class_cache_dir")
    return os.path.expanduser(folder) if folder else str(default_class_cache_folder())


def reason_describer(redactor: Redactor):
    """How a failure is told in reports and logs: one line, secrets scrubbed."""
    return lambda exc: redactor.redact(one_line(exc))


def max_backoff(value: str | None) -> float:
    """retry_backoff_max_seconds, or RunSettings' own cap when the key is unset."""
    text = (value or "").strip()
    return float(text) if text else RunSettings().max_backoff_seconds


def state_root(extraction: Mapping[str, str]) -> str:
    """Where state lives: state_path, or _state beside the data."""
    explicit = _opt(extraction, "state_path")
    return to_spark_path(explicit or f"{extraction['output_base_path'].rstrip('/')}/_state")


def platform_of(runtime: Mapping[str, str], environ: Mapping[str, str] = os.environ) -> str:
    """`auto` resolved: Databricks when its runtime says so, else local."""
    return detect_platform(runtime.get("platform"), environ)


class Container(containers.DeclarativeContainer):
    """The application's object graph; tests override single providers with fakes."""

    config = providers.Configuration()

    redactor = providers.Singleton(Redactor)

    spark_settings = providers.Singleton(spark_settings, config.spark, config.database)
    session_provider = providers.Selector(
        config.runtime.resolved_platform,
        local=providers.Singleton(LocalSparkSessionProvider, spark_settings),
        databricks=providers.Singleton(DatabricksSessionProvider),
    )
    secrets = providers.Selector(
        config.runtime.resolved_platform,
        local=providers.Singleton(EnvSecretStore, redactor),
        databricks=providers.Singleton(
            DatabricksSecretStore, redactor, providers.Singleton(DbutilsLocator, session_provider)
        ),
    )

    jdbc_settings = providers.Singleton(jdbc_settings, config.database, secrets)
    dialect = providers.Singleton(
        dialect_for,
        config.database.type.required(),
        number_mapping=providers.Callable(_opt, config.database, "number_mapping"),
        time_zone=providers.Callable(_opt, config.extraction, "timezone"),
    )
    # [runtime] engine: Spark's JDBC source, or Arrow drivers with no JVM (never touching
    # session_provider, so no Spark starts).
    reader = providers.Selector(
        config.runtime.engine,
        spark=providers.Singleton(
            JdbcSourceReader,
            session_provider,
            jdbc_settings,
            dialect,
            config.extraction.rows_per_partition.as_int(),
        ),
        arrow=providers.Singleton(
            ArrowSourceReader,
            jdbc_settings,
            dialect,
            providers.Singleton(arrow_driver, dialect, jdbc_settings),
            config.extraction.rows_per_partition.as_int(),
        ),
    )

    local_fs = providers.Singleton(LocalFileSystem)
    hadoop_fs = providers.Singleton(HadoopFileSystem, session_provider)
    filesystem = providers.Selector(
        config.runtime.resolved_platform,
        local=providers.Singleton(RoutingFileSystem, local_fs, hadoop_fs),
        databricks=providers.Singleton(DatabricksFileSystem, local_fs, hadoop_fs, session_provider),
    )
    writer = providers.Selector(
        config.runtime.engine,
        spark=providers.Singleton(
            SparkDatasetWriter,
            filesystem,
            # Checked when the writer is made, before any table is read.
            providers.Callable(
                require_output_format, session_provider, config.extraction.output_format
            ),
            config.extraction.rows_per_file.as_int(),
            providers.Callable(byte_size, config.extraction.bytes_per_file),
        ),
        arrow=providers.Singleton(
            ArrowDatasetWriter,
            filesystem,
            config.extraction.output_format,
            config.extraction.rows_per_file.as_int(),
            providers.Callable(byte_size, config.extraction.bytes_per_file),
        ),
    )
    manifests = providers.Singleton(HadoopManifestStore, filesystem)
    state_store = providers.Singleton(
        HadoopStateStore,
        filesystem,
        providers.Callable(state_root, config.extraction),
        config.extraction.lock_lease_seconds.as_int(),
    )
    clock = providers.Singleton(SystemClock)
    progress = providers.Selector(
        config.runtime.progress,
        live=providers.Singleton(
            RichProgressReporter,
            providers.Selector(
                config.runtime.engine,
                spark=providers.Singleton(SparkRowMeter, session_provider),
                arrow=writer.provided.rows_written,
            ),
        ),
        log=providers.Singleton(LoggingProgressReporter),
    )
    run_settings = providers.Singleton(
        RunSettings,
        max_workers=providers.Callable(
            resolve_max_workers,
            config.extraction.max_workers,
            config.runtime.resolved_platform,
            session_provider,
        ),
        attempts=config.extraction.retry_attempts.as_int(),
        backoff_seconds=config.extraction.retry_backoff_seconds.as_float(),
        max_backoff_seconds=providers.Callable(
            max_backoff, config.extraction.retry_backoff_max_seconds
        ),
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


def build_container(merged: Mapping[str, Mapping[str, str]]) -> Container:
    """A container configured from validated config values."""
    container = Container()
    values = {section: dict(items) for section, items in merged.items()}
    runtime = values.setdefault("runtime", {})
    runtime["resolved_platform"] = platform_of(runtime)
    runtime.setdefault("engine", "spark")
    # Log lines unless an entry point asks for the live display (a TTY, not --quiet).
    runtime.setdefault("progress", "log")
    container.config.from_dict(values)
    return container
