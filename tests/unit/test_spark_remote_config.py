"""[spark] remote and SPARK_REMOTE: a malformed remote is bad input (exit 2) whose message
never repeats the remote's parameters (a Databricks-style `;token=...`) or a password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from data_extractor.adapters.secrets import Redactor
from data_extractor.entrypoints.cli import cli
from data_extractor.entrypoints.config_checks import masked_remote, spark_remote

TOKEN = "dapi-SECRET-0123456789"


def files(tmp_path: Path, spark_section: str = "") -> list[str]:
    """A valid config (plus a [spark] section) and tables file, as validate's arguments."""
    config = tmp_path / "config.ini"
    config.write_text(
        "[database]\ntype = postgresql\nhost = db.example\ndatabase = shop\n\n"
        f"[extraction]\noutput_base_path = {tmp_path / 'lake'}\n{spark_section}",
        encoding="utf-8",
    )
    tables = tmp_path / "tables.json"
    tables.write_text(
        json.dumps(
            {
                "tables": [
                    {
                        "table_name": "T",
                        "schema_name": "S",
                        "source_name": "shop",
                        "is_full_extract": True,
                    }
                ]
            }
        )
    )
    return ["--config", str(config), "--tables", str(tables)]


@pytest.mark.parametrize(
    "remote",
    [f"sc://h:443;token={TOKEN}", f"sc://user:{TOKEN}@h:443", f"sc://h:x/;token={TOKEN}"],
)
def test_a_malformed_remote_in_the_config_exits_2_without_its_secret(tmp_path, remote):
    args = files(tmp_path, f"\n[spark]\nremote = {remote}\n")
    result = CliRunner().invoke(cli, ["validate", *args], env={"SPARK_REMOTE": ""})
    assert result.exit_code == 2
    assert "[spark] [remote]" in result.stderr or "[remote]" in result.stderr
    assert "is not a Spark Connect URL" in result.stderr
    assert TOKEN not in result.stderr and TOKEN not in result.stdout


def test_a_malformed_spark_remote_variable_is_checked_the_same_way(tmp_path):
    result = CliRunner().invoke(
        cli, ["validate", *files(tmp_path)], env={"SPARK_REMOTE": f"sc://h:443;token={TOKEN}"}
    )
    assert result.exit_code == 2
    assert "environment [SPARK_REMOTE]: 'sc://h:443;***' is not a Spark Connect URL" in (
        result.stderr
    )
    assert TOKEN not in result.stderr and TOKEN not in result.stdout


def test_a_good_variable_passes_and_the_config_remote_wins_over_a_bad_one(tmp_path):
    good = CliRunner().invoke(
        cli, ["validate", *files(tmp_path)], env={"SPARK_REMOTE": f"sc://h:443/;token={TOKEN}"}
    )
    assert good.exit_code == 0, good.output
    configured = files(tmp_path, "\n[spark]\nremote = sc://localhost:15002\n")
    wins = CliRunner().invoke(cli, ["validate", *configured], env={"SPARK_REMOTE": "sc://h;x"})
    assert wins.exit_code == 0, wins.output


def test_masking_keeps_the_address_and_hides_parameters_and_credentials():
    assert masked_remote("sc://h:443") == "sc://h:443"
    assert masked_remote(f"sc://h:443/;token={TOKEN};user_id=me") == "sc://h:443/;***"
    assert masked_remote(f"sc://me:{TOKEN}@h:443") == "sc://***@h:443"
    assert spark_remote(f"sc://h:443/;token={TOKEN}") is None


def test_a_remote_token_that_reaches_a_log_line_is_redacted():
    """The tool never logs the remote; should a library's message carry it, the Redactor's
    credential patterns (applied to every log record and reason) hide the token."""
    redacted = Redactor().redact(f"cannot reach sc://h:443/;token={TOKEN};user_id=me")
    assert TOKEN not in redacted and "sc://h:443/;token=***" in redacted
