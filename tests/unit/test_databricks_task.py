"""The wheel task's parameters (named `--name=value` and positional) turned into `run` options."""

from __future__ import annotations

import click
import pytest

from data_extractor.entrypoints.databricks_task import task_arguments


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # named_parameters, exactly as a wheel task passes them
        (
            ["--config=/Workspace/c.ini", "--tables=/Workspace/t.json"],
            ["--config=/Workspace/c.ini", "--tables=/Workspace/t.json"],
        ),
        # job-parameter names written like config keys
        (
            ["--config=c.ini", "--tables=t.json", "--run_id=r1", "--output_base_path=dbfs:/x"],
            ["--config=c.ini", "--tables=t.json", "--run-id=r1", "--output=dbfs:/x"],
        ),
        (["--max_workers=3", "--tables=t.json"], ["--max-workers=3", "--tables=t.json"]),
        # an empty job parameter means "not set"
        (["--tables=t.json", "--run_id=", "--output= "], ["--tables=t.json"]),
        # positional parameters fill config, tables, run-id, output, max-workers in order
        (["c.ini", "t.json"], ["--config=c.ini", "--tables=t.json"]),
        (
            ["c.ini", "t.json", "r7", "/Volumes/a/b/c", "2"],
            [
                "--config=c.ini",
                "--tables=t.json",
                "--run-id=r7",
                "--output=/Volumes/a/b/c",
                "--max-workers=2",
            ],
        ),
        # ... skipping the ones given by name
        (["--config=c.ini", "t.json", "r7"], ["--config=c.ini", "--tables=t.json", "--run-id=r7"]),
        # an empty positional keeps its place
        (["", "t.json"], ["--tables=t.json"]),
        # the "--name value" form of the CLI works too
        (["--config", "c.ini", "--tables", "t.json"], ["--config=c.ini", "--tables=t.json"]),
        # flags: bare, or with a boolean value
        (["--tables=t.json", "--databricks"], ["--tables=t.json", "--databricks"]),
        (["--tables=t.json", "--force=true", "--json=false"], ["--tables=t.json", "--force"]),
        (["--tables=t.json", "--force="], ["--tables=t.json"]),
        # unknown names pass through for click to reject with its own message
        (["--tables=t.json", "--colour=red"], ["--tables=t.json", "--colour=red"]),
    ],
)
def test_task_arguments(argv, expected):
    assert task_arguments(argv) == expected


def test_too_many_positional_parameters_is_a_usage_error():
    with pytest.raises(click.UsageError, match="positional parameters"):
        task_arguments(["a", "b", "c", "d", "e", "f"])


def test_a_boolean_flag_with_a_strange_value_is_a_usage_error():
    with pytest.raises(click.UsageError, match="--force takes true or false"):
        task_arguments(["--tables=t.json", "--force=maybe"])


def test_main_exits_2_on_bad_input_and_returns_on_help(capsys):
    from data_extractor.entrypoints.databricks_task import main

    with pytest.raises(SystemExit) as caught:
        main(["a", "b", "c", "d", "e", "f"])
    assert caught.value.code == 2
    assert "positional parameters" in capsys.readouterr().err
    # --help exits 0 inside click: a wheel task must see a normal return, not SystemExit
    assert main(["--help"]) is None
    assert "--tables" in capsys.readouterr().out
