"""SLA clocks (SPEC 3.3): when each clock starts and stops, its deadline and state.

``clocks_for_ticket`` evaluates one ticket as of a moment: events after that
moment do not exist yet, and a clock whose start has not happened is not
listed.  ``explain_ticket`` gives the same clocks with the steps that led to
each deadline, so a disputed deadline can be settled.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from cxctl.calendar import BusinessCalendar
from cxctl.model import Event, Ticket
from cxctl.severity import explain_severity
from cxctl.sla_policy import SlaPolicy, Target

STATES = ("met", "breached", "at_risk", "running", "paused")
STOPS_RESOLVE = frozenset({"resolve", "close", "force_close"})
CLOSING = frozenset({"close", "force_close"})


@dataclass
class Clock:
    ticket: str
    metric: str
    cycle: int
    started_at: datetime
    due_at: datetime
    done_at: datetime | None
    state: str
    target: str = ""
    kind: str = ""
    provider: str | None = None
    owner: str | None = None
    paused: timedelta = timedelta(0)
    extended_to: datetime | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def is_running(self) -> bool:
        return self.done_at is None

    def to_dict(self) -> dict:
        """SPEC 2 keys first (fixed), then extras for people and filters."""
        return {
            "ticket": self.ticket,
            "metric": self.metric,
            "cycle": self.cycle,
            "started_at": self.started_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "done_at": self.done_at.isoformat() if self.done_at else None,
            "state": self.state,
            "kind": self.kind,
            "target": self.target,
            "provider": self.provider,
            "owner": self.owner,
            "paused_minutes": round(self.paused.total_seconds() / 60),
            "extended_to": self.extended_to.isoformat() if self.extended_to else None,
            "warning": "; ".join(self.warnings) or None,
        }


@dataclass(frozen=True, slots=True)
class Span:
    """Where one cycle of a clock starts and (if it has) stops."""
    cycle: int
    start: datetime
    start_reason: str
    stop: datetime | None = None
    stop_reason: str | None = None


def _first_after(events: list[Event], start: datetime, types: Iterable[str]) -> Event | None:
    wanted = frozenset(types)
    return next((e for e in events if e.at >= start and e.type in wanted), None)


def _span(start: datetime, why: str, stop: Event | None, cycle: int = 1) -> Span:
    return Span(cycle, start, why, stop.at if stop else None, _stop_reason(stop) if stop else None)


def _stop_reason(e: Event) -> str:
    return f"{e.type} ({e.outcome})" if e.outcome else e.type


def _first_contact(t: Ticket, events: list[Event]) -> list[Span]:
    unreachable_seen = False
    for e in events:
        if e.type == "contact" and e.outcome == "reached":
            return [_span(t.opened_at, "opened_at", e)]
        if e.type == "contact" and e.outcome == "unreachable":
            unreachable_seen = True
        elif e.type == "sms" and unreachable_seen:
            return [Span(1, t.opened_at, "opened_at", e.at, "sms after an unreachable contact")]
    return [Span(1, t.opened_at, "opened_at")]


def _dispatch(t: Ticket, events: list[Event]) -> list[Span]:
    return [_span(t.opened_at, "opened_at", _first_after(events, t.opened_at, ("dispatch",)))]


def _provider_reply(t: Ticket, events: list[Event]) -> list[Span]:
    dispatch = _first_after(events, t.opened_at, ("dispatch",))
    start, why = (dispatch.at, "first dispatch") if dispatch else (t.opened_at, "opened_at (no dispatch)")
    return [_span(start, why, _first_after(events, start, ("reply",)))]


def _resolve(t: Ticket, events: list[Event]) -> list[Span]:
    spans: list[Span] = []
    start, why, cycle = t.opened_at, "opened_at", 1
    for e in events:
        if start is not None and e.type in STOPS_RESOLVE:
            spans.append(Span(cycle, start, why, e.at, _stop_reason(e)))
            start = None
        elif start is None and e.type == "reopen":
            cycle += 1
            start, why = e.at, "reopen"
    if start is not None:
        spans.append(Span(cycle, start, why))
    return spans


def _revisit(t: Ticket, events: list[Event]) -> list[Span]:
    resolves = [e for e in events if e.type == "resolve"]
    return [_span(r.at, "resolve", _first_after(events, r.at, ("revisit",)), i)
            for i, r in enumerate(resolves, start=1)]


def _feedback(t: Ticket, events: list[Event]) -> list[Span]:
    return [_span(t.opened_at, "opened_at", _first_after(events, t.opened_at, ("reply",)))]


def _age(t: Ticket, events: list[Event]) -> list[Span]:
    # Age asks "is it still open?": a close that a later reopen undid does not stop it.
    last_close = None
    for e in events:
        if e.type in CLOSING:
            last_close = e
        elif e.type == "reopen":
            last_close = None
    return [_span(t.opened_at, "opened_at", last_close)]


SPANS = {
    "first_contact": _first_contact,
    "dispatch": _dispatch,
    "provider_reply": _provider_reply,
    "resolve": _resolve,
    "revisit": _revisit,
    "feedback": _feedback,
    "age": _age,
}


def _hold_intervals(events: list[Event], start: datetime, end: datetime) -> list[tuple[datetime, datetime, bool]]:
    """(from, to, still_on_hold) intervals of hold ... resume clipped to [start, end]."""
    out, held_at = [], None
    for e in events:
        if e.at > end:
            break
        if e.type == "hold" and held_at is None:
            held_at = e.at
        elif e.type == "resume" and held_at is not None:
            if e.at > start:
                out.append((max(held_at, start), e.at, False))
            held_at = None
    if held_at is not None:
        out.append((max(held_at, start), end, True))
    return out


def _fmt(moment: datetime, calendar: BusinessCalendar) -> str:
    return calendar.local(moment).strftime("%a %Y-%m-%d %H:%M %z")


def _duration(d: timedelta) -> str:
    minutes = round(d.total_seconds() / 60)
    return f"{minutes // 60}h {minutes % 60:02d}m"


def _deadline_steps(target: Target, start: datetime, calendar: BusinessCalendar) -> list[str]:
    if target.unit == "working_days":
        steps = calendar.explain_working_days(start, int(target.within))
    elif target.unit == "calendar_days":
        steps = calendar.explain_calendar_days(start, int(target.within))
    else:
        return []
    return [s.describe() for s in steps] + [f"deadline is the cut-off {calendar.cutoff:%H:%M} of the last day"]


def _evaluate(ticket: Ticket, metric: str, span: Span, target: Target, events: list[Event],
              policy: SlaPolicy, calendar: BusinessCalendar, as_of: datetime,
              notes: list[str] | None) -> Clock:
    due = target.due(span.start, calendar)
    end = span.stop or as_of
    if notes is not None:
        notes.append(f"started {_fmt(span.start, calendar)} at {span.start_reason}")
        notes += _deadline_steps(target, span.start, calendar)
        notes.append(f"due {_fmt(due, calendar)} ({target.describe()})")

    extended_to = None
    pause_from = span.start
    if metric == "resolve":
        # An extension only ever grants time: one whose `until` is not later than
        # the deadline it extends leaves the deadline where it is.
        for e in events:
            if e.type != "extend" or not e.until or not span.start <= e.at <= end:
                continue
            approved = (f"on {_fmt(e.at, calendar)} (approved by {e.approved_by or '?'}: "
                        f"{e.reason or 'no reason given'})")
            if e.until > due:
                due, extended_to, pause_from = e.until, e.until, e.at
                if notes is not None:
                    notes.append(f"extended to {_fmt(e.until, calendar)} {approved}")
            elif notes is not None:
                notes.append(f"extension to {_fmt(e.until, calendar)} {approved} ignored: "
                             f"not later than the deadline {_fmt(due, calendar)}")

    paused, on_hold_now = timedelta(0), False
    if target.pausable:
        for held, resumed, still in _hold_intervals(events, pause_from, end):
            paused += resumed - held
            on_hold_now = on_hold_now or (still and span.stop is None)
            if notes is not None:
                until = "still on hold" if still else _fmt(resumed, calendar)
                notes.append(f"on hold {_fmt(held, calendar)} -> {until}: due moves later by {_duration(resumed - held)}")
        due = due + paused
    due = calendar.local(due)

    if span.stop is not None:
        state = "met" if span.stop <= due else "breached"
    elif as_of > due:
        state = "breached"
    elif on_hold_now:
        state = "paused"
    elif due - as_of <= policy.warning_window(due - span.start):
        state = "at_risk"
    else:
        state = "running"

    warnings = []
    if target.uses_calendar_days():
        years = calendar.provisional_years(calendar.local_date(span.start), calendar.local_date(due))
        if years:
            warnings.append(f"calendar year {', '.join(map(str, years))} is provisional")
    if notes is not None:
        notes.append(f"stopped {_fmt(span.stop, calendar)} by {span.stop_reason}" if span.stop
                     else f"still running as of {_fmt(as_of, calendar)}")
        notes.append(f"state: {state}")
        notes += [f"warning: {w}" for w in warnings]

    return Clock(
        ticket=ticket.id, metric=metric, cycle=span.cycle,
        started_at=calendar.local(span.start), due_at=due,
        done_at=calendar.local(span.stop) if span.stop else None, state=state,
        target=target.describe(), kind=ticket.kind, provider=ticket.provider, owner=ticket.owner,
        paused=paused, extended_to=extended_to, warnings=warnings,
    )


def _clocks(ticket: Ticket, policy: SlaPolicy, calendar: BusinessCalendar, as_of: datetime,
            explain: bool) -> list[tuple[Clock, list[str]]]:
    if ticket.opened_at > as_of:
        return []
    events = sorted(ticket.events_until(as_of), key=lambda e: e.at)
    out = []
    for metric, rule in policy.rules_for(ticket.kind):
        target, chosen_by = rule.target_for(ticket)
        if target is None:
            continue
        for span in SPANS[metric](ticket, events):
            notes: list[str] | None = [] if explain else None
            if notes is not None and chosen_by.startswith("severity"):
                notes.append(f"severity {explain_severity(ticket)}")
            elif notes is not None and chosen_by:
                notes.append(f"target chosen by {chosen_by}")
            clock = _evaluate(ticket, metric, span, target, events, policy, calendar, as_of, notes)
            out.append((clock, notes or []))
    return out


def clocks_for_ticket(ticket: Ticket, policy: SlaPolicy, calendar: BusinessCalendar,
                      as_of: datetime) -> list[Clock]:
    """Every SLA clock of ``ticket`` started by ``as_of``, evaluated at ``as_of``."""
    return [c for c, _ in _clocks(ticket, policy, calendar, as_of, explain=False)]


def explain_ticket(ticket: Ticket, policy: SlaPolicy, calendar: BusinessCalendar,
                   as_of: datetime) -> list[tuple[Clock, list[str]]]:
    """The clocks of ``ticket`` with how each deadline and state was derived."""
    return _clocks(ticket, policy, calendar, as_of, explain=True)


def settled_since(ticket: Ticket, clocks: list[Clock], as_of: datetime | None = None) -> datetime | None:
    """The moment from which ``clocks`` are final, or None if they may still change.

    Precondition: ``clocks`` is ``clocks_for_ticket(ticket, ...)`` evaluated at an
    as_of at or after the returned moment; pass that ``as_of`` to have it checked
    (None is returned when it is earlier).  Clocks evaluated before the ticket's
    last event leave that event out, so they are not the ticket's final clocks.

    Why the clocks are then final for every later as_of: every span starts at
    opened_at or at an event, and by then every event has happened, so no later
    as_of adds a span or moves a start, stop, hold or extension; a stopped clock's
    due and state depend only on those.  A running clock's state depends on the
    as_of, so one running clock unsettles the ticket.  A ticket with no clocks
    (a kind the policy gives no targets) is settled as well: no span can start
    without an event.
    """
    if any(c.done_at is None for c in clocks):
        return None
    moment = max((e.at for e in ticket.events), default=ticket.opened_at)
    moment = max(moment, ticket.opened_at)
    if as_of is not None and as_of < moment:
        return None
    return moment


def clocks_for_tickets(tickets: Iterable[Ticket], policy: SlaPolicy, calendar: BusinessCalendar,
                       as_of: datetime) -> list[Clock]:
    return [c for t in tickets for c in clocks_for_ticket(t, policy, calendar, as_of)]


