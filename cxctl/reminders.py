"""Reminder and investigation lists for ``sla remind`` (SPEC 3.4; seeds 002 §七, 003 §7.4).

- reminders (催办单): open tickets with a clock running past its deadline;
- investigations (治办单): tickets closed in the month that closed late, judged
  on the clocks that measure closing: ``resolve`` (any cycle) and ``age``.  A
  late first contact on a ticket resolved on time, or the revisit clock of a
  ticket closed without a revisit, is not a late closure;
- escalations: open complaints whose 3-month ``age`` clock has run out;
- forced closures (强制闭环) of the month, with their reasons.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

from cxctl.calendar import BusinessCalendar
from cxctl.model import CLOSED_STATUSES, Ticket
from cxctl.sla import Clock

# The clocks that say whether a ticket closed late (SPEC 3.4 "closed late").
CLOSING_METRICS = frozenset({"resolve", "age"})


@dataclass
class ReminderLists:
    reminders: list[dict] = field(default_factory=list)
    investigations: list[dict] = field(default_factory=list)
    escalations: list[dict] = field(default_factory=list)
    forced_closures: list[dict] = field(default_factory=list)

    def rows(self) -> list[dict]:
        """All four lists as one table, each row saying which list it is on."""
        out = []
        for name in ("reminders", "investigations", "escalations", "forced_closures"):
            out += [{"list": name, **row} for row in getattr(self, name)]
        return out


def _late_by(later: datetime, due: datetime) -> str:
    minutes = int((later - due).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    return f"{days}d {rest // 60:02d}h {rest % 60:02d}m" if days else f"{rest // 60}h {rest % 60:02d}m"


def _base(ticket: Ticket) -> dict:
    return {"ticket": ticket.id, "kind": ticket.kind, "owner": ticket.owner, "provider": ticket.provider}


def overdue_open(tickets: dict[str, Ticket], clocks: Iterable[Clock], as_of: datetime) -> list[dict]:
    """催办: each clock still running past its deadline on a ticket open at ``as_of``."""
    rows = []
    for c in clocks:
        t = tickets.get(c.ticket)
        if t is None or c.done_at is not None or c.state != "breached" or not t.is_open_at(as_of):
            continue
        rows.append({**_base(t), "metric": c.metric, "cycle": c.cycle,
                     "due_at": c.due_at.isoformat(), "overdue_by": _late_by(as_of, c.due_at)})
    return sorted(rows, key=lambda r: (r["due_at"], r["ticket"], r["metric"]))


def _closing_event_in(ticket: Ticket, as_of: datetime, calendar: BusinessCalendar,
                      month: tuple[int, int] | None, types: frozenset[str]):
    """The event that left the ticket closed at ``as_of``, if it falls in ``month``."""
    if ticket.status_at(as_of) not in CLOSED_STATUSES:
        return None
    closing = [e for e in ticket.events_until(as_of) if e.type in ("close", "force_close")]
    last = closing[-1] if closing else None
    if last is None or last.type not in types:
        return None
    if month is not None:
        local = calendar.local_date(last.at)
        if (local.year, local.month) != month:
            return None
    return last


def closed_late(tickets: dict[str, Ticket], clocks: Iterable[Clock], as_of: datetime,
                calendar: BusinessCalendar, month: tuple[int, int] | None = None) -> list[dict]:
    """治办: tickets closed (in ``month``, if given) late: a ``resolve`` cycle or the
    ``age`` clock breached.  One row per breached clock, naming it (metric, cycle)."""
    rows = []
    for c in clocks:
        t = tickets.get(c.ticket)
        if t is None or c.state != "breached" or c.metric not in CLOSING_METRICS:
            continue
        closed = _closing_event_in(t, as_of, calendar, month, frozenset({"close", "force_close"}))
        if closed is None:
            continue
        finished = c.done_at or closed.at
        rows.append({**_base(t), "metric": c.metric, "cycle": c.cycle, "due_at": c.due_at.isoformat(),
                     "done_at": c.done_at.isoformat() if c.done_at else None,
                     "closed_at": calendar.local(closed.at).isoformat(),
                     "late_by": _late_by(finished, c.due_at)})
    return sorted(rows, key=lambda r: (r["closed_at"], r["ticket"], r["metric"], r["cycle"]))


def old_open_complaints(tickets: dict[str, Ticket], clocks: Iterable[Clock], as_of: datetime) -> list[dict]:
    """Open complaints past their ``age`` deadline (3 calendar months): escalate as a project."""
    rows = []
    for c in clocks:
        t = tickets.get(c.ticket)
        if t is None or t.kind != "complaint" or c.metric != "age" or c.state != "breached" \
                or c.done_at is not None or not t.is_open_at(as_of):
            continue
        escalated = any(e.type == "escalate" for e in t.events_until(as_of))
        rows.append({**_base(t), "opened_at": c.started_at.isoformat(), "age_due_at": c.due_at.isoformat(),
                     "overdue_by": _late_by(as_of, c.due_at), "escalated": escalated})
    return sorted(rows, key=lambda r: (r["opened_at"], r["ticket"]))


def forced_closures(tickets: Iterable[Ticket], as_of: datetime, calendar: BusinessCalendar,
                    month: tuple[int, int]) -> list[dict]:
    """Every ``force_close`` event in ``month`` (local time), with its reason."""
    rows = []
    for t in tickets:
        for e in t.events_until(as_of):
            if e.type != "force_close":
                continue
            local = calendar.local_date(e.at)
            if (local.year, local.month) == month:
                rows.append({**_base(t), "at": calendar.local(e.at).isoformat(), "by": e.by,
                             "reason": e.reason})
    return sorted(rows, key=lambda r: (r["at"], r["ticket"]))


def remind_lists(tickets: dict[str, Ticket], clocks: list[Clock], as_of: datetime,
                 calendar: BusinessCalendar, month: tuple[int, int] | None = None) -> ReminderLists:
    """The four lists of SPEC 3.4; ``month`` (default: the month of ``as_of``) bounds
    the investigations and forced closures."""
    if month is None:
        local: date = calendar.local_date(as_of)
        month = (local.year, local.month)
    return ReminderLists(
        reminders=overdue_open(tickets, clocks, as_of),
        investigations=closed_late(tickets, clocks, as_of, calendar, month),
        escalations=old_open_complaints(tickets, clocks, as_of),
        forced_closures=forced_closures(tickets.values(), as_of, calendar, month),
    )
