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
from ..domain.verify import VerifyReport
from ..usecases.verify import LakeVerifier, verify_lake
from .bootstrap import Prepared, prepare, running
from .config import flag_overrides
from .container import Container


def build_verifier(container: Container, source: bool) -> LakeVerifier:
    """The verify use case over the run's state, file system, session and (with source) reader."""
    settings = container.settings()
    platform = settings.runtime.resolved_platform
    base = to_spark_path(settings.extraction.output_base_path or "")
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
) -> Prepared:
    """The config (and tables, when given) checked; the source's secrets only with --source."""
    if source and tables is None:
        problem = Problem("--source", None, "needs --tables: it says how each table is read")
        raise InputError([problem])
    flags = flag_overrides(output, None, False)
    return prepare(config, flags, redactor, tables=tables, reads_source=source)


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
    ready = load_for_verify(config, tables, output, source, redactor)
    with running(ready) as container:
        verifier = build_verifier(container, source)
        specs = ready.specs if tables is not None else None
        report = verify_lake(verifier, container.state_store(), specs)
    click.echo(redactor.redact(report_json(report) if as_json else render(report)))
    return report.exit_code
