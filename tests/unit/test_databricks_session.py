"""Which session Databricks mode may join, and where dbutils comes from (no Spark runs here)."""

from __future__ import annotations

import os
import subprocess
import sys
import types

from data_extractor.adapters.databricks import (
    DbutilsLocator,
    runtime_context,
    sdk_runtime_dbutils,
    session_to_join,
)


def test_a_connect_client_the_runtimes_gateway_or_a_running_context_is_joined():
    assert session_to_join({"SPARK_REMOTE": "sc://127.0.0.1:15002"}) == "connect"
    assert session_to_join({"SPARK_CONNECT_MODE_ENABLED": "1"}, True) == "connect"
    assert session_to_join({"PYSPARK_GATEWAY_PORT": "40123"}) == "gateway"
    assert session_to_join({}, context_running=True) == "context"
    assert session_to_join({"DATABRICKS_RUNTIME_VERSION": "17.3"}) is None


# A fresh interpreter: other tests of this process may have started a SparkContext.
FRESH_DRIVER = """
import sys
from pyspark import SparkContext
from data_extractor.adapters.databricks import find_active_session
assert find_active_session({"DATABRICKS_RUNTIME_VERSION": "17.3"}) is None
assert SparkContext._active_spark_context is None, "a Spark was started"
notebook_session = object()
sys.modules["__main__"].spark = notebook_session
assert find_active_session({}) is notebook_session
print("ok")
"""


def test_nothing_to_join_means_no_new_spark_and_the_notebook_global_is_last():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK"))}
    result = subprocess.run(
        [sys.executable, "-c", FRESH_DRIVER], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


class Sessions:
    """A session provider that must not be asked."""

    def get(self):
        raise AssertionError("the session was asked for")


def test_a_dbutils_given_by_the_caller_wins_and_no_session_is_needed(monkeypatch):
    given = types.SimpleNamespace(name="given")
    monkeypatch.setitem(sys.modules, "pyspark.dbutils", None)
    assert DbutilsLocator(Sessions(), given).get() is given


def test_without_pyspark_dbutils_the_sdk_runtime_dbutils_comes_next(monkeypatch):
    sdk_dbutils = types.SimpleNamespace(name="sdk")
    runtime = types.ModuleType("databricks.sdk.runtime")
    runtime.dbutils = sdk_dbutils
    monkeypatch.setitem(sys.modules, "pyspark.dbutils", None)  # import fails, as off Databricks
    monkeypatch.setitem(sys.modules, "databricks.sdk.runtime", runtime)
    monkeypatch.setattr(sys.modules["__main__"], "dbutils", object(), raising=False)
    assert sdk_runtime_dbutils() is sdk_dbutils
    assert DbutilsLocator(Sessions()).get() is sdk_dbutils
    monkeypatch.setitem(sys.modules, "databricks.sdk.runtime", None)
    assert sdk_runtime_dbutils() is None


def test_runtime_context_reports_the_original_keys():
    context = runtime_context({"DATABRICKS_RUNTIME_VERSION": "17.3", "HOSTNAME": "0101-driver"})
    assert context == {
        "is_databricks": True,
        "runtime_version": "17.3",
        "hostname": "0101-driver",
    }
    assert runtime_context({"HOSTNAME": "laptop"})["is_databricks"] is False
