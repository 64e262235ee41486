"""Which customers a tiering period covers (SPEC 3.1 cycles, 004 5.2.2).

- January run (``YYYY-01``): customers whose ``since`` is on or before
  31 December of the previous year.
- July run (``YYYY-07``): only customers whose ``since`` falls in January–June
  of that year, placed by the boundaries of that year's applied January run.
- Any other month only while the policy's ``site_opened`` is less than six
  months before it (a newly opened site tiers within 6 months of opening):
  everyone who has started by the end of that month.  January and July keep
  their own rules even inside that window, as SPEC 3.1 states them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cxctl.model import Customer, TierOverride
from cxctl.months import Month
from cxctl.tiering_policy import TieringError, TieringPolicy

JANUARY, JULY, OPENING = "january", "july", "opening"
OPENING_WINDOW = relativedelta(months=6)
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class Cycle:
    period: str                  # "YYYY-MM"
    kind: str                    # JANUARY | JULY | OPENING
    first_day: date
    last_day: date

    @property
    def year(self) -> int:
        return self.first_day.year


def parse_period(period: str) -> date:
    """First day of a ``YYYY-MM`` period, in the years records may use."""
    found = _PERIOD.match(period or "")
    if not found:
        raise TieringError(f"period {period!r} is not a month written YYYY-MM (e.g. 2026-01)")
    try:
        return Month.parse(period).first_day
    except ValueError as exc:
        raise TieringError(f"period {exc}") from None


def cycle_for(period: str, policy: TieringPolicy) -> Cycle:
    first = parse_period(period)
    last = first + relativedelta(months=1) - timedelta(days=1)
    if first.month == 1:
        return Cycle(period, JANUARY, first, last)
    if first.month == 7:
        return Cycle(period, JULY, first, last)
    opened = policy.site_opened
    if opened is not None and opened <= last and first < opened + OPENING_WINDOW:
        return Cycle(period, OPENING, first, last)
    if opened is not None:
        raise TieringError(
            f"{period} is not a tiering period: tiering runs in January and July, and a new "
            f"site tiers only within 6 months of opening (site_opened {opened.isoformat()}: "
            f"periods {opened.strftime('%Y-%m')} to "
            f"{(opened + OPENING_WINDOW - timedelta(days=1)).strftime('%Y-%m')})")
    raise TieringError(
        f"{period} is not a tiering period: tiering runs in January (YYYY-01) and July "
        f"(YYYY-07); a newly opened site sets site_opened in policies/tiering.yaml to tier "
        f"within 6 months of opening")


def next_run_for(since: date) -> str:
    """The run a customer who started on ``since`` is first tiered in."""
    return f"{since.year}-07" if since.month <= 6 else f"{since.year + 1}-01"


def ineligible_reason(customer: Customer, cycle: Cycle, as_of: date | None = None) -> str | None:
    """Why ``customer`` is not part of this run, or None if it is."""
    if customer.status != "active":
        return f"status {customer.status}: only active customers are tiered"
    since = customer.since
    if since is None:
        return "no since date: the run it belongs to is unknown"
    if as_of is not None and since > as_of:
        return f"since {since.isoformat()}: not started by {as_of.isoformat()}"
    if cycle.kind == JANUARY:
        if since < date(cycle.year, 1, 1):
            return None
        return f"since {since.isoformat()}: waits for the {next_run_for(since)} run"
    if cycle.kind == JULY:
        if since < date(cycle.year, 1, 1):
            return f"since {since.isoformat()}: tiered in January runs, not in July"
        if since <= date(cycle.year, 6, 30):
            return None
        return f"since {since.isoformat()}: waits for the {next_run_for(since)} run"
    if since <= cycle.last_day:
        return None
    return f"since {since.isoformat()}: not started by the end of {cycle.period}"


def override_in_effect(override: TierOverride | None, period: str) -> bool:
    """An override holds for every period up to and including its ``until``
    month (for ever without one)."""
    if override is None:
        return False
    return override.until is None or period <= str(override.until)[:7]


def effective_level(customer: Customer) -> int | None:
    """The tier level a customer holds (None if never tiered).

    `tier apply` writes the final level, override included; an override added
    by hand since counts at once, while one that had ended by the tier's
    period no longer does.  Every command that groups or filters customers by
    tier uses this, so they agree.
    """
    tier = customer.tier
    if tier is None:
        return None
    return tier.override.level if override_in_effect(tier.override, tier.period) else tier.level
