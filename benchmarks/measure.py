"""Measuring a contender: wall time, peak RSS of its whole process tree, rows written."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2


TICKS = os.sysconf("SC_CLK_TCK")
# Processes that work for whichever contender runs (the database server) are not "others".
SHARED_SERVERS = (b"postgres",)


@dataclass
class Measurement:
    """One timed run of a command, with how busy the rest of the machine was meanwhile."""

    wall_seconds: float
    peak_rss_mb: float
    returncode: int
    load_before: float
    load_after: float
    other_cpu_seconds: float
    cpu_seconds: float
    db_cpu_seconds: float
    cpu_by_name: dict[str, float]
    peak_mb_by_name: dict[str, float]

    @property
    def other_cores(self) -> float:
        """CPU used by unrelated processes during the run, in cores (0 = quiet machine)."""
        return self.other_cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


@dataclass(frozen=True)
class Proc:
    """What one sample needs of a process."""

    parent: int
    name: bytes
    cpu_ticks: int
    rss_pages: int


def load_average() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


def processes() -> dict[int, Proc]:
    """Every visible process, from /proc/PID/stat."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        name = stat[stat.find(b"(") + 1 : stat.rfind(b")")]
        fields = stat[stat.rfind(b")") + 2 :].split()
        # fields[0] is field 3 of proc(5): ppid 4, utime 14, stime 15, rss 24.
        ticks = int(fields[11]) + int(fields[12])
        found[int(entry.name)] = Proc(int(fields[1]), name, ticks, int(fields[21]))
    return found


def tree(root: int, procs: dict[int, Proc]) -> set[int]:
    """The root pid and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, proc in procs.items():
        children.setdefault(proc.parent, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


class PeakSampler:
    """Every 0.2 s: RSS of a process tree (peak kept) and CPU used by processes outside it."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak = 0
        self.peak_by_name: dict[str, float] = {}
        self.other_ticks = 0
        self.db_ticks = 0
        self._db_last: dict[int, int] | None = None
        self._mine: dict[int, int] = {}
        self._names: dict[int, str] = {}
        self._last: dict[int, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        """Take one sample."""
        procs = processes()
        mine = tree(self.root, procs)
        # A child caught between fork and exec (the JVM runs chmod and the like) reports its
        # parent's RSS: count a process's memory only once it has lived past one sample.
        rss = {p: procs[p].rss_pages * PAGE for p in mine if p in procs and p in self._mine}
        if sum(rss.values()) > self.peak:
            self.peak = sum(rss.values())
            self.peak_by_name = {}
            for pid, size in rss.items():
                name = procs[pid].name.decode(errors="replace")
                self.peak_by_name[name] = self.peak_by_name.get(name, 0) + size / 2**20
        self._mine.update({pid: procs[pid].cpu_ticks for pid in mine if pid in procs})
        self._names.update(
            {pid: procs[pid].name.decode(errors="replace") for pid in mine if pid in procs}
        )
        others = {
            pid: p.cpu_ticks
            for pid, p in procs.items()
            if pid not in mine and pid != os.getpid() and p.name not in SHARED_SERVERS
        }
        servers = {pid: p.cpu_ticks for pid, p in procs.items() if p.name in SHARED_SERVERS}
        if self._last is not None:
            self.other_ticks += _delta(others, self._last)
            self.db_ticks += _delta(servers, self._db_last)
        self._last, self._db_last = others, servers

    @property
    def cpu_seconds(self) -> float:
        """CPU time (user + system) used by the tree, as last seen for each of its processes."""
        return sum(self._mine.values()) / TICKS

    def cpu_by_name(self) -> dict[str, float]:
        """The tree's CPU seconds per command name (python, java, ...)."""
        found: dict[str, float] = {}
        for pid, ticks in self._mine.items():
            found[self._names[pid]] = found.get(self._names[pid], 0.0) + ticks / TICKS
        return found

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _delta(now: dict[int, int], before: dict[int, int]) -> int:
    """CPU ticks used since the previous sample (a new process counts from zero)."""
    return sum(t - before.get(pid, 0) for pid, t in now.items())


def run_measured(cmd: list[str], log_path: Path, env: dict[str, str] | None = None) -> Measurement:
    """Run `cmd` to completion, output to `log_path`, sampling its tree and the machine."""
    load_before = load_average()
    with open(log_path, "wb") as log:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        with PeakSampler(proc.pid) as sampler:
            returncode = proc.wait()
        wall = time.monotonic() - started
    return Measurement(
        wall,
        sampler.peak / 2**20,
        returncode,
        load_before,
        load_average(),
        sampler.other_ticks / TICKS,
        sampler.cpu_seconds,
        sampler.db_ticks / TICKS,
        sampler.cpu_by_name(),
        sampler.peak_by_name,
    )


def parquet_rows(directory: Path) -> int:
    """Rows in every Parquet file under `directory`, from the footers alone."""
    total = 0
    for path in directory.rglob("*.parquet"):
        if path.is_file() and not path.name.startswith((".", "_")):
            total += pq.ParquetFile(path).metadata.num_rows
    return total


def verify(out: Path, expected: dict[str, int], table_dir) -> dict[str, tuple[int, int]]:
    """Tables whose written rows differ from the source: name -> (expected, written)."""
    wrong = {}
    for name, rows in expected.items():
        written = parquet_rows(table_dir(out, name))
        if written != rows:
            wrong[name] = (rows, written)
    return wrong
