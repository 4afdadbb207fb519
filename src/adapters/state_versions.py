"""TableStateFiles: each table's state as numbered versions, created exclusively."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ..domain.errors import DataExtractorError
from ..domain.model import TableState
from .files import FileSystem
from .serialization import NewerFormatError, state_from_json, state_to_json

KEEP_VERSIONS = 5


class StateConflictError(DataExtractorError):
    """Someone else saved the same table's state between our load and our save."""


class CorruptStateError(DataExtractorError):
    """A state file that cannot be read: only its table fails, the others run."""


class TableStateFiles:
    """`tables/<source>/<table>/0000000042.json`: a save never overwrites, it adds a version."""

    def __init__(self, fs: FileSystem, root: str, fence: Callable[[], None]) -> None:
        self._fs = fs
        self._root = root
        self._fence = fence  # a save first checks the run still holds its lock

    def _table_dir(self, table_key: str) -> str:
        return f"{self._root}/tables/{table_key}"

    def load(self, table_key: str) -> TableState:
        """The newest version of the table's state (an empty state when there is none)."""
        versions = self._versions(table_key)
        if not versions:
            return TableState()
        path = f"{self._table_dir(table_key)}/{versions[-1]:010d}.json"
        text = self._fs.read_text(path)
        try:
            return state_from_json(text or "")
        except NewerFormatError as exc:
            raise CorruptStateError(
                f"state file {path} was written by a newer tool: {exc}"
            ) from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            reason = "empty" if not text else f"{type(exc).__name__}: {exc}"
            raise CorruptStateError(
                f"state file {path} is unreadable ({reason}); delete it to fall back to the "
                f"version before it, or forget the table: data-extractor state reset "
                f"--table {table_key}"
            ) from exc

    def _versions(self, table_key: str) -> list[int]:
        names = [f.name for f in self._fs.list_files(self._table_dir(table_key))]
        return sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())

    def save(self, table_key: str, state: TableState) -> TableState:
        """Create the next version; fail rather than overwrite a concurrent writer's."""
        self._fence()
        saved = attrs.evolve(state, version=state.version + 1)
        path = f"{self._table_dir(table_key)}/{saved.version:010d}.json"
        # Published complete or not at all: a crash or a full disk never leaves half a version.
        if not self._fs.publish_text(path, state_to_json(saved)):
            raise StateConflictError(
                f"state of {table_key} changed under this run (version {saved.version} exists)"
            )
        for old in self._versions(table_key)[:-KEEP_VERSIONS]:
            self._fs.delete(f"{self._table_dir(table_key)}/{old:010d}.json")
        return saved

    def table_keys(self) -> list[str]:
        """Every table that has state, as `source/table`."""
        root = f"{self._root}/tables"
        return sorted(
            f"{source}/{table}"
            for source in self._fs.list_dirs(root)
            for table in self._fs.list_dirs(f"{root}/{source}")
        )

    def reset(self, table_key: str) -> None:
        """Forget a table's state: its next run is a full extract again."""
        self._fs.delete(self._table_dir(table_key), recursive=True)
