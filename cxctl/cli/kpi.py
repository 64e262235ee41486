"""`cxctl kpi …`: monthly complaint KPIs and yearly contact coverage (SPEC 3.6).

Also holds what the reporting commands share: the month and year options,
the default as-of of a month, and the record files a command had to leave out.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Iterable

import typer

from cxctl import render
from cxctl.calendar import BusinessCalendar
from cxctl.cli.common import (EXIT_FINDINGS, FormatOpt, ShowPiiOpt, as_of_from,
                              check_format, deadlines_computable, emit, fail, load_from,
                              month_from, records_from, report_findings)
from cxctl.cli.context import calendar_of, kpi_policy_of, sla_policy_of
from cxctl.coverage import CoverageResult, contact_coverage
from cxctl.findings import Finding
from cxctl.kpi import GROUPINGS, PROVIDER_ONLY, RATES, default_as_of, kpi_summary
from cxctl.months import Month

app = typer.Typer(help="Monthly complaint KPIs per provider, owner or team; yearly contact coverage.",
                  no_args_is_help=True)

MonthOpt = Annotated[str, typer.Option(
    "--month", metavar="YYYY-MM", help="The month whose complaints count (accepted in it).")]
MonthAsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="TIMESTAMP",
    help="Evaluate as if it were this moment, e.g. 2026-11-25T17:00:00+08:00 (no offset means "
         "the calendar's time zone). Default: the first moment of the month after --month.")]
YearOpt = Annotated[int, typer.Option("--year", metavar="YYYY", min=1, max=9998, help="Calendar year.")]


# --- shared by kpi, survey and report ------------------------------------------

def month_as_of(value: str | None, month: Month, calendar: BusinessCalendar) -> datetime:
    """--as-of, or the first moment of the month after ``month`` (calendar time zone)."""
    if value is None:
        return default_as_of(month, calendar)
    return as_of_from(value, calendar.tz)


def left_out(ctx: typer.Context, folders: Iterable[str]) -> list[Finding]:
    """Errors of the record files under ``folders`` that could not be loaded: their
    records are missing from the results, which the user must know about."""
    result = load_from(ctx)
    prefixes = tuple(f"{f}/" for f in folders)
    dropped = {p for p, e in result.entries.items() if p.startswith(prefixes) and not e.loaded}
    return [f for f in result.findings if f.path in dropped and f.level == "error"]


def warn_left_out(findings: list[Finding]) -> None:
    if findings:
        report_findings(findings)
        files = len({f.path for f in findings})
        typer.echo(f"cxctl: {files} record file(s) could not be read and are left out of "
                   f"these results; fix them (`cxctl validate`) and run again", err=True)


def percent(num: int, den: int) -> str:
    """``3/4`` -> ``75.0% (3/4)``; truncated, so 999/1000 never shows as 100.0%."""
    if not den:
        return f"n/a ({num}/{den})"
    tenths = num * 1000 // den
    return f"{tenths // 10}.{tenths % 10}% ({num}/{den})"


# --- kpi summary -----------------------------------------------------------------

# Always null or empty for owners and teams: left out of their tables.
HIDDEN_UNLESS_PROVIDER = (*PROVIDER_ONLY, "limit_quarter", "notes")

def display_rows(rows: list[dict], by: str) -> list[dict]:
    """Rows for people (table, md): each rate with its fraction in one cell; the
    provider-only columns dropped for owners and teams, an unknown limit spelt out."""
    out = []
    for row in rows:
        shown: dict = {}
        for key, value in row.items():
            if key.endswith(("_num", "_den")) or (by != "provider" and key in HIDDEN_UNLESS_PROVIDER) \
                    or (by == "team" and key == "name"):
                continue
            if key in RATES:
                value = percent(row[f"{key}_num"], row[f"{key}_den"])
            elif key in PROVIDER_ONLY and value is None:
                value = "unknown"
            shown[key] = value
        out.append(shown)
    return out


@app.command("summary")
def summary(
    ctx: typer.Context,
    month: MonthOpt,
    by: Annotated[str, typer.Option("--by", metavar="GROUP",
                                    help="Group by provider (the one that accepted the complaint), "
                                         "owner or team.")] = "provider",
    as_of: MonthAsOfOpt = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Complaint KPIs of one month per group (SPEC 3.6).

    Evaluated as of --as-of, by default the first moment of the next month, so
    a rerun gives the same numbers.  JSON gives each rate with `<rate>_num`
    and `<rate>_den`; a rate is null when its denominator is 0.
    """
    fmt = check_format(fmt)
    period = month_from(month)
    by = by.lower()
    if by not in GROUPINGS:
        fail(f"--by '{by}' is not a grouping; use one of: {', '.join(GROUPINGS)}")
    records = records_from(ctx, announce_left_out=False)
    calendar = calendar_of(records)
    moment = month_as_of(as_of, period, calendar)
    with deadlines_computable():
        rows = kpi_summary(records, period, by, moment, sla_policy_of(records), calendar,
                           kpi_policy_of(records))
    problems = left_out(ctx, ["tickets", "providers"])
    if fmt in ("json", "csv"):
        emit(rows, fmt, show_pii=show_pii)
    else:
        if fmt == "table":
            typer.echo(f"Complaints accepted in {period}, by {by}, as of "
                       f"{calendar.local(moment).isoformat()}")
        emit(display_rows(rows, by), fmt, show_pii=show_pii)
    warn_left_out(problems)
    if problems:
        raise typer.Exit(EXIT_FINDINGS)


# --- kpi coverage ----------------------------------------------------------------

def coverage_document(result: CoverageResult) -> dict:
    return {"year": result.year, "owners": result.owners, "uncontacted": result.uncontacted}


def coverage_display(result: CoverageResult) -> list[dict]:
    """Owner rows for people: the coverage with its fraction in one cell."""
    return [{"owner": row["owner"], "name": row["name"], "customers": row["customers"],
             "contacted": row["contacted"], "coverage": percent(row["coverage_num"], row["coverage_den"]),
             "uncontacted": row["uncontacted"]} for row in result.owners]


@app.command("coverage")
def coverage(
    ctx: typer.Context,
    year: YearOpt,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="TIMESTAMP",
        help="Leave out contacts logged after this moment (year to date). "
             "Default: the whole year as recorded.")] = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Contact coverage per owner for a year (004 §4.2.4): active customers with at
    least one contact_log entry in the year / active customers owned, and the
    customers nobody contacted.  --as-of leaves out contacts logged after it."""
    fmt = check_format(fmt)
    records = records_from(ctx, announce_left_out=False)
    calendar = calendar_of(records)
    until = as_of_from(as_of, calendar.tz) if as_of is not None else None
    result = contact_coverage(records.customers.values(), records.staff, year, calendar, until)
    problems = left_out(ctx, ["customers"])
    if fmt == "json":
        document = coverage_document(result)
        typer.echo(render.to_json(document if show_pii else render.mask(document)), nl=False)
    elif fmt == "csv":
        emit(result.owners, fmt, show_pii=show_pii)
    else:
        if fmt == "md":
            typer.echo(f"## Contact coverage {year}\n")
        else:
            typer.echo(f"Contact coverage {year} per owner")
        emit(coverage_display(result), fmt, show_pii=show_pii, empty="(no active customers)")
        typer.echo("")
        typer.echo(f"## Customers nobody contacted in {year}\n" if fmt == "md"
                   else f"Customers nobody contacted in {year}")
        emit(result.uncontacted, fmt, show_pii=show_pii, empty="(none: every active customer was contacted)")
    warn_left_out(problems)
    if problems:
        raise typer.Exit(EXIT_FINDINGS)
