"""Which session Databricks mode may join, and where dbutils comes from (no Spark runs here)."""

from __future__ import annotations

import sys
import types

import pytest
from pyspark import SparkContext

from data_extractor.adapters.databricks import (
    DbutilsLocator,
    find_active_session,
    runtime_context,
    sdk_runtime_dbutils,
    session_to_join,
)


@pytest.fixture
def no_context():
    """These checks are about a process where no classic SparkContext runs yet."""
    if SparkContext._active_spark_context is not None:
        pytest.fail("a SparkContext runs in the unit-test process; these tests need none")


def test_a_connect_client_or_the_runtimes_gateway_is_joined(no_context):
    assert session_to_join({"SPARK_REMOTE": "sc://127.0.0.1:15002"}) == "connect"
    assert session_to_join({"SPARK_CONNECT_MODE_ENABLED": "1"}) == "connect"
    assert session_to_join({"PYSPARK_GATEWAY_PORT": "40123"}) == "gateway"


def test_nothing_to_join_means_no_session_and_no_new_spark(no_context, monkeypatch):
    assert session_to_join({"DATABRICKS_RUNTIME_VERSION": "17.3"}) is None
    monkeypatch.delattr(sys.modules["__main__"], "spark", raising=False)
    assert find_active_session({"DATABRICKS_RUNTIME_VERSION": "17.3"}) is None
    assert SparkContext._active_spark_context is None  # nothing was started


def test_the_notebooks_spark_global_is_the_last_resort(no_context, monkeypatch):
    notebook_session = object()
    monkeypatch.setattr(sys.modules["__main__"], "spark", notebook_session, raising=False)
    assert find_active_session({}) is notebook_session


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
