"""RunLock: one run at a time per state location, by lock generations with a lease."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator

import attrs

from ..domain.errors import RunLockedError
from .files import FileSystem

log = logging.getLogger(__name__)


class RunLockHolder:
    """The run lock of one state root, as the run sees it: hold it, and check it is still ours."""

    def __init__(self, fs: FileSystem, root: str, lease_seconds: int = 300) -> None:
        self._fs = fs
        self._root = root
        self._lease = lease_seconds
        self._held: RunLock | None = None

    @contextlib.contextmanager
    def lock(self, run_id: str) -> Iterator[None]:
        """Hold the lock for this state root while the block runs, renewing its lease."""
        lock = RunLock(self._fs, f"{self._root}/lock", run_id, self._lease)
        _refuse_legacy_lock(self._fs, f"{self._root}/lock.json")
        lock.acquire()
        self._held = lock
        try:
            yield
        finally:
            self._held = None
            lock.release()

    def fence(self) -> None:
        """Raise RunLockedError if this store's run lock was taken over (no-op when unlocked)."""
        if self._held is not None:
            self._held.check()


KEEP_GENERATIONS = 10


@attrs.define
class RunLock:
    """Lock generations: `lock/000000012.json`, published exclusively; the highest one rules.

    Taking the lock is the exclusive publish of generation n+1, allowed only when generation n is
    released or its holder is gone: of two takers at the same instant exactly one wins. The
    holder renews only its own file, and releases it by marking it released (never deleting).
    """

    fs: FileSystem
    directory: str
    run_id: str
    lease_seconds: int
    owner: str = attrs.field(factory=lambda: uuid.uuid4().hex)
    generation: int | None = None
    _stop: threading.Event = attrs.field(factory=threading.Event)
    _thread: threading.Thread | None = None

    def _path(self, generation: int) -> str:
        return f"{self.directory}/{generation:09d}.json"

    def _generations(self) -> list[int]:
        names = [f.name for f in self.fs.list_files(self.directory)]
        return sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())

    def _body(self, released: bool = False) -> str:
        expires = _now() + dt.timedelta(seconds=self.lease_seconds)
        body = {
            "owner": self.owner,
            "run_id": self.run_id,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "pid_started": _pid_started(os.getpid()),
            "expires_at": expires.isoformat(),
            "released": released,
        }
        return json.dumps(body)

    def acquire(self) -> None:
        """Take the lock, or raise RunLockedError naming the run that holds it."""
        for _ in range(3):
            generations = self._generations()
            top = generations[-1] if generations else 0
            if top:
                self._refuse_if_held(top)
            if not self.fs.publish_text(self._path(top + 1), self._body()):
                continue  # another taker published top + 1 first: look again
            self.generation = top + 1
            if self._generations()[-1] != self.generation:
                # Our listing was stale and a higher generation exists: give ours back.
                self.fs.replace_text(self._path(self.generation), self._body(released=True))
                self.generation = None
                continue
            self._prune()
            self._thread = threading.Thread(target=self._renew, daemon=True, name="lock-lease")
            self._thread.start()
            return
        raise RunLockedError(
            f"could not take the run lock {self.directory}; another run took it first"
        )

    def _refuse_if_held(self, generation: int) -> None:
        path = self._path(generation)
        holder = self._read(path)
        if holder is None:
            changed = self.fs.modified(path)
            if changed is not None and _now().timestamp() - changed < self.lease_seconds:
                raise RunLockedError(
                    f"the run lock {path} is being written by another run (or is unreadable); "
                    f"wait, or delete it if no run is active"
                )
            return
        if not holder.get("released") and _alive(holder):
            raise RunLockedError(
                f"run {holder.get('run_id')} (pid {holder.get('pid')} on {holder.get('host')}) "
                f"is extracting into the same location; its lock {path} expires at "
                f"{holder.get('expires_at')}. Wait for it to finish, or mark the lock "
                '"released": true if that run is gone.'
            )
        log.info("taking over the run lock from %s (gone or released)", holder.get("run_id"))

    def _read(self, path: str) -> dict | None:
        text = self.fs.read_text(path)
        try:
            holder = json.loads(text) if text else None
        except json.JSONDecodeError:
            return None
        return holder if isinstance(holder, dict) else None

    def check(self) -> None:
        """Raise RunLockedError unless our generation is the highest and still unreleased."""
        generations = self._generations()
        top = generations[-1] if generations else None
        if self.generation is None or top != self.generation:
            holder = self._read(self._path(top)) if top is not None else None
            taker = holder.get("run_id") if holder else "unknown"
            raise RunLockedError(
                f"lost the run lock to run {taker} ({self.directory}); nothing more is committed"
            )
        mine = self._read(self._path(self.generation))
        if mine is None or mine.get("owner") != self.owner or mine.get("released"):
            raise RunLockedError(
                f"lost the run lock {self._path(self.generation)}: it was released or rewritten"
            )

    def _prune(self) -> None:
        assert self.generation is not None
        for old in self._generations():
            if old <= self.generation - KEEP_GENERATIONS:
                self.fs.delete(self._path(old))

    def _renew(self) -> None:
        while not self._stop.wait(max(1.0, self.lease_seconds / 3)):
            try:
                self.check()  # raises unless this lock holds a generation
                assert self.generation is not None
                self.fs.replace_text(self._path(self.generation), self._body())
            except Exception:  # noqa: BLE001 - fencing stops the run's commits; renewal just ends
                log.debug("lease renewal stopped", exc_info=True)
                return

    def release(self) -> None:
        """Stop renewing and mark our generation released if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.generation is None:
            return
        try:
            self.check()
        except RunLockedError:
            return
        self.fs.replace_text(self._path(self.generation), self._body(released=True))


def _refuse_legacy_lock(fs: FileSystem, path: str) -> None:
    """Versions before lock generations locked `lock.json`: respect one still held."""
    text = fs.read_text(path)
    try:
        holder = json.loads(text) if text else None
    except json.JSONDecodeError:
        holder = None
    if isinstance(holder, dict) and _alive(holder):
        raise RunLockedError(
            f"run {holder.get('run_id')} (pid {holder.get('pid')} on {holder.get('host')}) of an "
            f"older data-extractor holds {path} until {holder.get('expires_at')}; wait for it, "
            "or delete that file if the run is gone"
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _alive(holder: dict) -> bool:
    """Same host: while its process runs (however late its lease). Else: while unexpired."""
    if holder.get("host") == socket.gethostname():
        return _pid_running(_as_int(holder.get("pid")), holder.get("pid_started"))
    try:
        expires = dt.datetime.fromisoformat(str(holder["expires_at"]))
    except (KeyError, ValueError):
        return False
    if expires.tzinfo is None:  # written by hand or another tool: read it as UTC
        expires = expires.replace(tzinfo=dt.UTC)
    return expires > _now()


def _as_int(value: object) -> int:
    """A lock file's pid as a number; -1 (no process) for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return -1
    try:
        return int(value)
    except ValueError:
        return -1


def _pid_running(pid: int, started: object = None) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    # A recycled PID is a different process: compare start times where /proc has them.
    return started is None or _pid_started(pid) in (None, started)


def _pid_started(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), else None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None
