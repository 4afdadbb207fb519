"""Retries of transient failures ride out a database restart of about a minute."""

from __future__ import annotations

import datetime as dt

from data_extractor.adapters.secrets import Redactor
from data_extractor.domain.errors import TransientSourceError
from data_extractor.domain.model import Status, Strategy, TableSpec
from data_extractor.entrypoints.container import build_container
from data_extractor.usecases.extract import RunRequest, extract
from data_extractor.usecases.extraction_service import ExtractionService, RunSettings
from tests.fakes import (
    FakeClock,
    FakeManifests,
    FakeSource,
    FakeStateStore,
    FakeWriter,
    RecordingProgress,
)

ORDERS = TableSpec("src", "orders", strategy=Strategy.FULL)


def service(settings: RunSettings) -> ExtractionService:
    source = FakeSource()
    source.tables = {ORDERS.key: [{"id": 1}]}
    clock = FakeClock(dt.datetime(2024, 3, 2, tzinfo=dt.UTC))
    return ExtractionService(
        source,
        FakeWriter(),
        FakeManifests(),
        FakeStateStore(),
        clock,
        RecordingProgress(),
        settings,
    )


def run(svc: ExtractionService):
    return extract(svc, [ORDERS], RunRequest("r1", dt.date(2024, 3, 2), "/lake", False))[1]


def test_the_default_backoff_waits_out_a_one_minute_restart():
    # Before: 3 attempts, sleeps of 2 and 4 s: a restart of a minute failed the table.
    svc = service(RunSettings())
    svc.reader.failures[ORDERS.key] = [TransientSourceError("Connection refused")] * 6
    report = run(svc)
    assert report.results[0].status is Status.SUCCEEDED
    assert report.results[0].attempts == 7
    assert svc.clock.slept == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert sum(svc.clock.slept) >= 60


def test_retry_backoff_max_seconds_caps_each_sleep():
    merged = {
        "database": {"type": "postgresql", "password": ""},
        "extraction": {
            "output_base_path": "/lake",
            "max_workers": "",
            "rows_per_file": "10",
            "lock_lease_seconds": "60",
            "retry_attempts": "5",
            "retry_backoff_seconds": "3",
            "retry_backoff_max_seconds": "5",
            "output_format": "parquet",
        },
        "spark": {},
        "runtime": {"platform": "local"},
    }
    settings = build_container(merged, Redactor()).run_settings()
    assert (settings.attempts, settings.backoff_seconds, settings.max_backoff_seconds) == (5, 3, 5)
    svc = service(settings)
    svc.reader.failures[ORDERS.key] = [TransientSourceError("timed out")] * 9
    report = run(svc)
    assert report.results[0].status is Status.FAILED
    assert svc.clock.slept == [3.0, 5.0, 5.0, 5.0]
