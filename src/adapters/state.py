"""HadoopStateStore: per-table state, run dates and the run lock, beside the data."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator

import attrs

from ..domain.errors import DataExtractorError, RunLockedError
from ..domain.model import TableState
from .files import FileSystem
from .serialization import state_from_json, state_to_json

KEEP_VERSIONS = 5


class StateConflictError(DataExtractorError):
    """Someone else saved the same table's state between our load and our save."""


class HadoopStateStore:
    """State files are numbered versions created exclusively: a save never overwrites."""

    def __init__(self, fs: FileSystem, root: str, lease_seconds: int = 300) -> None:
        self._fs = fs
        self._root = root.rstrip("/")
        self._lease = lease_seconds

    @property
    def root(self) -> str:
        """Where the state lives."""
        return self._root

    def _table_dir(self, table_key: str) -> str:
        return f"{self._root}/tables/{table_key}"

    def load(self, table_key: str) -> TableState:
        """The newest version of the table's state (an empty state when there is none)."""
        versions = self._versions(table_key)
        if not versions:
            return TableState()
        text = self._fs.read_text(f"{self._table_dir(table_key)}/{versions[-1]:010d}.json")
        return state_from_json(text or "{}")

    def _versions(self, table_key: str) -> list[int]:
        names = [f.name for f in self._fs.list_files(self._table_dir(table_key))]
        return sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())

    def save(self, table_key: str, state: TableState) -> TableState:
        """Create the next version; fail rather than overwrite a concurrent writer's."""
        saved = attrs.evolve(state, version=state.version + 1)
        path = f"{self._table_dir(table_key)}/{saved.version:010d}.json"
        if not self._fs.write_text(path, state_to_json(saved), overwrite=False):
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

    def run_date(self, run_id: str, today: dt.date) -> dt.date:
        """The date recorded for run_id, recording today if the run is new."""
        path = f"{self._root}/runs/{run_id}.json"
        self._fs.write_text(path, json.dumps({"run_id": run_id, "date": today.isoformat()}), False)
        text = self._fs.read_text(path)
        return dt.date.fromisoformat(json.loads(text or "{}").get("date", today.isoformat()))

    @contextlib.contextmanager
    def lock(self, run_id: str) -> Iterator[None]:
        """Hold the lock for this state root while the block runs, renewing its lease."""
        lock = RunLock(self._fs, f"{self._root}/lock.json", run_id, self._lease)
        lock.acquire()
        try:
            yield
        finally:
            lock.release()


@attrs.define
class RunLock:
    """A lease file: the owner renews it; a dead owner's lease is taken over."""

    fs: FileSystem
    path: str
    run_id: str
    lease_seconds: int
    owner: str = attrs.field(factory=lambda: uuid.uuid4().hex)
    _stop: threading.Event = attrs.field(factory=threading.Event)
    _thread: threading.Thread | None = None

    def _body(self) -> str:
        expires = _now() + dt.timedelta(seconds=self.lease_seconds)
        return json.dumps(
            {
                "owner": self.owner,
                "run_id": self.run_id,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "expires_at": expires.isoformat(),
            }
        )

    def acquire(self) -> None:
        """Take the lock, or raise RunLockedError naming the run that holds it."""
        for _ in range(2):
            if self.fs.write_text(self.path, self._body(), overwrite=False):
                self._thread = threading.Thread(target=self._renew, daemon=True, name="lock-lease")
                self._thread.start()
                return
            holder = self._holder()
            if holder is not None and _alive(holder):
                raise RunLockedError(
                    f"run {holder.get('run_id')} (pid {holder.get('pid')} on {holder.get('host')}) "
                    f"is extracting into the same location; its lock {self.path} expires at "
                    f"{holder.get('expires_at')}. Wait for it to finish, or delete the lock file "
                    "if that run is gone."
                )
            self.fs.delete(self.path)
        raise RunLockedError(f"could not take the run lock {self.path}; another run took it first")

    def _holder(self) -> dict | None:
        text = self.fs.read_text(self.path)
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError:
            return None

    def _renew(self) -> None:
        while not self._stop.wait(max(1.0, self.lease_seconds / 3)):
            holder = self._holder()
            if holder is None or holder.get("owner") != self.owner:
                return
            self.fs.write_text(self.path, self._body(), overwrite=True)

    def release(self) -> None:
        """Stop renewing and remove the lock if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        holder = self._holder()
        if holder is not None and holder.get("owner") == self.owner:
            self.fs.delete(self.path)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _alive(holder: dict) -> bool:
    """A lease counts while unexpired, unless its owner was on this host and is gone."""
    try:
        expires = dt.datetime.fromisoformat(holder["expires_at"])
    except (KeyError, ValueError):
        return False
    if expires <= _now():
        return False
    if holder.get("host") == socket.gethostname():
        return _pid_running(int(holder.get("pid", -1)))
    return True


def _pid_running(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
