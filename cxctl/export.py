"""All records flattened into tables, for SQL, spreadsheets and BI tools.

``build_tables`` turns the loaded records (and their SLA clocks as of a
moment) into plain rows: one table per kind of record and one per repeated
part (contacts, events, counts …), keyed by the record's id so they join.
Values keep their meaning: timestamps stay ISO 8601 with their offset (SQLite's
date functions read them), money and cash stay exact decimal strings,
booleans are booleans.  Personal data is masked unless asked otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

from cxctl.model import Records
from cxctl.render import scrub
from cxctl.severity import effective_severity
from cxctl.sla import Clock

TEXT = "TEXT"


@dataclass
class Table:
    name: str
    columns: list[tuple[str, str]]                   # (name, SQL type)
    rows: list[tuple] = field(default_factory=list)
    key: tuple[str, ...] = ()                        # primary key columns
    indexes: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]


def _value(v):
    """A cell: ISO text for times, exact text for decimals, scalars as they are."""
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _table(name: str, columns: str, rows: Iterable[tuple], *, key: str = "",
           indexes: Iterable[str] = ()) -> Table:
    """``columns`` is "name:TYPE name:TYPE …" (TYPE defaults to TEXT)."""
    cols = [(c.split(":")[0], c.split(":")[1] if ":" in c else TEXT) for c in columns.split()]
    return Table(name, cols, [tuple(_value(v) for v in row) for row in rows],
                 tuple(key.split()), [tuple(i.split()) for i in indexes])


def build_tables(records: Records, clocks: list[Clock], *, show_pii: bool = False,
                 meta: dict | None = None) -> list[Table]:
    customers = sorted(records.customers.values(), key=lambda c: c.id)
    tickets = sorted(records.tickets.values(), key=lambda t: t.id)
    criteria = sorted({k for c in customers for k in c.rating})
    survey_items = sorted({k for s in records.surveys.values() for k in s.answers})
    tables = [
        _table("meta", "key value", sorted((meta or {}).items()), key="key"),
        _table("customers", "id name kind status owner since tier_level:INTEGER tier_class "
               "tier_period tier_score:REAL override_level:INTEGER override_reason override_by "
               "over_acceptance_ratio " + " ".join(f"rating_{k}:INTEGER" for k in criteria) + " path",
               [(c.id, c.name, c.kind, c.status, c.owner, c.since,
                 *(_tier(c) if c.tier else (None,) * 7), c.over_acceptance_ratio,
                 *(c.rating.get(k) for k in criteria), c.path) for c in customers],
               key="id", indexes=["owner", "tier_level"]),
        _table("contacts", "customer seq:INTEGER name phone email role id_number",
               [(c.id, i, p.name, p.phone, p.email,
                 p.role, p.id_number)
                for c in customers for i, p in enumerate(c.contacts, 1)],
               key="customer seq"),
        _table("contact_log", "customer seq:INTEGER at by channel summary",
               [(c.id, i, e.at, e.by, e.channel, e.summary)
                for c in customers for i, e in enumerate(c.contact_log, 1)],
               key="customer seq", indexes=["by", "at"]),
        _table("tickets", "id customer kind channel category severity severity_effective "
               "quality_class households:INTEGER compensation legal_or_media:INTEGER "
               "return_approved_qty:INTEGER return_returned_qty:INTEGER provider "
               "accepting_provider owner summary opened_at status events:INTEGER path",
               [(t.id, t.customer, t.kind, t.channel, t.category, t.severity,
                 effective_severity(t) if t.kind == "complaint" else None, t.quality_class,
                 t.impact.households, t.impact.compensation, t.impact.legal_or_media,
                 t.return_.approved_qty if t.return_ else None,
                 t.return_.returned_qty if t.return_ else None, t.provider,
                 t.accepting_provider(), t.owner, t.summary, t.opened_at, t.status,
                 len(t.events), t.path) for t in tickets],
               key="id", indexes=["customer", "status", "provider", "owner", "opened_at"]),
        _table("events", "ticket seq:INTEGER at type by outcome false_reply:INTEGER reason note "
               "until approved_by transfer_from transfer_to",
               [(t.id, i, e.at, e.type, e.by, e.outcome, e.false_reply, e.reason, e.note,
                 e.until, e.approved_by, e.from_, e.to)
                for t in tickets for i, e in enumerate(t.events, 1)],
               key="ticket seq", indexes=["type", "at"]),
        _table("clocks", "ticket metric cycle:INTEGER started_at due_at done_at state kind target "
               "provider owner paused_minutes:INTEGER extended_to warning",
               [tuple(c.to_dict()[k] for k in (
                   "ticket", "metric", "cycle", "started_at", "due_at", "done_at", "state", "kind",
                   "target", "provider", "owner", "paused_minutes", "extended_to", "warning"))
                for c in clocks],
               key="ticket metric cycle", indexes=["state", "metric"]),
        *_handover_tables(records),
        _table("surveys", "id customer date by " + " ".join(f"answer_{k}" for k in survey_items)
               + " path",
               [(s.id, s.customer, s.date, s.by, *(s.answers.get(k) for k in survey_items), s.path)
                for s in sorted(records.surveys.values(), key=lambda s: s.id)],
               key="id", indexes=["customer"]),
        _table("staff", "id name rank team active:INTEGER",
               [(s.id, s.name, s.rank, s.team, s.active)
                for s in sorted(records.staff.values(), key=lambda s: s.id)], key="id"),
        _table("providers", "id name status path",
               [(p.id, p.name, p.status, p.path)
                for p in sorted(records.providers.values(), key=lambda p: p.id)], key="id"),
        _table("provider_visits", "provider month visits:INTEGER",
               [(p.id, month, n) for p in sorted(records.providers.values(), key=lambda p: p.id)
                for month, n in sorted(p.visits.items())], key="provider month"),
    ]
    return tables if show_pii else [_scrubbed(t) for t in tables]


def _scrubbed(table: Table) -> Table:
    """Personal data masked by column (phone, email, id_number) and wherever
    it was typed into free text (a note, a summary), as the monthly report does."""
    names = table.column_names
    table.rows = [tuple(scrub(v, k) for k, v in zip(names, row)) for row in table.rows]
    return table


def _tier(c) -> tuple:
    t, ov = c.tier, c.tier.override
    return (t.level, t.class_, t.period, t.score,
            ov.level if ov else None, ov.reason if ov else None, ov.by if ov else None)


def _handover_tables(records: Records) -> list[Table]:
    handovers = sorted(records.handovers, key=lambda h: h.stem)

    def sig(h, role):
        s = h.signatures.get(role)
        return (s.by, s.at) if s else (None, None)

    def sealed(h):
        s = (h.closing or {}).get("sealed_to_control_room") or {}
        return s.get("by"), s.get("received_by"), s.get("at")

    return [
        _table("handovers", "id desk date shift handed_over_at outgoing incoming "
               "outgoing_signed_by outgoing_signed_at incoming_signed_by incoming_signed_at "
               "sealed_by sealed_received_by sealed_at path",
               [(h.stem, h.desk, h.date, h.shift, h.handed_over_at, ",".join(h.outgoing),
                 ",".join(h.incoming), *sig(h, "outgoing"), *sig(h, "incoming"), *sealed(h), h.path)
                for h in handovers],
               key="id", indexes=["desk date"]),
        _table("handover_counts", "handover item outgoing incoming",
               [(h.stem, item, c.outgoing, c.incoming)
                for h in handovers for item, c in h.counts.items()], key="handover item"),
        _table("handover_movements", "handover seq:INTEGER item qty at note",
               [(h.stem, i, m.item, m.qty, m.at, m.note)
                for h in handovers for i, m in enumerate(h.movements, 1)], key="handover seq"),
        _table("handover_loans", "handover seq:INTEGER item qty:INTEGER borrower phone due",
               [(h.stem, i, ln.item, ln.qty, ln.borrower, ln.phone, ln.due)
                for h in handovers for i, ln in enumerate(h.loans, 1)], key="handover seq"),
    ]
