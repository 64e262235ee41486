"""Returns reconciliation on complaint tickets (002 六, SPEC 3.5).

Finance compares the approved return quantity with what actually came back.
Up to approved x (1 + tolerance) is booked at the returned quantity; a
shortfall is booked too but reported; anything beyond the tolerance must be
resolved before booking.  The tolerance is the ticket's own, else the
customer's agreed over-acceptance ratio, else the KPI policy's default.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

from cxctl.findings import ERROR, WARNING
from cxctl.handover import HandoverFinding
from cxctl.model import Customer, Ticket

DEFAULT_RETURN_TOLERANCE = Decimal("0.05")

BOOKED = "booked"
SHORTFALL = "shortfall"
EXCESS = "excess"


def policy_tolerance(kpi_policy: Mapping | None) -> Decimal:
    """``return_tolerance`` from policies/kpi.yaml; a number there is read via its text."""
    value = (kpi_policy or {}).get("return_tolerance")
    return DEFAULT_RETURN_TOLERANCE if value is None else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class ReturnResult:
    ticket: str
    customer: str
    approved_qty: int
    returned_qty: int
    tolerance: Decimal
    tolerance_source: str          # ticket | customer | policy
    limit: Decimal                 # approved x (1 + tolerance)
    outcome: str                   # booked | shortfall | excess
    booked_qty: int | None         # None while an excess is unresolved

    @property
    def level(self) -> str | None:
        return {SHORTFALL: WARNING, EXCESS: ERROR}.get(self.outcome)

    def to_dict(self) -> dict:
        return {
            "ticket": self.ticket,
            "customer": self.customer,
            "approved_qty": self.approved_qty,
            "returned_qty": self.returned_qty,
            "tolerance": str(self.tolerance),
            "tolerance_source": self.tolerance_source,
            "limit": str(self.limit),
            "outcome": self.outcome,
            "booked_qty": self.booked_qty,
            "level": self.level,
        }

    def finding(self) -> HandoverFinding | None:
        """The reconcile finding for this return, or None when it books cleanly."""
        if self.outcome == EXCESS:
            return HandoverFinding(
                None, "returns", self.ticket, f"<= {self.limit}", self.returned_qty,
                f"{self.ticket}: returned {self.returned_qty}, more than approved "
                f"{self.approved_qty} x (1 + {self.tolerance}) = {self.limit} "
                f"({self.tolerance_source} tolerance); resolve before booking", ERROR)
        if self.outcome == SHORTFALL:
            return HandoverFinding(
                None, "returns", self.ticket, self.approved_qty, self.returned_qty,
                f"{self.ticket}: returned {self.returned_qty} of {self.approved_qty} approved; "
                f"booked at {self.returned_qty}", WARNING)
        return None


def reconcile_return(ticket: Ticket, customer: Customer | None,
                     default_tolerance: Decimal = DEFAULT_RETURN_TOLERANCE) -> ReturnResult:
    ret = ticket.return_
    if ret.tolerance is not None:
        tolerance, source = ret.tolerance, "ticket"
    elif customer is not None and customer.over_acceptance_ratio is not None:
        tolerance, source = customer.over_acceptance_ratio, "customer"
    else:
        tolerance, source = default_tolerance, "policy"
    # Exact decimal arithmetic: 20 x 1.05 is exactly 21, so 21 returned books.
    limit = Decimal(ret.approved_qty) * (1 + tolerance)
    if ret.returned_qty > limit:
        outcome, booked = EXCESS, None
    elif ret.returned_qty < ret.approved_qty:
        outcome, booked = SHORTFALL, ret.returned_qty
    else:
        outcome, booked = BOOKED, ret.returned_qty
    return ReturnResult(ticket.id, ticket.customer, ret.approved_qty, ret.returned_qty,
                        tolerance, source, limit, outcome, booked)


def reconcile_returns(tickets: Iterable[Ticket], customers: Mapping[str, Customer],
                      kpi_policy: Mapping | None = None) -> list[ReturnResult]:
    """Every ticket with a ``return``, by ticket id."""
    default = policy_tolerance(kpi_policy)
    return [reconcile_return(t, customers.get(t.customer), default)
            for t in sorted(tickets, key=lambda t: t.id) if t.return_ is not None]
