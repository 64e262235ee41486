"""`cxctl report monthly`: the cron job that writes the month's reports as files.

One topic per file name, each as Markdown (to read), CSV (to load) and JSON
(for tools): ``<month>-kpi``, ``-sla``, ``-reminders``, ``-handover``,
``-returns`` and ``-coverage``.  The files depend only on the records and the
as-of moment, so a rerun writes the same bytes.  Personal data is always
masked — by key (phone, email, id_number) and, in case someone typed a mobile
number into free text, by pattern — and ``--show-pii`` is refused.
Exit 1 when the month has SLA breaches or error-level findings, so cron can
alert; 0 otherwise.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxctl import render
from cxctl.cli.common import (EXIT_FINDINGS, EXIT_OK, deadlines_computable, fail, records_from,
                              report_findings)
from cxctl.cli.context import calendar_of, handover_policy_of, kpi_policy_of, sla_policy_of
from cxctl.cli.kpi import (MonthAsOfOpt, MonthOpt, coverage_display, display_rows, left_out, month_as_of,
                           month_from)
from cxctl.kpi import GROUPINGS, ROW_KEYS
from cxctl.monthly_report import MonthlyReport, monthly_report
from cxctl.store.writer import atomic_write

app = typer.Typer(help="Reports written as files, for cron.", no_args_is_help=True)

BREACH_COLUMNS = ["ticket", "metric", "cycle", "started_at", "due_at", "done_at", "state", "kind",
                  "target", "provider", "owner", "paused_minutes", "extended_to", "warning"]
REMINDER_LISTS = ("reminders", "investigations", "escalations", "forced_closures")
REMINDER_COLUMNS = ["list", "ticket", "kind", "owner", "provider", "metric", "cycle", "due_at",
                    "overdue_by", "done_at", "closed_at", "late_by", "opened_at", "age_due_at",
                    "escalated", "at", "by", "reason"]
HANDOVER_COLUMNS = ["handover", "check", "item", "expected", "actual", "message", "level",
                    "borrower", "phone"]
RETURN_COLUMNS = ["ticket", "customer", "approved_qty", "returned_qty", "tolerance",
                  "tolerance_source", "limit", "outcome", "booked_qty", "level"]
COVERAGE_COLUMNS = ["owner", "name", "customers", "contacted", "coverage", "coverage_num",
                    "coverage_den", "uncontacted"]
UNCONTACTED_COLUMNS = ["customer", "name", "owner", "last_contact"]

scrub = render.scrub


class Topic:
    """One report: Markdown sections, one CSV table, one JSON document."""

    def __init__(self, name: str, title: str, sections: list[tuple[str, list[dict], list[str] | None]],
                 csv_rows: list[dict], csv_columns: list[str], document: dict):
        self.name, self.title, self.sections = name, title, sections
        self.csv_rows, self.csv_columns, self.document = csv_rows, csv_columns, document

    def markdown(self, report: MonthlyReport) -> str:
        parts = [f"# {self.title} — {report.month}",
                 f"{report.organisation} · evaluated as of {report.as_of.isoformat()}"]
        for heading, rows, columns in self.sections:
            parts.append(f"## {heading}")
            parts.append(render.render(scrub(rows), "md", columns=columns if rows else None,
                                       empty="(none)").rstrip("\n"))
        return "\n\n".join(parts) + "\n"

    def csv(self) -> str:
        return render.render(scrub(self.csv_rows), "csv", columns=self.csv_columns)

    def json(self, report: MonthlyReport) -> str:
        meta = {"month": str(report.month), "as_of": report.as_of.isoformat(),
                "organisation": report.organisation}
        return render.to_json(scrub({**meta, **self.document}))


def topics(report: MonthlyReport) -> list[Topic]:
    kpi_rows = [{"by": by, **row} for by in GROUPINGS for row in report.kpi[by]]
    reminder_rows = report.reminders.rows()
    coverage = report.coverage
    return [
        Topic("kpi", "Complaint KPIs",
              [(f"By {by}", display_rows(report.kpi[by], by), None) for by in GROUPINGS],
              kpi_rows, ["by", *ROW_KEYS], {by: report.kpi[by] for by in GROUPINGS}),
        Topic("sla", "SLA breaches (deadlines in the month)",
              [("Breached clocks", report.breaches, None)],
              report.breaches, BREACH_COLUMNS, {"breaches": report.breaches}),
        Topic("reminders", "Reminders and investigations",
              [(name.replace("_", " ").capitalize(), getattr(report.reminders, name), None)
               for name in REMINDER_LISTS],
              reminder_rows, REMINDER_COLUMNS,
              {name: getattr(report.reminders, name) for name in REMINDER_LISTS}),
        Topic("handover", "Desk handover findings",
              [("Findings", report.handover_findings, None)],
              report.handover_findings, HANDOVER_COLUMNS, {"findings": report.handover_findings}),
        Topic("returns", "Returns on the month's complaints",
              [("Returns", report.returns, None)],
              report.returns, RETURN_COLUMNS, {"returns": report.returns}),
        Topic("coverage", f"Contact coverage {coverage.year} (year to date)",
              [("Per owner", coverage_display(coverage), None),
               ("Customers nobody contacted", coverage.uncontacted, UNCONTACTED_COLUMNS)],
              coverage.owners, COVERAGE_COLUMNS,
              {"year": coverage.year, "owners": coverage.owners, "uncontacted": coverage.uncontacted}),
    ]


def write_report(report: MonthlyReport, out: Path) -> list[Path]:
    written = []
    for topic in topics(report):
        for ext, text in (("md", topic.markdown(report)), ("csv", topic.csv()),
                          ("json", topic.json(report))):
            path = out / f"{report.month}-{topic.name}.{ext}"
            atomic_write(path, text)
            written.append(path)
    return written


@app.command("monthly")
def monthly(
    ctx: typer.Context,
    month: MonthOpt,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", file_okay=False,
                                      help="Folder to write the files into (created if missing).")],
    as_of: MonthAsOfOpt = None,
    show_pii: Annotated[bool, typer.Option(
        "--show-pii", help="Refused: files written by cron never hold personal data unmasked.")] = False,
) -> None:
    """Write the month's KPI, SLA, reminder, handover, returns and coverage reports.

    Files are named <month>-<topic>.md/.csv/.json and written atomically;
    the same records and --as-of (default: the first moment of the next month)
    give the same bytes.  Exit 1 when the month has SLA breaches or error-level
    findings, else 0.
    """
    if show_pii:
        fail("report monthly never writes personal data unmasked: --show-pii is refused "
             "(files written by cron must not hold it)")
    period = month_from(month)
    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a folder")
    records = records_from(ctx, announce_left_out=False)
    calendar = calendar_of(records)
    moment = month_as_of(as_of, period, calendar)
    with deadlines_computable():
        report = monthly_report(records, period, moment, calendar, sla_policy_of(records),
                                kpi_policy_of(records), handover_policy_of(records))
    try:
        written = write_report(report, out)
    except OSError as exc:
        fail(f"cannot write the report into {out}: {exc.strerror or exc}")
    for path in written:
        typer.echo(str(path))
    problems = left_out(ctx, ["tickets", "handovers", "customers", "providers"])
    report_findings(problems)
    typer.echo(f"{period}: {len(report.breaches)} SLA breach(es), {report.error_findings} "
               f"error finding(s) in handovers and returns, {len(problems)} unreadable record "
               f"problem(s); as of {report.as_of.isoformat()}")
    raise typer.Exit(EXIT_FINDINGS if report.needs_attention or problems else EXIT_OK)
