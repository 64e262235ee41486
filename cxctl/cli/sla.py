"""`cxctl sla check` and `cxctl sla remind`: SLA clocks and the lists they feed (SPEC 3.3, 3.4)."""
from __future__ import annotations

import json
import sys
from operator import attrgetter
from datetime import datetime
from typing import Annotated

import typer

from cxctl import render
from cxctl.calendar import BusinessCalendar
from cxctl.cli.common import (EXIT_FINDINGS, EXIT_OK, AsOfOpt, FormatOpt, ShowPiiOpt, as_of_from,
                              check_format, deadlines_computable, emit, fail, load_from, month_from,
                              records_from, timezone_of)
from cxctl.cli.clock_rows import clock_rows, listed
from cxctl.cli.context import calendar_of, sla_policy_of
from cxctl.model import Records
from cxctl.reminders import remind_lists
from cxctl.sla import STATES, clocks_for_tickets, explain_ticket
from cxctl.sla_policy import SlaPolicy
from cxctl.ticket_index import TicketFacts, facts_of

app = typer.Typer(help="Evaluate SLA clocks; list overdue and late-closed tickets.", no_args_is_help=True)

TABLE_COLUMNS = ["ticket", "metric", "cycle", "state", "started_at", "due_at", "done_at", "target",
                 "owner", "provider", "warning"]
FAIL_ON = {"breach": {"breached"}, "at_risk": {"breached", "at_risk"}}
LISTS = {"reminders": "催办 reminders: open tickets past a deadline",
         "investigations": "治办 investigations: tickets closed late",
         "escalations": "escalations: open complaints older than 3 months",
         "forced_closures": "forced closures (强制闭环)"}


def _split(value: str | None, allowed, option: str) -> set[str] | None:
    if not value:
        return None
    items = {v.strip() for v in value.split(",") if v.strip()}
    unknown = sorted(items - set(allowed))
    if unknown:
        fail(f"{option}: unknown value(s) {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return items


def _select(records: Records, kind, provider, owner, ticket) -> list[TicketFacts]:
    """The chosen tickets' facts, by id: the filters need no ticket built."""
    facts = facts_of(records.tickets)
    if ticket:
        if ticket not in facts:
            fail(f"no ticket {ticket}")
        facts = {ticket: facts[ticket]}
    return sorted((f for f in facts.values()
                   if (not kind or f.kind in kind) and (not provider or f.provider == provider)
                   and (not owner or f.owner == owner)), key=attrgetter("id"))


def _table_row(text: str) -> dict:
    shown = json.loads(text)
    for key in ("started_at", "due_at", "done_at"):
        moment = shown[key]         # local ISO time: keep "YYYY-MM-DD HH:MM"
        shown[key] = f"{moment[:10]} {moment[11:16]}" if moment else None
    return shown


@app.command("check")
def check(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(
        help=f"Only clocks in these states, comma-separated: {', '.join(STATES)}.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only tickets of these kinds, comma-separated.")] = None,
    provider: Annotated[str | None, typer.Option(help="Only tickets with this provider (P-…).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only tickets of this owner (S-…).")] = None,
    ticket: Annotated[str | None, typer.Option(help="Only this ticket (T-…).")] = None,
    open_only: Annotated[bool, typer.Option(
        "--open", help="Only clocks still running at --as-of (what needs action now); without it, "
                       "clocks that stopped long ago are listed too.")] = False,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", metavar="breach|at_risk",
        help="Exit 1 if a listed clock is breached (breach), or breached or at risk (at_risk).")] = None,
    explain: Annotated[str | None, typer.Option(
        "--explain", metavar="T-ID", help="Show how each deadline of this ticket was derived.")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Evaluate every SLA clock: met, breached, at_risk, running or paused.

    A plain check exits 0 even when clocks are breached; cron jobs use
    --fail-on to get exit 1.
    """
    fmt = check_format(fmt)
    states = _split(state, STATES, "--state")
    kinds = _split(kind, ("request", "complaint", "repair", "inquiry", "quality"), "--kind")
    if fail_on is not None and fail_on not in FAIL_ON:
        fail(f"--fail-on: unknown value '{fail_on}'; choose breach or at_risk")
    records = records_from(ctx)
    calendar, policy = calendar_of(records), sla_policy_of(records)
    moment = as_of_from(as_of, timezone_of(records))
    if explain:
        with deadlines_computable():
            _explain(records, explain, policy, calendar, moment, fmt)
        return
    with deadlines_computable():
        per_ticket = clock_rows(load_from(ctx), records, _select(records, kinds, provider, owner, ticket),
                                policy, calendar, moment)
    listed_states, texts = listed(per_ticket, states, open_only, joined=fmt == "json")
    # Clock rows name tickets, people and providers by id only: nothing in them is masked.
    if fmt in ("table", "md"):
        emit([_table_row(t) for t in texts], fmt, columns=TABLE_COLUMNS, show_pii=show_pii,
             empty="(no SLA clocks)")
    elif fmt == "json":
        _stream_json(texts)
    else:
        emit([json.loads(t) for t in texts], fmt, show_pii=show_pii)
    failing = FAIL_ON.get(fail_on or "", set())
    raise typer.Exit(EXIT_FINDINGS if any(s in failing for s in listed_states) else EXIT_OK)


def _stream_json(texts: list[str]) -> None:
    """The list in batches: at full size it is half a million clocks, and its
    whole text next to all the rows would double the peak memory."""
    out = sys.stdout
    for chunk in render.json_list_chunks_from_texts(texts, batch=JSON_BATCH):
        out.write(chunk)
    out.write("\n")
    out.flush()


JSON_BATCH = 2000


def _explain(records: Records, ticket_id: str, policy: SlaPolicy, calendar: BusinessCalendar,
             moment: datetime, fmt: str) -> None:
    ticket = records.tickets.get(ticket_id)
    if ticket is None:
        fail(f"no ticket {ticket_id}")
    explained = explain_ticket(ticket, policy, calendar, moment)
    if fmt == "json":
        typer.echo(render.to_json([{**c.to_dict(), "steps": steps} for c, steps in explained]), nl=False)
        return
    if fmt in ("csv", "md"):
        rows = [{"metric": c.metric, "cycle": c.cycle, "step": i + 1, "detail": s}
                for c, steps in explained for i, s in enumerate(steps)]
        emit(rows, fmt)
        return
    lines = [f"{ticket.id} ({ticket.kind}) as of {calendar.local(moment):%Y-%m-%d %H:%M %z}, "
             f"calendar {calendar.name}, cut-off {calendar.cutoff:%H:%M}"]
    if not explained:
        lines.append("  no clock has started yet")
    for c, steps in explained:
        lines.append(f"\n{c.metric} (cycle {c.cycle}): {c.target} -> {c.state}")
        lines += [f"  {s}" for s in steps]
    typer.echo("\n".join(lines))


@app.command("remind")
def remind(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option(
        metavar="YYYY-MM", help="Month of the investigations and forced closures (default: that of --as-of).")] = None,
    only: Annotated[str | None, typer.Option(
        "--list", help=f"Only these lists, comma-separated: {', '.join(LISTS)}.")] = None,
    provider: Annotated[str | None, typer.Option(help="Only tickets with this provider (P-…).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only tickets of this owner (S-…).")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Reminder (催办) and investigation (治办) lists, escalations, forced closures."""
    fmt = check_format(fmt)
    wanted = _split(only, tuple(LISTS), "--list") or set(LISTS)
    period = None
    if month:
        parsed = month_from(month)
        period = (parsed.year, parsed.month)
    records = records_from(ctx)
    calendar, policy = calendar_of(records), sla_policy_of(records)
    moment = as_of_from(as_of, timezone_of(records))
    tickets = {f.id: records.tickets[f.id] for f in _select(records, None, provider, owner, None)}
    with deadlines_computable():
        lists = remind_lists(tickets, clocks_for_tickets(tickets.values(), policy, calendar, moment),
                             moment, calendar, period)
    chosen = {name: getattr(lists, name) for name in LISTS if name in wanted}
    if fmt == "json":
        typer.echo(render.to_json(render.mask(chosen) if not show_pii else chosen), nl=False)
    elif fmt == "csv":
        emit([{"list": name, **row} for name, rows in chosen.items() for row in rows], fmt, show_pii=show_pii)
    else:
        for i, (name, rows) in enumerate(chosen.items()):
            heading = f"{LISTS[name]} ({len(rows)})"
            typer.echo(("\n" if i else "") + (f"## {heading}\n" if fmt == "md" else heading))
            emit(rows, fmt, show_pii=show_pii, empty="(none)")
