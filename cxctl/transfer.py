"""Hand a leaving staff member's open tickets and customers to a successor.

`plan_transfer` decides everything and changes nothing: which tickets get a
``transfer`` event and a new owner, which customers a new owner, and why the
transfer must be refused.  The CLI writes the plan as one locked change, so
the whole handover of responsibility is one reviewable diff.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping

from cxctl.integrity import owner_rank_problem
from cxctl.model import Customer, Staff, Ticket
from cxctl.tiering_cycle import effective_level


@dataclass(frozen=True, slots=True)
class TicketMove:
    ticket: str
    path: str | None
    event: dict              # the transfer event to append, in record key order


@dataclass(frozen=True, slots=True)
class CustomerMove:
    customer: str
    path: str | None


@dataclass(slots=True)
class TransferPlan:
    from_staff: str
    to_staff: str
    tickets: list[TicketMove] = field(default_factory=list)
    customers: list[CustomerMove] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)     # any one refuses the whole transfer
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    def rows(self) -> list[dict]:
        """One row per record the transfer changes, for display."""
        rows = [{"record": m.ticket, "kind": "ticket", "path": m.path,
                 "change": f"owner {self.from_staff} -> {self.to_staff}, transfer event"}
                for m in self.tickets]
        rows += [{"record": m.customer, "kind": "customer", "path": m.path,
                  "change": f"owner {self.from_staff} -> {self.to_staff}"}
                 for m in self.customers]
        return rows


def _refusals(from_id: str, to_id: str, staff: Mapping[str, Staff]) -> list[str]:
    reasons = []
    if from_id == to_id:
        reasons.append(f"{from_id} cannot hand over to themselves")
    if from_id not in staff:
        reasons.append(f"{from_id} is not on the staff roster")
    successor = staff.get(to_id)
    if successor is None:
        reasons.append(f"successor {to_id} is not on the staff roster")
    elif not successor.active:
        reasons.append(f"successor {to_id} ({successor.name}) is not active")
    return reasons


def _rank_warning(customer: Customer, successor: Staff) -> str | None:
    if customer.tier is None:
        return None
    problem = owner_rank_problem(effective_level(customer), successor)
    return f"{customer.id}: {problem}" if problem else None


def plan_transfer(from_id: str, to_id: str, *, staff: Mapping[str, Staff],
                  tickets: Iterable[Ticket], customers: Iterable[Customer],
                  at: datetime, by: str | None = None, note: str | None = None) -> TransferPlan:
    """What `handover transfer --from FROM --to TO` changes, or why it must not.

    Open (not closed) tickets whose owner is FROM get a transfer event at
    ``at`` and TO as owner; closed tickets keep their history.  Every customer
    FROM owns moves, whatever its status, so no current assignment is left
    with someone who has gone.
    """
    plan = TransferPlan(from_id, to_id, refusals=_refusals(from_id, to_id, staff))
    for t in sorted(tickets, key=lambda t: t.id):
        if t.owner != from_id or not t.is_open_at(None):
            continue
        last = t.events[-1].at if t.events else t.opened_at
        if last > at:
            # Events are append-only and in time order; a transfer cannot go before them.
            plan.refusals.append(f"{t.id} has events after {at.isoformat()}; "
                                 f"give a later --at")
            continue
        event = {"at": at, "type": "transfer"}
        if by:
            event["by"] = by
        if note:
            event["note"] = note
        event.update({"from": from_id, "to": to_id})     # read as "from … to …" in the file
        plan.tickets.append(TicketMove(t.id, t.path, event))
    successor = staff.get(to_id)
    for c in sorted(customers, key=lambda c: c.id):
        if c.owner != from_id:
            continue
        plan.customers.append(CustomerMove(c.id, c.path))
        if successor is not None:
            warning = _rank_warning(c, successor)
            if warning:
                plan.warnings.append(warning)
    return plan
