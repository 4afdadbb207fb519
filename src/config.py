"""`data_extractor.config.ConfigManager`: the original tool's config helper, over our INI files.

    manager = ConfigManager("config.ini")
    manager.get_database_config()   # {"oracle_host": ..., ..., "output_base_path": ...}
    manager.create_sample_config_file("config.ini")   # what `data-extractor init` writes

Values come from the file (our key names or the original `oracle_*` ones), else from the
original environment variables, else the original defaults. Secret references (`env:`,
`file:`, `secret://`) are resolved when asked for, never stored or shown by repr.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from pathlib import Path

from .adapters.secrets import EnvSecretStore, Redactor
from .entrypoints.init_files import write_init_files

__all__ = ["DATABASE_KEYS", "ConfigManager"]

# Original name -> (section, our key, environment variable, original default).
DATABASE_KEYS: dict[str, tuple[str, str, str, str]] = {
    "oracle_host": ("database", "host", "ORACLE_HOST", "localhost"),
    "oracle_port": ("database", "port", "ORACLE_PORT", "1521"),
    "oracle_service": ("database", "service", "ORACLE_SERVICE", "XE"),
    "oracle_user": ("database", "user", "ORACLE_USER", ""),
    "oracle_password": ("database", "password", "ORACLE_PASSWORD", ""),
    "output_base_path": ("extraction", "output_base_path", "OUTPUT_BASE_PATH", "data"),
}
SECRET_KEYS = frozenset({"oracle_user", "oracle_password"})


class ConfigManager:
    """The original ConfigManager: `.config`, database settings, sample files."""

    def __init__(
        self, config_file: str | Path | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self.config_file = Path(config_file) if config_file is not None else None
        self._environ = dict(os.environ if environ is None else environ)
        # No interpolation: `%` and `${VAR}` stay as written, as our config loader reads them.
        self.config = configparser.ConfigParser(interpolation=None)
        if self.config_file is not None and self.config_file.exists():
            self.config.read(self.config_file, encoding="utf-8")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(config_file={self.config_file!s})"

    def file_value(self, name: str) -> str | None:
        """An original key's value as the file gives it (our name or the original one)."""
        section, key, _, _ = DATABASE_KEYS[name]
        for where, option in ((section, key), ("database", name), (section, name)):
            if self.config.has_option(where, option):
                value = self.config.get(where, option).strip()
                if value:
                    return value
        return None

    def secret_store(self) -> EnvSecretStore:
        """How references in the file are read (Databricks: secret scopes)."""
        return EnvSecretStore(Redactor(), self._environ)

    def get_database_config(self) -> dict[str, str]:
        """The original database keys: file, else environment variable, else default."""
        store = self.secret_store()
        where = f"config {self.config_file or '(none)'}"
        out: dict[str, str] = {}
        for name, (_, _, variable, default) in DATABASE_KEYS.items():
            value = self.file_value(name) or self._environ.get(variable) or default
            if name in SECRET_KEYS:
                value = store.resolve(value, where, name) or ""
            out[name] = value
        return out

    def create_sample_config_file(self, config_path: str | Path) -> None:
        """Write a commented sample config (Oracle source, run on this machine)."""
        write_init_files(Path(config_path), None, "oracle", databricks=False, force=True)

    def create_sample_tables_json(self, json_path: str | Path) -> None:
        """Write a sample tables JSON (one table copied whole, one incremental)."""
        write_init_files(None, Path(json_path), "oracle", databricks=False, force=True)
