"""Typed settings, built once from the validated config: each key declared once, here.

A key is a field of its section's class: its type, its check (run on the text before any
setting is built, so every problem is reported with its file and line) and how its text
becomes the value. Defaults are the packaged container.ini's; an unset key is None (or the
field's default). Adding a key is adding one field (and, if it has one, its default in
container.ini).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .config_checks import (
    Check,
    any_text,
    byte_size,
    choice,
    database_type,
    initial_watermark,
    non_negative,
    number_mapping,
    parse_byte_size,
    spark_remote,
    time_zone,
    whole_number,
)

CHECK, CONVERT = "check", "convert"


def key(check: Check = any_text, convert: Callable[[str], Any] = str, default: Any = None) -> Any:
    """A config key: checked as text by `check`, then turned into its value by `convert`."""
    return attrs.field(default=default, metadata={CHECK: check, CONVERT: convert})


def comma_list(text: str) -> tuple[str, ...]:
    """`a, b,c` as ('a', 'b', 'c')."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def true_or_false(text: str) -> bool:
    """`true` or `false` (checked before), any case."""
    return text.strip().lower() == "true"


def lower(text: str) -> str:
    """A choice, compared in lower case everywhere below."""
    return text.strip().lower()


@attrs.frozen
class DatabaseSettings:
    """[database]: which source, where, and how to log in (secrets stay references here)."""

    type: str | None = key(database_type, lower)
    host: str | None = key()
    port: int | None = key(whole_number(1), int)
    database: str | None = key()
    service: str | None = key()
    sid: str | None = key()
    tns: str | None = key()
    tns_admin: str | None = key()
    user: str | None = key()
    password: str | None = key()
    url: str | None = key()
    # Databricks: a Unity Catalog JDBC connection's name (it holds the URL and credentials).
    connection: str | None = key()
    # type = catalog: the catalog holding the tables (default: the session's current one).
    catalog: str | None = key()
    driver: str | None = key()
    driver_jars: tuple[str, ...] = key(convert=comma_list, default=())
    driver_packages: tuple[str, ...] = key(convert=comma_list, default=())
    fetch_size: int | None = key(whole_number(1), int)
    init_statement: str | None = key()
    number_mapping: str | None = key(number_mapping)


@attrs.frozen
class ExtractionSettings:
    """[extraction]: where output goes and how tables are read, retried and committed."""

    output_base_path: str | None = key()  # checked with the platform in mind: see config.py
    max_workers: int | None = key(whole_number(1), int)
    default_source: str | None = key()
    state_path: str | None = key()
    timezone: str | None = key(time_zone)
    retry_attempts: int | None = key(whole_number(1), int)
    retry_backoff_seconds: float | None = key(non_negative, float)
    retry_backoff_max_seconds: float | None = key(non_negative, float)
    output_format: str | None = key(choice("parquet", "delta"), lower)
    rows_per_file: int | None = key(whole_number(1), int)
    bytes_per_file: int | None = key(byte_size, parse_byte_size)
    lock_lease_seconds: int | None = key(whole_number(10), int)
    rows_per_partition: int | None = key(whole_number(1000), int)
    consistent_snapshot: bool = key(choice("true", "false"), true_or_false, default=False)
    # Tables without committed state start here (the tables file parses it per table).
    initial_watermark: str | None = key(initial_watermark)


@attrs.frozen
class SparkSettings:
    """[spark]: the local session's master and name, its class cache, and spark.* confs."""

    master: str | None = key()
    app_name: str | None = key()
    jvm_class_cache: bool = key(choice("true", "false"), true_or_false, default=True)
    jvm_class_cache_dir: str | None = key()
    # sc://host:port: a Spark Connect client (else the SPARK_REMOTE environment variable).
    remote: str | None = key(spark_remote)
    # Every `spark.*` key of the section, passed to the session as written (not a key here).
    conf: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class RuntimeSettings:
    """[runtime]: the platform and the log lines; plus what the entry point decided."""

    platform: str | None = key(choice("auto", "local", "databricks"), lower)
    # spark, or arrow: Python drivers and pyarrow, no JVM (src/adapters/arrow).
    engine: str = key(choice("spark", "arrow"), lower, default="spark")
    log_level: str | None = key(choice("debug", "info", "warning", "error"), lower)
    log_format: str | None = key(choice("text", "json"), lower)
    # Not keys: `auto` resolved for this run, and the live display or log lines.
    resolved_platform: str = "local"
    progress: str = "log"


@attrs.frozen
class Settings:
    """The whole config, typed: what the container and the entry points read."""

    database: DatabaseSettings = DatabaseSettings()
    extraction: ExtractionSettings = ExtractionSettings()
    spark: SparkSettings = SparkSettings()
    runtime: RuntimeSettings = RuntimeSettings()


SECTIONS: dict[str, type] = {
    "database": DatabaseSettings,
    "extraction": ExtractionSettings,
    "spark": SparkSettings,
    "runtime": RuntimeSettings,
}
# The checks of every key, by section: what config.py validates the text with.
SCHEMA: dict[str, dict[str, Check]] = {
    section: {f.name: f.metadata[CHECK] for f in attrs.fields(cls) if CHECK in f.metadata}
    for section, cls in SECTIONS.items()
}


def _section(cls: type, values: Mapping[str, str]) -> Any:
    """A section's settings from its validated text; empty text means unset."""
    typed = {}
    for field in attrs.fields(cls):
        text = (values.get(field.name) or "").strip()
        if CONVERT in field.metadata and text:
            typed[field.name] = field.metadata[CONVERT](text)
    return cls(**typed)


def build_settings(
    values: Mapping[str, Mapping[str, str]], platform: str, progress: str = "log"
) -> Settings:
    """Settings from validated config values, with the platform resolved and the display."""
    spark = values.get("spark", {})
    confs = tuple((k, v) for k, v in spark.items() if k.startswith("spark.") and v)
    runtime = _section(RuntimeSettings, values.get("runtime", {}))
    return Settings(
        _section(DatabaseSettings, values.get("database", {})),
        _section(ExtractionSettings, values.get("extraction", {})),
        attrs.evolve(_section(SparkSettings, spark), conf=confs),
        attrs.evolve(runtime, resolved_platform=platform, progress=progress),
    )
