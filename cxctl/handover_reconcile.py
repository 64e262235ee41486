"""The six handover checks of SPEC 3.5, over a desk's chain of handovers.

Each check returns findings as data (SPEC 2 keys plus ``level``).  Counts are
compared exactly: whole pieces as integers, cash as Decimal.  Only a cash
difference within the policy's authorised difference is softened to a
warning; a difference in pieces is always an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Mapping

from cxctl.findings import ERROR, WARNING, Finding
from cxctl.handover import (
    CHECKS, ROLES, SHIFTS, HandoverFinding, HandoverPolicy, chain_key, chains, closing_problems,
    owner_at, signature_problems,
)
from cxctl.model import Handover, Ticket, parse_ts

# A handover file that could not be loaded: not one of the six checks, but
# reconciling around it silently would balance the next shift against the
# wrong baseline.
RECORD_CHECK = "record"
_CHECK_ORDER = (RECORD_CHECK, *CHECKS)


@dataclass(frozen=True, slots=True)
class UnreadableHandover:
    """A handover file that failed to load, placed (where its name allows) by
    the desk, date and shift its file name gives."""
    path: str
    reason: str
    desk: str | None = None
    date: date | None = None
    shift: str | None = None

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".yaml")

    @classmethod
    def from_findings(cls, path: str, findings: Iterable[Finding]) -> UnreadableHandover:
        errors = [f for f in findings if f.level == ERROR]
        if errors:
            first = errors[0]
            where = f"line {first.line}: " if first.line else ""
            reason = f"{where}{first.message}"
            if len(errors) > 1:
                reason += f" (and {len(errors) - 1} more error(s))"
        else:
            reason = "the file could not be loaded"
        stem = path.rsplit("/", 1)[-1].removesuffix(".yaml")
        day, desk, shift = None, None, None
        try:
            day = date.fromisoformat(stem[:10])
        except ValueError:
            pass
        rest = stem[11:] if day else ""
        if "-" in rest and rest.rsplit("-", 1)[1] in SHIFTS:
            desk, shift = rest.rsplit("-", 1)
        return cls(path, reason, desk, day, shift)

    @property
    def placed(self) -> bool:
        """Whether the file name says where in its desk's chain it belongs."""
        return None not in (self.desk, self.date, self.shift)


def in_range(desk: str | None, day: date | None, *, start: date | None = None,
             end: date | None = None, only_desk: str | None = None) -> bool:
    """Whether a handover of ``desk`` on ``day`` is within a reconcile's range.
    An unknown desk or day (a file name that does not say) counts as within:
    better reported once too often than never."""
    return ((only_desk is None or desk is None or desk == only_desk)
            and (start is None or day is None or day >= start)
            and (end is None or day is None or day <= end))


def select(handovers: Iterable[Handover], *, start: date | None = None, end: date | None = None,
           desk: str | None = None) -> list[Handover]:
    """The handovers a reconcile over ``start``..``end`` (and ``desk``) checks."""
    return [h for h in handovers if in_range(h.desk, h.date, start=start, end=end, only_desk=desk)]


def unreadable_finding(u: UnreadableHandover) -> HandoverFinding:
    return HandoverFinding(
        u.stem, RECORD_CHECK, None, "a handover that loads", None,
        f"{u.path} could not be read ({u.reason}); it is left out of this reconcile and the "
        f"shift after it is not balance-checked (`cxctl validate {u.path}` shows why)")


def _level_for_difference(item: str, difference, policy: HandoverPolicy) -> str:
    if policy.is_cash(item) and abs(difference) <= policy.authorised_cash_difference:
        return WARNING
    return ERROR


def _signed(value) -> str:
    return f"+{value}" if value >= 0 else str(value)


def check_balance(previous: Handover, h: Handover, policy: HandoverPolicy) -> list[HandoverFinding]:
    """Previous incoming + this shift's movements == this outgoing, per item."""
    findings = []
    items = dict.fromkeys([*previous.counts, *h.counts, *(m.item for m in h.movements)])
    for item in items:
        zero = policy.zero(item)
        baseline = previous.counts[item].incoming if item in previous.counts else zero
        moved = sum((m.qty for m in h.movements if m.item == item), zero)
        expected = baseline + moved
        how = f"{previous.stem} handed over {baseline}, movements {_signed(moved)}"
        if item not in h.counts:
            if expected != 0:
                findings.append(HandoverFinding(
                    h.stem, "balance", item, expected, None,
                    f"{item} not counted: {how}, so {expected} expected"))
            continue
        actual = h.counts[item].outgoing
        if actual == expected:
            continue
        difference = actual - expected
        level = _level_for_difference(item, difference, policy)
        within = " (within the authorised cash difference)" if level == WARNING else ""
        findings.append(HandoverFinding(
            h.stem, "balance", item, expected, actual,
            f"{item}: {how}, so {expected} expected; counted {actual} "
            f"(difference {_signed(difference)}){within}", level))
    return findings


def check_agreement(h: Handover, policy: HandoverPolicy) -> list[HandoverFinding]:
    """The outgoing and incoming staff counted the same."""
    findings = []
    for item, count in h.counts.items():
        if count.outgoing == count.incoming:
            continue
        difference = count.incoming - count.outgoing
        level = _level_for_difference(item, difference, policy)
        within = " (within the authorised cash difference)" if level == WARNING else ""
        findings.append(HandoverFinding(
            h.stem, "agreement", item, count.outgoing, count.incoming,
            f"{item}: outgoing counted {count.outgoing}, incoming {count.incoming} "
            f"(difference {_signed(difference)}){within}", level))
    return findings


def tickets_by_owner(tickets: Iterable[Ticket]) -> dict[str, list[Ticket]]:
    """Every staff member who ever owned a ticket -> those tickets.

    Carry-over only needs the tickets of the outgoing staff; indexing once
    keeps a reconcile over many handovers from rescanning every ticket.
    """
    index: dict[str, list[Ticket]] = {}
    for t in tickets:
        owners = {t.owner} | {e.from_ for e in t.events if e.type == "transfer"}
        for staff in owners:
            if staff:
                index.setdefault(staff, []).append(t)
    return index


def check_carry_over(h: Handover, tickets: Mapping[str, Ticket],
                     by_owner: Mapping[str, list[Ticket]] | None = None) -> list[HandoverFinding]:
    """Open tickets of the outgoing staff are listed; listed tickets were open."""
    if by_owner is None:
        by_owner = tickets_by_owner(tickets.values())
    moment = h.handed_over_at
    listed = [m.get("ticket") for m in h.open_matters]
    findings = []
    due = {}
    for staff in h.outgoing:
        for t in by_owner.get(staff, ()):
            if owner_at(t, moment) == staff and t.is_open_at(moment):
                due[t.id] = staff
    for ticket_id in sorted(due):
        if ticket_id not in listed:
            findings.append(HandoverFinding(
                h.stem, "carry_over", ticket_id, "listed in open_matters", None,
                f"{ticket_id} was open at {moment.isoformat()} and owned by {due[ticket_id]} "
                f"(outgoing) but is not carried over"))
    for ticket_id in listed:
        t = tickets.get(ticket_id)
        if t is None:
            findings.append(HandoverFinding(
                h.stem, "carry_over", ticket_id, "an existing ticket", None,
                f"open matter {ticket_id} is not a known ticket"))
        elif not t.is_open_at(moment):
            state = t.status_at(moment) if t.opened_at <= moment else "not yet opened"
            findings.append(HandoverFinding(
                h.stem, "carry_over", ticket_id, "open", state,
                f"open matter {ticket_id} was {state.replace('_', ' ')} at {moment.isoformat()}"))
    return findings


def check_loans(h: Handover) -> list[HandoverFinding]:
    """Loans due before the handover's date are overdue (a warning)."""
    return [
        HandoverFinding(
            h.stem, "loans", loan.item, loan.due, h.date,
            f"{loan.item} x{loan.qty} lent to {loan.borrower} was due {loan.due.isoformat()}, "
            f"still out on {h.date.isoformat()}",
            WARNING, (("borrower", loan.borrower), ("phone", loan.phone)))
        for loan in h.loans if loan.due < h.date
    ]


def check_sign_off(h: Handover) -> list[HandoverFinding]:
    """Both sides signed, at or after the handover, and were on that shift."""
    findings = []
    for role in ROLES:
        sig = h.signatures.get(role)
        if sig is None:
            findings.append(HandoverFinding(
                h.stem, "sign_off", None, f"{role} signature by {', '.join(getattr(h, role))}",
                None, f"{role} signature missing"))
            continue
        findings += [HandoverFinding(h.stem, "sign_off", None, p.expected, p.actual, p.message)
                     for p in signature_problems(h, role, sig.by, sig.at)]
    if h.shift == "late":
        findings.extend(_closing_findings(h))
    return findings


def _closing_findings(h: Handover) -> list[HandoverFinding]:
    """A late shift seals cash and keys to the control room (004 5.1.2.6)."""
    sealed = (h.closing or {}).get("sealed_to_control_room")
    if not sealed:
        return [HandoverFinding(
            h.stem, "sign_off", None, "closing.sealed_to_control_room", None,
            "late shift without its closing: cash and keys not sealed to the control room")]
    at = sealed["at"] if isinstance(sealed["at"], datetime) else parse_ts(sealed["at"])
    return [HandoverFinding(h.stem, "sign_off", None, p.expected, p.actual, p.message)
            for p in closing_problems(h, sealed["by"], at)]


def check_continuity(handovers: Iterable[Handover]) -> list[HandoverFinding]:
    """Every day a desk has a handover it has both its early and its late one."""
    seen: dict[tuple[str, date], set[str]] = {}
    for h in handovers:
        seen.setdefault((h.desk, h.date), set()).add(h.shift)
    findings = []
    for (desk, day), shifts in sorted(seen.items()):
        for missing in (s for s in SHIFTS if s not in shifts):
            present = ", ".join(s for s in SHIFTS if s in shifts)
            findings.append(HandoverFinding(
                f"{day.isoformat()}-{desk}-{missing}", "continuity", None,
                "early and late", present,
                f"desk {desk} has only the {present} handover on {day.isoformat()}, no {missing} one"))
    return findings


def reconcile(handovers: Iterable[Handover], tickets: Mapping[str, Ticket],
              policy: HandoverPolicy, *, start: date | None = None, end: date | None = None,
              desk: str | None = None,
              unreadable: Iterable[UnreadableHandover] = ()) -> list[HandoverFinding]:
    """All six checks for the handovers dated ``start``..``end`` (inclusive).

    Handovers outside the range still serve as the baseline of the first one
    inside it, so a one-day reconcile balances against the day before.
    ``unreadable`` are handover files that failed to load: each one in range
    is an error finding (check ``record``); a handover that follows one in
    its desk's chain is not balance-checked, since its real baseline is
    unknown, and that file is reported too even when it lies before the range.
    """
    def wanted(d: str | None, day: date | None) -> bool:
        return in_range(d, day, start=start, end=end, only_desk=desk)

    unreadable = list(unreadable)
    reported = {u.path: u for u in unreadable if wanted(u.desk, u.date)}
    gaps: dict[str, list[UnreadableHandover]] = {}
    for u in unreadable:
        if u.placed:
            gaps.setdefault(u.desk, []).append(u)

    by_owner = tickets_by_owner(tickets.values())
    findings: list[HandoverFinding] = []
    selected: list = []
    for desk_name, chain in chains(handovers).items():
        previous = None
        for h in chain:
            if wanted(h.desk, h.date):
                selected.append(h)
                broken = [u for u in gaps.get(desk_name, ())
                          if (previous is None or chain_key(previous) < (u.date, SHIFTS.index(u.shift)))
                          and (u.date, SHIFTS.index(u.shift)) < chain_key(h)]
                if broken:
                    reported.setdefault(broken[-1].path, broken[-1])
                elif previous is not None:
                    findings.extend(check_balance(previous, h, policy))
                findings.extend(check_agreement(h, policy))
                findings.extend(check_carry_over(h, tickets, by_owner))
                findings.extend(check_loans(h))
                findings.extend(check_sign_off(h))
            previous = h
    # A day whose other shift is in a broken file is not missing a handover.
    selected += [u for u in reported.values() if u.placed and wanted(u.desk, u.date)]
    findings.extend(check_continuity(selected))
    findings.extend(unreadable_finding(u) for u in reported.values())
    findings.sort(key=lambda f: (f.handover or "", _CHECK_ORDER.index(f.check), f.item or ""))
    return findings


def has_errors(findings: Iterable[HandoverFinding]) -> bool:
    return any(f.level == ERROR for f in findings)

