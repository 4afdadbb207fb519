"""The same run against a Spark standalone cluster (master + worker on 127.0.0.1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyspark
import pytest

from tests.conftest import PG_JAR, write_config
from tests.helpers import committed_outputs, manifest, read_rows, write_tables

pytestmark = pytest.mark.integration

SPARK_HOME = Path(pyspark.__file__).parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Until something listens on 127.0.0.1:port (or fail with the process's log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[1]} exited: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listened on port {port}")


def spark_class(main: str, *args: str, log: Path) -> subprocess.Popen:
    """A Spark daemon started with pyspark's own bin/spark-class."""
    env = {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_WORKER_DIR": str(log.parent / "work"),
    }
    return subprocess.Popen(
        [str(SPARK_HOME / "bin" / "spark-class"), main, *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
    )


@pytest.fixture
def standalone_cluster(tmp_path) -> Iterator[str]:
    """A master and one worker (2 cores) on loopback; yields the master URL."""
    port, worker_port = free_port(), free_port()
    master = spark_class(
        "org.apache.spark.deploy.master.Master",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--webui-port",
        str(free_port()),
        log=tmp_path / "master.log",
    )
    worker = spark_class(
        "org.apache.spark.deploy.worker.Worker",
        f"spark://127.0.0.1:{port}",
        "--host",
        "127.0.0.1",
        "--port",
        str(worker_port),
        "--cores",
        "2",
        "--memory",
        "1g",
        "--webui-port",
        str(free_port()),
        log=tmp_path / "worker.log",
    )
    try:
        wait_for_port(port, master, tmp_path / "master.log")
        wait_for_port(worker_port, worker, tmp_path / "worker.log")
        yield f"spark://127.0.0.1:{port}"
    finally:
        for process in (worker, master):
            process.terminate()
        for process in (worker, master):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_run_on_a_standalone_cluster_ships_the_driver_jar_to_executors(
    standalone_cluster, pg_admin, pg_schema, tmp_path
):
    pg_admin.execute(
        f'CREATE TABLE "{pg_schema}".items (id int PRIMARY KEY, name text, at timestamp)'
    )
    pg_admin.execute(f"""INSERT INTO "{pg_schema}".items
        SELECT i, 'item ' || i, TIMESTAMP '2024-01-01' + i * INTERVAL '1 hour'
        FROM generate_series(1, 3000) AS i""")
    config = write_config(
        tmp_path / "cluster.ini",
        {
            "database": {
                "type": "postgresql",
                "host": "127.0.0.1",
                "port": 5432,
                "database": "postgres",
                "user": "postgres",
                "driver_jars": PG_JAR,
            },
            "extraction": {"output_base_path": tmp_path / "lake", "default_source": "pg"},
            "spark": {
                "master": standalone_cluster,
                "spark.executor.memory": "512m",
                "spark.cores.max": "2",
            },
        },
    )
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {
                "table_name": "items",
                "schema_name": pg_schema,
                "incremental_column": "at",
                "primary_key": "id",
                "num_partitions": 3,
            },
        ],
    )
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_HOME": str(SPARK_HOME)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from data_extractor.entrypoints.cli import main; main()",
            "run",
            "--config",
            str(config),
            "--tables",
            str(tables),
            "--run-id",
            "cluster",
        ],
        capture_output=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    [out] = committed_outputs(tmp_path / "lake", "pg", "items")
    assert sorted(r["id"] for r in read_rows([out])) == list(range(1, 3001))
    assert manifest(out)["files"] == 3
    # The executors ran in the worker's JVM: their working directories prove it.
    assert any((tmp_path / "work").glob("app-*/*/stderr"))
