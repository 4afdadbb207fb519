"""The wheel, built offline and installed into a fresh virtualenv, run as a Databricks wheel task.

A Python wheel task looks the entry point up in the package's metadata, sets sys.argv to
[package_name, *parameters] and calls it, inside a driver whose SparkSession already runs.
The driver script below does exactly that (twice: named, then positional parameters), then
checks the session is still usable. The source is an embedded Derby database.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, unavailable
from tests.helpers import committed_outputs, manifest

pytestmark = pytest.mark.integration

PACKAGE_NAME = "data_extractor"  # what databricks.yml's python_wheel_task names
ENTRY_POINT = "data-extractor-task"

DRIVER = textwrap.dedent(
    """
    import importlib.metadata as md
    import json
    import sys

    from pyspark.sql import SparkSession

    work, params = sys.argv[1], json.loads(sys.argv[2])
    # The cluster's session, running before the task starts.
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")

    from data_extractor.adapters.demo_source import DDL, DerbyDemoDatabase

    class Sessions:
        def get(self):
            return spark

    DerbyDemoDatabase(Sessions(), work + "/db").execute(
        *DDL,
        "INSERT INTO APP.CUSTOMERS VALUES (1, 'Zoë', 'Zürich', 10.50, TIMESTAMP('2024-01-01 08:00:00'))",
        "INSERT INTO APP.CUSTOMERS VALUES (2, 'Łukasz', NULL, NULL, TIMESTAMP('2024-01-02 08:00:00'))",
        "INSERT INTO APP.ORDERS VALUES (1, 1, 1, 2, 3.50, NULL, TIMESTAMP('2024-06-01 00:00:00'))",
        "INSERT INTO APP.ORDERS VALUES (2, 2, 1, 1, 1.25, 'x', TIMESTAMP('2024-06-01 00:00:01'))",
        "INSERT INTO APP.ORDERS VALUES (3, 2, 1, 5, NULL, 'y', TIMESTAMP('2024-06-01 00:00:02'))",
        create=True,
    )

    import data_extractor
    print("PACKAGE", data_extractor.__file__)
    # What the wheel task runner does: package metadata -> entry point -> call with sys.argv.
    (entry,) = [e for e in md.distribution(sys.argv[3]).entry_points if e.name == sys.argv[4]]
    function = entry.load()
    for run in params:
        sys.argv = [sys.argv[3], *run]
        try:
            function()
            code = 0
        except SystemExit as exc:
            code = exc.code
        print("EXIT", code, flush=True)
    # The task left the cluster's session running and usable.
    assert SparkSession.getActiveSession() is spark
    assert spark.sparkContext._jsc is not None
    print("SESSION", spark.range(3).count())
    """
)


def _build_tools_present() -> None:
    if importlib.util.find_spec("setuptools") is None:
        unavailable("setuptools is not installed in the test environment")
    import setuptools

    built_in = tuple(int(p) for p in setuptools.__version__.split(".")[:2]) >= (70, 1)
    if not built_in and importlib.util.find_spec("wheel") is None:
        unavailable("building a wheel offline needs `wheel` (or setuptools>=70.1) installed")


def _build_wheel(tmp: Path) -> Path:
    # Build from a copy, so the build leaves nothing in the work tree.
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "container.ini", "README.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "-w", str(dist), str(source)],
        check=True,
        timeout=180,
    )  # fmt: skip
    (wheel,) = dist.glob("data_extractor-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built once for this module."""
    _build_tools_present()
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


def _fresh_venv(tmp: Path, wheel: Path, without: tuple[str, ...] = ()) -> Path:
    """A venv with the wheel installed; the test environment's packages (less `without`)
    stand in for its dependencies."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # Offline: the dependencies are the test environment's own, through a .pth file
    # (the editable install there is a .pth hook, which a .pth-added path does not run).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "test-dependencies.pth").write_text(_dependencies(tmp, without) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        check=True,
        timeout=180,
    )  # fmt: skip
    return python


def _dependencies(tmp: Path, without: tuple[str, ...]) -> str:
    """The test environment's site-packages, or a folder linking to all of it but `without`."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    if not without:
        return str(purelib)
    folder = tmp / "site-without"
    folder.mkdir()
    for entry in purelib.iterdir():
        if not entry.name.lower().startswith(without):
            (folder / entry.name).symlink_to(entry)
    return str(folder)


def test_the_wheel_requires_pyspark_only_through_its_extras(wheel):
    import email
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(archive.read(name))
    requires = metadata.get_all("Requires-Dist") or []
    spark = [r for r in requires if r.lower().startswith("pyspark")]
    assert spark, requires
    assert all("extra ==" in r for r in spark), spark  # never a plain dependency
    assert {"spark", "connect"} <= set(metadata.get_all("Provides-Extra") or [])
    assert not [r for r in requires if r.lower().startswith("py4j")]


def test_without_pyspark_a_spark_command_says_which_extra_to_install(tmp_path, wheel):
    python = _fresh_venv(tmp_path, wheel, without=("pyspark", "py4j"))
    work = tmp_path / "work"
    work.mkdir()
    config = work / "config.ini"
    config.write_text(
        f"[database]\ntype = derby\ndatabase = {work}/db\n\n"
        f"[extraction]\noutput_base_path = {work}/lake\ndefault_source = demo\n"
    )
    tables = work / "tables.json"
    tables.write_text(json.dumps({"tables": [{"table_name": "T", "is_full_extract": True}]}))
    tool = str(python.parent / "data-extractor")
    files = ["--config", str(config), "--tables", str(tables)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK_")}

    plan = subprocess.run([tool, "plan", *files], capture_output=True, text=True, env=env)
    assert plan.returncode == 0, plan.stderr  # a local plan needs no Spark
    run = subprocess.run([tool, "run", *files], capture_output=True, text=True, env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "pip install 'data-extractor[spark]'" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (work / "lake").exists() or not list((work / "lake").rglob("*.parquet"))


def test_wheel_task_runs_the_extraction_and_leaves_the_session_running(tmp_path, wheel):
    python = _fresh_venv(tmp_path, wheel)
    work = tmp_path / "work"
    work.mkdir()
    config = work / "config.ini"
    config.write_text(
        f"[database]\ntype = derby\ndatabase = {work}/db\n\n"
        f"[extraction]\noutput_base_path = file:{work}/lake\ndefault_source = demo\n"
        "max_workers = 2\n"
    )
    tables = work / "tables.json"
    tables.write_text(
        json.dumps(
            {
                "tables": [
                    {"table_name": "CUSTOMERS", "schema_name": "APP", "is_full_extract": True},
                    {
                        "table_name": "ORDERS",
                        "schema_name": "APP",
                        "incremental_column": "UPDATED_AT",
                    },
                ]
            }
        )
    )
    runs = [
        # named_parameters, as the task passes them
        [f"--config={config}", f"--tables={tables}", "--run_id=w1"],
        # parameters (positional), in the flags' order: config, tables, run-id
        [str(config), str(tables), "w2"],
        # bad input must fail the task with exit code 2
        [f"--config={config}", f"--tables={work}/missing.json"],
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK_")}
    env.update(DATABRICKS_RUNTIME_VERSION="15.4", SPARK_LOCAL_IP="127.0.0.1")
    done = subprocess.run(
        [str(python), "-c", DRIVER, str(work), json.dumps(runs), PACKAGE_NAME, ENTRY_POINT],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=240,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert f"PACKAGE {python.parent.parent}" in done.stdout, (
        "ran the editable source, not the wheel"
    )
    assert [line for line in done.stdout.splitlines() if line.startswith("EXIT")] == [
        "EXIT 0",
        "EXIT 0",
        "EXIT 2",
    ], out
    assert "SESSION 3" in done.stdout
    lake = work / "lake"
    (customers,) = committed_outputs(lake, "demo", "CUSTOMERS")[:1]
    assert manifest(customers)["rows"] == 2
    orders = committed_outputs(lake, "demo", "ORDERS")
    assert [manifest(o)["rows"] for o in orders] == [3]  # w2 found no new orders
    assert (lake / "_runs" / "w1" / "run_report.json").exists()
    assert (lake / "_runs" / "w2" / "run_report.json").exists()
