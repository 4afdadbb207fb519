"""FileSystemLakeInspector on a real local folder: which run directories count as outputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data_extractor.adapters.lake import FileSystemLakeInspector
from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.adapters.serialization import manifest_to_json
from data_extractor.domain.model import Manifest, Mode, WriteStats

T0 = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)


def commit(folder: Path, run_id: str) -> None:
    """A run directory with one data file and its manifest."""
    folder.mkdir(parents=True)
    (folder / "part-0.parquet").write_bytes(b"x")
    stats = WriteStats(1, 1, 1, "{}")
    manifest = Manifest(run_id, "ora/t", Mode.FULL, str(folder), stats, None, "SELECT", T0, T0)
    (folder / "_manifest.json").write_text(manifest_to_json(manifest))


def test_a_quoted_table_is_found_in_its_safe_folder_and_work_in_progress_is_ignored(
    tmp_path: Path,
):
    day = tmp_path / "ora" / "Order_Lines" / "202401" / "02"
    commit(day / "r1.parquet", "r1")
    commit(day / "_staging_r1_0a1b.parquet", "r1")  # a redo not switched in yet
    outputs = FileSystemLakeInspector(LocalFileSystem(), str(tmp_path)).outputs('ora/"Order Lines"')
    assert [o.path for o in outputs] == [str(day / "r1.parquet")]
    assert outputs[0].manifest is not None and outputs[0].run_id == "r1"
