"""Complaint severity (SPEC 3.2, seed 004 §5.4.1).

Severity is derived from the complaint's impact when the record gives none;
an explicit value may raise it but never lower it.
"""
from __future__ import annotations

from decimal import Decimal

from cxctl.model import Impact, Ticket

SEVERITIES = ("general", "important", "major")

MAJOR_HOUSEHOLDS = 10
IMPORTANT_HOUSEHOLDS = 5
MAJOR_COMPENSATION = Decimal("50000")     # at or above: major
IMPORTANT_COMPENSATION = Decimal("5000")  # strictly above: important


def severity_rank(severity: str) -> int:
    """0 for general, 1 important, 2 major; unknown values rank lowest (-1)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def derive_with_reason(impact: Impact) -> tuple[str, str]:
    """The derived severity and the rule that decided it."""
    compensation = Decimal(impact.compensation or 0)
    households = impact.households or 0
    if households >= MAJOR_HOUSEHOLDS:
        return "major", f"{households} households affected (10 or more)"
    if compensation >= MAJOR_COMPENSATION:
        return "major", f"compensation {compensation} yuan (50000 or more)"
    if impact.legal_or_media:
        return "important", "lawsuit or media exposure"
    if households >= IMPORTANT_HOUSEHOLDS:
        return "important", f"{households} households affected (5 to 9)"
    if compensation > IMPORTANT_COMPENSATION:
        return "important", f"compensation {compensation} yuan (over 5000, under 50000)"
    return "general", f"compensation {compensation} yuan (5000 or less), {households} households"


def derive_severity(impact: Impact) -> str:
    return derive_with_reason(impact)[0]


def effective_severity(ticket: Ticket) -> str:
    """The recorded severity, or the derived one when that is higher or none is recorded."""
    derived = derive_severity(ticket.impact)
    recorded = ticket.severity
    if recorded in SEVERITIES and severity_rank(recorded) > severity_rank(derived):
        return recorded
    return derived


def explain_severity(ticket: Ticket) -> str:
    derived, reason = derive_with_reason(ticket.impact)
    effective = effective_severity(ticket)
    if ticket.severity is None:
        return f"{effective} (derived: {reason})"
    if effective == ticket.severity and effective != derived:
        return f"{effective} (recorded; derived would be {derived}: {reason})"
    if ticket.severity != effective:
        return f"{effective} (recorded {ticket.severity} is below the derived severity: {reason})"
    return f"{effective} (recorded, matches derived: {reason})"


def severity_problem(ticket: Ticket) -> str | None:
    """A message when a complaint's recorded severity is below the derived one."""
    if ticket.kind != "complaint" or ticket.severity is None:
        return None
    derived, reason = derive_with_reason(ticket.impact)
    if severity_rank(ticket.severity) < severity_rank(derived):
        return f"severity {ticket.severity} is below the derived severity {derived} ({reason})"
    return None
