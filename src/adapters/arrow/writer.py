"""ArrowDatasetWriter: the DatasetWriter port with pyarrow, streamed, one thread per split.

Each split's record batches go straight into a `pq.ParquetWriter` (the table is never whole
in memory); a file is closed at rows_per_file rows or once bytes_per_file bytes are on disk,
whichever comes first. A file is written under a hidden name (`.part-...`) and renamed when
complete, so a crashed run leaves no half file under a name readers of the folder take.
The layout is the Spark engine's: `part-NNNNN-<uuid>-cNNN.snappy.parquet` and `_SUCCESS`.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from ...domain.errors import ExtractionError, InputError, Problem
from ...domain.model import ExtractionTask, WriteStats
from ..files import FileSystem
from ..location import StorageLocation
from ..spark_errors import translate
from .reader import ArrowDataset
from .types import TypePlan, spark_schema_json

# With bytes_per_file, a file's first slice is sized from the batch's bytes per row in memory
# (times the split's measured on-disk ratio), later slices from the file's bytes per row so
# far; a slice is at least MIN_SLICE_ROWS rows unless that is more than a tenth of the limit
# (wide rows), so a file ends within ~1.1x of bytes_per_file.
MIN_SLICE_ROWS = 1_024
# Spark's Parquet settings: snappy pages, decimals of up to 18 digits as INT32/INT64. A 64 KB
# dictionary page (pyarrow's default is 1 MB) makes a column of mostly distinct values give up
# its dictionary early: on the benchmark's big table, writing took 0.35 s instead of 0.6-0.9 s
# per 500,000 rows and files were 13% smaller; low-cardinality columns keep their dictionary.
PARQUET_OPTIONS = {
    "compression": "snappy",
    "store_decimal_as_integer": True,
    "dictionary_pagesize_limit": 64 * 1024,
}


@attrs.frozen
class SplitOutput:
    """What one split wrote."""

    rows: int
    files: tuple[str, ...]
    schema: pa.Schema | None


@attrs.define
class FileLimits:
    """When to close a file: after this many rows, or once this many bytes are written."""

    rows: int | None = None
    bytes: int | None = None

    def full(self, rows: int, size: int) -> bool:
        """True when a file holding `rows` rows in `size` bytes must be closed."""
        return bool((self.rows and rows >= self.rows) or (self.bytes and size >= self.bytes))


class ArrowDatasetWriter:
    """Writes an ArrowDataset to a local run directory as Parquet, counting on the way."""

    def __init__(
        self,
        fs: FileSystem,
        output_format: str = "parquet",
        rows_per_file: int | None = None,
        bytes_per_file: int | None = None,
        threads: int | None = None,
    ) -> None:
        if (output_format or "parquet").lower() != "parquet":
            message = (
                f"engine = arrow writes parquet only; output_format = {output_format} "
                "needs engine = spark"
            )
            raise InputError([Problem("config [extraction]", "output_format", message)])
        self._fs = fs
        self._rows_per_file = rows_per_file
        self._bytes_per_file = bytes_per_file
        self._threads = threads or os.cpu_count() or 1
        self._written: dict[str, int] = {}
        self._lock = threading.Lock()

    def rows_written(self, table_key: str) -> int | None:
        """Rows written so far for a table (the live progress display's meter)."""
        with self._lock:
            return self._written.get(table_key)

    def write(self, dataset: ArrowDataset, task: ExtractionTask) -> WriteStats:
        """Overwrite the task's directory with the dataset's rows, split by split on threads."""
        folder = local_folder(task.output_path)
        self._fs.delete(task.output_path, recursive=True)
        os.makedirs(folder, exist_ok=True)
        limits = FileLimits(task.spec.rows_per_file or self._rows_per_file, self._bytes_per_file)
        with self._lock:
            self._written[task.key] = 0
        run = uuid.uuid4().hex
        jobs = list(enumerate(dataset.statements))
        try:
            workers = max(1, min(self._threads, len(jobs)))
            with ThreadPoolExecutor(workers, thread_name_prefix=f"split-{task.key}") as pool:
                outputs = list(
                    pool.map(lambda job: self._split(dataset, job, folder, run, limits, task), jobs)
                )
        except ExtractionError:
            raise
        except Exception as exc:
            raise translate(exc, f"reading {task.key}") from exc
        schema = next((o.schema for o in outputs if o.schema is not None), pa.schema([]))
        files = [name for output in outputs for name in output.files]
        if not files:  # no rows: one file with the columns, as Spark writes for an empty read
            empty = _SplitFiles(folder, f"part-00000-{run}", limits)
            empty.schema = schema
            empty.write(None)
            empty.close()
            files = empty.files
        open(os.path.join(folder, "_SUCCESS"), "wb").close()
        size = sum(os.path.getsize(os.path.join(folder, name)) for name in files)
        rows = sum(o.rows for o in outputs)
        return WriteStats(rows, len(files), size, spark_schema_json(schema))

    def _split(
        self,
        dataset: ArrowDataset,
        job: tuple[int, str],
        folder: str,
        run: str,
        limits: FileLimits,
        task: ExtractionTask,
    ) -> SplitOutput:
        index, statement = job
        sink = _SplitFiles(folder, f"part-{index:05d}-{run}", limits)
        try:
            for batch in _conformed(dataset.driver.batches(statement), dataset.types, sink):
                sink.write(batch)
                with self._lock:
                    self._written[task.key] += batch.num_rows
            sink.close()
        except BaseException:
            sink.abandon()
            raise
        return SplitOutput(sink.rows, tuple(sink.files), sink.schema)


def _conformed(
    batches: Iterator[pa.RecordBatch], types: TypePlan, sink: _SplitFiles
) -> Iterator[pa.RecordBatch]:
    """Each batch in the written schema, decided from the first batch's columns."""
    schema = None
    for batch in batches:
        if schema is None:
            schema = types.schema(batch.schema)
            sink.schema = schema
        if batch.num_rows:
            yield types.conform(batch, schema)


class _SplitFiles:
    """One split's files: opened lazily, cut by FileLimits, renamed into place when closed."""

    def __init__(self, folder: str, prefix: str, limits: FileLimits) -> None:
        self._folder = folder
        self._prefix = prefix
        self._limits = limits
        self.schema: pa.Schema | None = None
        self.files: list[str] = []
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._sink: pa.NativeFile | None = None
        self._file_rows = 0
        self._file_memory = 0
        self._disk_ratio = 1.0  # bytes on disk per byte in memory, from this split's files

    def write(self, batch: pa.RecordBatch | None) -> None:
        """Append a batch (None: an empty file with the schema), cutting files as they fill."""
        if self._writer is None:
            self._open()
        if batch is None:
            return
        offset = 0
        memory_per_row = batch.nbytes / max(1, batch.num_rows)
        while offset < batch.num_rows:
            room = self._room(batch.num_rows - offset, memory_per_row)
            part = batch.slice(offset, room)
            assert self._writer is not None
            self._writer.write_batch(part)
            self._file_memory += part.nbytes
            offset += room
            self._file_rows += room
            self.rows += room
            if self._limits.full(self._file_rows, self._size()):
                self.close()
                if offset < batch.num_rows:
                    self._open()

    def _room(self, available: int, memory_per_row: float) -> int:
        """Rows to write next: up to the row limit, and with a byte limit in slices sized
        from the bytes per row expected on disk, so the file closes near the limit."""
        room = available
        if self._limits.rows:
            room = min(room, self._limits.rows - self._file_rows)
        limit = self._limits.bytes
        if limit:
            size = self._size()
            if self._file_rows:
                per_row = size / self._file_rows
            else:
                per_row = memory_per_row * self._disk_ratio
            per_row = max(per_row, 1.0)
            smallest = max(1, min(MIN_SLICE_ROWS, int(limit / 10 / per_row)))
            room = min(room, max(smallest, int((limit - size) / per_row)))
        return room

    def _size(self) -> int:
        return self._sink.tell() if self._sink is not None else 0

    def _name(self) -> str:
        return f"{self._prefix}-c{len(self.files):03d}.snappy.parquet"

    def _open(self) -> None:
        assert self.schema is not None
        path = os.path.join(self._folder, "." + self._name())
        self._sink = pa.OSFile(path, "wb")
        self._writer = pq.ParquetWriter(
            self._sink, self.schema, store_schema=False, **PARQUET_OPTIONS
        )
        self._file_rows = 0
        self._file_memory = 0

    def close(self) -> None:
        """Finish the open file (footer written) and give it its visible name."""
        if self._writer is None:
            return
        self._writer.close()
        assert self._sink is not None
        if self._file_memory:
            self._disk_ratio = self._size() / self._file_memory
        self._sink.close()
        name = self._name()
        os.rename(os.path.join(self._folder, "." + name), os.path.join(self._folder, name))
        self.files.append(name)
        self._writer = self._sink = None

    def abandon(self) -> None:
        """Close without publishing: the hidden file stays for the next overwrite to delete."""
        try:
            if self._writer is not None:
                self._writer.close()
            if self._sink is not None:
                self._sink.close()
        except Exception:  # noqa: BLE001 - the read's own error is the one to report
            pass
        self._writer = self._sink = None


def local_folder(output_path: str) -> str:
    """The run directory on this machine's file system (the Arrow engine writes only there)."""
    location = StorageLocation.parse(output_path)
    if location.kind != "local" or not location.local_path:
        raise ExtractionError(
            f"engine = arrow writes to local folders; {output_path} needs engine = spark"
        )
    return location.local_path
