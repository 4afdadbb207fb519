"""This tool as a contender: its config and tables file generated from the job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .common import JDBC_JAR

# The benchmark's own JVM class cache, emptied by benchmarks.run before it measures the tool.
CLASS_CACHE = Path(__file__).resolve().parents[1] / "results" / "jvm-cache"
SECTIONS = {
    "database": {
        "type": "postgresql",
        "host": "127.0.0.1",
        "port": "5432",
        "database": "postgres",
        "driver_jars": JDBC_JAR,
    },
    "extraction": {"default_source": "bench"},
    "spark": {"master": "local[*]", "jvm_class_cache_dir": str(CLASS_CACHE)},
}


def config_text(job: dict[str, Any]) -> str:
    """The INI: fixed settings, the job's user and output, plus the job's `tool_<section>` keys."""
    lines = []
    for section, fixed in SECTIONS.items():
        values = dict(fixed)
        if section == "database":
            values["user"] = job["user"]
        if section == "extraction":
            values["output_base_path"] = job["out"]
        values.update(job.get(f"tool_{section}") or {})
        lines += [f"[{section}]", *(f"{k} = {v}" for k, v in values.items()), ""]
    return "\n".join(lines)


def write_inputs(job: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """config.ini and tables.json for the job, in `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.ini"
    config.write_text(config_text(job))
    tables = folder / "tables.json"
    specs = [
        {
            "table_name": name,
            "schema_name": job["schema"],
            "is_full_extract": True,
            "primary_key": "id",
        }
        for name in job["tables"]
    ]
    tables.write_text(json.dumps({"tables": specs}, indent=1))
    return config, tables
