"""A/B runs: contenders and tool variants alternated for a few rounds on the same data.

    python -m benchmarks.experiments.ab [--scale small|full] [--rounds 3] [--tables big,t01]
        careful tool tool:binary tool:rpp1000000+ppc1 ...

`tool:VARIANT` runs the CLI in-process with benchmarks.experiments.variants applied (a fresh
process and JVM each time, like the CLI). Alternating keeps slow drifts in machine load from
favouring one side; the median of the rounds is reported with the load others put on the CPU.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path
from typing import Any

from .. import dataset
from ..report import RESULTS
from ..run import CONTENDERS, PYTHON, Contender, measure_once


def safe_name(name: str) -> str:
    """The name as a file name part (variants may hold paths and colons)."""
    return re.sub(r"[^\w.=-]+", "_", name)


def variant_contender(name: str) -> Contender:
    """A plain contender, or `tool:VARIANT` run through the profiler with the variant."""
    if not name.startswith("tool:"):
        return CONTENDERS[name]
    variant = name.split(":", 1)[1]

    def command(job_path: Path, job: dict[str, Any]) -> list[str]:
        module = "benchmarks.experiments.profile_tool"
        return [PYTHON, "-m", module, str(job_path), variant]

    return Contender(safe_name(name), name, command, CONTENDERS["tool"].table_dir)


def pick_tables(scale: dataset.Scale, names: str | None) -> dict[str, int]:
    """The scale's main tables, or the named subset of every table."""
    if not names:
        return dataset.main_tables(scale)
    everything = dataset.all_tables(scale)
    if names == "tiny":
        return dataset.tiny_tables()
    return {n: everything[n] for n in names.split(",")}


def main() -> None:
    """Alternate the named contenders for some rounds; print medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--scale", choices=sorted(dataset.SCALES), default="small")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tables", help="Comma-separated table names (default: the main set).")
    args = parser.parse_args()
    tables = pick_tables(dataset.SCALES[args.scale], args.tables)
    logs = RESULTS / "logs-ab"
    logs.mkdir(parents=True, exist_ok=True)
    walls: dict[str, list[float]] = {n: [] for n in args.names}
    others: dict[str, list[float]] = {n: [] for n in args.names}
    cpus: dict[str, list[float]] = {n: [] for n in args.names}
    for round_no in range(1, args.rounds + 1):
        for name in args.names:
            tag = f"{safe_name(name)}-{round_no}"
            m, wrong = measure_once(variant_contender(name), tables, logs, tag)
            state = "WRONG" if wrong or m.returncode else "ok"
            print(
                f"round {round_no} {name:32} {m.wall_seconds:7.1f}s cpu {m.cpu_seconds:5.0f}s "
                f"db {m.db_cpu_seconds:4.0f}s "
                f"peak {m.peak_rss_mb:6.0f} MB "
                f"{state} others {m.other_cores:.2f} cores "
                + " ".join(f"{k}={v:.0f}s" for k, v in m.cpu_by_name.items() if v >= 0.5)
                + " peak "
                + " ".join(f"{k}={v:.0f}MB" for k, v in m.peak_mb_by_name.items() if v >= 5),
                flush=True,
            )
            walls[name].append(m.wall_seconds)
            others[name].append(m.other_cores)
            cpus[name].append(m.cpu_seconds + m.db_cpu_seconds)
    summary = {
        n: {
            "median_s": statistics.median(w),
            "min_s": min(w),
            "median_cpu_s": statistics.median(cpus[n]),
            "walls": w,
            "others": others[n],
        }
        for n, w in walls.items()
    }
    for name, s in summary.items():
        print(
            f"{name:32} median {s['median_s']:7.1f}s min {s['min_s']:7.1f}s "
            f"cpu+db {s['median_cpu_s']:6.0f}s runs {[round(w, 1) for w in s['walls']]}"
        )
    print("AB " + json.dumps(summary))


if __name__ == "__main__":
    main()
