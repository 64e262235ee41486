"""Single-record rules: what one schema-valid record must satisfy on its own.

These block a write (SPEC §5) and are a pure function of the file's content,
so their findings can be cached with the parse.  Rules that need other records
live in ``integrity``.
"""
from __future__ import annotations

from typing import Callable

from cxctl.findings import Finding, error
from cxctl.calendar import zone_or_none
from cxctl.kpi_policy import policy_problems as kpi_policy_problems
from cxctl.model import STATUS_AFTER_EVENT, Ticket
from cxctl.severity import derive_severity, severity_problem
from cxctl.sla_checks import calendar_findings, sla_policy_findings
from cxctl.tiering_policy import policy_problems as tiering_policy_problems

Rule = Callable[[dict, str], list[Finding]]


def ticket_rules(data: dict, path: str) -> list[Finding]:
    ticket = Ticket.from_dict(data, path)
    return [*_event_order(ticket, path), *_status_agrees(ticket, path),
            *_severity_not_lowered(ticket, path), *_transfers_agree(ticket, path),
            *_extensions_later(ticket, path)]


def _extensions_later(ticket: Ticket, path: str) -> list[Finding]:
    """An extension (004 5.4.3) grants more time: its ``until`` lies after its approval."""
    return [error(path, "extend-not-later",
                  f"event {i} (extend) grants time until {e.until.isoformat()}, which is not after "
                  f"its approval at {e.at.isoformat()}",
                  field=f"events.{i}.until",
                  hint="an extension moves the resolve deadline later; give the new deadline")
            for i, e in enumerate(ticket.events)
            if e.type == "extend" and e.until is not None and e.until <= e.at]


def _event_order(ticket: Ticket, path: str) -> list[Finding]:
    out = []
    previous = ticket.opened_at
    for i, event in enumerate(ticket.events):
        if event.at < ticket.opened_at:
            out.append(error(path, "event-before-opened",
                             f"event {i} ({event.type}) at {event.at.isoformat()} is before the "
                             f"ticket was opened ({ticket.opened_at.isoformat()})",
                             field=f"events.{i}.at"))
        elif event.at < previous:
            out.append(error(path, "event-order",
                             f"event {i} ({event.type}) at {event.at.isoformat()} is earlier than "
                             f"the event before it ({previous.isoformat()})",
                             field=f"events.{i}.at",
                             hint="events are append-only and in time order; add a correcting "
                                  "event instead of editing history"))
        previous = max(previous, event.at)
    return out


def _status_agrees(ticket: Ticket, path: str) -> list[Finding]:
    implied, source = "open", None
    for i, event in enumerate(ticket.events):
        if event.type in STATUS_AFTER_EVENT:
            implied, source = STATUS_AFTER_EVENT[event.type], i
    if ticket.status == implied:
        return []
    why = f"its last status-changing event (events.{source}: {ticket.events[source].type})" \
        if source is not None else "it has no resolve, close, force_close or reopen event"
    return [error(path, "status-mismatch",
                  f"status is '{ticket.status}' but {why} makes it '{implied}'",
                  field="status",
                  hint=f"set status: {implied}, or append the event that changes it")]


def _severity_not_lowered(ticket: Ticket, path: str) -> list[Finding]:
    problem = severity_problem(ticket)
    if problem is None:
        return []
    return [error(path, "severity-below-derived", problem, field="severity",
                  hint=f"set severity: {derive_severity(ticket.impact)}, or remove it to let "
                       f"cxctl derive it")]


def _transfers_agree(ticket: Ticket, path: str) -> list[Finding]:
    """The last transfer of an owner (S-…) or provider (P-…) sets that field."""
    out = []
    last: dict[str, tuple[int, str]] = {}
    for i, event in enumerate(ticket.events):
        if event.type == "transfer" and event.to:
            last["owner" if event.to.startswith("S-") else "provider"] = (i, event.to)
    for field, (i, to) in last.items():
        current = getattr(ticket, field)
        if current != to:
            out.append(error(path, "transfer-mismatch",
                             f"{field} is '{current}' but the last transfer (events.{i}) "
                             f"moved the ticket to '{to}'", field=field,
                             hint=f"set {field}: {to}"))
    return out


def kpi_policy_rules(data: dict, path: str) -> list[Finding]:
    return [error(path, "kpi-policy", message, field=field)
            for field, message in kpi_policy_problems(data)]


def tiering_policy_rules(data: dict, path: str) -> list[Finding]:
    """Weights summing to 100, a split summing to 1: what the schema cannot say."""
    return [error(path, "tier-policy", p.message, field=p.field)
            for p in tiering_policy_problems(data)]


def settings_rules(data: dict, path: str) -> list[Finding]:
    if zone_or_none(data["timezone"]) is None:
        return [error(path, "unknown-timezone", f"unknown time zone '{data['timezone']}'",
                      field="timezone", hint="use an IANA name such as Asia/Shanghai")]
    return []


# kind (the schema name) -> its single-record rules.
RULES: dict[str, list[Rule]] = {"ticket": [ticket_rules],
                                "settings": [settings_rules],
                                "policy-tiering": [tiering_policy_rules],
                                "calendar": [calendar_findings],
                                "policy-sla": [sla_policy_findings],
                                "policy-kpi": [kpi_policy_rules]}


def record_findings(kind: str, data, path: str) -> list[Finding]:
    out: list[Finding] = []
    for rule in RULES.get(kind, ()):
        out.extend(rule(data, path))
    return out
