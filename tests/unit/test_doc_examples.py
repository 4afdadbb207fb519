"""Every ```ini example in README.md and docs/*.md validates as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from data_extractor.adapters.secrets import Redactor, env_name_for
from data_extractor.entrypoints.bootstrap import inspect_inputs
from data_extractor.entrypoints.config import ENV_REF, flag_overrides

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```ini\n(.*?)^```", re.MULTILINE | re.DOTALL)
SECRET = re.compile(r"=\s*(env:([A-Za-z_]\w*)|secret://([^/\s]+)/(\S+))")


def ini_examples() -> list:
    """(file:line, text) of every ```ini block in the README and the docs."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path.relative_to(ROOT)}:{line}"
            found.append(pytest.param(where, match.group(1), id=where))
    return found


def referenced_variables(text: str) -> dict[str, str]:
    """Environment variables the example's ${VAR}, env: and secret:// references read."""
    names = [m.group(1) for m in ENV_REF.finditer(text)]
    for match in SECRET.finditer(text):
        names.append(match.group(2) or env_name_for(match.group(3), match.group(4)))
    return {name: f"example-{name.lower()}" for name in names}


def test_the_docs_have_ini_examples():
    assert len(ini_examples()) >= 5  # README: main, Oracle driver, Databricks; docs/sources.md


@pytest.mark.parametrize(("where", "text"), ini_examples())
def test_every_ini_example_in_the_docs_validates_as_written(where, text, tmp_path, monkeypatch):
    for name, value in referenced_variables(text).items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "example.ini"
    config.write_text(text, encoding="utf-8")
    tables = tmp_path / "tables.json"
    table = {"table_name": "t", "source_name": "s", "is_full_extract": True}
    tables.write_text(json.dumps({"tables": [table]}), encoding="utf-8")
    # A fragment that leaves the output out gets it as `--output` would give it.
    output = None if "output_base_path" in text else str(tmp_path / "lake")
    flags = flag_overrides(output, None, False)
    flags.setdefault("runtime", {})["platform"] = "local"
    inputs = inspect_inputs(config, tables, flags, referenced_variables(text), Redactor())
    assert [str(p) for p in inputs.problems] == [], where
