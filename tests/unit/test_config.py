"""Config validation: every problem names file, line, section and key, and says what to do."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from data_extractor.adapters.secrets import Redactor
from data_extractor.domain.errors import InputError
from data_extractor.entrypoints.bootstrap import inspect_inputs
from data_extractor.entrypoints.config import collect_config, load_config
from data_extractor.entrypoints.config_checks import location_problem, parse_byte_size
from data_extractor.entrypoints.ini_reader import ini_lines, parse_ini
from data_extractor.entrypoints.logs import setup_logging
from data_extractor.entrypoints.validate import run_id_problems

GOOD = """[database]
type = postgresql
host = db
user = app

[extraction]
output_base_path = /lake
default_source = erp
"""


def config_problems(tmp_path: Path, text: str, environ=None, flags=None) -> list[str]:
    """The problems collect_config finds in a config file with this text."""
    path = tmp_path / "c.ini"
    path.write_text(text, encoding="utf-8")
    loaded = collect_config(path, flags or {}, environ or {})
    return [str(p).replace(f"{tmp_path}/", "") for p in loaded.problems]


def test_a_good_config_has_no_problems(tmp_path):
    assert config_problems(tmp_path, GOOD) == []
    values = load_config(tmp_path / "c.ini", {}, {})
    assert values["database"]["host"] == "db"


def test_ini_lines_finds_first_lines_and_repeats():
    lines, repeats = ini_lines("# c\n[a]\nx = 1\n  continued\ny: 2\n[b]\nx = 3\n[a]\nx = 4\n")
    assert lines[("a", None)] == 2
    assert lines[("a", "x")] == 9  # the value in effect is the last one
    assert lines[("a", "y")] == 5
    assert lines[("b", "x")] == 7
    assert repeats == [("a", None, 8, 2), ("a", "x", 9, 3)]


def test_unknown_keys_and_sections_name_the_line_and_suggest_the_fix(tmp_path):
    text = GOOD + "max_worker = 2\n\n[extration]\nx = 1\n\n[DEFAULT]\nhost = x\n"
    assert config_problems(tmp_path, text) == [
        "c.ini:9 [extraction] [max_worker]: unknown key (did you mean 'max_workers'?)",
        "c.ini:11 [extration]: unknown section (did you mean 'extraction'?)",
        "c.ini:14 [DEFAULT]: unknown section",
    ]


def test_every_syntax_problem_and_every_repeat_is_reported_with_its_line(tmp_path):
    text = GOOD.replace("host = db\n", "host = db\nhost = db2\nnot a line\n") + "timezone = X\n"
    text += "[database]\nport = 1\n"
    found = config_problems(tmp_path, text)
    assert found[:3] == [
        "c.ini:4 [database] [host]: is set twice (first on line 3); keep only one of them",
        "c.ini:12 [database]: section appears twice (first on line 1); merge the two into one",
        "c.ini:5: cannot read 'not a line': write 'key = value', a [section] header or a # comment",
    ]
    assert "c.ini:11 [extraction] [timezone]: unknown time zone 'X'" in found[3]


def test_a_key_before_any_section(tmp_path):
    found = config_problems(tmp_path, "type = postgresql\n" + GOOD)
    assert found == [
        "c.ini:1: 'type = postgresql' comes before any section header; "
        "start the file with a header such as [database]"
    ]


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("max_workers = 0", "c.ini:7 [extraction] [max_workers]: must be at least 1, got 0"),
        ("max_workers = -1", "[max_workers]: must be at least 1, got -1"),
        ("max_workers = many", "[max_workers]: expected a whole number, got 'many'"),
        ("retry_backoff_seconds = -1", "[retry_backoff_seconds]: must not be negative"),
        ("output_format = csv", "'csv' is not one of parquet, delta"),
        ("output_base_path = ftp://h/x", "[output_base_path]: 'ftp://h/x': unknown scheme 'ftp:'"),
        ("output_base_path = dbfs:/dbfs/x", "mixes the dbfs:/ and /dbfs/ forms"),
        ("state_path = s3a://", "[state_path]: 's3a://'"),
        ("output_base_path =", "[output_base_path]: must not be empty"),
    ],
)
def test_values_are_checked(tmp_path, line, fragment):
    found = config_problems(tmp_path, GOOD.replace("output_base_path = /lake", line))
    assert len(found) == 1 and fragment in found[0], found


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("mongodb", "'mongodb' is not a supported database type; use one of "),
        ("postgress", "(did you mean"),
        ("", "is required: one of "),
    ],
)
def test_the_database_type_must_have_a_dialect(tmp_path, value, fragment):
    found = config_problems(tmp_path, GOOD.replace("type = postgresql", f"type = {value}"))
    assert len(found) == 1 and fragment in found[0], found
    assert "c.ini" in found[0]


@pytest.mark.parametrize("value", ["postgresql", "postgres", "pg", "PostgreSQL", "derby"])
def test_known_database_types_and_aliases_pass(tmp_path, value):
    assert config_problems(tmp_path, GOOD.replace("postgresql", value)) == []


def test_environment_references_name_what_is_missing(tmp_path):
    text = GOOD + "timezone = ${TZ_X}\nstate_path = ${ST:/state}\n[spark]\napp_name = ${A\n"
    assert config_problems(tmp_path, text, environ={"TZ_X": "UTC"}) == [
        "c.ini:12 [spark] [app_name]: a ${...} reference is malformed; "
        "write ${NAME} or ${NAME:default}"
    ]
    found = config_problems(tmp_path, GOOD.replace("host = db", "host = ${H1}.${H2}"))
    assert found == [
        "c.ini:3 [database] [host]: environment variables H1, H2 are not set "
        "(export it, or write ${H1:default} to give a default)"
    ]


def test_a_missing_user_file_is_the_only_problem_reported(tmp_path):
    loaded = collect_config(tmp_path / "none.ini", {}, {})
    assert [str(p) for p in loaded.problems] == [
        f"{tmp_path}/none.ini: cannot read config: No such file or directory"
    ]
    assert not loaded.readable


def test_required_keys_point_at_the_users_file(tmp_path):
    found = config_problems(tmp_path, "[extraction]\noutput_base_path = /x\n")
    assert len(found) == 1
    assert found[0].startswith("c.ini [database] [type]: is required: one of ")
    assert "postgresql" in found[0]
    assert collect_config(None, {}, {}).problems[0].where == "config (no --config given) [database]"


def test_flags_override_and_are_named_as_the_command_line(tmp_path):
    found = config_problems(tmp_path, GOOD, flags={"extraction": {"max_workers": "0"}})
    assert found == ["command line [extraction] [max_workers]: must be at least 1, got 0"]


def test_legacy_keys_still_work(tmp_path):
    text = "[database]\noracle_host = db\noracle_port = 1521\n[extraction]\nmax_workers = 2\n"
    (tmp_path / "c.ini").write_text(text, encoding="utf-8")
    values = load_config(tmp_path / "c.ini", {}, {})
    assert values["database"]["type"] == "oracle"
    assert values["database"]["port"] == "1521"


def test_load_config_raises_every_problem(tmp_path):
    (tmp_path / "c.ini").write_text(GOOD + "max_worker = 1\nfoo = 2\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(tmp_path / "c.ini", {}, {})
    assert [p.key for p in caught.value.problems] == ["max_worker", "foo"]


def test_parse_ini_keeps_what_it_could_read(tmp_path):
    layer, found = parse_ini("[a]\nx = 1\nbroken\n[b]\ny = 2\n", "f.ini")
    assert layer.values == {"a": {"x": "1"}, "b": {"y": "2"}}
    assert [p.where for p in found] == ["f.ini:3"]


@pytest.mark.parametrize(
    ("path", "platform", "ok"),
    [
        ("./data", "local", True),
        ("s3a://bucket/x", "local", True),
        ("/Volumes/c/s/v/x", "local", True),
        ("ftp://h/x", "local", False),
        ("./data", "databricks", False),
    ],
)
def test_location_problem(path, platform, ok):
    assert (location_problem(path, platform) is None) is ok


# -- config, tables, secrets and wiring together (validate and run) --------------------


def write_inputs(tmp_path: Path, config: str, tables: list) -> tuple[Path, Path]:
    """A config file and a tables file."""
    (tmp_path / "c.ini").write_text(config, encoding="utf-8")
    (tmp_path / "t.json").write_text(json.dumps({"tables": tables}), encoding="utf-8")
    return tmp_path / "c.ini", tmp_path / "t.json"


def test_config_and_table_problems_are_reported_together(tmp_path):
    config, tables = write_inputs(tmp_path, GOOD + "max_worker = 1\n", [{"table_name": "a"}])
    inputs = inspect_inputs(config, tables, {}, {}, Redactor())
    assert [p.key for p in inputs.problems] == ["max_worker", "incremental_column"]
    assert inputs.container is None


def test_every_missing_secret_is_named_with_its_key(tmp_path, monkeypatch):
    monkeypatch.delenv("DE_UNIT_USER", raising=False)
    monkeypatch.delenv("DE_UNIT_PASSWORD", raising=False)
    text = GOOD.replace("user = app", "user = env:DE_UNIT_USER\npassword = env:DE_UNIT_PASSWORD")
    config, tables = write_inputs(tmp_path, text, [{"table_name": "a"}])
    found = [str(p) for p in inspect_inputs(config, tables, {}, {}, Redactor()).problems]
    assert len(found) == 3
    assert found[0].endswith("[incremental_column]: an incremental table needs a cursor column: "
                             "set incremental_column, or set is_full_extract: true to copy the "
                             "whole table")  # fmt: skip
    assert "c.ini:4 [database] [user]: secret env:DE_UNIT_USER is not set" in found[1]
    assert "c.ini:5 [database] [password]: secret env:DE_UNIT_PASSWORD is not set" in found[2]


def test_valid_inputs_wire_a_container_and_resolve_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("DE_UNIT_PASSWORD", "s3cret-value")
    text = GOOD + "[runtime]\nplatform = local\n"
    text = text.replace("user = app", "user = app\npassword = env:DE_UNIT_PASSWORD")
    config, tables = write_inputs(tmp_path, text, [{"table_name": "a", "is_full_extract": True}])
    redactor = Redactor()
    inputs = inspect_inputs(config, tables, {}, {}, redactor)
    assert inputs.problems == ()
    assert len(inputs.specs) == 1 and inputs.container is not None
    assert redactor.redact("pw=s3cret-value") == "pw=***"


def test_run_ids_are_checked_like_a_run_checks_them():
    assert run_id_problems(None) == []
    assert run_id_problems("nightly_2024-01-31") == []
    assert "cannot be a file name" in str(run_id_problems("../x")[0])


@pytest.mark.parametrize("value", ["text", "json", "JSON"])
def test_log_format_is_text_or_json(tmp_path, value):
    assert config_problems(tmp_path, GOOD + f"[runtime]\nlog_format = {value}\n") == []
    found = config_problems(tmp_path, GOOD + "[runtime]\nlog_format = jsn\n")
    assert found == ["c.ini:10 [runtime] [log_format]: 'jsn' is not one of text, json "
                     "(did you mean 'json'?)"]  # fmt: skip


@pytest.fixture
def restore_logging():
    """Put the tool's logger back as it was (setup_logging replaces its handlers)."""
    logger = logging.getLogger("data_extractor")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers, logger.level, logger.propagate = saved[0], saved[1], saved[2]


def test_json_log_lines_are_redacted(capsys, restore_logging):
    redactor = Redactor()
    redactor.add("hunter2-pw")
    setup_logging(redactor, "info", "json")
    log = logging.getLogger("data_extractor.test")
    log.info("connecting with %s", "hunter2-pw")
    try:
        raise ValueError("password=hunter2-pw")
    except ValueError:
        log.exception("failed")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["message"] for line in lines] == ["connecting with ***", "failed"]
    assert lines[0]["level"] == "INFO" and lines[0]["logger"] == "data_extractor.test"
    assert "ValueError: password=***" in lines[1]["exception"]
    assert "hunter2" not in json.dumps(lines)


def test_oracle_number_mapping_and_snapshot_settings_are_checked(tmp_path):
    good = GOOD + "rows_per_partition = 5000\nconsistent_snapshot = true\n"
    assert config_problems(tmp_path, good) == []
    assert (
        config_problems(tmp_path, GOOD.replace("user = app", "user = app\nnumber_mapping = string"))
        == []
    )
    bad = config_problems(
        tmp_path, GOOD.replace("user = app", "user = app\nnumber_mapping = float")
    )
    assert len(bad) == 1 and "[number_mapping]" in bad[0] and "decimal(38,18)" in bad[0]
    wrong = config_problems(tmp_path, GOOD + "consistent_snapshot = sometimes\n")
    assert len(wrong) == 1 and "[consistent_snapshot]" in wrong[0]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("134217728", 134217728),
        ("128MB", 128 * 2**20),
        ("128M", 128 * 2**20),
        ("1gb", 2**30),
        ("512 KB", 512 * 2**10),
        ("4096B", 4096),
    ],
)
def test_byte_sizes_take_binary_units(text, size):
    assert parse_byte_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "12 TB", "1.5GB", "-1MB", "lots"])
def test_a_bad_byte_size_says_what_is_expected(text):
    with pytest.raises(ValueError, match="expected a size such as 128MB"):
        parse_byte_size(text)


# -- inline comments and byte-order marks ----------------------------------------------


def test_inline_comments_after_whitespace_are_not_part_of_values(tmp_path):
    text = (
        "[database]  ; the source\n"
        "type = postgresql   ; or oracle\n"
        "host = 127.0.0.1  ; primary\n"
        "url = jdbc:sqlserver://h:1433;databaseName=x#y\n"
        "user = app\t# the reader\n"
        "[extraction]\n"
        "output_base_path = /lake # raw zone\n"
        "max_workers = 4 ; tables at once\n"
    )
    (tmp_path / "c.ini").write_text(text, encoding="utf-8")
    database = load_config(tmp_path / "c.ini", {}, {})["database"]
    assert database["host"] == "127.0.0.1"
    assert database["type"] == "postgresql" and database["user"] == "app"
    assert database["url"] == "jdbc:sqlserver://h:1433;databaseName=x#y"  # no space: kept


def test_a_bad_value_with_an_inline_comment_names_its_line_without_the_comment(tmp_path):
    found = config_problems(tmp_path, GOOD + "max_workers = many   ; tables at once\n")
    assert found == ["c.ini:9 [extraction] [max_workers]: expected a whole number, got 'many'"]


def test_a_config_with_a_utf8_bom_is_read(tmp_path):
    (tmp_path / "c.ini").write_text("\ufeff" + GOOD, encoding="utf-8")
    assert collect_config(tmp_path / "c.ini", {}, {}).problems == ()
