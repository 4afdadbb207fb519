"""The original Python API (data_extractor.core / .databricks): arguments -> config, bad input."""

from __future__ import annotations

import pytest

from data_extractor.core import DataExtractor, config_overrides
from data_extractor.databricks import DatabricksDataExtractor
from data_extractor.domain.errors import InputError


def test_original_arguments_map_to_config_keys():
    args = {"oracle_host": "db", "oracle_port": 1522, "oracle_password": "pw", "max_workers": 3}
    assert config_overrides(args) == {
        "database": {"host": "db", "port": "1522", "password": "pw", "type": "oracle"},
        "extraction": {"max_workers": "3"},
    }
    # explicit settings win; with a config file the type is the file's to say
    assert config_overrides(args, {"database": {"type": "postgresql"}})["database"]["type"] == (
        "postgresql"
    )
    assert "type" not in config_overrides(args, imply_oracle=False)["database"]
    assert config_overrides({"output_base_path": None}) == {}


def oracle_extractor(tmp_path, password: str = "Literal-Pw-31337") -> DataExtractor:
    """The original API's Oracle arguments, output under tmp_path/lake."""
    return DataExtractor(
        oracle_host="db.example.internal",
        oracle_service="ORCLPDB1",
        oracle_user="extractor",
        oracle_password=password,
        output_base_path=str(tmp_path / "lake"),
        environ={},
    )


def test_bad_table_configs_raise_input_error_before_anything_runs(tmp_path):
    extractor = oracle_extractor(tmp_path)
    with pytest.raises(InputError) as caught:
        extractor.extract_tables_parallel([{"table_name": "ORDERS", "source_name": "hr"}])
    assert "table_configs: table 'ORDERS'" in str(caught.value)
    assert "incremental_column" in str(caught.value)
    assert not (tmp_path / "lake").exists()
    assert "Literal-Pw-31337" not in repr(extractor)


def test_bad_config_value_names_the_argument_key(tmp_path):
    extractor = DatabricksDataExtractor(
        oracle_host="db", output_base_path="dbfs:/dbfs/lake", widgets=False, environ={}
    )
    with pytest.raises(InputError) as caught:
        extractor.extract_tables_parallel([{"table_name": "T", "source_name": "s"}])
    assert "output_base_path" in str(caught.value)
    assert "write dbfs:/lake" in str(caught.value)


def test_databricks_extractor_is_databricks_mode_unless_told_otherwise():
    assert DatabricksDataExtractor(widgets=False).platform == "databricks"
    assert DatabricksDataExtractor(use_existing_spark=False, widgets=False).platform == "auto"
    assert DataExtractor().platform == "auto"


def test_the_python_api_refuses_a_day_that_is_not_over(tmp_path):
    import datetime as dt

    extractor = oracle_extractor(tmp_path)
    today = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)  # not over anywhere
    with pytest.raises(InputError) as caught:
        extractor.extract_table(
            "ORDERS", source_name="hr", incremental_column="AT", extraction_date=str(today)
        )
    assert "table_configs: table 'ORDERS'" in str(caught.value)
    assert "extraction_date" in str(caught.value) and "has not ended" in str(caught.value)
    assert not (tmp_path / "lake").exists()
