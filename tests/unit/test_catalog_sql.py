"""The catalog source's Spark SQL and the Unity Catalog connection's options (no Spark runs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from data_extractor.adapters.catalog_reader import CatalogSourceReader, _cursor_value
from data_extractor.adapters.jdbc import dialect_for
from data_extractor.adapters.jdbc.reader import JdbcSourceReader
from data_extractor.adapters.jdbc.settings import JdbcSettings
from data_extractor.adapters.secrets import Redactor
from data_extractor.domain.errors import ExtractionError, InputError
from data_extractor.domain.model import ExtractionTask, Mode, TableSpec, Window
from data_extractor.entrypoints.config import load_config
from data_extractor.entrypoints.container import build_container


class NoSessions:
    """SQL text needs no session."""

    def get(self):
        raise AssertionError("the session was asked for")


def task(spec: TableSpec, window: Window | None = None, **kwargs) -> ExtractionTask:
    return ExtractionTask(spec, Mode.INCREMENTAL if window else Mode.FULL, "/out", window, **kwargs)


def test_names_are_quoted_part_by_part_and_windows_use_spark_literals():
    reader = CatalogSourceReader(NoSessions(), catalog="main")
    spec = TableSpec("uc", "orders", "sales", "updated_at")
    window = Window("updated_at", dt.datetime(2024, 5, 1, 0, 50), dt.datetime(2024, 5, 2))
    assert reader.describe(task(spec, window)) == (
        "SELECT * FROM `main`.`sales`.`orders` WHERE `updated_at` > "
        "TIMESTAMP_NTZ '2024-05-01 00:50:00.000000' AND "
        "`updated_at` <= TIMESTAMP_NTZ '2024-05-02 00:00:00.000000'"
    )
    instant = Window(
        "at", dt.datetime(2024, 5, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))), None
    )
    assert reader.condition(instant) == "`at` > TIMESTAMP '2024-05-01 00:00:00.000000+00:00'"
    days = Window("d", dt.date(2024, 5, 1), dt.date(2024, 5, 2), True, False)
    assert reader.condition(days) == "`d` >= DATE '2024-05-01' AND `d` < DATE '2024-05-02'"
    assert reader.condition(Window("n", Decimal("1E+2"), None, include_nulls=True)) == (
        "(`n` > 100 OR `n` IS NULL)"
    )
    pending = task(spec, Window("updated_at", 5, None), upper_from_source=True)
    assert reader.describe(pending).endswith("`updated_at` <= :high_watermark")
    assert reader.describe(task(TableSpec("uc", "t"))) == "SELECT * FROM `main`.`t`"
    assert CatalogSourceReader(NoSessions()).relation(TableSpec("uc", "t", "s")) == "`s`.`t`"
    assert reader.options() == {}


def test_custom_query_is_spark_sql_and_flashback_is_refused():
    reader = CatalogSourceReader(NoSessions())
    query = TableSpec("uc", "q", custom_query="SELECT * FROM main.sales.orders WHERE ok")
    assert reader.relation(query) == "(SELECT * FROM main.sales.orders WHERE ok) AS q"
    with pytest.raises(ExtractionError, match="flashback"):
        reader.relation(TableSpec("uc", "t"), snapshot="123")
    with pytest.raises(ExtractionError, match="consistent_snapshot"):
        reader.current_snapshot()


def test_probed_values_keep_their_type_and_a_timestamp_becomes_utc():
    assert _cursor_value("41", "integer", "t: MAX(c)") == 41
    assert _cursor_value("2024-05-01", "date", "x") == dt.date(2024, 5, 1)
    assert _cursor_value("2024-05-01 00:50:00", "timestamp_ntz", "x") == dt.datetime(
        2024, 5, 1, 0, 50
    )
    # A TIMESTAMP maximum arrives as epoch microseconds (unix_micros): an instant, in UTC.
    micros = str(int(dt.datetime(2024, 5, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000 + 250)
    assert _cursor_value(micros, "timestamp", "x") == dt.datetime(
        2024, 5, 1, 0, 0, 0, 250, tzinfo=dt.UTC
    )
    assert _cursor_value(None, "long", "x") is None
    with pytest.raises(ExtractionError, match="t: MAX"):
        _cursor_value("abc", "string", "t: MAX(c)")


def test_the_container_picks_the_catalog_reader_for_type_catalog(tmp_path):
    merged = load_config(
        None,
        {
            "database": {"type": "Catalog", "catalog": "fed"},
            "extraction": {"output_base_path": str(tmp_path)},
        },
        {},
    )
    reader = build_container(merged, Redactor()).reader()
    assert isinstance(reader, CatalogSourceReader)
    assert reader.relation(TableSpec("uc", "t", "s")) == "`fed`.`s`.`t`"
    with pytest.raises(InputError, match="catalog names where type = catalog finds its tables"):
        load_config(
            None,
            {
                "database": {"type": "postgresql", "catalog": "fed"},
                "extraction": {"output_base_path": str(tmp_path)},
            },
            {},
        )


def test_a_connection_reads_through_unity_catalog_without_url_or_credentials():
    settings = JdbcSettings(type="postgresql", connection="pg_sales", fetch_size=500)
    reader = JdbcSourceReader(NoSessions(), settings, dialect_for("postgresql"))
    options = reader.options()
    assert options["databricks.connection"] == "pg_sales"
    assert not {"url", "driver", "user", "password"} & set(options)
    assert options["fetchsize"] == "500" and options["preferTimestampNTZ"] == "true"
    spec = TableSpec("pg", "orders", "sales", "updated_at")
    window = Window("updated_at", dt.datetime(2024, 5, 1), None)
    assert reader.describe(task(spec, window)) == (
        'SELECT * FROM "sales"."orders" WHERE "updated_at" > TIMESTAMP \'2024-05-01 00:00:00.000000\''
    )


def test_connection_with_a_url_or_credentials_is_bad_input_naming_each_key(tmp_path):
    config = tmp_path / "config.ini"
    config.write_text(
        "[database]\ntype = postgresql\nconnection = pg_sales\nhost = db\nuser = u\n"
        f"[extraction]\noutput_base_path = {tmp_path / 'lake'}\n"
    )
    with pytest.raises(InputError) as caught:
        load_config(config, {}, {})
    text = str(caught.value)
    assert f"{config}:4 [database] [host]" in text and f"{config}:5 [database] [user]" in text
    assert "connection = NAME takes the URL and credentials from Unity Catalog" in text
    merged = load_config(
        None,
        {
            "database": {"type": "postgresql", "connection": "pg_sales"},
            "extraction": {"output_base_path": str(tmp_path)},
        },
        {},
    )
    assert build_container(merged, Redactor()).jdbc_settings().connection == "pg_sales"
