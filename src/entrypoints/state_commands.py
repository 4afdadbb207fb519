"""`data-extractor state show | reset`: parse, call the state use case, render."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from ..adapters.secrets import Redactor
from ..adapters.serialization import state_to_json
from ..usecases.state_admin import StateView, matching_tables, reset_state, show_state
from .bootstrap import prepare, running
from .boundary import EXIT_FAILED, EXIT_OK, guarded
from .config import flag_overrides


@click.group()
def state() -> None:
    """Show or reset committed watermarks (state lives beside the data)."""


def _state_options(f: Callable) -> Callable:
    f = click.option("--table", "table", help="Only this table (source/table, or table).")(f)
    f = click.option("--output", help="Override [extraction] output_base_path.")(f)
    return click.option("--config", type=click.Path(path_type=Path), required=True)(f)


@state.command("show")
@_state_options
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
@guarded
def state_show(
    config: Path,
    table: str | None,
    output: str | None,
    as_json: bool = False,
    redactor: Redactor | None = None,
) -> int:
    """Print each table's watermark, last committed run and any write left in flight."""
    assert redactor is not None
    ready = prepare(config, flag_overrides(output, None, False), redactor, reads_source=False)
    with running(ready) as container:
        view = show_state(container.state_store(), table)
    click.echo(render_state_json(view) if as_json else render_state(view))
    return EXIT_FAILED if view.unreadable else EXIT_OK


def render_state_json(view: StateView) -> str:
    """{table: state as JSON, or {"error": reason}}, sorted by table."""
    body = {key: json.loads(state_to_json(item)) for key, item in view.states.items()}
    body.update({key: {"error": reason} for key, reason in view.unreadable.items()})
    return json.dumps(dict(sorted(body.items())), indent=2)


def render_state(view: StateView) -> str:
    """One line per table: its watermark, last run and any write in flight; errors last."""
    lines = []
    for key, state in view.states.items():
        # Values as the JSON (and the state file) write them.
        item = json.loads(state_to_json(state))
        mark = item["watermark"]["value"] if item["watermark"] else "-"
        pending = " (write in flight)" if item["pending"] else ""
        lines.append(f"{key}: watermark {mark}, last run {item['last_run_id']}{pending}")
    lines += [f"{key}: error: {reason}" for key, reason in view.unreadable.items()]
    if not lines:
        lines.append("no state yet: the next run of every table is a full extract")
    return "\n".join(lines)


@state.command("reset")
@_state_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@guarded
def state_reset(
    config: Path,
    table: str | None,
    output: str | None,
    yes: bool = False,
    redactor: Redactor | None = None,
) -> int:
    """Forget watermarks so the next run extracts the tables in full again."""
    assert redactor is not None
    ready = prepare(config, flag_overrides(output, None, False), redactor, reads_source=False)
    with running(ready) as container:
        store = container.state_store()
        keys = matching_tables(store, table)
        if not keys:
            click.echo("nothing to reset")
            return EXIT_OK
        if not yes:
            click.confirm(f"reset {len(keys)} table(s): {', '.join(keys)}?", abort=True)
        for key in reset_state(store, keys):
            click.echo(f"reset {key}")
    return EXIT_OK
