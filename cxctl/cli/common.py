"""What every command group shares: options, loading, output, exit codes."""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from dateutil import parser as dateparser

from cxctl import render
from cxctl.calendar import CalendarError
from cxctl.findings import Finding
from cxctl.integrity import reference_problem
from cxctl.model import Records
from cxctl.months import Month
from cxctl.sla_policy import DeadlineError
from cxctl.store.loader import LoadResult, load_records
from cxctl.store.writer import LockBusy, WriteRefused
from cxctl.store.yamlread import MAX_YEAR, MIN_YEAR

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="TIMESTAMP",
    help="Evaluate as if it were this moment, e.g. 2026-11-25T17:00:00+08:00 "
         "(a date alone means its start; no offset means the records' time zone). Default: now.")]
AtOpt = Annotated[str | None, typer.Option(
    "--at", metavar="TIMESTAMP",
    help="When it happened, e.g. 2026-11-24T09:12:00+08:00 (no offset means the records' "
         "time zone). Default: now.")]
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", metavar="FORMAT", help="Output format: table, json, csv or md.",
    case_sensitive=False)]
ShowPiiOpt = Annotated[bool, typer.Option(
    "--show-pii", help="Show phone numbers, e-mail addresses and ID numbers unmasked.")]


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"cxctl: {message}", err=True)
    raise typer.Exit(code)


def month_from(value: str, option: str = "--month") -> Month:
    """A YYYY-MM option, read the same way by every command (cxctl.months)."""
    try:
        return Month.parse(value)
    except ValueError as exc:
        fail(f"{option} {exc}")


def check_format(fmt: str, allowed=render.FORMATS) -> str:
    fmt = fmt.lower()
    if fmt not in allowed:
        fail(f"unknown format '{fmt}'; choose one of: {', '.join(allowed)}")
    return fmt


def root_from(ctx: typer.Context) -> Path:
    obj = ctx.find_root().obj or {}
    root = Path(obj.get("root") or os.environ.get("CXCTL_ROOT") or "records")
    if not root.is_dir():
        fail(f"records root '{root}' is not a directory "
             f"(use --root DIR, set CXCTL_ROOT, or create one with `cxctl init {root}`)")
    return root


def load_from(ctx: typer.Context, *, cross_checks: bool = False) -> LoadResult:
    """The records root, loaded once per command.  Cross-record findings are
    worked out only for a caller that reports them (`validate`)."""
    obj = ctx.find_root().obj or {}
    cached = obj.get("_loaded")
    if cached is not None and (cached[1] or not cross_checks):
        return cached[0]
    result = load_records(root_from(ctx), use_cache=not obj.get("no_cache", False),
                          cross_checks=cross_checks)
    obj["_loaded"] = (result, cross_checks)
    return result


def records_from(ctx: typer.Context, *, announce_left_out: bool = True) -> Records:
    """Records for a command that needs usable settings, exiting 2 if not.

    Files that could not be read are named on stderr, unless the caller
    reports them itself in more detail (``announce_left_out=False``)."""
    result = load_from(ctx)
    unusable = [f for f in result.findings
                if f.level == "error" and (f.path == "cxctl.yaml" or f.path.startswith(
                    ("policies/", "calendars/")))]
    if unusable or result.records.settings is None:
        typer.echo(render.findings_text(unusable), err=True, nl=False)
        fail("the settings, policies or calendars are not usable; fix them first "
             "(`cxctl validate` lists every problem)")
    left_out = sorted(p for p, e in result.entries.items() if e.kind and not e.loaded)
    if left_out and announce_left_out:
        # Said on stderr every time (not only on a terminal): a cron job's
        # numbers without these records must not look complete.
        shown = ", ".join(left_out[:5]) + (f" and {len(left_out) - 5} more" if len(left_out) > 5 else "")
        typer.echo(f"cxctl: warning: {len(left_out)} record file(s) could not be read and are left "
                   f"out: {shown}; `cxctl validate` says why", err=True)
    return result.records


def timezone_of(records: Records) -> ZoneInfo:
    try:
        return ZoneInfo(records.settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone '{records.settings.timezone}' in cxctl.yaml")


def as_of_from(value: str | None, tz: ZoneInfo) -> datetime:
    if value is None:
        return datetime.now(timezone.utc).astimezone(tz)
    try:
        moment = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        fail(f"--as-of '{value}' is not a timestamp; write e.g. 2026-11-25T17:00:00+08:00")
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        fail(f"--as-of '{value}' is outside the years {MIN_YEAR}-{MAX_YEAR}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def emit(rows: list[dict], fmt: str, *, columns: list[str] | None = None,
         show_pii: bool = False, empty: str = "(nothing to show)") -> None:
    typer.echo(render.render(rows, fmt, columns=columns, show_pii=show_pii, empty=empty), nl=False)


def require_usable(records: Records, ref: str | None, option: str, kinds: str = "SP") -> None:
    """A write command names only people and providers that exist and work
    now (the rule is integrity.reference_problem); else exit 2, nothing written."""
    if ref is None:
        return
    problem = reference_problem(records, ref, kinds=kinds)
    if problem:
        fail(f"{option}: {problem}; nothing was written")


def refused(exc: WriteRefused | LockBusy) -> NoReturn:
    if isinstance(exc, LockBusy):
        fail(str(exc))
    typer.echo(render.findings_text(exc.findings), err=True, nl=False)
    fail("nothing was written: the change would make the record invalid", EXIT_FINDINGS)


def report_findings(findings: list[Finding]) -> None:
    if findings:
        typer.echo(render.findings_text(findings), err=True, nl=False)


@contextmanager
def deadlines_computable():
    """A deadline the calendar cannot place (no working day to count) or that
    lies beyond representable dates is a configuration problem: exit 2 with
    the reason, never a traceback."""
    try:
        yield
    except (CalendarError, DeadlineError) as exc:
        fail(f"cannot compute an SLA deadline: {exc}; fix the calendar or policies/sla.yaml "
             f"(`cxctl validate` lists their problems)")
