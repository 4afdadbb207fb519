"""Databricks mode without a cluster: detection, session borrowing, secrets, widgets, wiring
(the Databricks file routing is in test_routed_fs.py).

Everything here uses fakes of the project's own ports (session provider, file system) and a
fake dbutils object; no Spark runs.
"""

from __future__ import annotations

import sys
import threading
import types
from pathlib import Path

import pytest

from data_extractor.adapters.databricks import (
    DatabricksRouting,
    DatabricksSecretStore,
    DatabricksSessionProvider,
    DbutilsLocator,
    NoActiveSessionError,
    databricks_signal,
    detect_platform,
    widget_overrides,
)
from data_extractor.adapters.routed_fs import LocalRouting
from data_extractor.adapters.secrets import EnvSecretStore, Redactor
from data_extractor.domain.errors import DataExtractorError, InputError
from data_extractor.entrypoints.container import build_container, platform_of
from tests.helpers import run_cli

CLUSTER_ENV = {
    "DATABRICKS_RUNTIME_VERSION": "15.4",
    "DB_HOME": "/databricks",
    "DB_CLUSTER_ID": "0101-123456-abcdefgh",
    "SPARK_HOME": "/databricks/spark",
}


# -- runtime detection -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("setting", "environ", "platform"),
    [
        ("auto", CLUSTER_ENV, "databricks"),
        ("auto", {"DATABRICKS_RUNTIME_VERSION": "16.1"}, "databricks"),
        ("auto", {"SPARK_HOME": "/databricks/spark/"}, "databricks"),
        ("auto", {"DB_HOME": "/databricks", "DB_CLUSTER_ID": "x"}, "databricks"),
        ("auto", {"DB_HOME": "/databricks"}, "local"),  # one weak hint is not enough
        ("auto", {"DATABRICKS_RUNTIME_VERSION": ""}, "local"),
        ("auto", {"SPARK_HOME": "/opt/spark"}, "local"),
        (None, {}, "local"),
        ("", CLUSTER_ENV, "databricks"),
        ("local", CLUSTER_ENV, "local"),  # forced either way
        ("Databricks", {}, "databricks"),
    ],
)
def test_detect_platform(setting, environ, platform):
    assert detect_platform(setting, environ) == platform
    assert platform_of({"platform": setting} if setting is not None else {}, environ) == platform


def test_databricks_runtime_version_is_checked_first():
    assert databricks_signal(CLUSTER_ENV) == "DATABRICKS_RUNTIME_VERSION"
    assert databricks_signal({"SPARK_HOME": "/databricks/spark"}) == "SPARK_HOME"
    assert databricks_signal({}) is None


# -- the borrowed session ------------------------------------------------------------------------
class FakeSession:
    """Stands in for the cluster's SparkSession: only liveness is looked at."""

    def __init__(self) -> None:
        self.sparkContext = type("Ctx", (), {"_jsc": object()})()
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_session_is_found_once_and_shared_by_every_thread():
    session = FakeSession()
    calls = []
    provider = DatabricksSessionProvider(lambda: calls.append(1) or session)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(provider.get())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [session] * 8
    assert calls == [1]
    provider.stop()
    assert not session.stopped  # the cluster's session is never stopped


def test_a_stopped_session_is_looked_up_again():
    first, second = FakeSession(), FakeSession()
    found = iter([first, second])
    provider = DatabricksSessionProvider(lambda: next(found))
    assert provider.get() is first
    first.sparkContext._jsc = None  # what SparkSession.stop() leaves behind
    assert provider.get() is second


def test_no_session_is_a_clear_error_never_a_new_session():
    provider = DatabricksSessionProvider(lambda: None)
    assert provider.active() is None
    with pytest.raises(NoActiveSessionError) as caught:
        provider.get()
    assert isinstance(caught.value, DataExtractorError)
    message = str(caught.value)
    assert "never starts one" in message
    assert "platform = local" in message and "leave out --databricks" in message
    assert "DataExtractor rather than DatabricksDataExtractor" in message  # Python API users


# -- secrets through dbutils ---------------------------------------------------------------------
class FakeDbutils:
    """dbutils with secrets.get and widgets.get, recording every call."""

    def __init__(self, secrets=None, widgets=None) -> None:
        self.calls: list[tuple] = []
        outer = self

        class Secrets:
            def get(self, scope, key):
                outer.calls.append(("secrets.get", scope, key))
                try:
                    return (secrets or {})[(scope, key)]
                except KeyError:
                    raise RuntimeError(
                        f"Secret does not exist with scope: {scope} and key: {key}"
                    ) from None

        class Widgets:
            def get(self, name):
                outer.calls.append(("widgets.get", name))
                if name not in (widgets or {}):
                    raise RuntimeError(f"InputWidgetNotDefined: No input widget named {name}")
                return widgets[name]

        self.secrets = Secrets()
        self.widgets = Widgets()


class Locator:
    def __init__(self, dbutils) -> None:
        self.dbutils = dbutils

    def get(self):
        return self.dbutils


def test_secret_reference_is_read_from_the_scope_and_redacted():
    dbutils = FakeDbutils({("jdbc", "pg-password"): "s3cr3t-value"})
    redactor = Redactor()
    store = DatabricksSecretStore(redactor, Locator(dbutils), environ={})
    value = store.resolve("secret://jdbc/pg-password", "config.ini [database]", "password")
    assert value == "s3cr3t-value"
    assert dbutils.calls == [("secrets.get", "jdbc", "pg-password")]
    assert redactor.redact("url with s3cr3t-value in it") == "url with *** in it"


def test_env_and_file_references_work_on_databricks_too(tmp_path):
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-file\n")
    dbutils = FakeDbutils()
    store = DatabricksSecretStore(Redactor(), Locator(dbutils), environ={"PW": "from-env"})
    assert store.resolve("env:PW", "c", "password") == "from-env"
    assert store.resolve(f"file:{secret_file}", "c", "password") == "from-file"
    assert store.resolve("plain", "c", "user") == "plain"
    assert dbutils.calls == []


def test_a_missing_secret_names_the_scope_and_what_to_check():
    store = DatabricksSecretStore(Redactor(), Locator(FakeDbutils()), environ={})
    with pytest.raises(InputError) as caught:
        store.resolve("secret://jdbc/nope", "config.ini:7 [database]", "password")
    (problem,) = caught.value.problems
    assert problem.where == "config.ini:7 [database]" and problem.key == "password"
    assert "key 'nope' of Databricks secret scope 'jdbc'" in problem.message
    assert "databricks secrets list-secrets jdbc" in problem.message


def test_without_dbutils_the_local_form_of_the_reference_still_works():
    store = DatabricksSecretStore(Redactor(), Locator(None), environ={"JDBC_PG_PASSWORD": "x1y"})
    assert store.resolve("secret://jdbc/pg-password", "c", "password") == "x1y"
    bare = DatabricksSecretStore(Redactor(), Locator(None), environ={})
    with pytest.raises(InputError, match="export JDBC_PG_PASSWORD in the environment"):
        bare.resolve("secret://jdbc/pg-password", "c", "password")


def test_a_missing_secret_hint_survives_redaction_unscrubbed():
    redactor = Redactor()
    store = EnvSecretStore(redactor, environ={})
    with pytest.raises(InputError) as caught:
        store.resolve("env:ORACLE_PASSWORD", "c", "password")
    shown = redactor.redact(str(caught.value.problems[0]))
    assert "export ORACLE_PASSWORD in the environment" in shown
    assert "***" not in shown  # a 'PASSWORD=...' hint would read like a scrubbed secret


def test_locally_the_same_reference_reads_scope_key_from_the_environment():
    store = EnvSecretStore(Redactor(), environ={"JDBC_PG_PASSWORD": "x1y"})
    assert store.resolve("secret://jdbc/pg-password", "c", "password") == "x1y"


# -- widgets ---------------------------------------------------------------------------------------
def test_widgets_named_like_config_keys_override_config():
    dbutils = FakeDbutils(
        widgets={"output_base_path": "/Volumes/c/s/v", "max_workers": " 3 ", "log_level": ""}
    )
    assert widget_overrides(dbutils) == {
        "extraction": {"output_base_path": "/Volumes/c/s/v", "max_workers": "3"}
    }
    assert widget_overrides(None) == {}


# -- wiring ------------------------------------------------------------------------------------
def _merged(platform: str, **extraction: str) -> dict:
    return {
        "database": {"type": "postgresql", "password": ""},
        "extraction": {
            "output_base_path": "dbfs:/lake",
            "max_workers": "",
            "rows_per_file": "10",
            "lock_lease_seconds": "60",
            "retry_attempts": "1",
            "retry_backoff_seconds": "0",
            "output_format": "parquet",
            **extraction,
        },
        "spark": {},
        "runtime": {"platform": platform},
    }


def test_container_picks_databricks_adapters_without_touching_spark():
    container = build_container(_merged("databricks"), Redactor())
    assert isinstance(container.session_provider(), DatabricksSessionProvider)
    assert isinstance(container.secrets(), DatabricksSecretStore)
    assert isinstance(container.filesystem().policy, DatabricksRouting)
    local = build_container(_merged("local"), Redactor())
    assert type(local.secrets()) is EnvSecretStore
    assert isinstance(local.filesystem().policy, LocalRouting)
    assert local.run_settings().max_workers == 4  # unset: the local default
    assert (
        build_container(_merged("local", max_workers="9"), Redactor()).run_settings().max_workers
        == 9
    )


def test_bad_output_base_path_in_config_exits_2_naming_the_file_and_key(tmp_path: Path):
    config = tmp_path / "bad.ini"
    config.write_text(
        "[database]\ntype = postgresql\n\n[extraction]\noutput_base_path = dbfs:/dbfs/lake\n"
    )
    tables = tmp_path / "t.json"
    tables.write_text(
        '{"tables": [{"table_name": "t", "source_name": "s", "is_full_extract": true}]}'
    )
    result = run_cli("plan", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 2
    assert str(config) in result.output and "output_base_path" in result.output
    assert "write dbfs:/lake or /dbfs/lake" in result.output


# -- finding dbutils ---------------------------------------------------------------------------
class OneSession:
    def __init__(self) -> None:
        self.session = FakeSession()

    def get(self):
        return self.session


def test_dbutils_comes_from_pyspark_dbutils_built_on_the_session_once(monkeypatch):
    built = []

    class DBUtils:
        def __init__(self, spark) -> None:
            built.append(spark)

    monkeypatch.setitem(sys.modules, "pyspark.dbutils", types.SimpleNamespace(DBUtils=DBUtils))
    sessions = OneSession()
    locator = DbutilsLocator(sessions)
    assert isinstance(locator.get(), DBUtils) and locator.get() is locator.get()
    assert built == [sessions.session]


def test_without_pyspark_dbutils_the_notebooks_global_is_used(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark.dbutils", None)  # import fails, as off Databricks
    notebook = FakeDbutils()
    monkeypatch.setattr(sys.modules["__main__"], "dbutils", notebook, raising=False)
    assert DbutilsLocator(OneSession()).get() is notebook
    monkeypatch.delattr(sys.modules["__main__"], "dbutils")
    assert DbutilsLocator(OneSession()).get() is None
