"""Tiering runs: the split, ties, overrides, vip, cycles and the apply plan (SPEC 3.1)."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cxctl.model import Customer, Tier, TierOverride
from cxctl.tiering import (
    apply_plan, january_boundaries, propose, split_counts, split_levels, vip_split,
)
from cxctl.tiering_policy import TieringError, policy_from_dict

POLICY = policy_from_dict({
    "weights": {"asset_scale": 30, "business_scale": 30, "brand_strength": 20, "cooperation": 20},
    "split": [0.15, 0.65, 0.20]})
SPLIT = POLICY.split
OLD = date(2024, 3, 1)        # covered by the 2026-01 run


def rating(asset, business, brand, cooperation):
    """Score = 6·asset + 6·business + 4·brand + 4·cooperation under POLICY."""
    return {"asset_scale": asset, "business_scale": business, "brand_strength": brand,
            "cooperation": cooperation}


def even(n):
    return rating(n, n, n, n)          # score 20·n


def customer(cid, rate=None, *, since=OLD, status="active", tier=None):
    return Customer(id=cid, name=cid, kind="tenant", status=status, since=since,
                    rating=rate if rate is not None else even(3), tier=tier,
                    path=f"customers/{cid}.yaml")


def ranked(*scores):
    return [(f"C-{i:02d}", Decimal(s)) for i, s in enumerate(scores, 1)]


def levels_in_rank_order(scores):
    levels, _ = split_levels(ranked(*scores), SPLIT)
    return [levels[cid] for cid, _ in ranked(*scores)]


# -- counts and the split ---------------------------------------------------------

@pytest.mark.parametrize("n, counts", [
    (1, (0, 1, 0)),
    (2, (0, 2, 0)),
    (7, (1, 5, 1)),          # 1.05 + .5 -> 1; 1.4 + .5 -> 1
    (20, (3, 13, 4)),        # 3.0 -> 3; 4.0 -> 4
    (30, (5, 19, 6)),        # 4.5 rounds half up to 5; Python's round(4.5) is 4
    (70, (11, 45, 14)),      # 10.5 -> 11; round(10.5) is 10
])
def test_counts_round_half_up(n, counts):
    assert split_counts(n, SPLIT) == counts


@pytest.mark.parametrize("n", [1, 2, 7, 20, 30])
def test_distinct_scores_split_exactly_by_the_counts(n):
    scores = [str(100 - i) for i in range(n)]
    levels = levels_in_rank_order(scores)
    n1, n2, n3 = split_counts(n, SPLIT)
    assert levels == [1] * n1 + [2] * n2 + [3] * n3
    assert split_levels(ranked(*scores), SPLIT)[1] == []


def test_tie_at_the_1_2_boundary_all_take_tier_1_and_is_reported():
    levels, ties = split_levels(ranked("90", "90", "80", "70", "60", "50", "40"), SPLIT)
    assert [levels[f"C-0{i}"] for i in range(1, 8)] == [1, 1, 2, 2, 2, 2, 3]
    assert len(ties) == 1
    assert ties[0].boundary == "1/2"
    assert ties[0].customers == ("C-01", "C-02") and ties[0].moved == ("C-02",)
    assert "tier 1 1, the tie makes it 2" in ties[0].message


def test_tie_at_the_2_3_boundary_all_take_tier_2_and_is_reported():
    levels, ties = split_levels(ranked("90", "80", "70", "60", "50", "40", "40"), SPLIT)
    assert [levels[f"C-0{i}"] for i in range(1, 8)] == [1, 2, 2, 2, 2, 2, 2]
    assert [(t.boundary, t.moved) for t in ties] == [("2/3", ("C-07",))]
    assert "tier 3 1, the tie makes it 0" in ties[0].message


def test_ties_at_both_boundaries_with_n_20():
    # n1 = 3, n3 = 4: places 3/4 share 85, places 16/17 share 30.
    scores = ["95", "90", "85", "85", "80", "75", "70", "65", "60", "55", "50",
              "45", "40", "35", "30", "30", "25", "20", "15", "10"]
    levels = levels_in_rank_order(scores)
    assert levels.count(1) == 4 and levels.count(3) == 4
    scores[16] = "30"                         # now places 15..17 share 30
    levels, ties = split_levels(ranked(*scores), SPLIT)
    assert sum(1 for v in levels.values() if v == 3) == 3
    assert [(t.boundary, t.moved) for t in ties] == [("1/2", ("C-04",)), ("2/3", ("C-17",))]


def test_equal_scores_next_to_but_not_across_a_cut_are_not_ties():
    levels, ties = split_levels(ranked("90", "80", "80", "70", "60", "50", "40"), SPLIT)
    assert ties == []
    assert [levels[f"C-0{i}"] for i in range(1, 8)] == [1, 2, 2, 2, 2, 2, 3]


def test_all_equal_scores_are_all_tier_1():
    levels, ties = split_levels(ranked(*["60"] * 7), SPLIT)
    assert set(levels.values()) == {1}
    assert [t.boundary for t in ties] == ["1/2", "2/3"]


# -- vip ------------------------------------------------------------------------------

def test_vip_is_top_half_rounded_up_by_asset_plus_business():
    classes, ties = vip_split([("C-A", 6, Decimal(90)), ("C-B", 10, Decimal(70)),
                               ("C-C", 8, Decimal(80))], Decimal("0.5"))
    assert classes == {"C-B": "vip", "C-C": "vip", "C-A": "ordinary"}   # ceil(1.5) = 2
    assert ties == []
    assert vip_split([("C-A", 2, Decimal(20))], Decimal("0.5"))[0] == {"C-A": "vip"}


def test_vip_tie_on_criteria_sum_goes_by_score_then_id():
    classes, ties = vip_split([("C-A", 8, Decimal(70)), ("C-B", 8, Decimal(80))], Decimal("0.5"))
    assert classes == {"C-B": "vip", "C-A": "ordinary"}
    assert ties[0].boundary == "vip" and "by score" in ties[0].message
    classes, ties = vip_split([("C-B", 8, Decimal(80)), ("C-A", 8, Decimal(80))], Decimal("0.5"))
    assert classes == {"C-A": "vip", "C-B": "ordinary"}
    assert "by id" in ties[0].message


# -- proposals ------------------------------------------------------------------------

def seven(**extra):
    """Seven January customers scoring 100, 88, 80, 72, 60, 52, 40 (tiers 1, 2×5, 3)."""
    rates = [even(5), rating(5, 5, 4, 3), even(4), rating(4, 4, 3, 3), even(3),
             rating(3, 3, 2, 2), even(2)]
    return [customer(f"C-0{i}", r) for i, r in enumerate(rates, 1)] + list(extra.values())


def by_id(proposal):
    return {r.customer: r for r in proposal.rows}


def test_january_proposal_rows_carry_spec_keys_breakdown_and_movement():
    people = seven()
    people[0] = replace(people[0], tier=Tier(level=2, period="2025-01", score=80.0))
    proposal = propose(people, POLICY, "2026-01")
    assert proposal.counts == (1, 5, 1)
    first = proposal.rows[0].to_dict()
    assert list(first)[:6] == ["customer", "score", "level", "class", "previous_level", "reason"]
    assert first["customer"] == "C-01" and first["score"] == 100.0
    assert (first["level"], first["class"], first["previous_level"], first["movement"]) == (1, "vip", 2, "up")
    assert first["breakdown"]["asset_scale"] == {"input": 5, "weight": 30, "points": 30}
    assert [r.movement for r in proposal.rows[1:]] == ["new"] * 6
    assert [r.level for r in proposal.rows] == [1, 2, 2, 2, 2, 2, 3]


def test_missing_input_and_inactive_customers_are_listed_but_not_counted():
    people = seven() + [customer("C-08", {"asset_scale": 5}),
                        customer("C-09", even(1), status="churned"),
                        customer("C-10", even(1), status="prospect")]
    proposal = propose(people, POLICY, "2026-01")
    # Counted as 0 the missing customer would make N = 8 and n3 = 2.
    assert proposal.counts == (1, 5, 1)
    rows = by_id(proposal)
    assert (rows["C-07"].level, rows["C-08"].score, rows["C-08"].level) == (3, None, None)
    assert rows["C-08"].reason.startswith("missing rating input: business_scale")
    assert rows["C-09"].reason.startswith("status churned")
    assert [r.customer for r in proposal.left_out] == ["C-08", "C-09", "C-10"]
    assert proposal.problems == []


def test_input_out_of_range_leaves_customer_out_and_blocks_apply():
    people = seven() + [customer("C-08", rating(9, 3, 3, 3))]
    proposal = propose(people, POLICY, "2026-01")
    assert by_id(proposal)["C-08"].level is None
    assert [p.field for p in proposal.problems] == ["rating.asset_scale"]
    with pytest.raises(TieringError, match="C-08"):
        apply_plan(proposal, {c.id: c for c in people})


def test_override_replaces_only_that_customers_level():
    anchor = TierOverride(level=1, reason="strategic anchor tenant", by="S-003")
    people = seven()
    people[6] = replace(people[6], tier=Tier(level=1, period="2025-01", override=anchor))
    proposal = propose(people, POLICY, "2026-01", staff_ids={"S-003"})
    rows = by_id(proposal)
    assert (rows["C-07"].computed_level, rows["C-07"].level) == (3, 1)
    assert rows["C-07"].reason == "override to tier 1 by S-003: strategic anchor tenant"
    assert rows["C-07"].to_dict()["override"]["applied"] is True
    # Nobody takes the overridden customer's place in tier 3; tier 1 keeps C-01.
    assert [rows[f"C-0{i}"].level for i in range(1, 7)] == [1, 2, 2, 2, 2, 2]
    # The override joins the final tier 1 for the vip split: ceil(2/2) = 1 vip.
    assert (rows["C-01"].class_, rows["C-07"].class_) == ("vip", "ordinary")
    assert proposal.problems == []


def test_expired_override_is_shown_but_not_applied():
    ended = TierOverride(level=1, reason="opening promotion", by="S-003", until="2025-07")
    people = seven()
    people[6] = replace(people[6], tier=Tier(level=1, period="2025-07", override=ended))
    row = by_id(propose(people, POLICY, "2026-01"))["C-07"]
    assert row.level == 3 and row.reason == "override to tier 1 ended 2025-07"
    assert row.to_dict()["override"]["applied"] is False


@pytest.mark.parametrize("override, field", [
    (TierOverride(level=1, reason="  ", by="S-003"), "tier.override.reason"),
    (TierOverride(level=1, reason="anchor", by="S-999"), "tier.override.by"),
])
def test_override_needs_a_reason_and_an_approver_on_the_roster(override, field):
    people = seven()
    people[6] = replace(people[6], tier=Tier(level=3, period="2025-01", override=override))
    proposal = propose(people, POLICY, "2026-01", staff_ids={"S-003"})
    assert [p.field for p in proposal.problems] == [field]
    assert by_id(proposal)["C-07"].level == 3
    with pytest.raises(TieringError, match="before it can be applied"):
        apply_plan(proposal, {c.id: c for c in people})


def test_tied_customers_say_so_in_their_reason():
    people = seven()
    people[1] = replace(people[1], rating=even(5))            # two customers at 100
    rows = by_id(propose(people, POLICY, "2026-01"))
    assert rows["C-02"].level == 1 and rows["C-02"].reason == "score ties across the 1/2 boundary"


def test_january_run_leaves_out_customers_who_started_this_year():
    people = seven() + [customer("C-08", even(5), since=date(2026, 1, 1))]
    proposal = propose(people, POLICY, "2026-01")
    assert by_id(proposal)["C-08"].reason == "since 2026-01-01: waits for the 2026-07 run"
    assert proposal.counts == (1, 5, 1)


def test_opening_run_splits_everyone_started_by_the_end_of_the_month():
    opened = replace(POLICY, site_opened=date(2026, 3, 15))
    people = [replace(c, since=date(2026, 3, 20)) for c in seven()]
    people.append(customer("C-08", even(5), since=date(2026, 5, 2)))
    proposal = propose(people, opened, "2026-04")
    assert proposal.counts == (1, 5, 1)
    assert by_id(proposal)["C-08"].level is None


# -- July -----------------------------------------------------------------------------

def applied_january():
    """The 2026-01 run as applied: tier 1 down to 88, tier 2 down to 60, tier 3 at 40."""
    def tiered(cid, rate, level, score, cls=None, override=None):
        return customer(cid, rate, tier=Tier(level=level, period="2026-01", class_=cls,
                                             score=score, override=override))
    return [
        tiered("C-01", even(5), 1, 100.0, "vip"),
        tiered("C-02", rating(4, 4, 5, 5), 1, 88.0, "ordinary"),
        tiered("C-03", rating(4, 4, 4, 3), 2, 76.0),
        tiered("C-04", even(3), 2, 60.0),
        tiered("C-05", even(2), 3, 40.0),
        # An override in force in January: its stored level is not what 20 earned.
        tiered("C-06", even(1), 1, 20.0, "ordinary",
               TierOverride(level=1, reason="anchor", by="S-003")),
    ]


def test_boundaries_come_from_the_applied_january_run_without_overrides():
    bounds = january_boundaries(applied_january(), 2026, POLICY.vip_criteria)
    assert (bounds.tier1_min, bounds.tier2_min, bounds.has_tier3) == (Decimal("88.0"), Decimal("60.0"), True)
    assert bounds.vip_min == (10, Decimal("100.0"))


@pytest.mark.parametrize("rate, level", [
    (rating(4, 4, 5, 5), 1),      # 88: equal to the lowest January tier 1 -> tier 1
    (rating(4, 4, 5, 4), 2),      # 84: in the gap below tier 1 -> the lower tier
    (even(3), 2),                 # 60: equal to the lowest January tier 2
    (rating(3, 3, 3, 2), 3),      # 56: in the gap below tier 2 -> the lower tier
    (even(1), 3),
])
def test_july_places_newcomers_by_january_boundaries(rate, level):
    people = applied_january() + [customer("C-20", rate, since=date(2026, 3, 1))]
    proposal = propose(people, POLICY, "2026-07")
    row = by_id(proposal)["C-20"]
    assert row.level == level and "placed by the 2026-01 boundaries" in row.reason
    assert proposal.counts is None
    # January customers are listed, untouched, with the reason.
    assert by_id(proposal)["C-01"].level is None
    assert "January" in by_id(proposal)["C-01"].reason


def test_july_has_no_tier_3_when_january_had_none():
    people = [c for c in applied_january() if c.id != "C-05"]
    people.append(customer("C-20", even(1), since=date(2026, 3, 1)))
    assert by_id(propose(people, POLICY, "2026-07"))["C-20"].level == 2


def test_july_vip_cut_is_the_weakest_january_vip():
    people = applied_january() + [
        customer("C-20", even(5), since=date(2026, 2, 1)),                 # (10, 100): vip
        customer("C-21", rating(5, 4, 5, 5), since=date(2026, 2, 1)),      # (9, 94): ordinary
    ]
    rows = by_id(propose(people, POLICY, "2026-07"))
    assert (rows["C-20"].class_, rows["C-21"].class_) == ("vip", "ordinary")


def test_july_without_an_applied_january_run_is_an_error():
    people = [customer("C-20", even(4), since=date(2026, 3, 1)),
              customer("C-01", even(4), tier=Tier(level=1, period="2025-01", score=80.0))]
    with pytest.raises(TieringError, match="apply .*--period 2026-01"):
        propose(people, POLICY, "2026-07")


# -- apply plan -----------------------------------------------------------------------

def written(people, changes):
    """The customers as the files read after applying ``changes``."""
    after = {ch.customer: ch.after for ch in changes}
    out = []
    for c in people:
        if c.id in after:
            a = after[c.id]
            override = c.tier.override if c.tier else None
            c = replace(c, tier=Tier(level=a["level"], period=a["period"], class_=a["class"],
                                     score=float(a["score"]), override=override))
        out.append(c)
    return out


def test_apply_plan_writes_each_change_once_and_then_nothing():
    anchor = TierOverride(level=1, reason="anchor", by="S-003")
    people = seven() + [customer("C-08", {"asset_scale": 5})]
    people[0] = replace(people[0], tier=Tier(level=1, period="2025-01", class_="vip", score=100.0))
    people[1] = replace(people[1], tier=Tier(level=1, period="2025-01", class_="vip", score=90.0))
    people[6] = replace(people[6], tier=Tier(level=1, period="2025-01", override=anchor))
    proposal = propose(people, POLICY, "2026-01")
    changes = apply_plan(proposal, {c.id: c for c in people})
    change = {ch.customer: ch for ch in changes}
    assert sorted(change) == [f"C-0{i}" for i in range(1, 8)]       # C-08 is left out
    assert change["C-02"].after == {"level": 2, "class": None, "period": "2026-01",
                                    "score": Decimal("88.00")}      # class dropped
    assert change["C-07"].after["level"] == 1 and change["C-02"].path == "customers/C-02.yaml"
    again = written(people, changes)
    assert apply_plan(propose(again, POLICY, "2026-01"), {c.id: c for c in again}) == []


def test_apply_plan_skips_customers_already_holding_the_proposal():
    people = seven()
    first = propose(people, POLICY, "2026-01")
    people = written(people, apply_plan(first, {c.id: c for c in people})[:3])
    remaining = apply_plan(propose(people, POLICY, "2026-01"), {c.id: c for c in people})
    assert [ch.customer for ch in remaining] == ["C-04", "C-05", "C-06", "C-07"]
