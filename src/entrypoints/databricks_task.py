"""`data-extractor-task`: the entry point a Databricks Python wheel task calls.

A wheel task passes its `named_parameters` as `--name=value` and its `parameters` as they
are, with no subcommand, so this entry point is `run`. Positional parameters fill the flags
in this order: config, tables, run-id, output, max-workers (skipping any given by name).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from .cli import EXIT_BAD_INPUT, run

POSITIONAL_ORDER = ("config", "tables", "run-id", "output", "max-workers")
BOOLEAN_FLAGS = ("databricks", "force", "json")
# Job parameter names are often written like config keys; map them to run's flags.
ALIASES = {"output-base-path": "output", "config-file": "config", "tables-file": "tables"}
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def _flag_name(raw: str) -> str:
    name = raw.strip().replace("_", "-").lower()
    return ALIASES.get(name, name)


def _boolean(name: str, value: str | None) -> bool:
    if value is None or value.strip().lower() in TRUE:
        return True
    if value.strip().lower() in FALSE:
        return False
    raise click.UsageError(f"--{name} takes true or false, not {value!r}")


def task_arguments(argv: Sequence[str]) -> list[str]:
    """The task's parameters as `run` options: --name=value, --name value, or positional."""
    named: dict[str, str] = {}
    flags: list[str] = []
    positional: list[str] = []
    items = list(argv)
    while items:
        arg = items.pop(0)
        if not arg.startswith("--"):
            positional.append(arg)
            continue
        raw, eq, value = arg[2:].partition("=")
        name = _flag_name(raw)
        if name in BOOLEAN_FLAGS:
            if _boolean(name, value if eq else None):
                flags.append(f"--{name}")
            continue
        if not eq and items and not items[0].startswith("--"):
            value, eq = items.pop(0), "="
        if not eq:
            flags.append(f"--{name}")  # let click say what is missing
        elif value.strip():  # an empty job parameter means "not set"
            named[name] = value.strip()
    free = [flag for flag in POSITIONAL_ORDER if flag not in named]
    if len(positional) > len(free):
        raise click.UsageError(
            f"{len(positional)} positional parameters, but only {', '.join(free)} are left "
            "to fill; pass the rest as --name=value"
        )
    for flag, value in zip(free, positional, strict=False):
        if value.strip():  # an empty one keeps its place and sets nothing
            named[flag] = value.strip()
    return [f"--{name}={value}" for name, value in named.items()] + flags


def main(argv: Sequence[str] | None = None) -> None:
    """Run the extraction with the task's parameters; returns normally on success."""
    try:
        args = task_arguments(sys.argv[1:] if argv is None else argv)
    except click.UsageError as exc:
        exc.show()
        raise SystemExit(EXIT_BAD_INPUT) from None
    try:
        run.main(args=args, prog_name="data-extractor-task")
    except SystemExit as exc:
        # A wheel task fails on any exception; exit 0 must not look like one to its runner.
        if exc.code not in (0, None):
            raise
