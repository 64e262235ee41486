"""The tier-owner rank rule (SPEC 3.1, seed 004 5.3.1): tier-1 customers are
kept by deputy managers or above, tiers 2-3 by staff below that rank; validate
warns, never errors."""
import pytest

from cxctl.integrity import owner_rank_findings
from cxctl.model import Customer, Records, Staff, Tier, TierOverride

STAFF = {s.id: s for s in (
    Staff("S-01", "a", "staff"), Staff("S-02", "b", "supervisor"),
    Staff("S-03", "c", "deputy_manager"), Staff("S-04", "d", "manager"),
    Staff("S-05", "e", "director"))}


def findings(level, owner, *, status="active", override=None, period="2026-01"):
    c = Customer(id="C-01", name="x", kind="tenant", status=status, owner=owner,
                 tier=Tier(level=level, period=period, override=override), path="customers/C-01.yaml")
    return owner_rank_findings(Records(staff=STAFF, customers={c.id: c}))


@pytest.mark.parametrize("level, owner, warned", [
    (1, "S-02", True),        # supervisor: just below deputy manager
    (1, "S-03", False),       # deputy manager exactly
    (1, "S-05", False),
    (2, "S-02", False),
    (2, "S-03", True),        # deputy manager on a tier-2 customer
    (3, "S-04", True),
    (3, "S-01", False),
])
def test_owner_rank_by_tier(level, owner, warned):
    found = findings(level, owner)
    assert bool(found) is warned
    if warned:
        assert (found[0].level, found[0].code, found[0].field) == ("warning", "owner-rank", "owner")
        assert STAFF[owner].rank in found[0].message


def test_override_in_effect_counts_and_an_ended_one_does_not():
    anchor = TierOverride(level=1, reason="anchor", by="S-05")
    assert findings(2, "S-01", override=anchor)                      # overridden to tier 1
    ended = TierOverride(level=1, reason="anchor", by="S-05", until="2025-12")
    assert findings(2, "S-01", override=ended) == []


def test_only_active_customers_are_checked():
    assert findings(1, "S-01", status="churned") == []
