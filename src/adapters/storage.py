"""Where output goes: the Spark writer, and the manifests that commit run directories."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from typing import Any

from ..domain.errors import InputError, Problem
from ..domain.model import ExtractionTask, Manifest, WriteStats
from ..domain.reasons import one_line
from .files import FileSystem
from .serialization import manifest_to_json
from .session_kind import is_connect, new_observation, sql_functions
from .session_provider import SessionProvider
from .spark_errors import translate

log = logging.getLogger(__name__)

MANIFEST = "_manifest.json"
SUPPORTED_FORMATS = ("parquet", "delta")
# Read (analysed, never found) to ask a Connect server whether it has a data source.
MISSING_PATH = "/nonexistent/data-extractor-format-check"
DELTA_HINT = (
    "output_format = delta needs Delta Lake in the Spark session, and this one has none. "
    "Databricks has it built in; elsewhere pip install delta-spark (the release matching your "
    "Spark) and start Spark with --packages io.delta:delta-spark_2.13:<version>, e.g. in your "
    "config: [database] driver_packages = <your JDBC driver>,io.delta:delta-spark_2.13:<version>. "
    "Or set output_format = parquet"
)


def require_output_format(sessions: SessionProvider, output_format: str) -> str:
    """The format, once the session is known to write it (InputError naming the package if not)."""
    fmt = (output_format or "parquet").lower()
    if fmt == "parquet":
        return fmt  # built into Spark: no need to touch the session here
    spark = sessions.get()
    if not _has_data_source(spark, fmt):
        hint = DELTA_HINT if fmt == "delta" else f"Spark has no data source {fmt!r}"
        raise InputError([Problem("config [extraction]", "output_format", hint)])
    return fmt


def _has_data_source(spark: Any, fmt: str) -> bool:
    """Whether the session's Spark can find the data source (the classic JVM lookup, or on
    Connect the analysis of a read of a missing path, which names DATA_SOURCE_NOT_FOUND first)."""
    if is_connect(spark):
        try:
            spark.read.format(fmt).load(MISSING_PATH).schema  # noqa: B018 - analysis is the check
        except Exception as exc:  # noqa: BLE001 - only this one condition means "no such format"
            return "DATA_SOURCE_NOT_FOUND" not in str(exc)
        return True
    jvm = spark._jvm
    try:
        jvm.org.apache.spark.sql.execution.datasources.DataSource.lookupDataSource(
            fmt, spark._jsparkSession.sessionState().conf()
        )
    except Exception:  # noqa: BLE001 - py4j wraps Spark's DATA_SOURCE_NOT_FOUND
        return False
    return True


class SparkDatasetWriter:
    """Writes a DataFrame to a run directory as Parquet (or Delta), counting rows on the way."""

    def __init__(
        self,
        fs: FileSystem,
        output_format: str = "parquet",
        rows_per_file: int | None = None,
        bytes_per_file: int | None = None,
    ) -> None:
        self._fs = fs
        self._format = output_format
        self._rows_per_file = rows_per_file
        self._bytes_per_file = bytes_per_file

    def rows_per_file(self, task: ExtractionTask) -> int | None:
        """The table's rows_per_file; else bytes_per_file at the last commit's bytes per row;
        else the run's rows_per_file (Spark cannot cut files by size while writing)."""
        if task.spec.rows_per_file:
            return task.spec.rows_per_file
        if self._bytes_per_file and task.expected_rows and task.expected_bytes:
            return max(1, self._bytes_per_file * task.expected_rows // task.expected_bytes)
        return self._rows_per_file

    def write(self, dataset: Any, task: ExtractionTask) -> WriteStats:
        """Overwrite the task's directory; rows come from an observation of this same pass."""
        F = sql_functions(dataset.sparkSession)
        observation = new_observation(dataset.sparkSession, f"rows_{uuid.uuid4().hex}")
        observed = dataset.observe(observation, F.count(F.lit(1)).alias("rows"))
        writer = observed.write.format(self._format).mode("overwrite")
        rows_per_file = self.rows_per_file(task)
        if rows_per_file:
            writer = writer.option("maxRecordsPerFile", rows_per_file)
        try:
            with _labelled_jobs(dataset.sparkSession, task.key):
                writer.save(task.output_path)
        except Exception as exc:
            raise translate(exc, f"writing {task.key}") from exc
        rows = int(observation.get["rows"])
        files = [f for f in self._fs.list_files(task.output_path) if _is_data_file(f.name)]
        return WriteStats(rows, len(files), sum(f.size for f in files), dataset.schema.json())


def job_tag(table_key: str) -> str:
    """The Spark job tag of a table's writes (tags may not hold commas)."""
    return f"data-extractor:{table_key}".replace(",", ";")


@contextlib.contextmanager
def _labelled_jobs(spark: Any, table_key: str) -> Iterator[None]:
    """This thread's Spark jobs carry the table: a FAIR pool and job group where classic,
    a job tag (spark.addTag, Spark 3.5+) on Connect, where local properties do not exist."""
    if is_connect(spark):
        tag = job_tag(table_key)
        spark.addTag(tag)
        try:
            yield
        except BaseException:
            # A failure on the client (a dropped stream, Ctrl-C) leaves the server's job
            # running: stop it before a retry overwrites the same folder.
            _interrupt(spark, tag)
            raise
        finally:
            spark.removeTag(tag)
        return
    context = spark.sparkContext
    context.setLocalProperty("spark.scheduler.pool", table_key.replace("/", "."))
    # The job group lets the progress display find this table's Spark stages.
    context.setJobGroup(table_key, f"data-extractor {table_key}")
    try:
        yield
    finally:
        context.setLocalProperty("spark.scheduler.pool", None)


def _interrupt(spark: Any, tag: str) -> None:
    """Interrupt the server's operations carrying the tag; a failure to do so is logged only."""
    try:
        stopped = spark.interruptTag(tag)
    except Exception as exc:  # noqa: BLE001 - the write's own error is the one to report
        log.warning("could not interrupt the server's jobs tagged %s: %s", tag, one_line(exc))
        return
    if stopped:
        log.info("interrupted %d server operation(s) tagged %s", len(stopped), tag)


def _is_data_file(name: str) -> bool:
    return not name.startswith(("_", "."))


class HadoopManifestStore:
    """Manifests as `_manifest.json` inside each run directory."""

    def __init__(self, fs: FileSystem) -> None:
        self._fs = fs

    def write(self, manifest: Manifest, directory: str | None = None) -> None:
        """Write the manifest last; its presence is what commits the directory."""
        where = directory or manifest.output_path
        self._fs.replace_text(f"{where}/{MANIFEST}", manifest_to_json(manifest))

    def exists(self, output_path: str) -> bool:
        """True when the run directory is committed."""
        return self._fs.exists(f"{output_path}/{MANIFEST}")

    def present(self, path: str) -> bool:
        """True when anything is at path."""
        return self._fs.exists(path)

    def move(self, source: str, target: str) -> bool:
        """Rename a run directory to a free name (one rename: atomic on HDFS, ABFS, local)."""
        return self._fs.rename(source, target)

    def moves_atomically(self, path: str) -> bool:
        """Whether the store renames the directory at path in one step (fsspec copies)."""
        return self._fs.renames_atomically(path)

    def discard(self, path: str) -> None:
        """Delete a run directory tree."""
        self._fs.delete(path, recursive=True)
