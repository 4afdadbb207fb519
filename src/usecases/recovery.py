"""Recovery: settle the writes a crashed run left in flight, before anything is planned."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import attrs

from ..domain.errors import ExtractionError, RunLockedError
from ..domain.model import PendingCommit, TableState
from ..domain.planning import settle
from ..domain.ports import ManifestStore, StateStore

log = logging.getLogger("data_extractor.usecases.extract")


@attrs.frozen
class Recovered:
    """Each table's settled state, and the tables whose state could not be read or settled."""

    states: dict[str, TableState]
    unreadable: dict[str, Exception]


def recover(state: StateStore, manifests: ManifestStore, table_keys: Iterable[str]) -> Recovered:
    """Load each table's state, settling writes a crashed run left in flight.

    A pending output whose manifest exists was committed: its watermark moves
    forward now. One without a manifest was never committed and is forgotten.
    A redo's staged output is switched in when complete, else deleted. A table
    whose state cannot be read fails alone; the others go on.
    """
    states: dict[str, TableState] = {}
    unreadable: dict[str, Exception] = {}
    for key in table_keys:
        try:
            current = state.load(key)
            if current.pending is not None:
                current = _settle(state, manifests, key, current, current.pending)
        except RunLockedError:
            raise
        except Exception as exc:  # noqa: BLE001 - one table's state never blocks the others
            log.debug("%s: state unusable", key, exc_info=True)
            unreadable[key] = exc
            current = TableState()
        states[key] = current
    return Recovered(states, unreadable)


def _settle(
    state: StateStore,
    manifests: ManifestStore,
    key: str,
    current: TableState,
    pending: PendingCommit,
) -> TableState:
    if pending.staging_path is not None:
        forward = _settle_redo(state, manifests, pending.staging_path, pending.output_path)
    else:
        forward = manifests.exists(pending.output_path)
    if forward:
        log.info("%s: settling committed output %s", key, pending.output_path)
    else:
        log.info("%s: discarding uncommitted output of run %s", key, pending.run_id)
    saved = state.save(key, settle(current, forward))
    if pending.staging_path is not None:
        manifests.discard(replaced_path(pending.output_path))
    return saved


def _settle_redo(state: StateStore, manifests: ManifestStore, staging: str, final: str) -> bool:
    """Finish or roll back a redo's switch; True when the staged output is now `final`."""
    backup = replaced_path(final)
    if manifests.exists(staging):  # complete: roll forward
        switch_in(state, manifests, staging, final)
        return True
    if manifests.present(staging):  # never complete: the committed output stays
        manifests.discard(staging)
    if manifests.present(backup) and not manifests.present(final):
        manifests.move(backup, final)  # moved aside, never replaced: put it back
        return False
    # Moved aside and replaced: the staged output is in place, only the state lags.
    return manifests.present(backup)


def switch_in(state: StateStore, manifests: ManifestStore, staging: str, final: str) -> None:
    """Move the committed output aside, then the complete staged one into its place."""
    state.fence()
    backup = replaced_path(final)
    if manifests.present(final) and not manifests.move(final, backup):
        raise ExtractionError(f"cannot move {final} aside: {backup} is in the way")
    if not manifests.move(staging, final):
        raise ExtractionError(f"cannot move {staging} to {final}: the name is taken")


def pending_committed(manifests: ManifestStore, pending: PendingCommit) -> bool:
    """Whether recovery would roll this pending write forward, judged without changing a thing.

    The same decision `_settle` takes while it acts: a first write is committed when its
    manifest exists; a redo when its staged output is complete, or already switched in.
    """
    if pending.staging_path is None:
        return manifests.exists(pending.output_path)
    backup = replaced_path(pending.output_path)
    if manifests.exists(pending.staging_path):
        return True
    return manifests.present(backup) and manifests.present(pending.output_path)


def staged_path(output_path: str) -> str:
    """Where a redo writes: beside the output, `_`-prefixed so readers of the folder skip it."""
    head, _, name = output_path.rstrip("/").rpartition("/")
    return f"{head}/_{name}.staging"


def replaced_path(output_path: str) -> str:
    """Where a redo moves the committed output aside until the new one is committed."""
    head, _, name = output_path.rstrip("/").rpartition("/")
    return f"{head}/_{name}.replaced"
