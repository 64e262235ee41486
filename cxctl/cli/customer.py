"""`cxctl customer …`: add, show, list, edit, log-contact."""
from __future__ import annotations

from typing import Annotated

import typer

from cxctl import render
from cxctl.cli.common import (AtOpt, FormatOpt, ShowPiiOpt, as_of_from, check_format, emit, fail,
                              load_from, records_from, refused, require_usable, root_from, timezone_of)
from cxctl.cli.editing import coerce, parse_assignments, set_path, unset_path
from cxctl.ids import new_id
from cxctl.store import layout
from cxctl.tiering_cycle import effective_level
from cxctl.store.writer import LockBusy, WriteRefused, create_record, new_entry, update_record

app = typer.Typer(help="Add, show, list and edit customers; log formal contacts.",
                  no_args_is_help=True)

CONTACT_KEYS = ("name", "phone", "email", "role", "id_number")


def _contact(spec: str) -> dict:
    contact = {}
    for key, value in parse_assignments([p for p in spec.split(",") if p.strip()]):
        if key not in CONTACT_KEYS:
            fail(f"unknown contact field '{key}' (use {', '.join(CONTACT_KEYS)})")
        contact[key] = value
    if "name" not in contact:
        fail(f"contact '{spec}' needs name=…")
    return contact


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Customer name.")],
    kind: Annotated[str, typer.Option(help="tenant, owner, dealer or end_customer.")],
    owner: Annotated[str | None, typer.Option(help="Relationship owner (staff id).")] = None,
    status: Annotated[str, typer.Option(help="prospect, active or churned.")] = "active",
    since: Annotated[str | None, typer.Option(help="Start of the relationship, YYYY-MM-DD (default today).")] = None,
    contact: Annotated[list[str] | None, typer.Option(
        help="A contact as name=…,phone=…,email=…,role=…,id_number=… (repeatable).")] = None,
    rating: Annotated[list[str] | None, typer.Option(
        help="A tiering input as criterion=1..5, e.g. asset_scale=4 (repeatable).")] = None,
) -> None:
    """Create a customer file with a new id and print the id."""
    records = records_from(ctx)
    now = as_of_from(None, timezone_of(records))
    require_usable(records, owner, "--owner", "S")
    data: dict = {"id": new_id("C", now), "name": name, "kind": kind, "status": status}
    if owner:
        data["owner"] = owner
    data["since"] = coerce("customer", "since", since) if since else now.date()
    if contact:
        data["contacts"] = [_contact(c) for c in contact]
    if rating:
        data["rating"] = {k: coerce("customer", f"rating.{k}", v) for k, v in parse_assignments(rating)}
    try:
        path = create_record(root_from(ctx), layout.customer_path(data["id"]), data)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    typer.echo(f"{data['id']}\t{path}")


@app.command("show")
def show(ctx: typer.Context, customer_id: Annotated[str, typer.Argument(metavar="C-ID")],
         fmt: FormatOpt = "table", show_pii: ShowPiiOpt = False) -> None:
    """Show one customer's record (personal data masked unless --show-pii)."""
    fmt = check_format(fmt)
    records = records_from(ctx)
    customer = records.customers.get(customer_id)
    if customer is None:
        fail(f"no customer {customer_id}", 1)
    entry = load_from(ctx).entries[customer.path]
    typer.echo(render.render_record(entry.data, fmt, show_pii=show_pii), nl=False)


@app.command("list")
def list_customers(
    ctx: typer.Context,
    tier: Annotated[int | None, typer.Option(help="Only this tier level (1, 2, 3).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only customers of this owner.")] = None,
    status: Annotated[str | None, typer.Option(help="Only prospect, active or churned.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only tenant, owner, dealer or end_customer.")] = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """List customers, filtered by tier, owner, status or kind."""
    fmt = check_format(fmt)
    records = records_from(ctx)
    rows = []
    for c in sorted(records.customers.values(), key=lambda c: c.id):
        level = effective_level(c)
        if (tier is not None and level != tier) or (owner and c.owner != owner) \
                or (status and c.status != status) or (kind and c.kind != kind):
            continue
        first = c.contacts[0] if c.contacts else None
        rows.append({"id": c.id, "name": c.name, "kind": c.kind, "status": c.status,
                     "owner": c.owner, "tier": level, "class": c.tier.class_ if c.tier else None,
                     "since": c.since, "contact": first.name if first else None,
                     "phone": first.phone if first else None})
    emit(rows, fmt, show_pii=show_pii, empty="no customers match")


@app.command("edit")
def edit(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(metavar="C-ID")],
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="FIELD=VALUE, dotted for nested fields: owner=S-014, rating.cooperation=4.")] = None,
    unset: Annotated[list[str] | None, typer.Option(help="Remove a field.")] = None,
) -> None:
    """Change fields of a customer as a round-trip edit (a one-line diff per field)."""
    if not set_ and not unset:
        fail("nothing to change: give --set FIELD=VALUE or --unset FIELD")
    records = records_from(ctx)
    customer = records.customers.get(customer_id)
    if customer is None:
        fail(f"no customer {customer_id}", 1)
    changes = [(k, coerce("customer", k, v)) for k, v in parse_assignments(set_ or [])]
    for key, value in changes:
        if key == "id":
            fail("the id names the file and cannot be changed")
        if key in ("owner", "tier.override.by"):
            require_usable(records, str(value), f"--set {key}", "S")

    def mutate(doc):
        for key, value in changes:
            set_path(doc, key, value)
        for key in unset or []:
            unset_path(doc, key)

    try:
        changed = update_record(root_from(ctx), customer.path, mutate)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    typer.echo(f"{customer.path}: {'updated' if changed else 'unchanged'}")


@app.command("log-contact")
def log_contact(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(metavar="C-ID")],
    by: Annotated[str, typer.Option(help="Staff id of who made the contact.")],
    channel: Annotated[str, typer.Option(help="visit, phone, email, meeting, wechat, letter or other.")],
    summary: Annotated[str, typer.Option(help="What was discussed.")] = "",
    at: AtOpt = None,
) -> None:
    """Record a formal contact (客户联系沟通记录) in the customer's contact_log."""
    records = records_from(ctx)
    customer = records.customers.get(customer_id)
    if customer is None:
        fail(f"no customer {customer_id}", 1)
    require_usable(records, by, "--by", "S")
    entry = {"at": as_of_from(at, timezone_of(records)).replace(microsecond=0), "by": by,
             "channel": channel}
    if summary:
        entry["summary"] = summary

    def mutate(doc):
        from ruamel.yaml.comments import CommentedSeq
        if doc.get("contact_log") is None:
            doc["contact_log"] = CommentedSeq()
        doc["contact_log"].append(new_entry(entry, "contact_log"))

    try:
        update_record(root_from(ctx), customer.path, mutate)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    typer.echo(f"{customer.path}: contact logged at {entry['at'].isoformat()}")
