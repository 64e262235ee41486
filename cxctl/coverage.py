"""Yearly contact coverage per relationship owner (SPEC 3.1, 3.6; seed 004 §4.2.4).

Every active customer needs at least one formal contact (a ``contact_log``
entry, by anyone) in each calendar year.  Coverage is a KPI, not a
validation error: per owner, the share of the active customers they own that
were contacted in the year, and the customers nobody contacted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping

from cxctl.calendar import BusinessCalendar
from cxctl.model import Customer, Staff


@dataclass
class CoverageResult:
    year: int
    owners: list[dict] = field(default_factory=list)
    uncontacted: list[dict] = field(default_factory=list)


def _contacts_in_year(customer: Customer, year: int, calendar: BusinessCalendar,
                      until: datetime | None) -> list[datetime]:
    return sorted(e.at for e in customer.contact_log
                  if calendar.local_date(e.at).year == year and (until is None or e.at <= until))


def _last_contact(customer: Customer, until: datetime | None) -> datetime | None:
    seen = [e.at for e in customer.contact_log if until is None or e.at <= until]
    return max(seen) if seen else None


def contact_coverage(customers: Iterable[Customer], staff: Mapping[str, Staff], year: int,
                     calendar: BusinessCalendar, until: datetime | None = None) -> CoverageResult:
    """Coverage per owner of the active customers, for ``year`` (local dates).

    ``until`` leaves out contacts logged after it (a report as of a moment);
    None counts the whole year as recorded.  Owners are listed by id, the
    customers without an owner last under owner null.
    """
    result = CoverageResult(year)
    by_owner: dict[str | None, list[tuple[Customer, bool]]] = {}
    for customer in sorted(customers, key=lambda c: c.id):
        if customer.status != "active":
            continue
        contacted = bool(_contacts_in_year(customer, year, calendar, until))
        by_owner.setdefault(customer.owner, []).append((customer, contacted))
        if not contacted:
            last = _last_contact(customer, until)
            result.uncontacted.append({
                "customer": customer.id, "name": customer.name, "owner": customer.owner,
                "last_contact": calendar.local(last).isoformat() if last else None})
    for owner in sorted(by_owner, key=lambda o: (o is None, o or "")):
        owned = by_owner[owner]
        contacted = sum(1 for _, done in owned if done)
        person = staff.get(owner) if owner else None
        result.owners.append({
            "owner": owner,
            "name": person.name if person else None,
            "customers": len(owned),
            "contacted": contacted,
            "coverage": contacted / len(owned),
            "coverage_num": contacted,
            "coverage_den": len(owned),
            "uncontacted": [c.id for c, done in owned if not done],
        })
    return result
