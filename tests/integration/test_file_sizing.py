"""SparkDatasetWriter's file sizes: rows per file, or bytes per file at the last bytes per row."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.adapters.storage import SparkDatasetWriter
from data_extractor.domain.model import ExtractionTask, Mode, Strategy, TableSpec

pytestmark = pytest.mark.integration

SPEC = TableSpec("src", "events", strategy=Strategy.FULL)


def write(spark, tmp_path: Path, writer: SparkDatasetWriter, task: ExtractionTask):
    dataset = spark.range(10_000).coalesce(1)  # one partition: files = ceil(rows / per file)
    return writer.write(dataset, task)


def test_bytes_per_file_cuts_files_at_the_last_commits_bytes_per_row(spark, tmp_path):
    # The last commit wrote 10,000 rows in 80,000 bytes: 8 bytes a row, so 16 KB is 2,000 rows.
    task = ExtractionTask(
        SPEC, Mode.FULL, str(tmp_path / "out"), expected_rows=10_000, expected_bytes=80_000
    )
    writer = SparkDatasetWriter(LocalFileSystem(), rows_per_file=1_000_000, bytes_per_file=16_000)
    assert writer.rows_per_file(task) == 2_000
    stats = write(spark, tmp_path, writer, task)
    assert (stats.rows, stats.files) == (10_000, 5)


def test_without_a_last_commit_the_rows_per_file_setting_applies(spark, tmp_path):
    task = ExtractionTask(SPEC, Mode.FULL, str(tmp_path / "out"))
    writer = SparkDatasetWriter(LocalFileSystem(), rows_per_file=4_000, bytes_per_file=16_000)
    stats = write(spark, tmp_path, writer, task)
    assert (stats.rows, stats.files) == (10_000, 3)


def test_a_tables_own_rows_per_file_wins(spark, tmp_path):
    spec = TableSpec("src", "events", strategy=Strategy.FULL, rows_per_file=5_000)
    task = ExtractionTask(
        spec, Mode.FULL, str(tmp_path / "out"), expected_rows=10_000, expected_bytes=80_000
    )
    writer = SparkDatasetWriter(LocalFileSystem(), rows_per_file=1_000, bytes_per_file=16_000)
    stats = write(spark, tmp_path, writer, task)
    assert (stats.rows, stats.files) == (10_000, 2)
