"""The next handover of a desk, pre-filled for the people at the desk.

Carry-over is done for them, not remembered by them: every ticket open at the
handover and owned by an outgoing staff member is listed in ``open_matters``,
the counts start from what the previous shift handed over, and the loans still
out come along.  The desk then corrects the counts, records movements and signs.
"""
from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import Iterable, Mapping

from cxctl.handover import HandoverPolicy, owner_at
from cxctl.model import Handover, Loan, Ticket

# Used when a policy gives no usual handover time for a shift.
FALLBACK_TIMES = {"early": time(14, 0), "late": time(22, 0)}


def usual_handover_at(day: date, shift: str, policy: HandoverPolicy, tz: tzinfo) -> datetime:
    """The policy's usual handover time for ``shift`` on ``day`` (desk time zone)."""
    at = policy.handover_times.get(shift, FALLBACK_TIMES[shift])
    return datetime.combine(day, at, tzinfo=tz)


def _record_amount(value: Decimal | int) -> str | int:
    # Cash is written as a decimal string, pieces as whole numbers.
    return str(value) if isinstance(value, Decimal) else value


def carried_over(tickets: Iterable[Ticket], outgoing: Iterable[str], moment: datetime,
                 notes: Mapping[str, str] | None = None) -> list[dict]:
    """``open_matters`` entries: tickets open at ``moment`` owned by the outgoing staff.

    A note the previous shift wrote for a ticket still open is kept.
    """
    staff = set(outgoing)
    notes = notes or {}
    matters = []
    for t in sorted(tickets, key=lambda t: (t.opened_at, t.id)):
        if owner_at(t, moment) in staff and t.is_open_at(moment):
            entry = {"ticket": t.id}
            if notes.get(t.id):
                entry["note"] = notes[t.id]
            matters.append(entry)
    return matters


def prefill(*, desk: str, day: date, shift: str, handed_over_at: datetime,
            outgoing: list[str], incoming: list[str], previous: Handover | None,
            tickets: Iterable[Ticket], policy: HandoverPolicy,
            loans: Iterable[Loan] | None = None) -> dict:
    """The record for a new handover, as a dict in file key order.

    Counts of every known item start at the previous handover's ``incoming``
    count on both sides (zero on a desk's first handover); ``loans`` defaults
    to the loans the previous shift handed over.
    """
    baseline = {item: policy.zero(item) for item in policy.items}
    if previous is not None:
        baseline.update({item: c.incoming for item, c in previous.counts.items()})
    counts = {item: {"outgoing": _record_amount(v), "incoming": _record_amount(v)}
              for item, v in baseline.items()}
    if loans is None:
        loans = previous.loans if previous is not None else ()
    loan_rows = []
    for loan in loans:
        row = {"item": loan.item, "qty": loan.qty, "borrower": loan.borrower}
        if loan.phone:
            row["phone"] = loan.phone
        row["due"] = loan.due
        loan_rows.append(row)
    notes = {}
    if previous is not None:
        notes = {m["ticket"]: m.get("note", "") for m in previous.open_matters if m.get("ticket")}
    record = {
        "desk": desk,
        "date": day,
        "shift": shift,
        "handed_over_at": handed_over_at,
        "outgoing": list(outgoing),
        "incoming": list(incoming),
        "counts": counts,
        "movements": [],
        "loans": loan_rows,
        "open_matters": carried_over(tickets, outgoing, handed_over_at, notes),
    }
    return record
