"""`data-extractor-task`: the entry point a Databricks Python wheel task calls.

Named parameters arrive as `--name=value` and cannot carry a subcommand, so this
entry point is `run` with no subcommand.
"""

from __future__ import annotations

import sys

from .cli import run


def main() -> None:
    """Run the extraction with the task's parameters from sys.argv."""
    run.main(args=sys.argv[1:], prog_name="data-extractor-task")
