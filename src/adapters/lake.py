"""What `verify` reads from the lake: run directories with their manifests, Parquet footers."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from ..domain.model import Manifest, Mode, TableSpec, WriteStats
from ..domain.verify import LakeOutput
from .files import FileSystem
from .location import StorageLocation
from .serialization import window_from_json
from .session_provider import SessionProvider
from .storage import MANIFEST

MAX_DEPTH = 4  # {yyyymm}/{dd}/{run_id}.parquet below the table's folder, and one spare
DELTA_LOG = "_delta_log"


def manifest_from_json(text: str) -> Manifest:
    """The inverse of manifest_to_json."""
    data = json.loads(text)
    schema = data.get("schema")
    return Manifest(
        run_id=data["run_id"],
        table=data["table"],
        mode=Mode(data["mode"]),
        output_path=data["output_path"],
        stats=WriteStats(
            int(data["rows"]),
            int(data["files"]),
            int(data["bytes"]),
            json.dumps(schema) if schema is not None else "",
        ),
        window=window_from_json(data.get("window")),
        source_query=data.get("source_query", ""),
        started_at=dt.datetime.fromisoformat(data["started_at"]),
        finished_at=dt.datetime.fromisoformat(data["finished_at"]),
        snapshot=data.get("snapshot"),
    )


class FileSystemLakeInspector:
    """Scans a table's folder for run directories over the FileSystem port (any store)."""

    def __init__(self, fs: FileSystem, output_base: str) -> None:
        self._fs = fs
        self._base = output_base.rstrip("/")

    def outputs(self, table_key: str) -> list[LakeOutput]:
        """Every run directory under `{output_base}/{source}/{table folder}`, committed or not."""
        source, _, table = table_key.partition("/")
        found: list[LakeOutput] = []
        self._walk(f"{self._base}/{source}/{TableSpec(source, table).folder}", 0, found)
        return found

    def _walk(self, folder: str, depth: int, found: list[LakeOutput]) -> None:
        files = self._fs.list_files(folder)
        names = {f.name for f in files}
        if MANIFEST in names or folder.endswith(".parquet"):
            found.append(self._output(folder, files))
            return
        if depth < MAX_DEPTH:
            # '_' and '.' names are the tool's (or Spark's) work in progress, never outputs.
            for name in sorted(self._fs.list_dirs(folder)):
                if name.startswith(("_", ".")):
                    continue
                self._walk(f"{folder}/{name}", depth + 1, found)

    def _output(self, folder: str, files: list[Any]) -> LakeOutput:
        text = self._fs.read_text(f"{folder}/{MANIFEST}")
        try:
            manifest = manifest_from_json(text) if text is not None else None
        except (ValueError, KeyError, TypeError):
            manifest = None  # unreadable: as good as missing, and named as such
        data = tuple(f"{folder}/{f.name}" for f in files if not f.name.startswith(("_", ".")))
        delta = DELTA_LOG in self._fs.list_dirs(folder)
        return LakeOutput(folder, manifest, tuple(sorted(data)), "delta" if delta else "parquet")


class PyarrowFooterReader:
    """Row counts from Parquet footers with pyarrow: local paths and the /dbfs FUSE mount."""

    def rows(self, path: str) -> int:
        """The footer's row count (pyarrow reads the footer only, no data pages)."""
        import pyarrow.parquet as pq  # loaded only by verify

        return int(pq.ParquetFile(path).metadata.num_rows)


class HadoopFooterReader:
    """Row counts from Parquet footers through the session's Hadoop FileSystem (s3a, abfss...)."""

    def __init__(self, sessions: SessionProvider) -> None:
        self._sessions = sessions

    def rows(self, path: str) -> int:
        """The footer's row count, read by parquet-mr's ParquetFileReader (no data pages)."""
        spark = self._sessions.get()
        jvm = spark._jvm
        conf = spark._jsc.hadoopConfiguration()
        hpath = jvm.org.apache.hadoop.fs.Path(path)
        source = jvm.org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(hpath, conf)
        reader = jvm.org.apache.parquet.hadoop.ParquetFileReader.open(source)
        try:
            return int(reader.getRecordCount())
        finally:
            reader.close()


class RoutingFooterReader:
    """pyarrow where the file is on this machine's file system, Hadoop for the rest."""

    def __init__(self, local: PyarrowFooterReader, hadoop: HadoopFooterReader, platform: str):
        self._local = local
        self._hadoop = hadoop
        self._platform = platform

    def rows(self, path: str) -> int:
        """The footer's row count, read by whichever reader reaches the file."""
        location = StorageLocation.parse(path, platform=self._platform)
        local = location.local_path
        if local and (location.kind == "local" or os.path.exists(local)):
            return self._local.rows(local)
        return self._hadoop.rows(location.spark_path)
