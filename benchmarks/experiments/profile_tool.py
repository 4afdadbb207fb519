"""Where the tool's time goes: its CLI `run` in-process, with every port call timed.

    python -m benchmarks.experiments.profile_tool JOB.json [VARIANT]

Prints, per table, the seconds spent in probe / read (planning the DataFrame) / write (the
Spark job) / state and manifest I/O, the partitions the read got, and the sums over tables.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from .variants import apply_variant

SPANS: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
PARTITIONS: dict[str, int] = {}
_local = threading.local()


def timed(cls: type, name: str, phase: str) -> None:
    """Wrap cls.name so its time is added to the current table's `phase`."""
    original = getattr(cls, name)

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = _table_key(args) or getattr(_local, "key", "?")
        started = time.monotonic()
        try:
            return original(self, *args, **kwargs)
        finally:
            SPANS[key][phase] += time.monotonic() - started

    setattr(cls, name, wrapper)


def _table_key(args: tuple) -> str | None:
    for arg in args:
        key = getattr(arg, "key", None)
        if isinstance(key, str):
            _local.key = key
            return key
        if isinstance(arg, str) and "/" in arg and not arg.startswith("/"):
            return arg
    return None


def instrument() -> None:
    """Time the reader, the writer, the manifests and the state store."""
    from data_extractor.adapters.jdbc.reader import JdbcSourceReader
    from data_extractor.adapters.state import HadoopStateStore
    from data_extractor.adapters.storage import HadoopManifestStore, SparkDatasetWriter

    timed(JdbcSourceReader, "probe", "probe")
    timed(JdbcSourceReader, "read", "read")
    timed(SparkDatasetWriter, "write", "write")
    timed(HadoopManifestStore, "write", "manifest")
    timed(HadoopManifestStore, "exists", "manifest")
    timed(HadoopStateStore, "save", "state")
    timed(HadoopStateStore, "load", "state")
    original = JdbcSourceReader.partitions

    def partitions(self: Any, task: Any) -> int:
        count = original(self, task)
        PARTITIONS[task.key] = count
        return count

    JdbcSourceReader.partitions = partitions


def run_cli(job: dict[str, Any]) -> float:
    """The CLI's run, in-process; returns its wall seconds."""
    from click.testing import CliRunner

    from data_extractor.entrypoints.cli import cli

    from ..contenders.tool import write_inputs

    config, tables = write_inputs(job, Path(job["out"]).with_suffix(".inputs"))
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["run", "--config", str(config), "--tables", str(tables)])
    wall = time.monotonic() - started
    if result.exit_code != 0:
        print(result.output)
        raise SystemExit(f"run failed: exit {result.exit_code}")
    return wall


def print_profile(wall: float) -> None:
    """Per-table phases and their sums."""
    phases = ["probe", "read", "write", "manifest", "state"]
    print(f"{'table':12} {'parts':>5} " + " ".join(f"{p:>8}" for p in phases))
    totals: dict[str, float] = defaultdict(float)
    for key, spans in SPANS.items():
        for p in phases:
            totals[p] += spans[p]
        cells = " ".join(f"{spans[p]:8.2f}" for p in phases)
        print(f"{key:12} {PARTITIONS.get(key, 1):5} {cells}")
    print(f"{'SUM':12} {'':5} " + " ".join(f"{totals[p]:8.2f}" for p in phases))
    print("PROFILE " + json.dumps({"wall": wall, "totals": totals, "partitions": PARTITIONS}))


def jvm_cpu_by_thread() -> dict[str, float]:
    """CPU seconds of this process's JVM child, by thread name (digits folded): JIT, GC, tasks."""
    me = str(os.getpid())
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = defaultdict(float)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text.rsplit(")", 1)[1].split()[1] != me or "(java)" not in text:
            continue
        for task in (stat.parent / "task").glob("*/stat"):
            fields = task.read_text()
            name = re.sub(r"[0-9]+", "N", fields[fields.index("(") + 1 : fields.rindex(")")])
            ticks = fields.rsplit(")", 1)[1].split()
            found[name] += (int(ticks[11]) + int(ticks[12])) / tick
    return dict(found)


def main() -> None:
    """Run the job's tables through the instrumented CLI."""
    job = json.loads(Path(sys.argv[1]).read_text())
    job = apply_variant(job, sys.argv[2] if len(sys.argv) > 2 else "baseline")
    instrument()
    print_profile(run_cli(job))
    threads = sorted(jvm_cpu_by_thread().items(), key=lambda item: -item[1])
    print("JVM CPU s by thread: " + ", ".join(f"{n}={s:.1f}" for n, s in threads if s >= 0.5))


if __name__ == "__main__":
    main()
