"""The original tool's config helpers and DatabricksDataExtractor's attributes (no Spark runs)."""

from __future__ import annotations

import json
import types

from data_extractor.config import ConfigManager
from data_extractor.databricks import DatabricksConfigManager, DatabricksDataExtractor
from data_extractor.databricks_config import DatabricksConfigManager as SameManager
from data_extractor.entrypoints.config import load_config

ORACLE_ENV = {
    "ORACLE_HOST": "env-host",
    "ORACLE_PORT": "1600",
    "ORACLE_SERVICE": "ENVPDB",
    "ORACLE_USER": "env-user",
    "ORACLE_PASSWORD": "Env-Pw-4711",
    "OUTPUT_BASE_PATH": "/env/lake",
}


class FakeDbutils:
    """dbutils with widgets and secret scopes, recording every call."""

    def __init__(self, widgets=None, secrets=None) -> None:
        self.calls: list[tuple] = []
        self.widgets = types.SimpleNamespace(get=self._widget)
        self.secrets = types.SimpleNamespace(get=self._secret)
        self._widgets, self._secrets = widgets or {}, secrets or {}

    def _widget(self, name):
        self.calls.append(("widgets.get", name))
        if name not in self._widgets:
            raise ValueError(f"InputWidgetNotDefined: {name}")
        return self._widgets[name]

    def _secret(self, scope, key):
        self.calls.append(("secrets.get", scope, key))
        return self._secrets[(scope, key)]


def test_config_manager_reads_the_file_in_our_names_or_the_original_ones(tmp_path):
    config = tmp_path / "config.ini"
    config.write_text(
        "[database]\nhost = file-host\noracle_service = FILEPDB\npassword = env:PW\n"
        "[extraction]\noutput_base_path = /file/lake\n"
    )
    manager = ConfigManager(config, environ={**ORACLE_ENV, "PW": "File-Ref-Pw-99"})
    assert manager.config.get("database", "host") == "file-host"
    assert manager.get_database_config() == {
        "oracle_host": "file-host",
        "oracle_port": "1600",  # not in the file: the environment
        "oracle_service": "FILEPDB",
        "oracle_user": "env-user",
        "oracle_password": "File-Ref-Pw-99",  # the reference, resolved
        "output_base_path": "/file/lake",
    }
    assert "File-Ref-Pw-99" not in repr(manager)


def test_config_manager_without_a_file_uses_the_environment_then_the_defaults():
    assert ConfigManager(environ=ORACLE_ENV).get_database_config()["oracle_host"] == "env-host"
    assert ConfigManager(environ={}).get_database_config() == {
        "oracle_host": "localhost",
        "oracle_port": "1521",
        "oracle_service": "XE",
        "oracle_user": "",
        "oracle_password": "",
        "output_base_path": "data",
    }


def test_sample_files_are_ones_the_tool_accepts(tmp_path):
    manager = ConfigManager(environ={})
    manager.create_sample_config_file(tmp_path / "config.ini")
    manager.create_sample_tables_json(tmp_path / "tables.json")
    merged = load_config(tmp_path / "config.ini", {}, {"ORACLE_PASSWORD": "x"})
    assert merged["database"]["type"] == "oracle"
    tables = json.loads((tmp_path / "tables.json").read_text())["tables"]
    assert {t["table_name"] for t in tables} and all("schema_name" in t for t in tables)
    manager.create_sample_config_file(tmp_path / "config.ini")  # overwrites, as before


def test_databricks_config_manager_defaults_widgets_and_secret_scopes(tmp_path):
    assert DatabricksConfigManager is SameManager
    config = tmp_path / "config.ini"
    config.write_text("[database]\nhost = file-host\npassword = secret://oracle/password\n")
    dbutils = FakeDbutils(
        widgets={"oracle_host": "widget-host", "max_workers": "6"},
        secrets={("oracle", "password"): "Scope-Pw-1234"},
    )
    manager = DatabricksConfigManager(config, environ={}, dbutils=dbutils)
    database = manager.get_databricks_database_config()
    assert database["oracle_host"] == "widget-host"  # the widget wins over the file
    assert database["oracle_password"] == "Scope-Pw-1234"
    assert ("secrets.get", "oracle", "password") in dbutils.calls
    assert database["output_base_path"] == "/dbfs/data"  # the Databricks default
    assert manager.config.get("database", "host") == "widget-host"
    assert manager.get_databricks_extraction_config() == {
        "use_existing_spark": True,
        "max_workers": 6,
    }


def test_databricks_config_manager_falls_back_to_the_environment(monkeypatch):
    manager = DatabricksConfigManager(environ=ORACLE_ENV, dbutils=FakeDbutils())
    database = manager.get_databricks_database_config()
    assert database["oracle_password"] == "Env-Pw-4711"
    assert database["output_base_path"] == "/env/lake"
    assert manager.get_databricks_extraction_config()["max_workers"] > 0


def test_databricks_sample_files_are_the_generate_databricks_ones(tmp_path):
    manager = DatabricksConfigManager(environ={}, dbutils=FakeDbutils())
    manager.create_databricks_sample_config(tmp_path / "db.ini")
    manager.create_databricks_sample_tables_json(tmp_path / "db.json")
    text = (tmp_path / "db.ini").read_text()
    assert "platform = databricks" in text and "secret://oracle/password" in text
    assert json.loads((tmp_path / "db.json").read_text())["tables"]


def test_databricks_extractor_keeps_the_original_attributes():
    extractor = DatabricksDataExtractor(
        oracle_host="db.example.internal",
        oracle_service="ORCLPDB1",
        oracle_user="extractor",
        oracle_password="Attr-Pw-8080",
        output_base_path="/Volumes/main/raw/landing",
        max_workers=3,
        widgets=False,
        environ={"DATABRICKS_RUNTIME_VERSION": "17.3", "HOSTNAME": "driver-1"},
    )
    assert (extractor.oracle_host, extractor.oracle_port) == ("db.example.internal", 1521)
    assert (extractor.oracle_service, extractor.oracle_user) == ("ORCLPDB1", "extractor")
    assert extractor.output_base_path == "/Volumes/main/raw/landing"
    assert (extractor.use_existing_spark, extractor.max_workers) == (True, 3)
    assert extractor.jdbc_url.startswith("jdbc:oracle:thin:@")
    assert "db.example.internal:1521" in extractor.jdbc_url and "ORCLPDB1" in extractor.jdbc_url
    public = {k: v for k, v in vars(extractor).items() if not k.startswith("_")}
    assert "Attr-Pw-8080" not in repr(public)
    assert extractor.get_databricks_context() == {
        "is_databricks": True,
        "runtime_version": "17.3",
        "hostname": "driver-1",
        "use_existing_spark": True,
        "max_workers": 3,
    }
    assert DatabricksDataExtractor(widgets=False, environ={}).jdbc_url is None


def test_a_dbutils_given_to_the_python_api_reads_secret_scopes():
    dbutils = FakeDbutils(secrets={("jdbc", "pw"): "Given-Scope-Pw-77"})
    extractor = DatabricksDataExtractor(
        output_base_path="/Volumes/main/raw/landing",
        settings={
            "database": {
                "type": "postgresql",
                "host": "h",
                "database": "d",
                "user": "u",
                "password": "secret://jdbc/pw",
            },
        },
        environ={"DATABRICKS_RUNTIME_VERSION": "17.3", "JDBC_PW": "not-this-one"},
        dbutils=dbutils,
        widgets=False,
    )
    settings = extractor.container.jdbc_settings()
    assert settings.password == "Given-Scope-Pw-77"
    assert ("secrets.get", "jdbc", "pw") in dbutils.calls


def test_the_given_dbutils_answers_widgets_too():
    dbutils = FakeDbutils(widgets={"output_base_path": "/Volumes/main/raw/other"})
    extractor = DatabricksDataExtractor(dbutils=dbutils, environ={})
    assert extractor.extra_overrides()["extraction"]["output_base_path"] == (
        "/Volumes/main/raw/other"
    )
