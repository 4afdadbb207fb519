"""HadoopFileSystem's publish, rename and mtime through the real JVM (Hadoop's local FS)."""

from __future__ import annotations

import pytest

from data_extractor.adapters.hadoop_fs import HadoopFileSystem
from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings

pytestmark = pytest.mark.integration


def sessions(spark) -> LocalSparkSessionProvider:
    """The tool's own provider, reusing the test session (active in this thread)."""
    provider = LocalSparkSessionProvider(SparkSettings())
    assert provider.get() is spark
    return provider


def test_publish_is_exclusive_and_complete_and_leaves_no_temporary(spark, tmp_path):
    fs = HadoopFileSystem(sessions(spark))
    path = f"file:{tmp_path}/state/0000000001.json"
    assert fs.publish_text(path, '{"version": 1}') is True
    assert fs.publish_text(path, '{"version": 2}') is False
    assert fs.read_text(path) == '{"version": 1}'
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["0000000001.json"]
    assert fs.modified(path) == pytest.approx(
        (tmp_path / "state/0000000001.json").stat().st_mtime, abs=1
    )
    assert fs.modified(f"file:{tmp_path}/state/missing.json") is None


def test_rename_moves_a_directory_only_to_a_free_name(spark, tmp_path):
    fs = HadoopFileSystem(sessions(spark))
    (tmp_path / "_r.parquet.staging").mkdir()
    (tmp_path / "_r.parquet.staging/part-0.parquet").write_text("new")
    (tmp_path / "r.parquet").mkdir()
    staging, final = f"file:{tmp_path}/_r.parquet.staging", f"file:{tmp_path}/r.parquet"
    assert fs.rename(staging, final) is False  # would move the staging dir INTO the output
    assert fs.rename(final, f"file:{tmp_path}/_r.parquet.replaced") is True
    assert fs.rename(staging, final) is True
    assert (tmp_path / "r.parquet/part-0.parquet").read_text() == "new"
    assert not (tmp_path / "_r.parquet.staging").exists()
