"""`data-extractor init` and the original `--generate-databricks-*` options: files that validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from data_extractor.adapters.secrets import Redactor
from data_extractor.entrypoints.config import load_config
from data_extractor.entrypoints.container import build_container
from data_extractor.entrypoints.init_files import SOURCE_TYPES, config_text, write_init_files
from data_extractor.entrypoints.tables_file import load_tables
from tests.helpers import run_cli


@pytest.mark.parametrize("databricks", [False, True], ids=["local", "databricks"])
@pytest.mark.parametrize("source", SOURCE_TYPES)
@pytest.mark.parametrize("tables_name", ["tables.json", "tables.yaml"])
def test_generated_files_pass_the_tools_own_validation(tmp_path, source, databricks, tables_name):
    config, tables = write_init_files(
        tmp_path / "config.ini", tmp_path / tables_name, source, databricks
    )
    merged = load_config(config, {}, environ={})  # no ${VAR} needs setting
    assert merged["database"]["type"] == source
    specs = load_tables(tables, merged["extraction"]["default_source"])
    assert [s.key for s in specs][0].startswith(f"{source}/")
    assert any(s.incremental_column for s in specs) and any(not s.incremental_column for s in specs)
    container = build_container(merged, Redactor())
    for spec in specs:  # the source's dialect can name each table
        assert container.dialect().table(spec.schema_name, spec.table_name)
    expected = "databricks" if databricks else "local"
    assert container.settings().runtime.resolved_platform == expected


def test_databricks_flavour_uses_secret_scopes_and_a_volume():
    text = config_text("oracle", databricks=True)
    assert "password = secret://oracle/password" in text
    assert "output_base_path = /Volumes/" in text
    assert "platform = databricks" in text
    assert "driver_packages =" not in text.replace("# driver_packages", "")
    local = config_text("postgresql")
    assert "password = env:POSTGRESQL_PASSWORD" in local
    assert "driver_packages = org.postgresql:postgresql:" in local
    assert "secret://" not in local.split("password =")[1].splitlines()[0]


def test_init_writes_both_files_and_refuses_to_overwrite(tmp_path: Path):
    config, tables = tmp_path / "c.ini", tmp_path / "t.json"
    args = [
        "init",
        "--source",
        "postgresql",
        "--config-out",
        str(config),
        "--tables-out",
        str(tables),
    ]
    first = run_cli(*args)
    assert first.exit_code == 0, first.output
    assert f"wrote {config}" in first.output and f"wrote {tables}" in first.output
    config.write_text("# my edits\n")
    again = run_cli(*args)
    assert again.exit_code == 2
    assert "already exists; pass --force" in again.output
    assert config.read_text() == "# my edits\n"  # nothing was touched, not even the other file
    forced = run_cli(*args, "--force", "--databricks")
    assert forced.exit_code == 0
    assert "secret://postgresql/password" in config.read_text()


def test_init_defaults_to_config_ini_and_tables_json_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("init").exit_code == 0
    assert "type = oracle" in (tmp_path / "config.ini").read_text()
    assert json.loads((tmp_path / "tables.json").read_text())["tables"]


def test_original_generate_databricks_options(tmp_path: Path):
    config, tables = tmp_path / "db_config.ini", tmp_path / "db_tables.yaml"
    result = run_cli(
        "--generate-databricks-config", str(config), "--generate-databricks-tables", str(tables)
    )
    assert result.exit_code == 0, result.output
    assert "platform = databricks" in config.read_text()
    assert yaml.safe_load(tables.read_text())["tables"][0]["schema_name"] == "SALES"
    only_config = tmp_path / "only.ini"
    assert run_cli("--generate-databricks-config", str(only_config)).exit_code == 0
    assert only_config.exists() and not (tmp_path / "tables.json").exists()


def test_original_generate_form_refuses_to_overwrite_without_offering_a_missing_flag(
    tmp_path: Path,
):
    config = tmp_path / "db_config.ini"
    config.write_text("# mine\n")
    result = run_cli("--generate-databricks-config", str(config))
    assert result.exit_code == 2
    assert "already exists; delete it first" in result.output
    assert "pass --force" not in result.output  # this form has no --force
    assert config.read_text() == "# mine\n"
