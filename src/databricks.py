"""`data_extractor.databricks`: the original tool's Databricks API, over the real use case.

In a notebook (the cluster's `spark` and `dbutils` are found on their own):

    from data_extractor.databricks import DatabricksDataExtractor
    extractor = DatabricksDataExtractor(
        oracle_host=dbutils.widgets.get("oracle_host"),
        oracle_service="ORCLPDB1",
        oracle_user="secret://oracle/username",
        oracle_password="secret://oracle/password",
        output_base_path="/Volumes/main/raw/landing",
    )
    results = extractor.extract_tables_parallel(table_configs)  # {table_name: bool}

Secret references are read with dbutils.secrets and never logged; widgets named like config
keys (output_base_path, max_workers, output_format, ...) override the arguments. The
original `DatabricksConfigManager` is importable from here too, as it always was.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .adapters.databricks import (
    DatabricksSessionProvider,
    DbutilsLocator,
    runtime_context,
    widget_overrides,
)
from .adapters.jdbc import dialect_for
from .adapters.jdbc.settings import JdbcSettings
from .core import DataExtractor
from .databricks_config import DatabricksConfigManager

__all__ = ["DatabricksConfigManager", "DatabricksDataExtractor"]

ORACLE_PORT = 1521  # the original tool's default listener port


def oracle_url(host: str | None, port: int | None, service: str | None) -> str | None:
    """The thin-driver URL the arguments name (None without host and service), as runs build it."""
    if not host or not service:
        return None
    settings = JdbcSettings(type="oracle", host=host, port=port or ORACLE_PORT, service=service)
    return dialect_for("oracle").url(settings)


class DatabricksDataExtractor(DataExtractor):
    """DataExtractor in Databricks mode: the cluster's session, secret scopes, widgets."""

    def __init__(
        self,
        oracle_host: str | None = None,
        oracle_port: int | None = None,
        oracle_service: str | None = None,
        oracle_user: str | None = None,
        oracle_password: str | None = None,
        output_base_path: str | None = None,
        use_existing_spark: bool = True,
        max_workers: int | None = None,
        *,
        config_path: str | Path | None = None,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        environ: Mapping[str, str] | None = None,
        widgets: bool = True,
        dbutils: Any = None,
    ) -> None:
        super().__init__(
            oracle_host,
            oracle_port,
            oracle_service,
            oracle_user,
            oracle_password,
            output_base_path,
            max_workers,
            config_path=config_path,
            settings=settings,
            environ=environ,
        )
        # Databricks mode never starts a session; without one, `auto` lets a local one start.
        self.platform = "databricks" if use_existing_spark else "auto"
        self._widgets = widgets
        self._dbutils = dbutils
        # The original tool's attributes (the password is deliberately not one of them).
        self.oracle_host = oracle_host
        self.oracle_port = oracle_port or ORACLE_PORT
        self.oracle_service = oracle_service
        self.oracle_user = oracle_user
        self.output_base_path = output_base_path
        self.use_existing_spark = use_existing_spark
        self.max_workers = max_workers
        self.jdbc_url = oracle_url(oracle_host, self.oracle_port, oracle_service)

    def get_databricks_context(self) -> dict[str, Any]:
        """Where this runs: is_databricks, runtime_version, hostname, and the run's settings."""
        return {
            **runtime_context(self._environ),
            "use_existing_spark": self.use_existing_spark,
            "max_workers": self.max_workers,
        }

    def extra_overrides(self) -> dict[str, dict[str, str]]:
        """Notebook widgets (and a notebook task's job parameters) win over the arguments."""
        if not self._widgets:
            return {}
        dbutils = self._dbutils
        if dbutils is None:
            dbutils = DbutilsLocator(DatabricksSessionProvider()).get()
        return widget_overrides(dbutils)
