"""`DatabricksConfigManager`: the original Databricks config helper, over widgets and scopes.

    manager = DatabricksConfigManager()          # in a notebook: its widgets and dbutils
    manager.get_databricks_database_config()     # oracle_* keys, output_base_path (/dbfs/data)
    manager.get_databricks_extraction_config()   # use_existing_spark, max_workers
    manager.create_databricks_sample_config("config.ini")  # = --generate-databricks-config

A widget named like an original key (oracle_host, ..., output_base_path, max_workers) wins
over the file, which wins over the environment; `secret://scope/key` is read from the scope.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .adapters.databricks import (
    DatabricksSecretStore,
    DatabricksSessionProvider,
    DbutilsLocator,
    widget_value,
)
from .adapters.secrets import EnvSecretStore, Redactor
from .config import DATABASE_KEYS, ConfigManager
from .entrypoints.init_files import write_init_files

__all__ = ["DatabricksConfigManager"]

DATABRICKS_OUTPUT = "/dbfs/data"  # the original tool's Databricks default


class DatabricksConfigManager(ConfigManager):
    """ConfigManager with Databricks defaults, widgets and secret scopes."""

    def __init__(
        self,
        config_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        dbutils: Any = None,
    ) -> None:
        super().__init__(config_file, environ)
        self._dbutils = DbutilsLocator(DatabricksSessionProvider(), dbutils)
        for name, (section, key, _, _) in DATABASE_KEYS.items():
            value = widget_value(self._dbutils.get(), name)
            if value is not None:
                if not self.config.has_section(section):
                    self.config.add_section(section)
                self.config.set(section, key, value)
        workers = widget_value(self._dbutils.get(), "max_workers")
        if workers is not None:
            if not self.config.has_section("extraction"):
                self.config.add_section("extraction")
            self.config.set("extraction", "max_workers", workers)

    def secret_store(self) -> EnvSecretStore:
        """References are read from Databricks secret scopes through dbutils."""
        return DatabricksSecretStore(Redactor(), self._dbutils, self._environ)

    def get_databricks_database_config(self) -> dict[str, str]:
        """get_database_config() with the Databricks output default (/dbfs/data)."""
        config = self.get_database_config()
        if config["output_base_path"] in ("", "data"):
            config["output_base_path"] = DATABRICKS_OUTPUT
        return config

    def get_databricks_extraction_config(self) -> dict[str, Any]:
        """use_existing_spark (always True) and max_workers (the setting, else CPUs / 2)."""
        text = self.config.get("extraction", "max_workers", fallback="").strip()
        text = text or self._environ.get("MAX_WORKERS", "")
        workers = int(text) if text.isdigit() and int(text) > 0 else 0
        return {
            "use_existing_spark": True,
            "max_workers": workers or max(1, (os.cpu_count() or 2) // 2),
        }

    def create_databricks_sample_config(self, config_path: str | Path) -> None:
        """Write the Databricks sample config, as `--generate-databricks-config` does."""
        write_init_files(Path(config_path), None, "oracle", databricks=True, force=True)

    def create_databricks_sample_tables_json(self, json_path: str | Path) -> None:
        """Write the sample tables JSON, as `--generate-databricks-tables` does."""
        write_init_files(None, Path(json_path), "oracle", databricks=True, force=True)
