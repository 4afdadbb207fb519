"""Every fake and adapter has each method of the port it stands for, with the port's parameters.

The type checker covers src/; this covers the fakes (tests are not type-checked) and keeps
the adapters' declared ports honest at run time too.
"""

from __future__ import annotations

import inspect
from typing import Protocol

import pytest

from data_extractor.adapters.databricks import DatabricksSessionProvider
from data_extractor.adapters.session_provider import BorrowedSessions, SessionProvider
from data_extractor.adapters.spark_session import LocalSparkSessionProvider
from data_extractor.adapters.state import HadoopStateStore
from data_extractor.domain import ports
from tests.fakes import (
    FakeClock,
    FakeManifests,
    FakeSource,
    FakeStateStore,
    FakeWriter,
    RecordingProgress,
)

FAKES = [
    (FakeSource, ports.SourceReader),
    (FakeWriter, ports.DatasetWriter),
    (FakeManifests, ports.ManifestStore),
    (FakeStateStore, ports.StateStore),
    (FakeClock, ports.Clock),
    (RecordingProgress, ports.ProgressReporter),
]
ADAPTERS = [
    (HadoopStateStore, ports.StateStore),
    (LocalSparkSessionProvider, SessionProvider),
    (DatabricksSessionProvider, BorrowedSessions),
]


def port_methods(port: type) -> dict[str, inspect.Signature]:
    """The methods a Protocol declares, its Protocol bases' included."""
    methods: dict[str, inspect.Signature] = {}
    for klass in reversed(port.__mro__):
        if klass in (object, Protocol) or not getattr(klass, "_is_protocol", False):
            continue
        for name, member in vars(klass).items():
            if inspect.isfunction(member) and not name.startswith("_"):
                methods[name] = inspect.signature(member)
    return methods


def missing_or_different(implementation: type, port: type) -> list[str]:
    """Each port method the implementation lacks, or takes other parameters for."""
    problems = []
    for name, expected in port_methods(port).items():
        member = getattr(implementation, name, None)
        if not callable(member):
            problems.append(f"{name}: missing")
            continue
        found = list(inspect.signature(member).parameters)
        if found != list(expected.parameters):
            problems.append(f"{name}{tuple(found)} != {tuple(expected.parameters)}")
    return problems


@pytest.mark.parametrize(("fake", "port"), FAKES, ids=lambda c: c.__name__)
def test_each_fake_declares_its_port_and_has_every_method_of_it(fake, port):
    assert port in fake.__mro__  # declared, not only alike (these ports are not runtime-checkable)
    assert missing_or_different(fake, port) == []


@pytest.mark.parametrize(("adapter", "port"), ADAPTERS, ids=lambda c: c.__name__)
def test_each_adapter_has_every_method_of_its_port(adapter, port):
    assert missing_or_different(adapter, port) == []


def test_the_state_store_is_the_four_small_ports_together():
    parts = (ports.TableStates, ports.RunDates, ports.RunLocking, ports.StateAdmin)
    assert all(part in ports.StateStore.__mro__ for part in parts)
    assert set(port_methods(ports.StateStore)) == {
        "load",
        "save",
        "run_date",
        "recorded_run_date",
        "lock",
        "fence",
        "table_keys",
        "reset",
    }


def test_a_method_the_fake_lacks_is_found():
    class Half:
        def load(self, table_key): ...

    problems = missing_or_different(Half, ports.TableStates)
    assert problems == ["save: missing"]
