"""A warm session: the same extraction twice in one process; the second run is the warm time.

    python -m benchmarks.warm tool|cx JOB.json

`tool` runs the CLI's `run` in-process through click's CliRunner (a fresh run id and output
folder each time, so the second run really reads the table again, in the same SparkSession);
`cx` calls the ConnectorX contender twice. Prints `WARM {"seconds": [first, second]}`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from .contenders import cx
from .contenders.tool import write_inputs


def tool_once(job: dict[str, Any], index: int) -> None:
    """One in-process `data-extractor run`, into out/run{index}."""
    from click.testing import CliRunner

    from data_extractor.entrypoints.cli import cli

    folder = Path(job["out"]) / f"run{index}"
    config, tables = write_inputs({**job, "out": str(folder)}, folder.with_suffix(".inputs"))
    args = ["run", "--config", str(config), "--tables", str(tables), "--run-id", f"warm{index}"]
    result = CliRunner().invoke(cli, args)
    print(result.output, flush=True)
    if result.exit_code != 0:
        raise SystemExit(f"run {index} failed with exit code {result.exit_code}")


def cx_once(job: dict[str, Any], index: int) -> None:
    """One ConnectorX pass, into out/run{index}."""
    cx.run({**job, "out": str(Path(job["out"]) / f"run{index}")})


def main() -> None:
    """Run the chosen contender twice and print both times."""
    which, job_path = sys.argv[1], Path(sys.argv[2])
    job = json.loads(job_path.read_text())
    once = {"tool": tool_once, "cx": cx_once}[which]
    seconds = []
    for index in (1, 2):
        started = time.monotonic()
        once(job, index)
        seconds.append(time.monotonic() - started)
    print("WARM " + json.dumps({"seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
