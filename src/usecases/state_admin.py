"""The `show_state` and `reset_state` use cases: what is committed per table, and forgetting it."""

from __future__ import annotations

from typing import Protocol

import attrs

from ..domain.errors import DataExtractorError
from ..domain.model import TableState
from ..domain.ports import RunLocking, StateAdmin, TableStates

RESET_LOCK = "state-reset"  # the run id a reset holds the lock under


class StateAdministration(TableStates, RunLocking, StateAdmin, Protocol):
    """What show and reset need of the state store: list, read, forget, under the run lock."""


@attrs.frozen
class StateView:
    """Each table's state, and the tables whose state could not be read (with the reason)."""

    states: dict[str, TableState]
    unreadable: dict[str, str]


def matching_tables(store: StateAdministration, table: str | None) -> list[str]:
    """Tables with state; with `table`, only the one named `source/table` or `table`."""
    keys = store.table_keys()
    if table is None:
        return keys
    return [k for k in keys if k == table or k.split("/", 1)[1] == table]


def show_state(store: StateAdministration, table: str | None = None) -> StateView:
    """Every matching table's state; a corrupt one is reported, the others still shown."""
    states, unreadable = {}, {}
    for key in matching_tables(store, table):
        try:
            states[key] = store.load(key)
        except DataExtractorError as exc:
            unreadable[key] = str(exc)
    return StateView(states, unreadable)


def reset_state(store: StateAdministration, keys: list[str]) -> list[str]:
    """Forget these tables' state under the run lock (no run may be committing meanwhile)."""
    with store.lock(RESET_LOCK):
        for key in keys:
            store.reset(key)
    return keys
