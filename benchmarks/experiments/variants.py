"""Settings to try on the tool, each a change a user or the lead could make, by name.

`config` variants change only the generated config (a user could do the same); `patch`
variants monkeypatch src/ in this process to preview a code change.
"""

from __future__ import annotations

from typing import Any


def _text_transfer() -> None:
    """pgjdbc's default prepareThreshold (text for a statement's first runs): the old default."""
    from data_extractor.adapters.jdbc.postgresql import PostgresDialect

    PostgresDialect.extra_options = lambda self, settings: {}


def _partitions_per_core(count: int) -> None:
    from data_extractor.domain import splits

    splits.PARTITIONS_PER_CORE = count


def _no_observation() -> None:
    """Write without the row-count observation: only to price it (manifests then say 0 rows)."""
    from pyspark.sql import DataFrame, Observation

    DataFrame.observe = lambda self, *args, **kwargs: self
    Observation.get = property(lambda self: {"rows": 0})


def _timestamps_with_zone() -> None:
    """Read timestamps as Spark TIMESTAMP (session zone) instead of TIMESTAMP_NTZ."""
    from data_extractor.adapters.jdbc.reader import JdbcSourceReader

    original = JdbcSourceReader.options

    def options(self: Any, spec: Any = None) -> dict[str, str]:
        found = original(self, spec)
        found.pop("preferTimestampNTZ", None)
        return found

    JdbcSourceReader.options = options


def apply_variant(job: dict[str, Any], name: str) -> dict[str, Any]:
    """The job with the variant's config keys; code patches are applied to this process."""
    sections: dict[str, dict[str, str]] = {
        key: dict(job.get(f"tool_{key}") or {}) for key in ("database", "extraction", "spark")
    }
    for part in name.split("+"):
        if part == "baseline":
            continue
        elif part == "text":
            _text_transfer()
        elif part == "nodict":
            sections["spark"]["spark.hadoop.parquet.enable.dictionary"] = "false"
        elif part.startswith("fetch"):
            sections["database"]["fetch_size"] = part[5:]
        elif part.startswith("rpp"):
            sections["extraction"]["rows_per_partition"] = part[3:]
        elif part.startswith("ppc"):
            _partitions_per_core(int(part[3:]))
        elif part.startswith("workers"):
            sections["extraction"]["max_workers"] = part[7:]
        elif part.startswith("jvm="):
            # e.g. jvm=-XX:CompileThresholdScaling=4 (a comma stands for a space)
            sections["spark"]["spark.driver.extraJavaOptions"] = "-Duser.timezone=UTC " + part[
                4:
            ].replace(",", " ")
        elif part == "noobserve":
            _no_observation()
        elif part == "nontz":
            _timestamps_with_zone()
        else:
            raise SystemExit(f"unknown variant part {part!r}")
    return {**job, **{f"tool_{key}": values for key, values in sections.items()}}
