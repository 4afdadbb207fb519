"""`data-extractor verify`: does the lake still hold what the state says was committed?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..adapters.lake import (
    FileSystemLakeInspector,
    HadoopFooterReader,
    PyarrowFooterReader,
    RoutingFooterReader,
)
from ..adapters.location import to_spark_path
from ..adapters.secrets import Redactor
from ..domain.errors import InputError, Problem
from ..domain.model import TableSpec
from ..domain.verify import LakeVerifier, VerifyReport
from .app import prepare, prepare_config, spark_released
from .config import flag_overrides
from .container import Container, platform_of
from .tables_file import load_tables


def build_verifier(container: Container, merged: dict, source: bool) -> LakeVerifier:
    """The verify use case over the run's state, file system, session and (with source) reader."""
    platform = platform_of(merged.get("runtime", {}))
    base = to_spark_path(merged["extraction"]["output_base_path"])
    footers = RoutingFooterReader(
        PyarrowFooterReader(), HadoopFooterReader(container.session_provider()), platform
    )
    return LakeVerifier(
        container.state_store(),
        FileSystemLakeInspector(container.filesystem(), base),
        footers,
        container.reader() if source else None,
    )


def load_for_verify(
    config: Path, tables: Path | None, output: str | None, source: bool, redactor: Redactor
) -> tuple[Container, dict, tuple[TableSpec, ...] | None]:
    """The container and config, with the tables file's specs when one is given."""
    flags = flag_overrides(output, None, False)
    if source:
        if tables is None:
            problem = Problem("--source", None, "needs --tables: it says how each table is read")
            raise InputError([problem])
        container, specs, merged = prepare(config, tables, flags, redactor)  # resolves secrets
        return container, merged, tuple(specs)
    container = prepare_config(config, flags, redactor)
    merged = container.config()
    if tables is None:
        return container, merged, None
    default_source = merged.get("extraction", {}).get("default_source") or None
    return container, merged, load_tables(tables, default_source)


def report_json(report: VerifyReport) -> str:
    """The report as JSON: what was checked, every problem, the exit code."""
    body = {
        "format_version": 1,
        "tables": list(report.tables),
        "committed_outputs": report.outputs,
        "problems": [
            {"table": f.table, "output_path": f.output_path, "problem": f.message}
            for f in report.findings
        ],
        "exit_code": report.exit_code,
    }
    return json.dumps(body, indent=2)


def render(report: VerifyReport) -> str:
    """One line per problem, then a summary line."""
    lines = [f"problem: {finding}" for finding in report.findings]
    tables, count = len(report.tables), len(report.findings)
    verdict = f"{count} problem{'s' if count != 1 else ''}" if count else "no problems"
    lines.append(
        f"{tables} table{'s' if tables != 1 else ''}, {report.outputs} committed outputs: {verdict}"
    )
    return "\n".join(lines)


def run_verify(
    config: Path,
    tables: Path | None,
    output: str | None,
    source: bool,
    as_json: bool,
    redactor: Redactor,
) -> int:
    """Check the lake; print one line per problem (or JSON); 0 clean, 1 with problems."""
    container, merged, specs = load_for_verify(config, tables, output, source, redactor)
    store = container.state_store()
    keys = [s.key for s in specs] if specs is not None else store.table_keys()
    by_key = {s.key: s for s in specs or ()}
    with spark_released(container):
        report = build_verifier(container, merged, source).verify(keys, by_key)
    click.echo(redactor.redact(report_json(report) if as_json else render(report)))
    return report.exit_code
