"""The adapters' Connect paths against a real Spark Connect server (DX_TEST_SPARK_REMOTE):
the probe and catalog queries give DriverQuery's values, the routed file system keeps small
files off the JVM (off Databricks, and on Databricks through the FUSE mounts). The CLI runs are in test_spark_connect.py."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


class Sessions:
    """A session provider over one given session."""

    def __init__(self, session) -> None:
        self._session = session

    def get(self):
        """The session."""
        return self._session


def test_connect_queries_give_the_driver_side_text_values(spark, spark_remote, pg_admin):
    from data_extractor.adapters.jdbc.driver_query import DriverQuery
    from data_extractor.adapters.session_kind import (
        CONNECT_DEFAULT_PARALLELISM,
        is_connect,
        session_parallelism,
    )
    from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings

    provider = LocalSparkSessionProvider(SparkSettings(remote=spark_remote))
    remote = provider.get()
    assert is_connect(remote) and not is_connect(spark)
    sql = """SELECT 7::int AS i, 9000000000::bigint AS l, 12.50::numeric(12,2) AS d,
        5::numeric AS whole, 1.25::numeric AS frac, 2.5::float8 AS f, DATE '2024-02-29' AS day,
        TIMESTAMP '2024-05-01 10:20:30.123456' AS ts, TIMESTAMP '2024-05-01 10:20:30' AS whole_ts,
        TIMESTAMPTZ '2024-05-01 10:20:30.5+02' AS tz, 'text' AS s, NULL::bigint AS missing"""
    options = {
        "url": "jdbc:postgresql://127.0.0.1:5432/postgres",
        "user": "postgres",
        "driver": "org.postgresql.Driver",
        "preferTimestampNTZ": "true",
        "sessionInitStatement": "SET TIME ZONE 'America/New_York'",
    }
    driver_side = DriverQuery(Sessions(spark)).rows(sql, options)
    through_spark = DriverQuery(Sessions(remote)).rows(sql, options)
    assert through_spark == driver_side
    assert through_spark[0]["tz"] == ("2024-05-01 08:20:30.500000+00:00", "timestamp_tz")
    assert through_spark[0]["whole"] == ("5", "decimal")
    DriverQuery(Sessions(remote)).ping(options, "SELECT 1 AS ok")
    # The server is local[*] and sets no spark.default.parallelism: the Connect default.
    assert session_parallelism(remote) == CONNECT_DEFAULT_PARALLELISM
    assert session_parallelism(spark) == 2  # the test session's spark.default.parallelism


class Refusing:
    """The Hadoop route, which a Connect session must never reach."""

    def __getattr__(self, name: str):
        raise AssertionError(f"Hadoop FileSystem used on a Connect session ({name})")


def test_on_connect_uris_go_to_fsspec_and_posix_paths_to_python_io(spark_remote, tmp_path):
    import fsspec

    from data_extractor.adapters.fsspec_fs import FsspecFileSystem
    from data_extractor.adapters.local_fs import LocalFileSystem
    from data_extractor.adapters.routed_fs import LocalRouting, RoutedFileSystem
    from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings

    remote = LocalSparkSessionProvider(SparkSettings(remote=spark_remote)).get()
    router = RoutedFileSystem(
        LocalRouting(LocalFileSystem(), Refusing(), FsspecFileSystem(), Sessions(remote))
    )
    root = f"memory://routed-{tmp_path.name}"
    assert router.publish_text(f"{root}/_state/x.json", "remote")
    assert not router.publish_text(f"{root}/_state/x.json", "again")
    assert fsspec.filesystem("memory").cat_file(f"{root}/_state/x.json") == b"remote"
    posix = tmp_path / "state" / "x.json"  # an absolute path: Python's I/O
    assert router.publish_text(str(posix), "posix")
    assert posix.read_text() == "posix"
    # A redo's switch is refused where the routed store copies instead of renaming.
    assert not router.renames_atomically(f"{root}/t/r1.parquet")
    assert router.renames_atomically(str(tmp_path / "t" / "r1.parquet"))


class Borrowed(Sessions):
    """A Databricks (borrowed) session provider over one given session."""

    def active(self):
        """The session."""
        return self._session


def _databricks_router(spark_remote: str, fuse_roots: dict[str, str]):
    """The Databricks routed file system on a Connect session, its Hadoop route refusing."""
    from data_extractor.adapters.databricks import DatabricksRouting
    from data_extractor.adapters.fsspec_fs import FsspecFileSystem
    from data_extractor.adapters.local_fs import LocalFileSystem
    from data_extractor.adapters.routed_fs import RoutedFileSystem
    from data_extractor.adapters.session_kind import is_connect
    from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings

    remote = LocalSparkSessionProvider(SparkSettings(remote=spark_remote)).get()
    assert is_connect(remote)
    policy = DatabricksRouting(
        LocalFileSystem(), Refusing(), Borrowed(remote), fuse_roots, remote=FsspecFileSystem()
    )
    return RoutedFileSystem(policy)


def test_databricks_on_connect_keeps_state_and_the_lock_on_a_volume_through_fuse(
    spark_remote, tmp_path
):
    import datetime as dt

    from data_extractor.adapters.state import HadoopStateStore
    from data_extractor.domain.table_state import TableState

    volumes, dbfs = tmp_path / "Volumes", tmp_path / "dbfs"
    volumes.mkdir()
    dbfs.mkdir()
    fs = _databricks_router(spark_remote, {"volume": str(volumes), "dbfs": str(dbfs)})
    store = HadoopStateStore(fs, "/Volumes/main/raw/lake/_state", 60)
    with store.lock("run-1"):
        assert store.save("pg/orders", TableState(watermark=5, last_run_id="run-1")).version == 1
        with pytest.raises(Exception, match="concurrent|version|exists"):
            store.save("pg/orders", TableState(watermark=6))  # version 1 exists: never replaced
        assert store.run_date("run-1", dt.date(2024, 5, 1)) == dt.date(2024, 5, 1)
    assert store.load("pg/orders").watermark == 5
    assert store.table_keys() == ["pg/orders"]
    state_root = volumes / "main/raw/lake/_state"  # the files are on the (stand-in) mount
    assert (state_root / "tables/pg/orders/0000000001.json").is_file()
    [generation] = (state_root / "lock").iterdir()
    assert '"released": true' in generation.read_text()


def test_databricks_on_connect_routes_dbfs_to_its_mount_and_uris_to_fsspec(spark_remote, tmp_path):
    import fsspec

    volumes, dbfs = tmp_path / "Volumes", tmp_path / "dbfs"
    volumes.mkdir()
    dbfs.mkdir()
    fs = _databricks_router(spark_remote, {"volume": str(volumes), "dbfs": str(dbfs)})
    assert fs.publish_text("dbfs:/lake/_state/a.json", "dbfs-uri")
    assert not fs.publish_text("/dbfs/lake/_state/a.json", "the same file, FUSE form")
    assert fs.publish_text("/mnt/lake/b.json", "bare")  # a bare path is DBFS on Databricks
    assert (dbfs / "lake/_state/a.json").read_text() == "dbfs-uri"
    assert (dbfs / "mnt/lake/b.json").read_text() == "bare"
    # the redo switch: source and target are translated by the same policy
    fs.replace_text("/Volumes/main/raw/lake/_r.staging/_manifest.json", "{}")
    assert fs.rename("/Volumes/main/raw/lake/_r.staging", "/Volumes/main/raw/lake/r")
    assert fs.list_files("/Volumes/main/raw/lake/r")[0].name == "_manifest.json"
    assert fs.list_dirs("/Volumes/main/raw/lake") == ["r"]
    uri = f"memory://dbx-routed-{tmp_path.name}/_state/x.json"
    assert fs.publish_text(uri, "remote") and not fs.publish_text(uri, "again")
    assert fsspec.filesystem("memory").cat_file(uri) == b"remote"
    target = tmp_path / "driver" / "x.json"  # driver-local: Python's I/O on any session
    fs.replace_text(f"file:{target}", "driver")
    assert target.read_text() == "driver"


def test_databricks_on_connect_without_the_mount_is_bad_input_naming_the_path(
    spark_remote, tmp_path
):
    from data_extractor.domain.errors import InputError

    missing = tmp_path / "no-such-mount"
    fs = _databricks_router(spark_remote, {"volume": str(missing), "dbfs": str(missing)})
    for path in ("/Volumes/main/raw/lake/_state/lock", "dbfs:/lake/_state/lock"):
        with pytest.raises(InputError) as caught:
            fs.publish_text(f"{path}/000000001.json", "x")
        message = str(caught.value.problems[0])
        assert path in message and "FUSE mount" in message and "state_path" in message
    assert not missing.exists()  # nothing created on the driver's own disk


def test_connect_queries_give_the_driver_side_values_on_mariadb(
    spark, spark_remote, mariadb_admin, mariadb_database
):
    from data_extractor.adapters.jdbc import dialect_for
    from data_extractor.adapters.jdbc.driver_query import DriverQuery
    from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings

    with mariadb_admin.cursor() as cur:
        cur.execute(
            f"CREATE TABLE `{mariadb_database}`.t (id BIGINT PRIMARY KEY, "
            "amount DECIMAL(12,3), day DATE, at DATETIME(6), note VARCHAR(20))"
        )
        cur.execute(
            f"INSERT INTO `{mariadb_database}`.t VALUES "
            "(1, 1.500, '2024-02-29', '2024-05-01 10:20:30.123456', 'a'), "
            "(9000000000, NULL, NULL, '2024-05-01 10:20:30', NULL)"
        )
    sql = (
        "SELECT (SELECT MAX(id) FROM t) AS hi, (SELECT MAX(amount) FROM t) AS amount, "
        "(SELECT MIN(day) FROM t) AS day, (SELECT MAX(at) FROM t) AS at, "
        "(SELECT MIN(note) FROM t) AS note"
    )
    options = {
        "url": f"jdbc:mariadb://127.0.0.1:3306/{mariadb_database}",
        "user": "root",
        "password": "",
        "driver": "org.mariadb.jdbc.Driver",
        "preferTimestampNTZ": "true",
        # The tool's own session set-up: Spark quotes the selected names with double quotes.
        "sessionInitStatement": dialect_for("mariadb").session_init("data-extractor", "t") or "",
    }
    remote = LocalSparkSessionProvider(SparkSettings(remote=spark_remote)).get()
    driver_side = DriverQuery(Sessions(spark)).rows(sql, options)
    assert DriverQuery(Sessions(remote)).rows(sql, options) == driver_side
    assert driver_side[0]["at"] == ("2024-05-01 10:20:30.123456", "timestamp")


def test_a_write_cut_on_the_client_leaves_no_server_job_to_finish_the_folder(
    spark_remote, tmp_path, caplog
):
    """The client's wait is cut mid-write (a KeyboardInterrupt in the waiting thread, as a
    Ctrl-C would): the writer interrupts the table's tagged server job (spark.interruptTag,
    which must succeed), so the server never finishes the folder behind the client's back,
    e.g. during a retry's backoff (no _SUCCESS appears later). pyspark also interrupts its
    own operation on a KeyboardInterrupt, so this alone cannot tell the two apart; the tag
    covers the failures pyspark does not (an error raised while reading its responses)."""
    import _thread
    import threading
    import time

    from data_extractor.adapters.local_fs import LocalFileSystem
    from data_extractor.adapters.session_kind import connect_session_class
    from data_extractor.adapters.storage import SparkDatasetWriter
    from data_extractor.domain.model import ExtractionTask, Mode, TableSpec

    spark = connect_session_class().builder.remote(spark_remote).getOrCreate()
    # 6 rows, 1 s each, in one task: a 6 s job on the server.
    slow = spark.range(0, 6, 1, 1).selectExpr(
        "id", "reflect('java.lang.Thread', 'sleep', CAST(1000 AS BIGINT)) AS slept"
    )
    output = tmp_path / "orders" / "r1.parquet"
    task = ExtractionTask(TableSpec("src", "orders"), Mode.FULL, str(output))
    writer = SparkDatasetWriter(LocalFileSystem())
    timer = threading.Timer(2.0, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    failure: BaseException | None = None
    try:
        writer.write(slow, task)
    except KeyboardInterrupt as exc:
        # Kept, as a retry's backoff keeps it: its traceback holds the client's response
        # stream open, so pyspark's own release on close does not stop the job meanwhile.
        failure = exc
    finally:
        timer.cancel()
    assert failure is not None, "the write returned before the client's stream was cut"
    assert "could not interrupt" not in caplog.text
    assert time.monotonic() - started < 6, "the client waited for the whole job"
    time.sleep(7)  # longer than the job would still have run
    assert not (output / "_SUCCESS").exists()
    del failure
    assert list(spark.range(1).collect())  # the session is still usable
