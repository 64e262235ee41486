"""`cxctl calendar show` and `cxctl calendar import` (SPEC 1.5)."""
from __future__ import annotations

from datetime import date
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cxctl import render
from cxctl.calendar_import import ImportedCalendar, ImportProblem, import_calendar
from cxctl.cli.common import (AsOfOpt, FormatOpt, ShowPiiOpt, as_of_from, check_format, emit, fail, load_from,
                              month_from, records_from, refused, root_from, timezone_of)
from cxctl.cli.context import calendar_of
from cxctl.store.writer import LockBusy, WriteRefused, create_record, locked, update_record

app = typer.Typer(help="Inspect business calendars or create one from public-holiday data.",
                  no_args_is_help=True)


def _month(value: str | None, today: date) -> tuple[int, int]:
    if value is None:
        return today.year, today.month
    month = month_from(value)
    return month.year, month.month


@app.command("show")
def show(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option(metavar="YYYY-MM", help="Month to show (default: this month).")] = None,
    name: Annotated[str | None, typer.Option(help="Calendar name (default: the one in cxctl.yaml).")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """A month grid marking holidays, make-up working days and weekends, with the cut-off."""
    fmt = check_format(fmt)
    records = records_from(ctx)
    cal = calendar_of(records, name)
    year, mon = _month(month, cal.local_date(as_of_from(as_of, timezone_of(records))))
    days = cal.month_overview(year, mon)
    if fmt == "table":
        typer.echo(render.month_grid(cal, days), nl=False)
    else:
        emit([d.to_dict() for d in days], fmt, show_pii=show_pii)


def _block_list(values: list[str], names: dict[date, str], old: CommentedSeq | None, year: int) -> CommentedSeq:
    """One date per line; the imported year's entries say what they are, others keep their comments."""
    seq = CommentedSeq()
    old_comments = {}
    if old is not None:
        old_comments = {str(v): old.ca.items.get(i) for i, v in enumerate(old)}
    for value in values:
        day = date.fromisoformat(value)
        seq.append(day)
        if day.year == year and day in names:
            seq.yaml_add_eol_comment(names[day], len(seq) - 1, column=20)
        elif old_comments.get(value):
            seq.ca.items[len(seq) - 1] = old_comments[value]
    return seq


def _lay_out(imported: ImportedCalendar, year: int):
    def mutate(doc: CommentedMap) -> None:
        for key in list(doc):
            if key not in imported.data:
                del doc[key]
        for key, value in imported.data.items():
            if key in ("holidays", "workdays"):
                doc[key] = _block_list(value, imported.names, doc.get(key), year)
            elif doc.get(key) != value:
                doc[key] = value
    return mutate


def _header(country: str, year: int, provisional: bool) -> str:
    try:
        source = f"holidays {version('holidays')}"
    except PackageNotFoundError:
        source = "holidays"
    text = (f"Business calendar imported for {country} {year} from the {source} package.\n"
            f"Check it against the official notice before relying on it; edit by hand when the schedule changes.")
    if provisional:
        text += f"\n{year} is provisional: the package does not know its official make-up days yet."
    return text


@app.command("import")
def import_command(
    ctx: typer.Context,
    country: Annotated[str, typer.Option(help="ISO country code, e.g. CN.")],
    year: Annotated[int, typer.Option(help="Year to import, e.g. 2027.", min=1950, max=2100)],
    name: Annotated[str | None, typer.Option(help="Calendar name (default: cn-mainland for CN).")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone (default: the country's).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Update an existing calendar: that year's days are replaced, other years kept.")] = False,
) -> None:
    """Write calendars/<name>.yaml from the holidays package, for review in git."""
    root = root_from(ctx)
    try:
        probe = import_calendar(country, year, name=name, timezone=timezone)
    except ImportProblem as exc:
        fail(str(exc))
    cal_name = probe.data["name"]
    relpath = f"calendars/{cal_name}.yaml"
    target = root / relpath
    try:
        with locked(root):
            if not target.exists():
                create_record(root, relpath, probe.data, header=_header(country.upper(), year, probe.provisional))
                update_record(root, relpath, _lay_out(probe, year))
                action = "created"
            elif not force:
                fail(f"{relpath} already exists; use --force to replace its {year} entries (other years are kept)")
            else:
                entry = load_from(ctx).entries.get(relpath)
                if entry is None or entry.data is None:
                    fail(f"{relpath} cannot be read as a calendar; fix it first (`cxctl validate {relpath}`)")
                merged = import_calendar(country, year, name=cal_name, timezone=timezone, merge_into=entry.data)
                changed = update_record(root, relpath, _lay_out(merged, year))
                action = "updated" if changed else "unchanged"
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    note = f" ({year} is provisional)" if probe.provisional else ""
    typer.echo(f"{action} {relpath}: {country.upper()} {year}{note}; review it with "
               f"`cxctl calendar show --name {cal_name} --month {year}-01` and commit it")
