"""Monthly complaint KPIs per provider, owner or team (SPEC 3.6; seeds 003 §3, 003 四).

Only complaints count, each in the month it was accepted (local date in the
calendar's time zone) and for the provider that accepted it, even if it was
transferred later (003 §5.2.2.1).  Everything is evaluated as of one moment:
events after it have not happened.  Deadlines come from the SLA clocks of
``cxctl.sla`` and nowhere else.

Each rate comes with its numerator and denominator under ``<rate>_num`` and
``<rate>_den``, and is null when the denominator is 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Mapping

from cxctl.calendar import BusinessCalendar
from cxctl.handover import owner_at
from cxctl.kpi_policy import KpiPolicy
from cxctl.model import CLOSED_STATUSES, STATUS_AFTER_EVENT, Provider, Records, Ticket
from cxctl.months import Month
from cxctl.sla import Clock, clocks_for_ticket
from cxctl.sla_policy import SlaPolicy
from cxctl.ticket_index import DAY_US, facts_of, micros

GROUPINGS = ("provider", "owner", "team")
RATES = ("reply_on_time_rate", "contact_24h_rate", "first_closure_rate", "monthly_closure_rate",
         "satisfaction_rate")
# The fixed keys of SPEC 2/3.6, in the order they are shown.
KPI_KEYS = ("complaints", "reply_on_time_rate", "contact_24h_rate", "false_replies", "unreachable",
            "revisited", "first_closure_rate", "monthly_closure_rate", "satisfaction_rate",
            "forced_closures", "complaint_limit", "limited_complaints", "over_limit",
            "fee_support_eligible")
# Every key of a summary row, in order: each rate followed by its fraction.
ROW_KEYS = ("group", "name", *[k for key in KPI_KEYS for k in (
    (key, f"{key}_num", f"{key}_den") if key.endswith("_rate") else (key,))], "limit_quarter", "notes")
PROVIDER_ONLY = ("complaint_limit", "limited_complaints", "over_limit", "fee_support_eligible")
CONTACT_WINDOW = timedelta(hours=24)
REACHED_REVISIT = frozenset({"satisfied", "unsatisfied"})
# Providers in these states get no fee support (003 四 §5.1).
NO_FEE_SUPPORT = frozenset({"suspended", "transitional"})


@dataclass(frozen=True, slots=True)
class ComplaintFacts:
    """What one complaint contributes to its group's KPIs."""
    ticket: str
    reply_counted: bool          # provider_reply clock met, breached or due by as-of
    reply_met: bool
    contact_24h: bool
    false_reply: bool
    unreachable: bool
    revisited: bool
    first_closure_on_time: bool  # counted only when revisited
    closed_by_month_end: bool
    satisfied: bool
    force_closed: bool
    limited: bool
    forum_open: bool             # a forum complaint not closed by the end of the month
    legal_or_media: bool


def default_as_of(month: Month, calendar: BusinessCalendar) -> datetime:
    """The first moment of the next month, so a rerun gives the same numbers."""
    return month.end(calendar)


def complaints_in_month(tickets: Mapping[str, Ticket], month: Month, calendar: BusinessCalendar,
                        as_of: datetime) -> list[Ticket]:
    """Complaints accepted in ``month`` (local date) that exist by ``as_of``."""
    # The tickets' facts choose the complaints opened within a day of the
    # month's moments, so only those are built; the local date decides (a
    # clock turned back across midnight gives a moment after the month's
    # last the month's date).
    start, end = micros(month.start(calendar)) - DAY_US, micros(month.end(calendar)) + DAY_US
    candidates = (tickets[f.id] for f in facts_of(tickets).values()
                  if f.kind == "complaint" and start <= f.opened_us < end)
    return sorted((t for t in candidates
                   if t.opened_at <= as_of and month.contains(calendar.local_date(t.opened_at))),
                  key=lambda t: t.id)


def _status_before(events, moment: datetime) -> str:
    """Status from the events strictly before ``moment`` (a reopen undoes a close)."""
    status = "open"
    for e in events:
        if e.at < moment:
            status = STATUS_AFTER_EVENT.get(e.type, status)
    return status


def complaint_facts(ticket: Ticket, clocks: list[Clock], month_end: datetime, as_of: datetime,
                    policy: KpiPolicy) -> ComplaintFacts:
    """One complaint's contribution, from its events up to ``as_of`` and its SLA clocks."""
    events = sorted(ticket.events_until(as_of), key=lambda e: e.at)
    reply = next((c for c in clocks if c.metric == "provider_reply"), None)
    # A reply clock still running and not yet due is pending: in neither count.
    reply_counted = reply is not None and (reply.done_at is not None or reply.due_at <= as_of)
    revisits = [e for e in events if e.type == "revisit"]
    unreachable = bool(revisits) and all(e.outcome == "unreachable" for e in revisits)
    revisited = any(e.outcome in REACHED_REVISIT for e in revisits)
    first_close = next((e for e in events if e.type == "close"), None)
    first_resolve = next((c for c in clocks if c.metric == "resolve" and c.cycle == 1), None)
    # Without a resolve target (policy says null) there is no deadline to miss.
    on_time = first_close is not None and (first_resolve is None or first_close.at <= first_resolve.due_at)
    closed = _status_before(events, month_end) in CLOSED_STATUSES
    return ComplaintFacts(
        ticket=ticket.id,
        reply_counted=reply_counted,
        reply_met=reply_counted and reply.state == "met",
        contact_24h=any(e.type == "contact" and e.outcome == "reached"
                        and e.at <= ticket.opened_at + CONTACT_WINDOW for e in events),
        false_reply=any(e.false_reply for e in revisits),
        unreachable=unreachable,
        revisited=revisited,
        first_closure_on_time=revisited and on_time,
        closed_by_month_end=closed,
        satisfied=bool(revisits) and revisits[-1].outcome == "satisfied",
        force_closed=any(e.type == "force_close" and e.at < month_end for e in events),
        limited=ticket.category in policy.limited_categories,
        forum_open=ticket.channel == "forum" and not closed,
        legal_or_media=ticket.impact.legal_or_media,
    )


def complaint_limit(visits: dict[str, int], month: Month,
                    ratio) -> tuple[int | None, str, list[str]]:
    """ceil(ratio x average monthly visits of the previous calendar quarter).

    Returns (limit or None, quarter label, months without visit data).  The
    arithmetic is exact: 0.01 x 1201 / 3 is 4.0033…, so the limit is 5.
    """
    quarter, months = month.previous_quarter()
    missing = [str(m) for m in months if str(m) not in visits]
    if missing:
        return None, quarter, missing
    total = sum(visits[str(m)] for m in months)
    return math.ceil(Fraction(str(ratio)) * total / 3), quarter, []


def _rate(row: dict, key: str, num: int, den: int) -> None:
    row[key] = num / den if den else None
    row[f"{key}_num"] = num
    row[f"{key}_den"] = den


def group_kpis(facts: list[ComplaintFacts]) -> dict:
    """The KPIs every grouping has, from the facts of the group's complaints."""
    n = len(facts)
    unreachable = sum(f.unreachable for f in facts)
    revisited = sum(f.revisited for f in facts)
    row: dict = {"complaints": n}
    _rate(row, "reply_on_time_rate", sum(f.reply_met for f in facts), sum(f.reply_counted for f in facts))
    _rate(row, "contact_24h_rate", sum(f.contact_24h for f in facts), n)
    row["false_replies"] = sum(f.false_reply for f in facts)
    row["unreachable"] = unreachable
    row["revisited"] = revisited
    _rate(row, "first_closure_rate", sum(f.first_closure_on_time for f in facts), revisited)
    _rate(row, "monthly_closure_rate",
          sum(f.closed_by_month_end and not f.unreachable for f in facts), n - unreachable)
    _rate(row, "satisfaction_rate", sum(f.satisfied for f in facts), n - unreachable)
    row["forced_closures"] = sum(f.force_closed for f in facts)
    return row


def _met(row: dict, key: str) -> bool:
    """A rate of 1, or no denominator at all (no complaints to fail it)."""
    return row[f"{key}_num"] == row[f"{key}_den"]


def provider_limits(row: dict, facts: list[ComplaintFacts], provider: Provider | None,
                    month: Month, policy: KpiPolicy) -> None:
    """Complaint limit, over_limit and fee support (003 §3.5, 003 四 §5.1) into ``row``."""
    visits = provider.visits if provider is not None else {}
    limit, quarter, missing = complaint_limit(visits, month, policy.complaint_limit_ratio)
    limited = sum(f.limited for f in facts)
    row["complaint_limit"] = limit
    row["limited_complaints"] = limited
    row["over_limit"] = None if limit is None else limited > limit
    notes: list[str] = []
    if limit is None:
        row["fee_support_eligible"] = None
        notes.append(f"limit unknown: no visits for {', '.join(missing)}" if provider is not None
                     else "limit unknown: no provider on record for these complaints")
    else:
        if row["over_limit"]:
            notes.append(f"over the limit: {limited} > {limit}")
        for key in ("first_closure_rate", "monthly_closure_rate"):
            if not _met(row, key):
                notes.append(f"{key} {row[f'{key}_num']}/{row[f'{key}_den']} is below 1")
        forum = [f.ticket for f in facts if f.forum_open]
        if forum:
            notes.append(f"forum complaints not closed by the end of {month}: {', '.join(forum)}")
        legal = [f.ticket for f in facts if f.legal_or_media]
        if legal:
            notes.append(f"lawsuit or media exposure: {', '.join(legal)}")
        if provider.status in NO_FEE_SUPPORT:
            notes.append(f"provider is {provider.status}")
        row["fee_support_eligible"] = not notes
    row["limit_quarter"] = quarter
    row["notes"] = notes


def _group_of(ticket: Ticket, by: str, records: Records, as_of: datetime) -> str | None:
    if by == "provider":
        return ticket.accepting_provider()
    owner = owner_at(ticket, as_of)
    if by == "owner":
        return owner
    staff = records.staff.get(owner) if owner else None
    return staff.team if staff else None


def active_groups(records: Records, by: str) -> set[str]:
    if by == "provider":
        return {p.id for p in records.providers.values() if p.status == "active"}
    if by == "owner":
        return {s.id for s in records.staff.values() if s.active}
    return {s.team for s in records.staff.values() if s.active and s.team}


def _name_of(group: str | None, by: str, records: Records) -> str | None:
    if group is None:
        return None
    if by == "provider":
        provider = records.providers.get(group)
        return provider.name if provider else None
    if by == "owner":
        staff = records.staff.get(group)
        return staff.name if staff else None
    return None


def kpi_summary(records: Records, month: Month, by: str, as_of: datetime,
                sla_policy: SlaPolicy, calendar: BusinessCalendar, policy: KpiPolicy) -> list[dict]:
    """One row per group: every active group, and every group with a complaint in ``month``.

    Rows are sorted by group id; complaints without a group (no provider or
    owner, an owner without a team) come last under group null.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping '{by}'; use one of {', '.join(GROUPINGS)}")
    month_end = month.end(calendar)
    facts_by_group: dict[str | None, list[ComplaintFacts]] = {g: [] for g in active_groups(records, by)}
    for ticket in complaints_in_month(records.tickets, month, calendar, as_of):
        clocks = clocks_for_ticket(ticket, sla_policy, calendar, as_of)
        facts = complaint_facts(ticket, clocks, month_end, as_of, policy)
        facts_by_group.setdefault(_group_of(ticket, by, records, as_of), []).append(facts)
    rows = []
    for group in sorted(facts_by_group, key=lambda g: (g is None, g or "")):
        facts = facts_by_group[group]
        row = {"group": group, "name": _name_of(group, by, records), **group_kpis(facts)}
        if by == "provider":
            provider_limits(row, facts, records.providers.get(group) if group else None, month, policy)
        else:
            row.update(dict.fromkeys(PROVIDER_ONLY))
            row["limit_quarter"] = None
            row["notes"] = []
        rows.append(row)
    return rows
