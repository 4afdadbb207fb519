"""Tables-file validation: every problem at once, each naming its table and key, with a fix."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from data_extractor.domain.errors import InputError
from data_extractor.domain.model import Lookback, Strategy
from data_extractor.domain.specs import (
    did_you_mean,
    parse_lookback,
    parse_table_specs,
    unended_days,
)
from data_extractor.entrypoints.tables_file import load_tables, parse_json, parse_yaml
from tests.unit.sql_cases import INJECTIONS


def problems(entries, default_source: str | None = "erp") -> list[str]:
    """The messages parse_table_specs raises for the entries (none when they are valid)."""
    try:
        parse_table_specs(entries, "t.json", default_source)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_valid_entries_become_specs_with_their_strategy():
    specs = parse_table_specs(
        {
            "tables": [
                {"table_name": "a", "is_full_extract": True},
                {"table_name": "b", "incremental_column": "id"},
                {"table_name": "c", "incremental_column": "d", "extraction_date": "2024-01-31"},
                {"table_name": "e", "incremental_column": "id", "lookback": "2h"},
            ]
        },
        "t.json",
        "erp",
    )
    assert [s.strategy for s in specs] == [
        Strategy.FULL,
        Strategy.WATERMARK,
        Strategy.DAILY,
        Strategy.WATERMARK,
    ]
    assert specs[2].extraction_date == dt.date(2024, 1, 31)
    assert specs[3].lookback == Lookback(dt.timedelta(hours=2))


def test_every_problem_of_every_table_is_reported_at_once():
    found = problems(
        [
            {"table_name": "a", "is_full_extract": "yes", "num_partitions": 0},
            {"table_name": "b", "incremental_colum": "id"},
            {"table_name": "c; --", "is_full_extract": True},
        ]
    )
    assert len(found) == 4, found
    assert "table 'a' [num_partitions]: expected a whole number above 0, got 0" in found[0]
    assert "t.json: table 'a' [is_full_extract]: expected true or false" in found[1]
    assert (
        "table 'b' [incremental_colum]: unknown key (did you mean 'incremental_column'?)"
        in (found[2])
    )
    assert "[table_name]: 'c; --' is not a valid identifier" in found[3]


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        (None, "the file holds no tables"),
        ([], "the list of tables is empty"),
        ({"tables": []}, "the list of tables is empty"),
        ({"tables": {"table_name": "a"}}, "expected a list of tables, got an object"),
        ("tables", "expected a list of tables, got the text 'tables'"),
        (42, "expected a list of tables, got int 42"),
        ({"table_name": "a"}, "this is one table, not a list"),
        ({"tabels": []}, "expected a 'tables' key holding the list of tables, found 'tabels'"),
        ({"tables": [{"table_name": "a"}], "x": 1}, "t.json [x]: unknown top-level key"),
        (["orders"], "each table must be an object"),
    ],
)
def test_the_shape_of_the_file_is_explained(entries, fragment):
    assert any(fragment in p for p in problems(entries)), problems(entries)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2024-02-30", "'2024-02-30' is not a valid date: day is out of range for month"),
        ("31/01/2024", "'31/01/2024' is not a date; use YYYY-MM-DD"),
        ("20240131", "'20240131' is not a date; use YYYY-MM-DD"),
        ("2024-W05-3", "is not a date"),
        ("2024-01-31T00:00:00", "is not a date"),
        (20240131, "20240131 is not a date"),
        ("2024-01-31\n", "is not a date"),
    ],
)
def test_dates_must_be_calendar_dates_written_yyyy_mm_dd(value, fragment):
    found = problems([{"table_name": "a", "incremental_column": "d", "extraction_date": value}])
    assert any(fragment in p for p in found), found


def test_a_date_object_is_accepted_as_is():
    spec = parse_table_specs(
        [{"table_name": "a", "incremental_column": "d", "extraction_date": dt.date(2024, 2, 29)}],
        "t.yaml",
        "erp",
    )[0]
    assert spec.extraction_date == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("num_partitions", "4", "got '4' (write 4 without quotes)"),
        ("num_partitions", 2.5, "got 2.5"),
        ("fetch_size", True, "got True"),
        ("rows_per_file", -1, "got -1"),
    ],
)
def test_counts_are_whole_numbers_above_zero(key, value, fragment):
    found = problems([{"table_name": "a", "is_full_extract": True, key: value}])
    assert found == [f"t.json: table 'a' [{key}]: expected a whole number above 0, {fragment}"]


@pytest.mark.parametrize(
    "name",
    [
        '"; DROP TABLE x --',
        "a' OR '1'='1",
        "users; --",
        "`users`",
        "[users]",
        "id /* */",
        "a b",
        'x"y',
        '"a""b"',
        "a--",
        " ",
        "x" * 129,
    ],
)
@pytest.mark.parametrize("key", ["table_name", "schema_name", "split_column", "primary_key"])
def test_identifiers_that_could_carry_sql_are_refused(key, name):
    entry = {"table_name": "t", "is_full_extract": True, key: name}
    found = problems([entry])
    assert found, f"{name!r} was accepted as {key}"
    assert all("[" + key + "]" in p or "[table_name]" in p for p in found)


@pytest.mark.parametrize("name", ["orders", "ORDERS", "Order_Lines$2", "_tmp#1", '"Mixed Case"'])
def test_ordinary_and_quoted_identifiers_are_accepted(name):
    assert problems([{"table_name": name, "is_full_extract": True}]) == []


def test_a_broken_cursor_is_reported_once_not_twice():
    assert len(problems([{"table_name": "a", "incremental_column": "x; --"}])) == 1
    assert len(problems([{"table_name": "a", "incremental_colum": "x"}])) == 1
    found = problems([{"table_name": "a"}])
    assert found == [
        "t.json: table 'a' [incremental_column]: an incremental table needs a cursor column: "
        "set incremental_column, or set is_full_extract: true to copy the whole table"
    ]


def test_conflicting_strategy_keys_are_refused():
    found = problems(
        [
            {
                "table_name": "a",
                "incremental_column": "d",
                "extraction_date": "2024-01-31",
                "incremental_strategy": "watermark",
            },
            {"table_name": "b", "incremental_column": "d", "incremental_strategy": "dayly"},
        ]
    )
    assert "extraction_date implies the 'daily' strategy" in found[0]
    assert "got 'dayly' (did you mean 'daily'?)" in found[1]


def test_two_entries_writing_to_one_location_are_refused():
    found = problems(
        [
            {"table_name": "orders", "is_full_extract": True},
            {"table_name": "ORDERS", "schema_name": "old", "is_full_extract": True},
        ]
    )
    assert found == [
        "t.json: table 'ORDERS' [table_name]: writes to the same output location as another "
        "entry (erp/orders); give one of them a different source_name"
    ]


def test_source_name_comes_from_the_entry_or_the_default():
    assert "[source_name]: is required" in problems([{"table_name": "a"}], None)[0]
    found = problems([{"table_name": "a", "is_full_extract": True, "source_name": "../x"}])
    assert found == ["t.json: table 'a' [source_name]: '../x' cannot be a folder name: "
                     "use letters, digits, _, -, ."]  # fmt: skip


@pytest.mark.parametrize("value", ["2 fortnights", "-5", "soon", True, "nan", "sNaN", "inf"])
def test_bad_lookbacks_are_refused(value):
    with pytest.raises(ValueError):
        parse_lookback(value)


def test_did_you_mean_suggests_only_close_words():
    assert did_you_mean("tabel_name", ["table_name", "schema_name"]) == (
        " (did you mean 'table_name'?)"
    )
    assert did_you_mean("zzz", ["table_name"]) == ""


# -- the file formats -------------------------------------------------------------------


def test_yaml_keeps_yes_no_and_dates_as_written():
    raw, repeated = parse_yaml(
        "tables:\n  - source_name: no\n    is_full_extract: yes\n    extraction_date: 2024-02-30\n",
        "t.yaml",
    )
    assert repeated == []
    assert raw["tables"][0] == {
        "source_name": "no",
        "is_full_extract": "yes",
        "extraction_date": "2024-02-30",
    }
    raw, _ = parse_yaml("a: true\nb: False\n", "t.yaml")
    assert raw == {"a": True, "b": False}


def test_keys_written_twice_are_reported_with_yaml_lines():
    _, repeated = parse_yaml("tables:\n  - table_name: a\n    table_name: b\n", "t.yaml")
    assert [str(p) for p in repeated] == [
        "t.yaml:3 [table_name]: is written twice in one table; keep only one"
    ]
    _, repeated = parse_json('{"tables": [{"table_name": "a", "table_name": "b"}]}', "t.json")
    assert [str(p) for p in repeated] == [
        "t.json [table_name]: is written twice in one object; keep only one"
    ]


def test_yaml_merge_keys_are_not_repeats():
    text = "base: &b\n  schema_name: s\ntables:\n  - <<: *b\n    schema_name: t\n"
    _, repeated = parse_yaml(text, "t.yaml")
    assert repeated == []


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("t.json", '{"tables": [\n  {"table_name": "a",}\n]}', "t.json:2: not valid JSON"),
        ("t.yaml", "tables:\n  - a: 1\n   b: 2\n", "t.yaml:3: not valid YAML"),
        ("t.yaml", "tables:\n\t- a: 1\n", "never tabs"),
        ("t.yml", "tables: [\n", "not valid YAML"),
    ],
)
def test_syntax_errors_name_the_line(tmp_path: Path, name, text, fragment):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_tables(path, "erp")
    assert fragment in str(caught.value)


def test_unreadable_files_are_bad_input(tmp_path: Path):
    with pytest.raises(InputError, match="cannot read tables file: No such file"):
        load_tables(tmp_path / "none.json", "erp")
    (tmp_path / "latin1.json").write_bytes(b'{"tables": [{"table_name": "caf\xe9"}]}')
    with pytest.raises(InputError, match="is not UTF-8 text"):
        load_tables(tmp_path / "latin1.json", "erp")


def test_file_problems_and_table_problems_come_together(tmp_path: Path):
    path = tmp_path / "t.json"
    path.write_text('{"tables": [{"table_name": "a", "table_name": "b"}]}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_tables(path, "erp")
    assert [p.key for p in caught.value.problems] == ["table_name", "incremental_column"]


def test_flashback_takes_an_scn_or_a_timestamp():
    specs = parse_table_specs(
        [
            {"table_name": "a", "is_full_extract": True, "flashback": 123456},
            {"table_name": "b", "is_full_extract": True, "flashback": "2024-05-01 06:00:00"},
        ],
        "t.json",
        "erp",
    )
    assert [s.flashback for s in specs] == ["123456", "2024-05-01 06:00:00"]
    [message] = problems([{"table_name": "c", "is_full_extract": True, "flashback": "yesterday"}])
    assert "[flashback]" in message and "SCN" in message


def test_a_quoted_name_and_its_folder_twin_share_an_output_location():
    found = problems(
        [
            {"table_name": '"Order Lines"', "is_full_extract": True},
            {"table_name": "Order_Lines", "is_full_extract": True},
        ]
    )
    assert len(found) == 1 and "same output location" in found[0], found


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("2024-01-31", dt.date(2024, 1, 31)),
        ("2024-01-31 06:00:00", dt.datetime(2024, 1, 31, 6)),
        ("2024-01-31T06:00+02:00", dt.datetime(2024, 1, 31, 4, tzinfo=dt.UTC)),
        (1000, 1000),
        ("12.5", Decimal("12.5")),
    ],
)
def test_initial_watermark_is_typed_like_the_cursor(written, value):
    entry = {"table_name": "a", "incremental_column": "c", "initial_watermark": written}
    [spec] = parse_table_specs([entry], "t.json", "erp")
    assert spec.initial_watermark == value
    assert type(spec.initial_watermark) is type(value)


def test_bad_initial_watermarks_name_table_and_key():
    found = problems(
        [
            {"table_name": "a", "incremental_column": "c", "initial_watermark": "yesterday"},
            {"table_name": "b", "incremental_column": "c", "initial_watermark": "2024-02-30"},
            {
                "table_name": "d",
                "incremental_column": "c",
                "incremental_strategy": "daily",
                "initial_watermark": "2024-02-01 06:00",
            },
        ]
    )
    assert len(found) == 3
    assert all("initial_watermark" in p for p in found)
    assert "table 'a'" in found[0] and "table 'b'" in found[1] and "table 'd'" in found[2]


def test_the_configs_initial_watermark_is_the_default_for_tables_without_one():
    entries = [
        {"table_name": "a", "incremental_column": "c"},
        {"table_name": "b", "incremental_column": "c", "initial_watermark": 7},
    ]
    a, b = parse_table_specs(entries, "t.json", "erp", default_initial="2024-01-01")
    assert (a.initial_watermark, b.initial_watermark) == (dt.date(2024, 1, 1), 7)


def test_unended_days_are_refused_with_the_zone_named():
    [spec] = parse_table_specs(
        [{"table_name": "a", "incremental_column": "c", "extraction_date": "2024-03-02"}],
        "t.json",
        "erp",
    )
    assert unended_days([spec], "t.json", dt.date(2024, 3, 3), "UTC") == []
    [problem] = unended_days([spec], "t.json", dt.date(2024, 3, 2), "Europe/Paris")
    assert "t.json: table 'a'" in str(problem) and "extraction_date" in str(problem)
    assert "Europe/Paris" in str(problem)


@pytest.mark.parametrize("bad", INJECTIONS)
@pytest.mark.parametrize("key", ["table_name", "schema_name", "incremental_column", "split_column"])
def test_tables_file_rejects_injection_in_names(bad, key):
    # Once for every database: the check is the tables file's, before any dialect quotes.
    entry = {"table_name": "events", "is_full_extract": True, key: bad}
    with pytest.raises(InputError) as caught:
        parse_table_specs([entry], "tables.json", "src")
    assert [p.key for p in caught.value.problems] == [key]
