"""StorageLocation: every path form a user may write -> Spark path, local path, or the error."""

from __future__ import annotations

import pytest

from data_extractor.adapters.location import InvalidLocationError, StorageLocation, to_spark_path
from data_extractor.domain.errors import InputError

CWD = "/home/me/project"

# (written, platform, kind, spark path, local path)
VALID = [
    # local paths: relative and ~ become absolute; the local path is the same path
    ("./data", "local", "local", f"{CWD}/data", f"{CWD}/data"),
    ("data/out/", "local", "local", f"{CWD}/data/out", f"{CWD}/data/out"),
    ("/srv/lake//raw/./x/", "local", "local", "/srv/lake/raw/x", "/srv/lake/raw/x"),
    ("../lake", "local", "local", "/home/me/lake", "/home/me/lake"),
    # file: is explicitly this machine's disk (on Databricks: the driver's)
    ("file:/tmp/x", "local", "local", "file:/tmp/x", "/tmp/x"),
    ("file:///tmp/x/", "databricks", "local", "file:/tmp/x", "/tmp/x"),
    ("file://localhost/tmp/x", "local", "local", "file:/tmp/x", "/tmp/x"),
    # DBFS: Spark gets dbfs:/, local-file APIs the /dbfs FUSE form
    ("dbfs:/x", "local", "dbfs", "dbfs:/x", "/dbfs/x"),
    ("dbfs:/data/raw/", "databricks", "dbfs", "dbfs:/data/raw", "/dbfs/data/raw"),
    ("dbfs:///data", "local", "dbfs", "dbfs:/data", "/dbfs/data"),
    ("dbfs:/", "local", "dbfs", "dbfs:/", "/dbfs"),
    ("/dbfs/data/raw", "local", "dbfs", "dbfs:/data/raw", "/dbfs/data/raw"),
    ("/dbfs", "local", "dbfs", "dbfs:/", "/dbfs"),
    (
        "/dbfs/mnt/datalake/data",
        "databricks",
        "dbfs",
        "dbfs:/mnt/datalake/data",
        "/dbfs/mnt/datalake/data",
    ),
    # on Databricks a bare absolute path is DBFS, as Spark there reads it (and the original tool)
    (
        "/mnt/datalake/data",
        "databricks",
        "dbfs",
        "dbfs:/mnt/datalake/data",
        "/dbfs/mnt/datalake/data",
    ),
    ("/mnt/datalake/data", "local", "local", "/mnt/datalake/data", "/mnt/datalake/data"),
    # Unity Catalog volumes: the same path for Spark and for files (FUSE at /Volumes)
    (
        "/Volumes/main/raw/landing",
        "local",
        "volume",
        "/Volumes/main/raw/landing",
        "/Volumes/main/raw/landing",
    ),
    (
        "/Volumes/main/raw/landing/x/",
        "databricks",
        "volume",
        "/Volumes/main/raw/landing/x",
        "/Volumes/main/raw/landing/x",
    ),
    (
        "dbfs:/Volumes/main/raw/landing/x",
        "databricks",
        "volume",
        "/Volumes/main/raw/landing/x",
        "/Volumes/main/raw/landing/x",
    ),
    # object stores: Spark only, no local form
    ("s3://bucket/raw/", "local", "s3", "s3://bucket/raw", None),
    ("s3a://bucket/raw", "databricks", "s3", "s3a://bucket/raw", None),
    ("s3a://bucket", "local", "s3", "s3a://bucket", None),
    ("gs://bucket/a/b", "local", "gs", "gs://bucket/a/b", None),
    (
        "abfss://lake@acct.dfs.core.windows.net/raw/",
        "databricks",
        "abfss",
        "abfss://lake@acct.dfs.core.windows.net/raw",
        None,
    ),
    ("hdfs://namenode:8020/lake", "local", "hdfs", "hdfs://namenode:8020/lake", None),
]

# (written, platform, words the message must hold)
INVALID = [
    ("", "local", "is empty"),
    ("   ", "databricks", "is empty"),
    ("dbfs:/dbfs/x", "databricks", "write dbfs:/x or /dbfs/x"),
    ("/dbfs/dbfs/x", "local", "write dbfs:/x or /dbfs/x"),
    # the original tool's own output for dbfs:/x and /Volumes/...
    ("/dbfs/dbfs:/x", "databricks", "mangled DBFS path"),
    (
        "/dbfs/Volumes/main/raw/landing",
        "databricks",
        "not under /dbfs; write /Volumes/main/raw/landing",
    ),
    ("/Volumes/only_two/parts", "databricks", "/Volumes/<catalog>/<schema>/<volume>"),
    ("/Volumes/main", "local", "names only 1 of the 3"),
    ("dbfs:/Volumes/main/raw", "databricks", "names only 2 of the 3"),
    ("ftp://host/x", "local", "unknown scheme 'ftp:'"),
    ("s3n://bucket/x", "local", "did you mean s3a?"),
    ("s3:/bucket/x", "local", "write s3://<bucket>/path"),
    ("s3://bad bucket/x", "local", "needs a bucket name"),
    ("abfss://acct.dfs.core.windows.net/x", "local", "<container>@<account>.dfs.core.windows.net"),
    ("abfss://lake@acct.blob.core.windows.net/x", "local", "the dfs endpoint, not blob"),
    ("dbfs:data", "local", "write DBFS URIs as dbfs:/path"),
    ("dbfs://workspace/data", "local", "write DBFS URIs as dbfs:/path"),
    ("file:relative/x", "local", "needs an absolute path"),
    ("file://otherhost/x", "local", "must name this machine"),
    ("C:\\data", "local", "Windows drive paths"),
    ("./data", "databricks", "relative path has no meaning on a Databricks cluster"),
    ("/Workspace/Users/me/out", "databricks", "workspace files are not a data location"),
]


@pytest.mark.parametrize(("written", "platform", "kind", "spark", "local"), VALID)
def test_valid_forms(written, platform, kind, spark, local):
    loc = StorageLocation.parse(written, platform=platform, cwd=CWD)
    assert (loc.kind, loc.spark_path, loc.local_path) == (kind, spark, local)
    # Parsing the Spark form again gives the same location: normalising is idempotent.
    again = StorageLocation.parse(loc.spark_path, platform=platform, cwd=CWD)
    assert again.spark_path == loc.spark_path


@pytest.mark.parametrize(("written", "platform", "words"), INVALID)
def test_invalid_forms(written, platform, words):
    with pytest.raises(InvalidLocationError) as caught:
        StorageLocation.parse(written, platform=platform, cwd=CWD)
    assert words in caught.value.reason
    # Usable both as the project's bad-input error (exit 2) and as a ValueError.
    assert isinstance(caught.value, InputError)
    assert isinstance(caught.value, ValueError)
    assert repr(written) in str(caught.value)


def test_original_tool_broken_cases_come_out_right():
    # The original turned dbfs:/x into /dbfs/dbfs:/x and /Volumes/... into /dbfs/Volumes/...
    dbfs = StorageLocation.parse("dbfs:/x", platform="databricks")
    assert (dbfs.spark_path, dbfs.local_path) == ("dbfs:/x", "/dbfs/x")
    volume = StorageLocation.parse("/Volumes/c/s/v/x", platform="databricks")
    assert (volume.spark_path, volume.local_path) == ("/Volumes/c/s/v/x", "/Volumes/c/s/v/x")


def test_join_keeps_both_forms():
    base = StorageLocation.parse("/dbfs/mnt/lake/")
    state = base.join("_state", "tables/")
    assert (state.spark_path, state.local_path) == (
        "dbfs:/mnt/lake/_state/tables",
        "/dbfs/mnt/lake/_state/tables",
    )
    assert StorageLocation.parse("s3a://b/x").join("y").local_path is None
    assert str(state) == state.spark_path


def test_to_spark_path_still_works_for_existing_callers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert to_spark_path("out") == str(tmp_path / "out")
    assert to_spark_path("/dbfs/x/") == "dbfs:/x"
    assert to_spark_path("s3a://b/x/") == "s3a://b/x"
    assert to_spark_path(to_spark_path("dbfs:/x")) == "dbfs:/x"
