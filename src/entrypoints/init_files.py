"""`data-extractor init`: a commented config INI and a tables file to start from, per source."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import yaml

from ..adapters.jdbc import DIALECTS
from ..domain.errors import InputError, Problem

SOURCE_TYPES = ("oracle", "postgresql", "sqlserver", "mysql", "mariadb", "derby")


@attrs.frozen
class SourceTemplate:
    """What differs between sources: how to reach the database and some example tables."""

    type: str
    connection: tuple[tuple[str, str], ...]  # [database] keys after type, before credentials
    schema: str
    tables: tuple[str, str]  # a small table copied whole, a big one read incrementally
    cursor: str
    key: str
    credentials: bool = True


SOURCES = {
    "oracle": SourceTemplate(
        "oracle",
        (("host", "oracle.example.internal"), ("port", "1521"), ("service", "ORCLPDB1")),
        "SALES",
        ("CUSTOMERS", "ORDERS"),
        "UPDATED_AT",
        "ORDER_ID",
    ),
    "postgresql": SourceTemplate(
        "postgresql",
        (("host", "postgres.example.internal"), ("port", "5432"), ("database", "shop")),
        "public",
        ("customers", "orders"),
        "updated_at",
        "order_id",
    ),
    "sqlserver": SourceTemplate(
        "sqlserver",
        (("host", "sqlserver.example.internal"), ("port", "1433"), ("database", "Shop")),
        "dbo",
        ("Customers", "Orders"),
        "ModifiedDate",
        "OrderID",
    ),
    "mysql": SourceTemplate(
        "mysql",
        (("host", "mysql.example.internal"), ("port", "3306"), ("database", "shop")),
        "shop",
        ("customers", "orders"),
        "updated_at",
        "order_id",
    ),
    "mariadb": SourceTemplate(
        "mariadb",
        (("host", "mariadb.example.internal"), ("port", "3306"), ("database", "shop")),
        "shop",
        ("customers", "orders"),
        "updated_at",
        "order_id",
    ),
    # The demo's database (`data-extractor demo`): embedded, no server, no login.
    "derby": SourceTemplate(
        "derby",
        (("database", "./demo-output/source-db"),),
        "APP",
        ("CUSTOMERS", "ORDERS"),
        "UPDATED_AT",
        "ORDER_ID",
        credentials=False,
    ),
}


def _driver_lines(source: str, databricks: bool) -> list[str]:
    coordinates = getattr(DIALECTS[source], "maven_coordinates", None)
    if not coordinates:
        return ["# The JDBC driver ships inside pyspark: nothing to install."]
    if databricks:
        return [
            "# The JDBC driver: attach it to the cluster as a Maven library",
            f"# ({coordinates}); the job in deploy/databricks/databricks.yml does.",
            "# driver_packages is ignored there: the cluster's session already exists.",
        ]
    return [
        "# The JDBC driver: Maven coordinates (fetched on the first run, needs network)",
        "# or driver_jars = /path/to/driver.jar for a jar you have.",
        f"driver_packages = {coordinates}",
    ]


def _credential_lines(source: str, databricks: bool) -> list[str]:
    if databricks:
        return [
            "# Credentials from a Databricks secret scope (never written here):",
            f"#   databricks secrets create-scope {source}",
            f"#   databricks secrets put-secret {source} username",
            f"#   databricks secrets put-secret {source} password",
            f"user = secret://{source}/username",
            f"password = secret://{source}/password",
        ]
    upper = source.upper()
    return [
        f"user = ${{{upper}_USER:extractor}}",
        "# Never the password itself: env:NAME reads a variable, file:/path a file,",
        "# secret://scope/key a Databricks secret scope (locally: variable SCOPE_KEY).",
        f"password = env:{upper}_PASSWORD",
    ]


def config_text(source: str, databricks: bool = False) -> str:
    """A commented config INI for one source type, local or Databricks flavour."""
    t = SOURCES[source]
    where = "on Databricks" if databricks else "on this machine"
    lines = [
        f"# data-extractor config: {source} source, run {where}.",
        "# Made by `data-extractor init`; every key and its default is in container.ini.",
        "# ${VAR} reads an environment variable and ${VAR:default} gives it a default.",
        "",
        "[database]",
        f"type = {t.type}",
        *(f"{key} = {value}" for key, value in t.connection),
    ]
    if t.credentials:
        lines += _credential_lines(source, databricks)
    lines += _driver_lines(source, databricks)
    lines += ["", "[extraction]", *_output_lines(databricks), f"default_source = {source}"]
    lines += [
        "# Tables extracted at once; unset, it follows the cluster (4 on a laptop).",
        "# max_workers = 4",
        "# parquet, or delta (built in on Databricks; elsewhere needs delta-spark).",
        "output_format = parquet",
        "timezone = UTC",
        "",
        "[runtime]",
        f"platform = {'databricks' if databricks else 'auto'}",
        "log_level = info",
        "",
    ]
    return "\n".join(lines)


def _output_lines(databricks: bool) -> list[str]:
    if not databricks:
        return [
            "# A folder, or a URI: s3a://bucket/path, abfss://c@account.dfs.core.windows.net/p,",
            "# gs://bucket/path, hdfs://namenode/path.",
            "output_base_path = ./data",
        ]
    return [
        "# A Unity Catalog volume, or dbfs:/mnt/..., abfss://..., s3://..., gs://...",
        "# (/dbfs/... works too and means dbfs:/...). Watermarks go to <this>/_state.",
        "output_base_path = /Volumes/main/raw/landing",
    ]


def tables_entries(source: str) -> list[dict]:
    """Example tables: one copied whole, one read incrementally by its cursor column."""
    t = SOURCES[source]
    small, big = t.tables
    return [
        {"table_name": small, "schema_name": t.schema, "is_full_extract": True},
        {
            "table_name": big,
            "schema_name": t.schema,
            "incremental_column": t.cursor,
            "primary_key": t.key,
            "lookback": "1h",
        },
    ]


def tables_text(source: str, as_yaml: bool = False) -> str:
    """The tables file: JSON, or YAML with comments when as_yaml."""
    body = {"tables": tables_entries(source)}
    if not as_yaml:
        return json.dumps(body, indent=2) + "\n"
    header = (
        "# Tables to extract. is_full_extract copies the whole table each run; otherwise\n"
        "# incremental_column is the cursor: each run reads rows above the last committed\n"
        "# watermark (minus lookback, for late rows). source_name defaults to default_source.\n"
    )
    return header + yaml.safe_dump(body, sort_keys=False)


def write_init_files(
    config_out: Path | None,
    tables_out: Path | None,
    source: str = "oracle",
    databricks: bool = False,
    force: bool = False,
    overwrite_hint: str = "pass --force to overwrite it",
) -> list[Path]:
    """Write the files asked for (None skips one); refuse to overwrite any unless force."""
    if source not in SOURCES:
        raise InputError(
            [Problem("--source", None, f"{source!r} is not one of {', '.join(SOURCE_TYPES)}")]
        )
    files: dict[Path, str] = {}
    if config_out is not None:
        files[config_out] = config_text(source, databricks)
    if tables_out is not None:
        files[tables_out] = tables_text(source, tables_out.suffix.lower() in (".yaml", ".yml"))
    existing = [path for path in files if path.exists()]
    if existing and not force:
        raise InputError(
            [Problem(str(p), None, f"already exists; {overwrite_hint}") for p in existing]
        )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
