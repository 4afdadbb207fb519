"""Every command through the real CLI, bootstrap and container, with fakes for the source and
the writer (no Spark): real state files and manifests in tmp_path.

The container's source, writer, session and clock are overridden on the Container class for
the test (the bootstrap builds its own instance, which inherits the overrides); everything else
is the production wiring.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from dependency_injector import providers

from data_extractor.adapters.local_fs import LocalFileSystem
from data_extractor.adapters.storage import HadoopManifestStore
from data_extractor.core import DataExtractor
from data_extractor.domain.errors import InputError
from data_extractor.domain.model import ExtractionTask, Manifest, TableSpec, WriteStats
from data_extractor.entrypoints.cli import cli
from data_extractor.entrypoints.container import Container
from tests.fakes import FakeClock, FakeSource, FakeWriter

UTC = dt.UTC
DAY_ONE = dt.datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
CUSTOMERS, ORDERS = "shop/CUSTOMERS", "shop/ORDERS"


class CheckedSource(FakeSource):
    """The fake source, with the checks `validate` and the bootstrap ask a real reader for."""

    def options(self) -> dict[str, str]:
        """A JDBC URL stand-in (the wiring check builds it)."""
        return {"url": "jdbc:fake://db.example/shop"}

    def relation(self, spec: TableSpec) -> str:
        """The table's SQL stand-in (the wiring check writes it for every table)."""
        return spec.key

    def check_connection(self) -> str | None:
        """Reachable."""
        return None

    def check_table(self, spec: TableSpec) -> str | None:
        """A table the source does not hold is named."""
        return None if spec.key in self.tables else f"table {spec.table_name} does not exist"


class ParquetWriter(FakeWriter):
    """The fake writer, leaving a real Parquet file per output so `verify` reads footers."""

    def write(self, dataset: list[dict], task: ExtractionTask) -> WriteStats:
        """Rows kept in memory and written to `part-0.parquet` in the run directory."""
        stats = super().write(dataset, task)
        folder = Path(task.output_path)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(list(dataset)), folder / "part-0.parquet")
        return attrs.evolve(stats, files=1)


class ManifestsThatFailAfterWrite(HadoopManifestStore):
    """The real manifest store, failing right after a chosen table's manifest is written: the
    state then holds a pending commit whose manifest exists (a crash between the two)."""

    def __init__(self, fail_table: str) -> None:
        super().__init__(LocalFileSystem())
        self.fail_table = fail_table

    def write(self, manifest: Manifest, directory: str | None = None) -> None:
        """Write, then fail for the chosen table."""
        super().write(manifest, directory)
        if manifest.table == self.fail_table:
            raise OSError("the machine went away after the manifest")


class FakeSessions:
    """A session provider that never starts Spark; counts stops."""

    stops = 0

    def get(self) -> str:
        """No session: the fakes need none."""
        return "no-spark"

    def stop(self) -> None:
        """Counted, so the test sees the bootstrap shut its resources down."""
        FakeSessions.stops += 1


@attrs.define
class World:
    """The fakes behind the container, and the files a user would write."""

    source: CheckedSource
    writer: ParquetWriter
    clock: FakeClock
    config: Path
    tables: Path
    lake: Path

    def invoke(self, *args: str, input: str | None = None) -> Result:
        """Run `data-extractor ARGS` in-process."""
        return CliRunner().invoke(cli, list(args), input=input)

    def files(self) -> list[str]:
        """--config and --tables, for the commands that take both."""
        return ["--config", str(self.config), "--tables", str(self.tables)]

    def add_orders(self, first: int, count: int, at: dt.datetime) -> None:
        """New orders, updated at `at`."""
        rows = self.source.tables[ORDERS]
        rows += [{"ORDER_ID": i, "UPDATED_AT": at} for i in range(first, first + count)]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A config, a tables file, fakes for the source and writer; state and manifests real."""
    lake = tmp_path / "lake"
    config = tmp_path / "config.ini"
    config.write_text(
        "[database]\ntype = postgresql\nhost = db.example\ndatabase = shop\n\n"
        f"[extraction]\noutput_base_path = {lake}\ndefault_source = shop\nmax_workers = 2\n",
        encoding="utf-8",
    )
    tables = tmp_path / "tables.json"
    entries = [
        {"table_name": "CUSTOMERS", "schema_name": "APP", "is_full_extract": True},
        {
            "table_name": "ORDERS",
            "schema_name": "APP",
            "incremental_column": "UPDATED_AT",
            "primary_key": "ORDER_ID",
        },
    ]
    tables.write_text(json.dumps({"tables": entries}), encoding="utf-8")
    source = CheckedSource()
    source.tables[CUSTOMERS] = [{"ID": 1, "NAME": "Ada"}, {"ID": 2, "NAME": "Grace"}]
    source.tables[ORDERS] = []
    world = World(source, ParquetWriter(), FakeClock(DAY_ONE), config, tables, lake)
    world.add_orders(1, 3, dt.datetime(2025, 3, 9, 8, 0))
    FakeSessions.stops = 0
    with (
        Container.reader.override(providers.Object(source)),
        Container.writer.override(providers.Object(world.writer)),
        Container.clock.override(providers.Object(world.clock)),
        Container.session_provider.override(providers.Resource(_sessions)),
    ):
        yield world


def _sessions() -> Iterator[FakeSessions]:
    """The session resource as the container has it: stopped on shutdown."""
    sessions = FakeSessions()
    yield sessions
    sessions.stop()


def _json(result: Result) -> dict:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _tasks(plan: dict) -> dict[str, tuple[str, dict | None]]:
    return {t["table"]: (t["output_path"], t["window"]) for t in plan["tasks"]}


def _ran(report: dict) -> dict[str, tuple[str, dict | None]]:
    return {
        r["table"]: (r["output_path"], r["window"])
        for r in report["tables"]
        if r["status"] == "succeeded"
    }


def test_run_extracts_commits_and_writes_its_report(world: World):
    result = world.invoke("run", *world.files(), "--run-id", "first", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [r["table"] for r in report["tables"]] == [CUSTOMERS, ORDERS]
    assert {r["status"] for r in report["tables"]} == {"succeeded"}
    assert (world.lake / "_runs" / "first" / "run_report.json").exists()
    orders = world.lake / "shop" / "ORDERS" / "202503" / "10" / "first.parquet"
    assert (orders / "_manifest.json").exists()
    assert FakeSessions.stops == 1, "the bootstrap shuts the session resource down"


def test_run_quiet_verbose_and_json_logs_are_options(world: World):
    quiet = world.invoke("run", *world.files(), "--quiet")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == "", "warnings and errors only"
    verbose = world.invoke("run", *world.files(), "--verbose", "--log-format", "json")
    assert verbose.exit_code == 0, verbose.output
    lines = [json.loads(line) for line in verbose.stderr.splitlines()]
    assert lines and all(line["logger"].startswith("data_extractor") for line in lines)
    assert logging.getLogger("data_extractor").level == logging.DEBUG
    both = world.invoke("run", *world.files(), "--quiet", "--verbose")
    assert both.exit_code == 2
    assert "choose one of the two" in both.stderr


def test_plan_is_what_run_executes(world: World):
    world.invoke("run", *world.files(), "--run-id", "first")
    world.add_orders(10, 2, dt.datetime(2025, 3, 10, 9, 0))
    world.clock.current = DAY_ONE + dt.timedelta(days=1)

    plan = _json(world.invoke("plan", *world.files(), "--run-id", "second", "--json"))
    report = _json(world.invoke("run", *world.files(), "--run-id", "second", "--json"))

    assert plan["run_date"] == "2025-03-11"
    lower = _tasks(plan)[ORDERS][1]["lower"]
    assert lower["value"].startswith("2025-03-09T08:00")
    ran = _ran(report)
    assert {k: v[0] for k, v in _tasks(plan).items()} == {k: v[0] for k, v in ran.items()}
    assert ran[ORDERS][1]["lower"] == lower


def test_plan_after_a_crash_between_manifest_and_state_shows_the_settled_window(
    world: World,
):
    world.invoke("run", *world.files(), "--run-id", "first")
    world.add_orders(10, 2, dt.datetime(2025, 3, 10, 9, 0))
    with Container.manifests.override(providers.Object(ManifestsThatFailAfterWrite(ORDERS))):
        crashed = world.invoke("run", *world.files(), "--run-id", "second", "--json")
    assert crashed.exit_code == 1
    shown = _json(world.invoke("state", "show", "--config", str(world.config), "--json"))
    assert shown[ORDERS]["pending"] is not None, "the crash left a write in flight"
    world.add_orders(20, 1, dt.datetime(2025, 3, 10, 10, 0))

    plan = _json(world.invoke("plan", *world.files(), "--run-id", "third", "--json"))
    report = _json(world.invoke("run", *world.files(), "--run-id", "third", "--json"))

    # Settled forward: the second run's rows are committed, the third reads after them.
    lower = _tasks(plan)[ORDERS][1]["lower"]
    assert lower["value"].startswith("2025-03-10T09:00")
    assert _ran(report)[ORDERS][1]["lower"] == lower
    assert _tasks(plan)[ORDERS][0] == _ran(report)[ORDERS][0]


def test_plan_of_a_rerun_on_a_later_day_keeps_the_runs_date(world: World):
    world.source.failures[ORDERS] = [OSError("source hiccup")]
    first = world.invoke("run", *world.files(), "--run-id", "nightly")
    assert first.exit_code == 1
    world.clock.current = DAY_ONE + dt.timedelta(days=3)

    plan = _json(world.invoke("plan", *world.files(), "--run-id", "nightly", "--json"))
    report = _json(world.invoke("run", *world.files(), "--run-id", "nightly", "--json"))

    assert plan["run_date"] == "2025-03-10", "the date the run recorded on its first use"
    assert [t["table"] for t in plan["tasks"]] == [ORDERS]
    assert [s["table"] for s in plan["skipped"]] == [CUSTOMERS]
    orders_path = _tasks(plan)[ORDERS][0]
    assert "/202503/10/nightly.parquet" in orders_path
    assert _ran(report)[ORDERS][0] == orders_path
    customers = [r for r in report["tables"] if r["table"] == CUSTOMERS][0]
    assert customers["status"] == "skipped", "committed on day one: not read twice"


def test_validate_checks_config_tables_and_with_connect_the_source(world: World):
    ok = world.invoke("validate", *world.files())
    assert ok.exit_code == 0, ok.output
    assert "config and tables are valid: 2 tables" in ok.stdout

    del world.source.tables[ORDERS]
    missing = world.invoke("validate", *world.files(), "--connect")
    assert missing.exit_code == 2
    assert f"{world.tables}: table '{ORDERS}'" in missing.stderr
    assert "does not exist" in missing.stderr


def test_validate_names_file_table_and_key_of_bad_input(world: World):
    world.tables.write_text(json.dumps({"tables": [{"table_name": "X", "mode": 1}]}))
    bad = world.invoke("validate", *world.files())
    assert bad.exit_code == 2
    assert str(world.tables) in bad.stderr
    assert "nothing was read or written" in bad.stderr


def test_engine_arrow_refuses_what_only_spark_can_read(world: World):
    """type = catalog, a Unity Catalog connection or a Connect server need a Spark session:
    with engine = arrow they are bad input before anything runs, naming file and key."""
    world.config.write_text(
        "[database]\ntype = catalog\ncatalog = fed\n\n"
        f"[extraction]\noutput_base_path = {world.lake}\ndefault_source = shop\n\n"
        "[spark]\nremote = sc://127.0.0.1:15002\n\n[runtime]\nengine = arrow\n",
        encoding="utf-8",
    )
    bad = world.invoke("validate", *world.files())
    assert bad.exit_code == 2, bad.output
    assert f"{world.config}:2 [database] [type]:" in bad.stderr
    assert f"{world.config}:10 [spark] [remote]:" in bad.stderr
    assert "engine = arrow" in bad.stderr
    ran = world.invoke("run", *world.files(), "--engine", "spark")  # the flag wins
    assert ran.exit_code == 0, ran.output


def test_state_show_and_reset(world: World):
    world.invoke("run", *world.files(), "--run-id", "first")
    config = ["--config", str(world.config)]

    shown = world.invoke("state", "show", *config)
    assert shown.exit_code == 0, shown.output
    assert f"{ORDERS}: watermark 2025-03-09T08:00:00" in shown.stdout
    assert "last run first" in shown.stdout
    as_json = _json(world.invoke("state", "show", *config, "--table", "ORDERS", "--json"))
    assert list(as_json) == [ORDERS]

    refused = world.invoke("state", "reset", *config, "--table", "ORDERS", input="n\n")
    assert refused.exit_code == 1  # click's Abort
    reset = world.invoke("state", "reset", *config, "--table", "ORDERS", "--yes")
    assert reset.exit_code == 0, reset.output
    assert reset.stdout == f"reset {ORDERS}\n"
    after = world.invoke("state", "show", *config)
    assert ORDERS not in after.stdout and CUSTOMERS in after.stdout
    assert world.invoke("state", "reset", *config, "--table", "nope").stdout == "nothing to reset\n"


def test_verify_reads_the_lake_against_the_state(world: World):
    world.invoke("run", *world.files(), "--run-id", "first")
    config = ["--config", str(world.config)]

    clean = world.invoke("verify", *config)
    assert clean.exit_code == 0, clean.output
    assert "2 tables, 2 committed outputs: no problems" in clean.stdout

    orders = world.lake / "shop" / "ORDERS" / "202503" / "10" / "first.parquet"
    (orders / "_manifest.json").unlink()
    broken = _json(world.invoke("verify", *config, "--json"))
    assert broken["exit_code"] == 1
    assert [p["table"] for p in broken["problems"]] == [ORDERS]


def test_verify_source_recounts_with_the_tables_file(world: World):
    needs_tables = world.invoke("verify", "--config", str(world.config), "--source")
    assert needs_tables.exit_code == 2
    assert "--source: needs --tables" in needs_tables.stderr


def test_init_writes_files_that_validate(world: World, tmp_path: Path):
    config, tables = tmp_path / "new.ini", tmp_path / "new.json"
    made = world.invoke(
        "init", "--source", "postgresql", "--config-out", str(config), "--tables-out", str(tables)
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.splitlines() == [f"wrote {config}", f"wrote {tables}"]
    again = world.invoke("init", "--config-out", str(config), "--tables-out", str(tables))
    assert again.exit_code == 2


# -- the Python API: the same bootstrap ------------------------------------------------------
def test_python_api_extracts_through_the_bootstrap_and_cleans_up(world: World):
    extractor = DataExtractor(config_path=world.config)
    entry = {"source_name": "shop", "table_name": "CUSTOMERS", "is_full_extract": True}

    assert extractor.extract_tables_parallel([entry], run_id="api") == {"CUSTOMERS": True}
    assert extractor.last_report is not None
    assert [r.table for r in extractor.last_report.results] == [CUSTOMERS]
    extractor.cleanup()
    assert FakeSessions.stops == 1


def test_python_api_checks_every_secret_and_the_wiring_before_reading(world: World, tmp_path):
    config = tmp_path / "oracle.ini"
    config.write_text(
        "[database]\ntype = oracle\nhost = db.example\n"
        "user = env:MISSING_USER\npassword = env:MISSING_PASSWORD\n"
        f"[extraction]\noutput_base_path = {world.lake}\n",
        encoding="utf-8",
    )
    extractor = DataExtractor(config_path=config, environ={})
    with pytest.raises(InputError) as missing:
        extractor.extract_tables_parallel([{"source_name": "hr", "table_name": "EMP"}])
    named = " ".join(str(p) for p in missing.value.problems)
    assert "MISSING_USER" in named and "MISSING_PASSWORD" in named

    with Container.reader.override(providers.Callable(_unwired_reader)):
        unwired = DataExtractor(config_path=world.config)
        with pytest.raises(InputError) as no_service:
            unwired.extract_tables_parallel([{"source_name": "hr", "table_name": "EMP"}])
    assert "no service" in str(no_service.value.problems[0])
    assert world.writer.outputs == {}


def _unwired_reader() -> CheckedSource:
    """A reader whose URL cannot be written, as an Oracle source without a service."""

    class Unwired(CheckedSource):
        def options(self) -> dict[str, str]:
            raise ValueError("an Oracle source needs a service, sid, tns or url: no service")

    return Unwired()
