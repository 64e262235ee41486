"""`cxctl ticket …`: open, show, list, event, close."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from ruamel.yaml.comments import CommentedSeq

from cxctl import render
from cxctl.cli.common import (AtOpt, FormatOpt, ShowPiiOpt, as_of_from, check_format, emit, fail,
                              load_from, month_from, records_from, refused, require_usable, root_from,
                              timezone_of)
from cxctl.ids import new_id
from cxctl.model import Ticket
from cxctl.months import Month
from cxctl.severity import effective_severity
from cxctl.store import layout
from cxctl.store.writer import LockBusy, WriteRefused, create_record, new_entry, update_record
from cxctl.store.yamlread import to_json_types
from cxctl.ticket_ops import EventRefused, event_updates

app = typer.Typer(help="Open tickets, append events, close them; show and list them.",
                  no_args_is_help=True)

EVENT_TYPES = ("contact", "sms", "dispatch", "reply", "resolve", "revisit", "close", "force_close",
               "reopen", "escalate", "transfer", "reminder", "note", "extend", "hold", "resume")


@app.command("open")
def open_ticket(
    ctx: typer.Context,
    customer: Annotated[str, typer.Option(help="Customer id (C-…).")],
    kind: Annotated[str, typer.Option(help="request, complaint, repair, inquiry or quality.")],
    channel: Annotated[str, typer.Option(
        help="hotline, web, forum, visit, phone, email, letter or walk_in.")],
    summary: Annotated[str, typer.Option(help="One line saying what it is about.")],
    category: Annotated[str | None, typer.Option(
        help="product_quality, technical, service_process, parts, price, delivery or other.")] = None,
    provider: Annotated[str | None, typer.Option(help="Provider that must handle it (P-…).")] = None,
    owner: Annotated[str | None, typer.Option(help="Staff member accountable (S-…).")] = None,
    severity: Annotated[str | None, typer.Option(
        help="Complaints: general, important or major (default: derived from the impact).")] = None,
    quality_class: Annotated[str | None, typer.Option(
        "--quality-class", help="Quality reports: A, B or C (required for them).")] = None,
    households: Annotated[int | None, typer.Option(help="Households affected by the same issue.")] = None,
    compensation: Annotated[str | None, typer.Option(help="Compensation claimed, in yuan (e.g. 5000.01).")] = None,
    legal_or_media: Annotated[bool, typer.Option(
        "--legal-or-media", help="The customer went to court or the media.")] = False,
    at: AtOpt = None,
) -> None:
    """Accept (受理) a new ticket: writes tickets/YYYY/MM/T-….yaml and prints its id."""
    records = records_from(ctx)
    tz = timezone_of(records)
    opened = as_of_from(at, tz).replace(microsecond=0)
    if customer not in records.customers:
        fail(f"no customer {customer}")
    require_usable(records, owner, "--owner", "S")
    require_usable(records, provider, "--provider", "P")
    data: dict = {"id": new_id("T", opened), "customer": customer, "kind": kind, "channel": channel}
    if category:
        data["category"] = category
    if severity:
        data["severity"] = severity
    if quality_class:
        data["quality_class"] = quality_class
    impact = {}
    if households is not None:
        impact["households"] = households
    if compensation is not None:
        try:
            impact["compensation"] = str(Decimal(compensation).quantize(Decimal("0.01"))) \
                if "." in compensation else str(Decimal(compensation))
        except InvalidOperation:
            fail(f"--compensation '{compensation}' is not an amount")
    if legal_or_media:
        impact["legal_or_media"] = True
    if impact:
        data["impact"] = impact
    for key, value in (("provider", provider), ("owner", owner)):
        if value:
            data[key] = value
    data.update({"summary": summary, "opened_at": opened, "status": "open", "events": []})
    local = opened.astimezone(tz)
    relpath = layout.ticket_path(data["id"], local.year, local.month)
    try:
        create_record(root_from(ctx), relpath, data)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    typer.echo(f"{data['id']}\t{relpath}")


def _ticket(ctx: typer.Context, ticket_id: str):
    records = records_from(ctx)
    ticket = records.tickets.get(ticket_id)
    if ticket is None:
        fail(f"no ticket {ticket_id}", 1)
    return records, ticket


@app.command("show")
def show(ctx: typer.Context, ticket_id: Annotated[str, typer.Argument(metavar="T-ID")],
         fmt: FormatOpt = "table", show_pii: ShowPiiOpt = False) -> None:
    """Show one ticket with its events."""
    fmt = check_format(fmt)
    _, ticket = _ticket(ctx, ticket_id)
    data = dict(load_from(ctx).entries[ticket.path].data)
    if ticket.kind == "complaint" and "severity" not in data:
        data["severity"] = f"{effective_severity(ticket)} (derived)"
    typer.echo(render.render_record(data, fmt, show_pii=show_pii), nl=False)


@app.command("list")
def list_tickets(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    status: Annotated[str | None, typer.Option(help="open, resolved, closed or force_closed.")] = None,
    provider: Annotated[str | None, typer.Option(help="Only tickets with this provider.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only tickets of this owner.")] = None,
    customer: Annotated[str | None, typer.Option(help="Only tickets of this customer.")] = None,
    month: Annotated[str | None, typer.Option(help="Only tickets accepted in YYYY-MM.")] = None,
    limit: Annotated[int | None, typer.Option(help="Show at most this many (newest first).")] = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """List tickets, newest first, filtered by kind, status, provider, owner, customer or month."""
    fmt = check_format(fmt)
    records = records_from(ctx)
    tz = timezone_of(records)
    period = month_from(month) if month is not None else None
    rows = []
    for t in sorted(records.tickets.values(), key=lambda t: (t.opened_at, t.id), reverse=True):
        if (kind and t.kind != kind) or (status and t.status != status) \
                or (provider and t.provider != provider) or (owner and t.owner != owner) \
                or (customer and t.customer != customer) \
                or (period and Month.of(t.opened_at.astimezone(tz).date()) != period):
            continue
        rows.append({"id": t.id, "opened_at": t.opened_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                     "kind": t.kind, "severity": effective_severity(t) if t.kind == "complaint" else None,
                     "status": t.status, "customer": t.customer, "provider": t.provider,
                     "owner": t.owner, "summary": t.summary})
        if limit is not None and len(rows) >= limit:
            break
    emit(rows, fmt, show_pii=show_pii, empty="no tickets match")


@app.command("event")
def event(
    ctx: typer.Context,
    ticket_id: Annotated[str, typer.Argument(metavar="T-ID")],
    event_type: Annotated[str, typer.Argument(metavar="TYPE", help=", ".join(EVENT_TYPES))],
    by: Annotated[str | None, typer.Option(help="Who did it (staff or provider id).")] = None,
    outcome: Annotated[str | None, typer.Option(
        help="contact: reached|unreachable; revisit: satisfied|unsatisfied|unreachable.")] = None,
    note: Annotated[str | None, typer.Option(help="Free text.")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (required for force_close and extend).")] = None,
    to: Annotated[str | None, typer.Option(help="transfer: the new owner (S-…) or provider (P-…).")] = None,
    until: Annotated[str | None, typer.Option(help="extend: the new resolve deadline (timestamp).")] = None,
    approved_by: Annotated[str | None, typer.Option(help="extend: who approved it.")] = None,
    false_reply: Annotated[bool, typer.Option(
        "--false-reply", help="revisit: the provider's reply turned out to be false.")] = False,
    at: AtOpt = None,
) -> None:
    """Append an event to a ticket (events are append-only and in time order)."""
    if event_type not in EVENT_TYPES:
        fail(f"unknown event type '{event_type}'; choose one of: {', '.join(EVENT_TYPES)}")
    records, ticket = _ticket(ctx, ticket_id)
    require_usable(records, by, "--by")
    require_usable(records, approved_by, "--approved-by", "S")
    tz = timezone_of(records)
    entry: dict = {"at": as_of_from(at, tz).replace(microsecond=0), "type": event_type}
    for key, value in (("by", by), ("outcome", outcome), ("reason", reason), ("note", note)):
        if value:
            entry[key] = value
    if false_reply:
        entry["false_reply"] = True
    if until:
        entry["until"] = as_of_from(until, tz)
    if approved_by:
        entry["approved_by"] = approved_by
    if event_type == "transfer":
        if not to:
            fail("a transfer needs --to S-… or --to P-…")
        require_usable(records, to, "--to")
        entry["to"] = to
    _append(ctx, ticket, entry)


@app.command("close")
def close(
    ctx: typer.Context,
    ticket_id: Annotated[str, typer.Argument(metavar="T-ID")],
    by: Annotated[str | None, typer.Option(help="Who closes it.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Forced closure (强制闭环) without the customer's agreement; needs --reason.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why (required with --force).")] = None,
    at: AtOpt = None,
) -> None:
    """Close a ticket (a close event), or force-close it with a reason."""
    if force and not reason:
        fail("a forced closure needs --reason")
    records, ticket = _ticket(ctx, ticket_id)
    require_usable(records, by, "--by")
    entry: dict = {"at": as_of_from(at, timezone_of(records)).replace(microsecond=0),
                   "type": "force_close" if force else "close"}
    if by:
        entry["by"] = by
    if reason:
        entry["reason"] = reason
    _append(ctx, ticket, entry)


def _append(ctx: typer.Context, ticket, entry: dict) -> None:
    """Append under the write lock, judging the event against the ticket as
    it is then: records read before the lock may be stale (two people closing
    the same ticket at once must not both succeed)."""
    updates: dict = {}

    def mutate(doc):
        current = Ticket.from_dict(to_json_types(doc), ticket.path)
        updates.update(event_updates(current, entry))
        if doc.get("events") is None:
            doc["events"] = CommentedSeq()
        doc["events"].append(new_entry(entry, "events"))
        for key, value in updates.items():
            doc[key] = value

    try:
        update_record(root_from(ctx), ticket.path, mutate)
    except EventRefused as exc:
        fail(str(exc), 1)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    changed = ", ".join(f"{k} → {v}" for k, v in updates.items())
    typer.echo(f"{ticket.id}: {entry['type']} at {entry['at'].isoformat()}" + (f" ({changed})" if changed else ""))
