"""FsspecFileSystem on fsspec's own memory and local file systems (the real library, no mock).
The router that sends a Connect session's URIs here is tested with a real Connect session in
tests/integration/test_connect_adapters.py."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from data_extractor.adapters.fsspec_fs import FsspecFileSystem, protocol_of, store_options
from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.adapters.state import HadoopStateStore
from data_extractor.adapters.storage import HadoopManifestStore
from data_extractor.domain.errors import InputError
from data_extractor.domain.model import Status, TableState
from data_extractor.usecases.extract import RunRequest, extract
from data_extractor.usecases.extraction_service import ExtractionService, RunSettings
from tests.fakes import FakeClock, FakeSource, FakeStateStore, FakeWriter, RecordingProgress
from tests.unit.test_services import ORDERS, T0


@pytest.fixture
def root() -> str:
    """A fresh folder in fsspec's process-wide memory file system."""
    return f"memory://lake-{uuid.uuid4().hex[:8]}"


def test_publish_creates_once_and_never_replaces(root):
    fs = FsspecFileSystem()
    assert fs.publish_text(f"{root}/lock/000000001.json", "first")
    assert not fs.publish_text(f"{root}/lock/000000001.json", "second")
    assert fs.read_text(f"{root}/lock/000000001.json") == "first"
    assert not fs.write_text(f"{root}/lock/000000001.json", "third", overwrite=False)


def test_replace_read_exists_modified_and_missing_files(root):
    fs = FsspecFileSystem()
    path = f"{root}/t/_manifest.json"
    assert fs.read_text(path) is None and not fs.exists(path) and fs.modified(path) is None
    fs.replace_text(path, "a")
    fs.write_text(path, "b")
    assert fs.read_text(path) == "b" and fs.exists(path)
    assert fs.modified(path) > 0


def test_listing_rename_to_a_free_name_and_delete(root):
    fs = FsspecFileSystem()
    fs.replace_text(f"{root}/t/r1.parquet/part-0.parquet", "12345")
    fs.replace_text(f"{root}/t/r1.parquet/_manifest.json", "{}")
    fs.replace_text(f"{root}/t/r2.parquet/part-0.parquet", "x")
    assert sorted(fs.list_dirs(f"{root}/t")) == ["r1.parquet", "r2.parquet"]
    files = {f.name: f.size for f in fs.list_files(f"{root}/t/r1.parquet")}
    assert files == {"part-0.parquet": 5, "_manifest.json": 2}
    assert not fs.rename(f"{root}/t/r1.parquet", f"{root}/t/r2.parquet")
    assert fs.rename(f"{root}/t/r1.parquet", f"{root}/t/_r1.parquet.replaced")
    assert fs.read_text(f"{root}/t/_r1.parquet.replaced/_manifest.json") == "{}"
    fs.delete(f"{root}/t", recursive=True)
    fs.delete(f"{root}/t/gone.json")
    assert fs.list_files(f"{root}/t") == [] and fs.list_dirs(f"{root}/nothing") == []


def test_local_fsspec_store_is_exclusive_too(tmp_path):
    fs = FsspecFileSystem({"auto_mkdir": True})
    path = f"file://{tmp_path}/state/0000000001.json"
    assert fs.publish_text(path, "v1")
    assert not fs.publish_text(path, "v2")
    assert (tmp_path / "state" / "0000000001.json").read_text() == "v1"


def test_state_versions_and_the_run_lock_work_on_fsspec(root):
    fs = FsspecFileSystem()
    store = HadoopStateStore(fs, f"{root}/_state", 60)
    with store.lock("run-1"):
        [generation] = fs.list_files(f"{root}/_state/lock")
        saved = store.save("pg/orders", TableState(watermark=5, last_run_id="run-1"))
        assert saved.version == 1
        with pytest.raises(Exception, match="concurrent|version|exists"):
            store.save("pg/orders", TableState(watermark=6))  # version 1 exists: never replaced
    assert store.load("pg/orders").watermark == 5
    lock_text = fs.read_text(f"{root}/_state/lock/{generation.name}") or ""
    assert '"released": true' in lock_text


def test_hadoop_schemes_map_to_fsspec_protocols():
    assert protocol_of("s3a://bucket/x") == "s3"
    assert protocol_of("abfss://c@a.dfs.core.windows.net/x") == "abfs"
    assert protocol_of("gs://bucket/x") == "gcs"
    assert protocol_of("/local/x") is None


def test_a_store_fsspec_cannot_open_is_bad_input_asking_for_a_volume_state_path():
    with pytest.raises(InputError) as caught:
        FsspecFileSystem().exists("nosuchproto://bucket/_state/lock")
    message = str(caught.value.problems[0])
    assert "nosuchproto://bucket/_state/lock" in message
    assert "data-extractor[cloud]" in message and "state_path" in message


def test_hdfs_on_connect_is_bad_input_too():
    with pytest.raises(InputError, match="Hadoop FileSystem"):
        FsspecFileSystem().publish_text("hdfs://nn:8020/lake/_state/lock/000000001.json", "x")


def test_a_redo_on_an_fsspec_store_is_refused_before_anything_is_written(root):
    """fsspec moves directories by copy, then delete: a --force redo's switch could be cut
    in half, so the table fails up front with the reason and its committed output stays."""
    fs = FsspecFileSystem()
    source, writer = FakeSource(), FakeWriter()
    source.tables = {ORDERS.key: [{"id": i, "ts": T0 + dt.timedelta(minutes=i)} for i in range(3)]}
    service = ExtractionService(
        source,
        writer,
        HadoopManifestStore(fs),
        FakeStateStore(),
        FakeClock(dt.datetime(2024, 3, 2, tzinfo=dt.UTC)),
        RecordingProgress(),
        RunSettings(max_workers=1, attempts=1, backoff_seconds=0),
    )
    first = extract(service, [ORDERS], RunRequest("r1", dt.date(2024, 3, 2), root))[1]
    assert first.exit_code == 0
    [output] = list(writer.outputs)
    committed = fs.read_text(f"{output}/_manifest.json")
    state_before = service.state.load(ORDERS.key)
    source.tables[ORDERS.key].append({"id": 3, "ts": T0 + dt.timedelta(minutes=3)})
    redo = extract(service, [ORDERS], RunRequest("r1", dt.date(2024, 3, 2), root, True))[1]
    [result] = redo.results
    assert result.status is Status.FAILED and redo.exit_code != 0
    assert "cannot redo" in result.error and "\n" not in result.error
    assert list(writer.outputs) == [output]  # no staging written
    assert fs.read_text(f"{output}/_manifest.json") == committed
    assert fs.list_dirs(output.rpartition("/")[0]) == [output.rpartition("/")[2]]
    assert service.state.load(ORDERS.key) == state_before


def test_only_fsspec_stores_say_their_renames_are_not_atomic(tmp_path, root):
    assert not FsspecFileSystem().renames_atomically(f"{root}/t")
    assert LocalFileSystem().renames_atomically(str(tmp_path))


def test_an_abfss_uri_gives_adlfs_the_account_from_its_host(monkeypatch):
    """adlfs installed, no Azure environment: the account comes from
    container@ACCOUNT.dfs.core.windows.net, so the store opens (credentials are looked up
    when a file is first touched, as the Azure SDK does)."""
    for name in ("AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_CONNECTION_STRING"):
        monkeypatch.delenv(name, raising=False)
    path = "abfss://lake@acmedata.dfs.core.windows.net/raw/_state/lock"
    assert store_options(path, "abfs", {}) == {"account_name": "acmedata"}
    assert store_options(path, "abfs", {"account_name": "given"}) == {"account_name": "given"}
    assert store_options("s3://bucket/x", "s3", {}) == {}
    fs = FsspecFileSystem()
    store, target = fs._store(path)
    assert store.account_name == "acmedata"
    assert store._strip_protocol(target) == "lake/raw/_state/lock"
    other, _ = fs._store("abfss://lake@otheracct.dfs.core.windows.net/raw")
    assert other.account_name == "otheracct"  # one store per account


def test_an_abfss_uri_without_account_or_credentials_is_bad_input_saying_why(monkeypatch):
    """Not "install the extra": adlfs is installed and says what it is missing."""
    for name in ("AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_CONNECTION_STRING"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(InputError) as caught:
        FsspecFileSystem().exists("abfss://lake/raw/_state/lock")
    message = str(caught.value.problems[0])
    assert "abfss://lake/raw/_state/lock" in message and "account_name" in message
    assert "cannot be opened" in message and "[cloud]" not in message
    assert "not installed" not in message
