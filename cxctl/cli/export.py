"""`cxctl export`: every record flattened into tables for SQL and BI tools."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer

from cxctl import __version__
from cxctl.cli.common import (AsOfOpt, ShowPiiOpt, as_of_from, deadlines_computable, fail, records_from,
                              root_from, timezone_of)
from cxctl.cli.context import calendar_of, sla_policy_of
from cxctl.export import build_tables
from cxctl.sla import clocks_for_tickets
from cxctl.store.tables import ExportRefused, write_csv, write_sqlite

WRITERS = {"sqlite": write_sqlite, "csv": write_csv}


def export_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(
        "--out", metavar="PATH", help="The SQLite file, or the folder for the CSV files.")],
    fmt: Annotated[str, typer.Option(
        "--format", "-f", metavar="FORMAT", case_sensitive=False,
        help="sqlite (one database file) or csv (one file per table in a folder).")] = "sqlite",
    as_of: AsOfOpt = None,
    show_pii: ShowPiiOpt = False,
) -> None:
    """Write customers, contacts, tickets, events, SLA clocks, handovers, surveys,
    staff and providers as tables.

    Clocks carry their state as of --as-of (default now), exactly as `sla
    check` reports them.  Phone numbers, e-mail addresses and ID numbers are
    masked unless --show-pii is given, also where typed into free text such as
    a note.  The export replaces PATH only once it is complete, and only a new
    path or an earlier export (never anything inside the records root).
    """
    fmt = fmt.lower()
    if fmt not in WRITERS:
        fail(f"unknown export format '{fmt}'; choose sqlite or csv")
    records = records_from(ctx)
    moment = as_of_from(as_of, timezone_of(records))
    calendar, policy = calendar_of(records), sla_policy_of(records)
    with deadlines_computable():
        clocks = clocks_for_tickets(sorted(records.tickets.values(), key=lambda t: t.id),
                                    policy, calendar, moment)
    meta = {"as_of": moment.isoformat(), "exported_at": datetime.now(timezone.utc).isoformat(),
            "organisation": records.settings.organisation, "timezone": records.settings.timezone,
            "records_root": str(root_from(ctx)), "pii": "shown" if show_pii else "masked",
            "cxctl_version": __version__}
    tables = build_tables(records, clocks, show_pii=show_pii, meta=meta)
    try:
        WRITERS[fmt](out, tables, records_root=root_from(ctx))
    except ExportRefused as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    counts = ", ".join(f"{t.name} {len(t.rows)}" for t in tables if t.name != "meta")
    typer.echo(f"wrote {out} ({fmt}): {counts}")
