"""Desk shift handover: the policy, findings and the rules of one record.

A service desk counts its lent umbrellas, radios, gift stock and cash jointly
at every shift change (004 5.1).  This module holds what the other handover
modules share: the handover policy, the finding shape of SPEC 2, how
handovers chain, who owned a ticket at a given moment, and the problems a
single record can have (`record_problems`, wired into `validate`).  The six checks that
span records live in `handover_reconcile`, the pre-fill in `handover_prefill`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Iterable

from cxctl.findings import ERROR, Finding, error
from cxctl.model import Handover, Records, Ticket

SHIFTS = ("early", "late")
CHECKS = ("balance", "agreement", "carry_over", "loans", "sign_off", "continuity")
DEFAULT_CASH_DIFFERENCE = Decimal("0.50")


@dataclass(frozen=True, slots=True)
class HandoverPolicy:
    """`policies/handover.yaml` as an object."""
    items: dict[str, bool]                       # item -> is cash
    authorised_cash_difference: Decimal = DEFAULT_CASH_DIFFERENCE
    handover_times: dict[str, time] = field(default_factory=dict)   # shift -> usual time

    @classmethod
    def from_dict(cls, d: dict) -> HandoverPolicy:
        items = {name: bool((spec or {}).get("cash", False)) for name, spec in d["items"].items()}
        times = {}
        for shift, spec in (d.get("shifts") or {}).items():
            hours, minutes = spec["handover_at"].split(":")
            times[shift] = time(int(hours), int(minutes))
        return cls(
            items=items,
            authorised_cash_difference=Decimal(d.get("authorised_cash_difference",
                                                     str(DEFAULT_CASH_DIFFERENCE))),
            handover_times=times,
        )

    def is_cash(self, item: str) -> bool:
        return self.items.get(item, False)

    def zero(self, item: str) -> Decimal | int:
        return Decimal("0.00") if self.is_cash(item) else 0


def jsonable(value: Any) -> Any:
    """Findings travel as JSON: cash stays exact as a decimal string."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class HandoverFinding:
    """One reconciliation finding with the fixed keys of SPEC 2."""
    handover: str | None          # file stem, e.g. 2026-11-24-main-early
    check: str
    item: str | None              # item or ticket id concerned
    expected: Any
    actual: Any
    message: str
    level: str = ERROR
    extra: tuple[tuple[str, Any], ...] = ()   # more keys for the reader (borrower, phone)

    def to_dict(self) -> dict:
        d = {
            "handover": self.handover,
            "check": self.check,
            "item": self.item,
            "expected": jsonable(self.expected),
            "actual": jsonable(self.actual),
            "message": self.message,
            "level": self.level,
        }
        d.update((k, jsonable(v)) for k, v in self.extra)
        return d


def chain_key(h: Handover) -> tuple[date, int]:
    """Handovers of one desk follow each other: a day's early, then its late."""
    return (h.date, SHIFTS.index(h.shift))


def chains(handovers: Iterable[Handover]) -> dict[str, list[Handover]]:
    """Handovers per desk, each list in chain order."""
    by_desk: dict[str, list[Handover]] = {}
    for h in handovers:
        by_desk.setdefault(h.desk, []).append(h)
    for desk_list in by_desk.values():
        desk_list.sort(key=chain_key)
    return by_desk


def previous_handover(handovers: Iterable[Handover], desk: str, day: date,
                      shift: str) -> Handover | None:
    """The handover a new one on (desk, day, shift) takes its baseline from."""
    here = (day, SHIFTS.index(shift))
    earlier = [h for h in handovers if h.desk == desk and chain_key(h) < here]
    return max(earlier, key=chain_key) if earlier else None


def owner_at(ticket: Ticket, moment: datetime) -> str | None:
    """The staff owner of a ticket at ``moment``.

    A later staff transfer (a leaver's tickets moving to a successor) must not
    rewrite history: walking the transfers after ``moment`` backwards gives
    back the owner of that time.
    """
    owner = ticket.owner
    for e in reversed(ticket.events):
        if e.at <= moment:
            break
        if e.type == "transfer" and _is_staff(e.from_) and _is_staff(e.to):
            owner = e.from_
    return owner


def _is_staff(ref: str | None) -> bool:
    return bool(ref) and ref.startswith("S-")


def on_shift(h: Handover) -> set[str]:
    return set(h.outgoing) | set(h.incoming)


# --- sign-off rules: one place for `handover sign/seal` and reconcile --------

ROLES = ("outgoing", "incoming")


@dataclass(frozen=True, slots=True)
class SignProblem:
    """Why a signature or a closing seal is not acceptable.

    ``already`` marks a record that has it already (a conflict with the file);
    the other problems are with the signature itself.
    """
    rule: str
    expected: Any
    actual: Any
    message: str
    already: bool = False


def signature_problems(h: Handover, role: str, by: str, at: datetime) -> list[SignProblem]:
    """A signature is by someone on that side, at or after the handover (004 5.1)."""
    side = getattr(h, role)
    names = ", ".join(side)
    moment = h.handed_over_at
    problems = []
    if by not in side:
        problems.append(SignProblem(
            "not_on_side", f"{role} signature by {names}", by,
            f"{role} signature by {by}, who is not on the {role} side of {h.stem} ({names})"))
    if at < moment:
        problems.append(SignProblem(
            "before_handover", f"at or after {moment.isoformat()}", at,
            f"{role} signature at {at.isoformat()} comes before the handover at {moment.isoformat()}"))
    return problems


def sign_problems(h: Handover, role: str, by: str, at: datetime) -> list[SignProblem]:
    """What stops ``by`` from signing ``h`` for ``role`` at ``at``: the rules of a
    signature, and no side signed twice."""
    if role not in ROLES:
        return [SignProblem("role", "outgoing or incoming", role,
                            f"a handover is signed as outgoing or incoming, not {role!r}")]
    problems = signature_problems(h, role, by, at)
    existing = h.signatures.get(role)
    if existing is not None:
        problems.append(SignProblem(
            "already_signed", None, existing.by,
            f"{h.stem} is already signed for the {role} side by {existing.by} at "
            f"{existing.at.isoformat()}", already=True))
    return problems


def closing_problems(h: Handover, by: str, at: datetime) -> list[SignProblem]:
    """A late shift's cash and keys are sealed to the control room by staff on
    that shift, at or after the closing count (004 5.1.2.6)."""
    problems = []
    if h.shift != "late":
        problems.append(SignProblem(
            "not_late", "a late shift", h.shift,
            f"{h.stem} is an early shift; only the late shift closes the desk"))
    if by not in on_shift(h):
        problems.append(SignProblem(
            "not_on_shift", "sealed by staff on shift", by,
            f"cash sealed to the control room by {by}, who was not on shift at {h.stem}"))
    if at < h.handed_over_at:
        problems.append(SignProblem(
            "before_handover", f"at or after {h.handed_over_at.isoformat()}", at,
            f"cash sealed at {at.isoformat()}, before the closing count at "
            f"{h.handed_over_at.isoformat()}"))
    return problems


def seal_problems(h: Handover, by: str, at: datetime) -> list[SignProblem]:
    """What stops ``by`` from sealing ``h`` at ``at``: the closing rules, and no
    second closing."""
    problems = closing_problems(h, by, at)
    if h.closing:
        problems.append(SignProblem("already_sealed", None, None,
                                    f"{h.stem} already has its closing", already=True))
    return problems


# --- problems of one record, for `validate` --------------------------------

def expected_path(desk: str, day: date, shift: str) -> str:
    return f"handovers/{day:%Y}/{day:%m}/{day.isoformat()}-{desk}-{shift}.yaml"


def file_name_findings(h: Handover) -> list[Finding]:
    """A handover is filed under its own date, desk and shift (SPEC 1.3, 3.7)."""
    want = expected_path(h.desk, h.date, h.shift)
    if h.path is None or h.path == want:
        return []
    return [error(h.path, "handover-file-name",
                  f"a {h.shift} handover of desk {h.desk} on {h.date.isoformat()} belongs in {want}",
                  hint=f"git mv {h.path} {want}, or correct desk/date/shift inside the file")]


def item_findings(h: Handover, policy: HandoverPolicy) -> list[Finding]:
    """What the policy says is wrong with a handover's items.

    Unknown items, pieces that are not whole numbers, cash that is not a
    decimal string, negative counts (the schema refuses those on load; this
    also guards records built in code), and cash written as a loan.
    """
    found: list[Finding] = []
    for item, count in h.counts.items():
        base = f"counts.{item}"
        if item not in policy.items:
            found.append(_unknown_item(h, base, item, policy))
            continue
        for side in ("outgoing", "incoming"):
            value = getattr(count, side)
            found.extend(_amount_findings(h, f"{base}.{side}", item, value, policy))
            if value < 0:
                found.append(error(h.path, "handover-negative-count",
                                   f"{side} count of {item} is negative ({value})",
                                   field=f"{base}.{side}"))
    for i, m in enumerate(h.movements):
        if m.item not in policy.items:
            found.append(_unknown_item(h, f"movements.{i}.item", m.item, policy))
        else:
            found.extend(_amount_findings(h, f"movements.{i}.qty", m.item, m.qty, policy))
    for i, loan in enumerate(h.loans):
        if loan.item not in policy.items:
            found.append(_unknown_item(h, f"loans.{i}.item", loan.item, policy))
        elif policy.is_cash(loan.item):
            found.append(error(h.path, "handover-cash-loan",
                               f"{loan.item} is cash and cannot be lent",
                               field=f"loans.{i}.item", hint="record cash paid out as a movement"))
    return found


def record_problems(h: Handover, policy: HandoverPolicy) -> list[Finding]:
    """Everything wrong with one handover on its own: file name and items."""
    return file_name_findings(h) + item_findings(h, policy)


def validate_findings(records: Records) -> list[Finding]:
    """`record_problems` of every handover, for `validate`.

    Item rules need the policy, another record, so these run with the
    cross-record checks; a misnamed file is reported but still loaded, so
    reconcile keeps seeing it.
    """
    policy_data = records.policies.get("handover")
    if policy_data is None:
        return [f for h in records.handovers for f in file_name_findings(h)]
    policy = HandoverPolicy.from_dict(policy_data)
    return [f for h in records.handovers for f in record_problems(h, policy)]


def _unknown_item(h: Handover, where: str, item: str, policy: HandoverPolicy) -> Finding:
    known = ", ".join(sorted(policy.items))
    return error(h.path, "handover-unknown-item", f"unknown item '{item}'; the desk counts {known}",
                 field=where, hint="add the item to policies/handover.yaml, or correct the name")


def _amount_findings(h: Handover, where: str, item: str, value, policy: HandoverPolicy) -> list[Finding]:
    if policy.is_cash(item):
        if not isinstance(value, Decimal):
            return [error(h.path, "handover-cash-not-decimal",
                          f"{item} is cash: write it as a decimal string such as \"{value}.00\"",
                          field=where)]
        return []
    if not isinstance(value, int):
        return [error(h.path, "handover-count-not-whole",
                      f"{item} is counted in pieces: write a whole number, not \"{value}\"",
                      field=where)]
    return []
