"""`data_extractor.core.DataExtractor`: the original tool's Python API, over the real use case.

    extractor = DataExtractor(oracle_host="db", oracle_service="XEPDB1", oracle_user="u",
                              oracle_password="env:ORACLE_PASSWORD", output_base_path="./data")
    results = extractor.extract_tables_parallel([{"source_name": "hr", "table_name": "EMP",
                                                  "schema_name": "HR", "is_full_extract": True}])
    # {"EMP": True}

Config is built and checked exactly as the CLI does (container.ini, an optional config
file, then these arguments); a bad value raises InputError before anything is read.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .adapters.secrets import Redactor
from .domain.model import RunReport, Status
from .entrypoints import app
from .entrypoints.bootstrap import Prepared, more_tables, prepare, shut_down, start
from .entrypoints.config import LEGACY_KEYS
from .entrypoints.container import Container

# The original keyword arguments are the original config keys.
LEGACY_ARGUMENTS = LEGACY_KEYS


def config_overrides(
    arguments: Mapping[str, Any],
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    imply_oracle: bool = True,
) -> dict[str, dict[str, str]]:
    """{section: {key: text}} from the original keyword arguments, then explicit settings.

    oracle_* arguments imply type = oracle, as in the original, unless a config file (which
    names its own type) is given: imply_oracle=False.
    """
    out: dict[str, dict[str, str]] = {}
    for name, value in arguments.items():
        if value is not None and name in LEGACY_ARGUMENTS:
            section, key = LEGACY_ARGUMENTS[name]
            out.setdefault(section, {})[key] = str(value)
    oracle = any(n.startswith("oracle_") and v is not None for n, v in arguments.items())
    if oracle and imply_oracle:
        out.setdefault("database", {}).setdefault("type", "oracle")
    for section, values in (settings or {}).items():
        for key, value in values.items():
            if value is not None:
                out.setdefault(section, {})[key] = str(value)
    return out


class DataExtractor:
    """Extracts tables the way `data-extractor run` does, from Python."""

    platform = "auto"

    def __init__(
        self,
        oracle_host: str | None = None,
        oracle_port: int | None = None,
        oracle_service: str | None = None,
        oracle_user: str | None = None,
        oracle_password: str | None = None,
        output_base_path: str | None = None,
        max_workers: int | None = None,
        *,
        config_path: str | Path | None = None,
        settings: Mapping[str, Mapping[str, Any]] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._redactor = Redactor()
        # A literal password is a secret from the first moment, whatever logs next.
        if oracle_password and not str(oracle_password).startswith(("env:", "file:", "secret:")):
            self._redactor.add(str(oracle_password))
        arguments = {
            "oracle_host": oracle_host,
            "oracle_port": oracle_port,
            "oracle_service": oracle_service,
            "oracle_user": oracle_user,
            "oracle_password": oracle_password,
            "output_base_path": output_base_path,
            "max_workers": max_workers,
        }
        self._overrides = config_overrides(arguments, settings, imply_oracle=config_path is None)
        self._config_path = Path(config_path) if config_path is not None else None
        self._environ = dict(os.environ if environ is None else environ)
        self._ready: Prepared | None = None
        # A dbutils the caller hands over (Databricks' Python API); found by the runtime if None.
        self._dbutils: Any = None
        self.last_report: RunReport | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(config_path={self._config_path!s})"

    def extra_overrides(self) -> dict[str, dict[str, str]]:
        """Overrides a subclass adds on top of the arguments (Databricks: widgets)."""
        return {}

    def _prepared(self) -> Prepared:
        """Inputs checked and the container built, once, as every entry point does."""
        if self._ready is None:
            flags = {s: dict(v) for s, v in self._overrides.items()}
            if self.platform != "auto":
                flags.setdefault("runtime", {})["platform"] = self.platform
            for section, values in self.extra_overrides().items():
                flags.setdefault(section, {}).update(values)
            ready = prepare(
                self._config_path,
                flags,
                self._redactor,
                environ=self._environ,
                dbutils=self._dbutils,
            )
            start(ready)
            self._ready = ready
        return self._ready

    @property
    def container(self) -> Container:
        """The wired container (built on first use)."""
        return self._prepared().container

    def extract_tables_parallel(
        self,
        table_configs: Sequence[Mapping[str, Any]],
        run_id: str | None = None,
        force: bool = False,
    ) -> dict[str, bool]:
        """Extract the tables concurrently; {table_name: succeeded} (already committed = True)."""
        ready = self._prepared()
        specs = more_tables(ready, table_configs)
        report, _ = app.run_extraction(ready.container, specs, run_id, force, None)
        self.last_report = report
        # Keyed by table name as before; by source/table where two sources share a name.
        counts = Counter(spec.table_name for spec in specs)
        label = {s.key: s.table_name if counts[s.table_name] == 1 else s.key for s in specs}
        return {label.get(r.table, r.table): r.status is not Status.FAILED for r in report.results}

    def extract_table(
        self,
        table_name: str,
        schema_name: str | None = None,
        source_name: str | None = None,
        incremental_column: str | None = None,
        extraction_date: str | None = None,
        is_full_extract: bool = False,
        custom_query: str | None = None,
        run_id: str | None = None,
        **options: Any,
    ) -> bool:
        """Extract one table; True when it succeeded (or was already committed)."""
        entry = {
            "table_name": table_name,
            "schema_name": schema_name,
            "source_name": source_name,
            "incremental_column": incremental_column,
            "extraction_date": extraction_date,
            "is_full_extract": is_full_extract,
            "custom_query": custom_query,
            **options,
        }
        table = {k: v for k, v in entry.items() if v is not None}
        results = self.extract_tables_parallel([table], run_id=run_id)
        return all(results.values())

    def cleanup(self) -> None:
        """Stop the SparkSession if this extractor started it; a borrowed one keeps running."""
        if self._ready is not None:
            shut_down(self._ready)
