"""Human-readable renderings of a plan and a run report."""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.model import ExtractionPlan, RunReport, Window


def describe_window(window: Window | None, upper_pending: bool = False) -> str:
    """`(2024-01-01 00:00:00, MAX at run time]` and the like; '-' for none."""
    if window is None:
        return "-"
    lower = "-inf" if window.lower is None else _value(window.lower)
    if window.upper is not None:
        upper = _value(window.upper)
    else:
        upper = "MAX at run time" if upper_pending else "+inf"
    left = "[" if window.lower_inclusive else "("
    right = "]" if window.upper_inclusive else ")"
    nulls = " + NULLs" if window.include_nulls else ""
    return f"{left}{lower}, {upper}{right}{nulls}"


def _value(value: object) -> str:
    return str(value)


def table_text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned text table."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def render_report(report: RunReport) -> str:
    """The end-of-run summary: one line per table, then totals."""
    rows = []
    for r in report.results:
        stats = r.stats
        rows.append(
            [
                f"{r.table} {r.day.isoformat()}" if r.day else r.table,
                r.status.value,
                r.mode.value if r.mode else "-",
                describe_window(r.window),
                f"{stats.rows:,}" if stats else "0",
                str(stats.files) if stats else "0",
                f"{stats.bytes / 1e6:.2f}" if stats else "0.00",
                f"{r.seconds:.1f}",
                r.error or r.note or (r.output_path or ""),
            ]
        )
    headers = ["table", "status", "mode", "window", "rows", "files", "MB", "seconds", "detail"]
    total_rows = sum(r.stats.rows for r in report.results if r.stats)
    seconds = (report.finished_at - report.started_at).total_seconds()
    failed = len(report.failed)
    footer = (
        f"run {report.run_id}: {len(report.results)} tables, {failed} failed, "
        f"{total_rows:,} rows in {seconds:.1f}s"
    )
    return table_text(headers, rows) + "\n" + footer


def render_plan(plan: ExtractionPlan, sql_for: dict[str, str]) -> str:
    """What a run would do, task by task, with the SQL it would send (by output path)."""
    lines = [f"run {plan.run_id} (date {plan.run_date.isoformat()})"]
    for task in plan.tasks:
        day = f" day {task.day.isoformat()}," if task.day else ""
        lines.append(
            f"- {task.key}:{day} {task.mode.value}, window "
            f"{describe_window(task.window, task.upper_from_source)}"
        )
        lines.append(f"    output: {task.output_path}")
        if task.spec.initial_watermark is not None:
            start = _value(task.spec.initial_watermark)
            lines.append(f"    initial_watermark: {start} (used while nothing is committed)")
        lines.append(f"    sql:    {sql_for[task.output_path]}")
    for skip in plan.skipped:
        lines.append(f"- {skip.spec.key}: skipped ({skip.reason})")
    return "\n".join(lines)
