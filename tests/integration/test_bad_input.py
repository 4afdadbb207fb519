"""Every malformed input of tests/data/bad/ is refused with exit code 2, a message, and no write.

Each case folder holds the files it needs (config.ini, tables.json / tables.yaml), an
optional args.txt (extra command-line arguments; @CASE@ is the case folder) and
expected.txt: message fragments, one per line, that must all appear in the output.
`@LAKE@` in a config stands for an output folder inside the test's tmp_path.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from data_extractor.adapters.spark_session import LocalSparkSessionProvider
from tests.conftest import PG_JAR, pg_config, write_config
from tests.helpers import run_cli, write_tables

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
COMMANDS = ("run", "validate")

# Cases that wait for a feature still being built; each must fail until it lands (strict xfail),
# so it turns green by itself and then forces its removal from this list.
PENDING_LOCATION_CASES: tuple[str, ...] = ()


def _params() -> list:
    params = []
    for case in CASES:
        marks = []
        if case in PENDING_LOCATION_CASES:
            marks.append(
                pytest.mark.xfail(strict=True, reason="StorageLocation.parse not there yet")
            )
        params += [
            pytest.param(case, command, marks=marks, id=f"{case}-{command}") for command in COMMANDS
        ]
    return params


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    for case in CASES:
        assert (CORPUS / case / "expected.txt").read_text(encoding="utf-8").strip(), case


def _prepare_case(case: str, tmp_path: Path) -> tuple[Path, list[str]]:
    """The case copied under tmp_path with @LAKE@ filled in, and its command-line arguments."""
    folder = tmp_path / "case"
    shutil.copytree(CORPUS / case, folder)
    config = folder / "config.ini"
    if config.exists():
        data = config.read_bytes().replace(b"@LAKE@", str(tmp_path / "lake").encode())
        config.write_bytes(data)
    args = []
    if config.exists():
        args += ["--config", str(config)]
    tables = [p for p in folder.iterdir() if p.stem == "tables"]
    args += ["--tables", str(tables[0] if tables else folder / "tables.json")]
    extra = folder / "args.txt"
    if extra.exists():
        args += shlex.split(extra.read_text(encoding="utf-8").replace("@CASE@", str(folder)))
    return folder, args


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def no_spark(monkeypatch):
    """Fail the test if the CLI asks for a SparkSession."""

    def refuse(self):
        raise AssertionError("bad input must be refused before Spark is started")

    monkeypatch.setattr(LocalSparkSessionProvider, "get", refuse)


@pytest.mark.parametrize(("case", "command"), _params())
def test_bad_input_is_refused(case, command, tmp_path, monkeypatch, no_spark):
    for name in [n for n in os.environ if n.startswith("DE_BADINPUT_")]:
        monkeypatch.delenv(name)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # a relative output path would land here
    folder, args = _prepare_case(case, tmp_path)
    before = _tree(tmp_path)

    result = run_cli(command, *args)

    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    for fragment in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
        if fragment.strip():
            assert fragment in result.stderr, f"{fragment!r} not in:\n{output}"
    assert "nothing was read or written" in result.stderr
    assert _tree(tmp_path) == before, "bad input must not write anything"


def test_good_input_passes_validate_without_spark_or_writes(tmp_path, no_spark):
    config = pg_config(tmp_path)
    tables = write_tables(
        tmp_path / "tables.json",
        [
            {"table_name": "orders", "incremental_column": "updated_at"},
            {"table_name": "customers", "is_full_extract": True},
        ],
    )
    result = run_cli("validate", "--config", str(config), "--tables", str(tables))
    assert result.exit_code == 0, result.output
    assert result.stdout == "config and tables are valid: 2 tables\n"
    assert not (tmp_path / "lake").exists()


@pytest.mark.integration
def test_validate_connect_names_missing_tables_and_columns(pg_admin, pg_schema, spark, tmp_path):
    pg_admin.execute(f'CREATE TABLE "{pg_schema}".customers (id int, updated_at timestamp)')
    config = pg_config(tmp_path)
    good = {"table_name": "customers", "schema_name": pg_schema, "incremental_column": "updated_at"}
    tables = write_tables(
        tmp_path / "tables.json",
        [
            good,
            {**good, "source_name": "other", "incremental_column": "changed_at"},
            {"table_name": "missing", "schema_name": pg_schema, "is_full_extract": True},
        ],
    )
    result = run_cli("validate", "--config", str(config), "--tables", str(tables), "--connect")
    assert result.exit_code == 2, result.output
    assert (
        "table 'other/customers': column changed_at not found; its columns are id, updated_at"
        in (result.stderr)
    )
    assert "table 'pg/missing': cannot query it:" in result.stderr
    assert "does not exist" in result.stderr
    assert "pg/customers" not in result.stderr
    assert "Traceback" not in result.output

    write_tables(tmp_path / "tables.json", [good])
    result = run_cli("validate", "--config", str(config), "--tables", str(tables), "--connect")
    assert result.exit_code == 0, result.output
    assert "connected to the source: every table and column was found" in result.stdout
    assert not (tmp_path / "lake").exists()


@pytest.mark.integration
def test_validate_connect_to_an_unreachable_source_is_a_runtime_fault(spark, tmp_path):
    config = write_config(
        tmp_path / "config.ini",
        {
            "database": {
                "type": "postgresql",
                "host": "127.0.0.1",
                "port": 1,  # nothing listens there
                "database": "postgres",
                "user": "postgres",
                "driver_jars": PG_JAR,
            },
            "extraction": {"output_base_path": tmp_path / "lake", "default_source": "pg"},
        },
    )
    tables = write_tables(tmp_path / "t.json", [{"table_name": "t", "is_full_extract": True}])
    result = run_cli("validate", "--config", str(config), "--tables", str(tables), "--connect")
    assert result.exit_code == 1, result.output  # the environment failed, not the input
    assert "cannot reach the source" in result.stderr
    assert "Connection refused" in result.stderr
    assert "table 'pg/t'" not in result.stderr  # the tables were never looked at
    assert "Traceback" not in result.output
