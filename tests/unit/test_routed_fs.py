"""The routed file system and its policies, over fakes of the FileSystem port (no Spark).

The policies on a real Spark Connect session are tested in
tests/integration/test_connect_adapters.py.
"""

from __future__ import annotations

import pytest

from data_extractor.adapters.databricks import DatabricksRouting
from data_extractor.adapters.files import FileEntry
from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.adapters.routed_fs import LocalRouting, RoutedFileSystem
from data_extractor.domain.errors import DataExtractorError


class ClassicSession:
    """A session that is not a Spark Connect one (its class is not pyspark's Connect class)."""


class RecordingFs:
    """A FileSystem port fake that records which paths it was asked about."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __getattr__(self, name):
        def op(path, *args):
            self.calls.append((name, path))
            return {"exists": True, "read_text": "hadoop", "list_files": [], "list_dirs": []}.get(
                name, True
            )

        return op


class Sessions:
    """A session provider (borrowed or local) over one given session, or none."""

    def __init__(self, session=None) -> None:
        self.session = session

    def active(self):
        """The session, or None."""
        return self.session

    def get(self):
        """The session (the tests that call this give one)."""
        return self.session


def test_with_a_session_everything_but_driver_paths_goes_through_hadoop(tmp_path):
    hadoop = RecordingFs()
    fs = RoutedFileSystem(DatabricksRouting(LocalFileSystem(), hadoop, Sessions(ClassicSession())))
    assert fs.read_text("dbfs:/lake/_state/x.json") == "hadoop"
    fs.write_text("/Volumes/c/s/v/x.json", "{}", overwrite=False)
    fs.list_files("s3a://b/lake")
    # a bare path is DBFS on Databricks, as Spark there reads it
    fs.exists("/mnt/lake/x")
    assert [c[1] for c in hadoop.calls] == [
        "dbfs:/lake/_state/x.json",
        "/Volumes/c/s/v/x.json",
        "s3a://b/lake",
        "/mnt/lake/x",
    ]
    fs.replace_text(f"file:{tmp_path}/r.json", "local")
    assert (tmp_path / "r.json").read_text() == "local"
    assert len(hadoop.calls) == 4


def test_without_a_session_reads_use_the_fuse_mount(tmp_path):
    fuse = tmp_path / "dbfs"
    (fuse / "lake/_state/tables/pg/orders").mkdir(parents=True)
    (fuse / "lake/_state/tables/pg/orders/0000000001.json").write_text("{}")
    hadoop = RecordingFs()
    fs = RoutedFileSystem(
        DatabricksRouting(LocalFileSystem(), hadoop, Sessions(None), {"dbfs": str(fuse)})
    )
    entries = fs.list_files("dbfs:/lake/_state/tables/pg/orders")
    assert entries == [FileEntry("0000000001.json", 2)]
    assert fs.read_text("dbfs:/lake/_state/tables/pg/orders/0000000001.json") == "{}"
    assert fs.exists("dbfs:/lake/_state") and not fs.exists("dbfs:/lake/other")
    assert hadoop.calls == []


def test_without_a_session_or_mount_reads_find_nothing_and_writes_need_the_session(caplog):
    hadoop = RecordingFs()
    fs = RoutedFileSystem(
        DatabricksRouting(
            LocalFileSystem(), hadoop, Sessions(None), {"dbfs": "/nonexistent-dbfs-root"}
        )
    )
    assert fs.list_files("dbfs:/lake/_state/tables/pg/orders") == []
    assert fs.read_text("s3a://b/x.json") is None
    assert not fs.exists("abfss://c@a.dfs.core.windows.net/x")
    assert "treating it as empty" in caplog.text
    assert hadoop.calls == []
    fs.write_text("dbfs:/lake/x", "{}")  # Hadoop's own provider raises without a session
    assert hadoop.calls == [("write_text", "dbfs:/lake/x")]


# -- the routed file system ------------------------------------------------------------------------
class FixedRoute:
    """A policy that sends every path to one store under a prefixed name, or reads to none."""

    def __init__(self, store, readable: bool = True) -> None:
        self.store = store
        self.readable = readable

    def route(self, path: str, writing: bool):
        """The store and `/routed` + path; no store for reads when not readable."""
        return (self.store if writing or self.readable else None), "/routed" + path


def test_every_method_goes_to_the_routed_store_under_its_name():
    store = RecordingFs()
    fs = RoutedFileSystem(FixedRoute(store))
    fs.exists("/a")
    fs.read_text("/b")
    fs.modified("/c")
    fs.list_files("/d")
    fs.list_dirs("/e")
    fs.write_text("/f", "x")
    fs.replace_text("/g", "x")
    fs.publish_text("/h", "x")
    fs.delete("/i", recursive=True)
    fs.rename("/j", "/k")
    assert [path for _, path in store.calls] == [f"/routed/{c}" for c in "abcdefghij"]


def test_a_rename_of_driver_local_paths_strips_file_uris_on_both_sides(tmp_path):
    fuse = tmp_path / "Volumes"
    (fuse / "c/s/v/lake").mkdir(parents=True)
    (fuse / "c/s/v/lake/_run.staging").write_text("rows")
    fs = RoutedFileSystem(
        DatabricksRouting(LocalFileSystem(), RecordingFs(), Sessions(None), {"volume": str(fuse)})
    )
    # without a session only reads use the mount; a driver-local rename is Python's own
    assert fs.read_text("/Volumes/c/s/v/lake/_run.staging") == "rows"
    assert fs.rename(f"file:{fuse}/c/s/v/lake/_run.staging", f"file:{fuse}/c/s/v/lake/run")
    assert (fuse / "c/s/v/lake/run").read_text() == "rows"


def test_reads_of_an_unreachable_store_find_nothing_and_writes_refuse():
    fs = RoutedFileSystem(FixedRoute(None, readable=False))
    assert not fs.exists("/a") and fs.read_text("/a") is None and fs.modified("/a") is None
    assert fs.list_files("/a") == [] and fs.list_dirs("/a") == []
    with pytest.raises(DataExtractorError, match="no store can write /a"):
        fs.write_text("/a", "x")


def test_local_policy_keeps_local_paths_local_and_sends_uris_to_hadoop_on_a_classic_session(
    tmp_path,
):
    hadoop, remote = RecordingFs(), RecordingFs()
    fs = RoutedFileSystem(
        LocalRouting(LocalFileSystem(), hadoop, remote, Sessions(ClassicSession()))
    )
    assert fs.publish_text(str(tmp_path / "x.json"), "{}")
    assert fs.read_text(f"file:{tmp_path}/x.json") == "{}"
    fs.read_text("dbfs:/lake/x.json")
    fs.write_text("/Volumes/c/s/v/x.json", "{}")  # a volume is no local path off a cluster
    fs.list_files("s3a://b/lake")
    assert [path for _, path in hadoop.calls] == [
        "dbfs:/lake/x.json",
        "/Volumes/c/s/v/x.json",
        "s3a://b/lake",
    ]
    assert remote.calls == []
    # without an fsspec store (or a session provider) there is only Hadoop for URIs
    no_remote = RoutedFileSystem(LocalRouting(LocalFileSystem(), hadoop))
    no_remote.exists("s3a://b/lake")
    assert hadoop.calls[-1] == ("exists", "s3a://b/lake")
