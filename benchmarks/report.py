"""The benchmark's results: the machine it ran on, tables for the terminal and for markdown."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from .contenders.common import JDBC_JAR

RESULTS = Path(__file__).parent / "results"


def _installed(package: str) -> str | None:
    """A package's version, or None when it is not installed (`--only` without it)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """Cores, RAM, CPU model and the versions that matter for the numbers."""
    import pyarrow
    import pyspark

    return {
        "cores": os.cpu_count(),
        "ram_gb": round(_meminfo_kb("MemTotal") / 2**20, 1),
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "java": _java_version(),
        "spark": pyspark.__version__,
        "pgjdbc": _jar_version(JDBC_JAR),
        "postgresql": _postgres_version(),
        "connectorx": _installed("connectorx"),
        "commit": _git_commit(),
        "pyarrow": pyarrow.__version__,
    }


def _git_commit() -> str:
    """HEAD of the checkout the tool ran from, marked when src/ has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head}{' + uncommitted src/ changes' if dirty else ''}" or "?"


def _meminfo_kb(key: str) -> int:
    text = Path("/proc/meminfo").read_text()
    return int(re.search(rf"^{key}:\s+(\d+)", text, re.M).group(1))


def _cpu_model() -> str:
    text = Path("/proc/cpuinfo").read_text()
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found.group(1).strip() if found else platform.processor()


def _java_version() -> str:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True)
    return (out.stderr or out.stdout).splitlines()[0].strip()


def _jar_version(path: str) -> str:
    try:
        with zipfile.ZipFile(path) as jar:
            manifest = jar.read("META-INF/MANIFEST.MF").decode()
    except (OSError, KeyError, zipfile.BadZipFile):
        return "?"
    found = re.search(r"^(?:Bundle-Version|Implementation-Version):\s*(\S+)", manifest, re.M)
    return found.group(1) if found else "?"


def _postgres_version() -> str:
    from .dataset import connect

    with connect() as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Markdown table lines (also readable in a terminal)."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    line = [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in [headers, *rows]
    ]
    line.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return line


def _status(run: dict[str, Any]) -> str:
    if run["returncode"] != 0:
        return f"FAILED (exit {run['returncode']})"
    return "ok" if run["correct"] else "WRONG"


def main_table(runs: list[dict[str, Any]]) -> list[str]:
    """Contender, wall s, rows/s, peak MB, ratio vs the tool, status, machine load."""
    tool = next((r for r in runs if r["key"] == "tool"), None)
    headers = [
        "contender",
        "wall s",
        "rows/s",
        "peak MB",
        "CPU s",
        "wall / tool",
        "rows",
        "others' CPU",
    ]
    rows = []
    for r in runs:
        ratio = f"{r['wall_s'] / tool['wall_s']:.2f}x" if tool else "-"
        rows.append(
            [
                r["label"],
                f"{r['wall_s']:.1f}",
                f"{r['rows_per_s']:,.0f}",
                f"{r['peak_mb']:,.0f}",
                f"{r.get('cpu_s', 0):.0f}",
                ratio,
                _status(r),
                f"{r['other_cores']:.2f} cores",
            ]
        )
    return _table(headers, rows)


def speedups(runs: list[dict[str, Any]]) -> list[str]:
    """One line per contender: how much faster (or slower) the tool is."""
    by_key = {r["key"]: r for r in runs}
    tool = by_key.get("tool")
    if tool is None:
        return []
    lines = []
    for key, r in by_key.items():
        if key != "tool":
            lines.append(f"- tool vs {r['label']}: {r['wall_s'] / tool['wall_s']:.2f}x")
    if "arrow" in by_key and "cx" in by_key:
        ratio = by_key["arrow"]["wall_s"] / by_key["cx"]["wall_s"]
        lines.append(f"- Arrow engine / ConnectorX + pyarrow wall time: {ratio:.2f}x")
    return lines


def extras_lines(extras: dict[str, Any]) -> list[str]:
    """The extra measurements as markdown."""
    lines = []
    if "warm" in extras:
        lines += ["", "### The big table alone, warm session (second run in one process)", ""]
        lines += _table(
            ["contender", "rows", "first run s", "warm run s", "warm rows/s", "peak MB", "rows"],
            [
                [
                    w["label"],
                    f"{w['rows']:,}",
                    f"{w['first_s']:.1f}",
                    f"{w['warm_s']:.1f}",
                    f"{w['rows'] / w['warm_s']:,.0f}",
                    f"{w['peak_mb']:,.0f}",
                    "ok" if w["correct"] else "WRONG",
                ]
                for w in extras["warm"]
            ],
        )
    if "overhead" in extras:
        lines += ["", "### Per-table overhead: 200 tables of 100 rows vs 1", ""]
        lines += _table(
            ["contender", "1 table s", "200 tables s", "s per extra table", "rows"],
            [
                [
                    o["label"],
                    f"{o['one_s']:.1f}",
                    f"{o['many_s']:.1f}",
                    f"{o['per_table_s']:.3f}",
                    "ok" if o["correct"] else "WRONG",
                ]
                for o in extras["overhead"]
            ],
        )
    if "memory" in extras:
        lines += ["", "### Peak memory as the big table grows (one table per process)", ""]
        lines += _table(
            ["contender", "rows", "wall s", "rows/s", "peak MB", "rows"],
            [
                [
                    m["label"],
                    f"{m['rows']:,}",
                    f"{m['wall_s']:.1f}",
                    f"{m['rows'] / m['wall_s']:,.0f}",
                    f"{m['peak_mb']:,.0f}",
                    "ok" if m["correct"] else "WRONG",
                ]
                for m in extras["memory"]
            ],
        )
    return lines


def machine_lines(info: dict[str, Any]) -> list[str]:
    """The machine and versions, one markdown bullet line."""
    return [
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['ram_gb']} GB RAM; "
        f"{info['java']}; Spark {info['spark']}; pgjdbc {info['pgjdbc']}; "
        f"PostgreSQL {info['postgresql']}; ConnectorX {info['connectorx']}; "
        f"pyarrow {info['pyarrow']}; Python {info['python']}; tool at {info['commit']}."
    ]


def first_run_lines(first: dict[str, Any] | None) -> list[str]:
    """The tool's once-per-machine cost: its first run writes the JVM class cache."""
    if not first:
        return []
    written = "written" if first.get("class_cache_written") else "NOT written"
    return [
        "",
        f"The tool's runs above map its JVM class cache. Its first run on this machine (one "
        f"100-row table) took {first['wall_s']:.1f} s, class cache {written}.",
    ]


def markdown(results: dict[str, Any]) -> str:
    """The whole result as markdown, ready to paste."""
    data = results["dataset"]
    lines = [
        f"## Benchmark ({results['scale']} scale, {results['started']})",
        "",
        f"Data set: {data['tables']} tables, {data['rows']:,} rows "
        f"(largest {data['largest']:,}); every contender in its own process, JVM start included.",
        "",
        *main_table(results["runs"]),
        "",
        *speedups(results["runs"]),
        *first_run_lines(results.get("first_run")),
        *extras_lines(results.get("extras", {})),
        "",
        *machine_lines(results["machine"]),
        f"Load average (1 min) before the run: {results['load_start']:.2f}; "
        "'others' CPU' is CPU used by unrelated processes during each measurement.",
    ]
    return "\n".join(lines) + "\n"


def save(results: dict[str, Any]) -> tuple[Path, Path]:
    """Write results-<scale>.json and .md under benchmarks/results/."""
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"results-{results['scale']}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
