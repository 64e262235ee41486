"""Customer tiering (SPEC 3.1, 004 5.2): the proposal of a run and the plan
that applies it.

A run scores the customers its period covers (cxctl.tiering_cycle), splits
them by rank into tiers 1/2/3 (or, in July, places them by the January
boundaries), lets manual overrides replace single levels, splits the final
tier 1 into vip and ordinary, and compares everything with the tiers the
customer files hold now.  Nothing here reads or writes files.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cxctl.model import Customer, TierOverride
from cxctl.tiering_cycle import JULY, Cycle, cycle_for, ineligible_reason, override_in_effect
from cxctl.tiering_policy import (
    CriterionScore, Problem, TieringError, TieringPolicy, decimal_text, score_customer, score_number,
)

HALF = Decimal("0.5")
VIP, ORDINARY = "vip", "ordinary"


@dataclass(frozen=True, slots=True)
class Tie:
    """Equal values at a cut that the count rule alone would have divided."""
    boundary: str                # "1/2", "2/3" or "vip"
    value: str                   # the shared score (or criteria sum at the vip cut)
    customers: tuple[str, ...]   # everyone sharing it
    moved: tuple[str, ...]       # those the tie put on the better side of the cut
    message: str


@dataclass(frozen=True, slots=True)
class Boundaries:
    """What the July run places new customers by, read from the applied
    January run of the same year.

    Recovered from the customer files rather than stored separately: every
    customer tiered in January carries ``tier.period: YYYY-01`` and its score.
    Customers whose override was in effect in January are skipped, because
    their stored level is not the one their score earned.  A July newcomer
    takes the best tier whose lowest January score it reaches, which is the
    rule the January split itself applied (equal to a tier's lowest score
    joins it; a score in a gap between two tiers takes the lower one).  Below
    the lowest tier-2 score is tier 3 only if January had a tier 3.  The vip
    cut is the weakest January vip by (criteria sum, score), read with the
    ratings on file now.
    """
    period: str
    tier1_min: Decimal | None
    tier2_min: Decimal | None
    has_tier3: bool
    vip_min: tuple[int, Decimal] | None

    def level_for(self, score: Decimal) -> int:
        if self.tier1_min is not None and score >= self.tier1_min:
            return 1
        if self.tier2_min is not None and score >= self.tier2_min:
            return 2
        return 3 if self.has_tier3 else 2


@dataclass(slots=True)
class TierRow:
    customer: str
    score: Decimal | None = None
    level: int | None = None
    class_: str | None = None
    previous_level: int | None = None
    reason: str | None = None
    computed_level: int | None = None    # from the split or placement, before any override
    breakdown: dict[str, CriterionScore] = field(default_factory=dict)
    override: TierOverride | None = None  # the override on file, shown in every run
    override_applied: bool = False

    @property
    def movement(self) -> str | None:
        if self.level is None:
            return None
        if self.previous_level is None:
            return "new"
        if self.level == self.previous_level:
            return "same"
        return "up" if self.level < self.previous_level else "down"

    def to_dict(self) -> dict:
        """SPEC 2 keys first, then the detail a reviewer needs."""
        ov = self.override
        return {
            "customer": self.customer,
            "score": score_number(self.score) if self.score is not None else None,
            "level": self.level,
            "class": self.class_,
            "previous_level": self.previous_level,
            "reason": self.reason,
            "movement": self.movement,
            "computed_level": self.computed_level,
            "breakdown": {name: c.to_dict() for name, c in self.breakdown.items()},
            "override": {"level": ov.level, "reason": ov.reason, "by": ov.by, "until": ov.until,
                         "applied": self.override_applied} if ov else None,
        }


@dataclass(slots=True)
class Proposal:
    cycle: Cycle
    rows: list[TierRow]
    counts: tuple[int, int, int] | None   # n1, n2, n3 by the count rule (None in July)
    boundaries: Boundaries | None          # July only
    ties: list[Tie]
    problems: list[Problem]               # anything here blocks `tier apply`

    @property
    def period(self) -> str:
        return self.cycle.period

    @property
    def tiered(self) -> list[TierRow]:
        return [r for r in self.rows if r.level is not None]

    @property
    def left_out(self) -> list[TierRow]:
        return [r for r in self.rows if r.level is None]


def split_counts(n: int, split: tuple[Decimal, Decimal, Decimal]) -> tuple[int, int, int]:
    """Round-half-up counts: n1 = ⌊s1·N + ½⌋, n3 = ⌊s3·N + ½⌋, tier 2 the rest.

    Python's round() would round 4.5 (15% of 30) to even, 4; this gives 5.
    """
    n1 = min(math.floor(split[0] * n + HALF), n)
    n3 = min(math.floor(split[2] * n + HALF), n - n1)
    return n1, n - n1 - n3, n3


def split_levels(ranked: list[tuple[str, Decimal]], split: tuple[Decimal, Decimal, Decimal]
                 ) -> tuple[dict[str, int], list[Tie]]:
    """Levels for customers ranked by score (best first, ties in id order).

    The counts place the cuts; equal scores on both sides of a cut all take
    the better tier, so a tier can end up larger (tier 1) or smaller (tier 3)
    than its count, and each such tie is returned.
    """
    n = len(ranked)
    n1, _, n3 = split_counts(n, split)
    scores = [score for _, score in ranked]
    tier1_floor = scores[n1 - 1] if n1 else None
    tier2_floor = scores[n - n3 - 1] if n3 and n - n3 else None
    levels: dict[str, int] = {}
    for cid, score in ranked:
        if tier1_floor is not None and score >= tier1_floor:
            levels[cid] = 1
        elif n3 == 0 or (tier2_floor is not None and score >= tier2_floor):
            levels[cid] = 2
        else:
            levels[cid] = 3

    by_count = [1 if pos < n1 else 3 if pos >= n - n3 else 2 for pos in range(n)]
    ties: list[Tie] = []
    for boundary, worse_side in (("1/2", 2), ("2/3", 3)):
        moved = [(cid, score) for (cid, score), counted in zip(ranked, by_count)
                 if counted >= worse_side and levels[cid] < worse_side]
        if not moved:
            continue
        shared = moved[0][1]
        sharing = tuple(cid for cid, score in ranked if score == shared)
        tier = 1 if boundary == "1/2" else 3
        counted = n1 if tier == 1 else n3
        actual = sum(1 for level in levels.values() if level == tier)
        ties.append(Tie(boundary, decimal_text(shared), sharing, tuple(cid for cid, _ in moved),
                        f"{len(sharing)} customers share score {decimal_text(shared)} across the {boundary} "
                        f"boundary: the count gives tier {tier} {counted}, the tie makes it {actual}"))
    return levels, ties


def vip_key(customer: Customer, criteria: Iterable[str]) -> int | None:
    values = [customer.rating.get(name) for name in criteria]
    return sum(values) if all(isinstance(v, int) for v in values) else None


def vip_split(tier1: list[tuple[str, int, Decimal]], share: Decimal) -> tuple[dict[str, str], list[Tie]]:
    """The top ceil(share·n) of the final tier 1 by criteria sum are vip; equal
    sums go by score, then by id.  A cut decided that way is reported."""
    order = sorted(tier1, key=lambda t: (-t[1], -t[2], t[0]))
    k = math.ceil(share * len(order))
    classes = {cid: (VIP if pos < k else ORDINARY) for pos, (cid, _, _) in enumerate(order)}
    ties: list[Tie] = []
    if 0 < k < len(order) and order[k - 1][1] == order[k][1]:
        last, first_out = order[k - 1], order[k]
        sharing = tuple(cid for cid, total, _ in order if total == last[1])
        decided = "score" if last[2] != first_out[2] else "id"
        ties.append(Tie("vip", str(last[1]), sharing, (last[0],),
                        f"{len(sharing)} tier-1 customers share criteria sum {last[1]} at the vip "
                        f"cut; {last[0]} is vip and {first_out[0]} ordinary by {decided}"))
    return classes, ties


def january_boundaries(customers: Iterable[Customer], year: int, vip_criteria: Iterable[str]
                       ) -> Boundaries:
    period = f"{year}-01"
    january = [c for c in customers if c.tier is not None and c.tier.period == period]
    if not january:
        raise TieringError(
            f"the {year}-07 run places customers by the boundaries of the applied {period} run, "
            f"and no customer file has a {period} tier: run and apply `tier --period {period}` first")
    earned = [c for c in january if c.tier.score is not None
              and not override_in_effect(c.tier.override, period)]
    if not earned:
        raise TieringError(f"every {period} tier on file is an override or has no score, so the "
                           f"{period} boundaries cannot be recovered")
    lowest = {level: min((Decimal(str(c.tier.score)) for c in earned if c.tier.level == level),
                         default=None) for level in (1, 2, 3)}
    criteria = tuple(vip_criteria)
    vips = [(vip_key(c, criteria), Decimal(str(c.tier.score))) for c in january
            if c.tier.level == 1 and c.tier.class_ == VIP and c.tier.score is not None]
    vips = [v for v in vips if v[0] is not None]
    return Boundaries(period, lowest[1], lowest[2], lowest[3] is not None, min(vips, default=None))


def override_problems(customer: Customer, staff_ids: Collection[str] | None) -> list[Problem]:
    ov = customer.tier.override if customer.tier else None
    if ov is None:
        return []
    problems = []
    if ov.level not in (1, 2, 3):
        problems.append(Problem(customer.id, "tier.override.level",
                                f"override level {ov.level!r} is not 1, 2 or 3"))
    if not (ov.reason or "").strip():
        problems.append(Problem(customer.id, "tier.override.reason",
                                "an override needs a reason"))
    if not (ov.by or "").strip():
        problems.append(Problem(customer.id, "tier.override.by",
                                "an override needs the approver (by: a staff id)"))
    elif staff_ids is not None and ov.by not in staff_ids:
        problems.append(Problem(customer.id, "tier.override.by",
                                f"override approver {ov.by} is not in the staff roster"))
    return problems


def propose(customers: Iterable[Customer], policy: TieringPolicy, period: str, *,
            staff_ids: Collection[str] | None = None, as_of: date | None = None) -> Proposal:
    """The tiering proposal for ``period``; raises TieringError when the period
    cannot be run (not a tiering period, July without an applied January run)."""
    cycle = cycle_for(period, policy)
    everyone = sorted(customers, key=lambda c: c.id)
    boundaries = (january_boundaries(everyone, cycle.year, policy.vip_criteria)
                  if cycle.kind == JULY else None)
    rows: dict[str, TierRow] = {}
    problems: list[Problem] = []
    scored: list[tuple[str, Decimal]] = []
    for c in everyone:
        row = rows[c.id] = TierRow(c.id, previous_level=c.tier.level if c.tier else None,
                                   override=c.tier.override if c.tier else None)
        row.reason = ineligible_reason(c, cycle, as_of)
        if row.reason:
            continue
        score = score_customer(c.id, c.rating, policy)
        problems.extend(score.problems)
        row.breakdown, row.reason = score.breakdown, score.reason
        if score.total is not None:
            row.score = score.total
            scored.append((c.id, score.total))

    ranked = sorted(scored, key=lambda t: (-t[1], t[0]))
    if boundaries is None:
        counts = split_counts(len(ranked), policy.split)
        computed, ties = split_levels(ranked, policy.split)
    else:
        counts, ties = None, []
        computed = {cid: boundaries.level_for(score) for cid, score in ranked}
    moved_by_tie: dict[str, list[str]] = {}
    for tie in ties:
        for cid in tie.moved:
            moved_by_tie.setdefault(cid, []).append(tie.boundary)

    by_id = {c.id: c for c in everyone}
    for cid, _ in ranked:
        row, notes = rows[cid], []
        row.computed_level = row.level = computed[cid]
        if cid in moved_by_tie:
            notes.append(f"score ties across the {' and '.join(moved_by_tie[cid])} boundary")
        if boundaries is not None:
            notes.append(f"placed by the {boundaries.period} boundaries")
        ov = row.override
        if ov is not None:
            bad = override_problems(by_id[cid], staff_ids)
            if bad:
                problems.extend(bad)
                notes.append("override not applied: " + "; ".join(p.message for p in bad))
            elif override_in_effect(ov, period):
                row.level, row.override_applied = ov.level, True
                notes.append(f"override to tier {ov.level} by {ov.by}: {ov.reason}")
            else:
                notes.append(f"override to tier {ov.level} ended {ov.until}")
        row.reason = "; ".join(notes) or None

    tier1 = [(cid, vip_key(by_id[cid], policy.vip_criteria), score) for cid, score in ranked
             if rows[cid].level == 1]
    if boundaries is None:
        classes, vip_ties = vip_split(tier1, policy.vip_share)
        ties.extend(vip_ties)
    else:
        vip_min = boundaries.vip_min
        classes = {cid: VIP if vip_min is not None and (total, score) >= vip_min else ORDINARY
                   for cid, total, score in tier1}
    for cid, cls in classes.items():
        rows[cid].class_ = cls

    order = [rows[cid] for cid, _ in ranked] + [r for r in rows.values() if r.level is None]
    return Proposal(cycle, order, counts, boundaries, ties, problems)


@dataclass(frozen=True, slots=True)
class TierChange:
    """What `tier apply` writes into one customer file; the override on file
    is kept as it is."""
    customer: str
    path: str | None
    before: dict | None          # level, class, period, score now on file
    after: dict                  # the same keys as applied; class None means no class key


def _tier_fields(level, class_, period, score) -> dict:
    return {"level": level, "class": class_, "period": period,
            "score": Decimal(str(score)) if score is not None else None}


def apply_plan(proposal: Proposal, customers: Mapping[str, Customer]) -> list[TierChange]:
    """The per-customer edits that make the files hold ``proposal``; customers
    already holding it are left out, so applying twice changes nothing."""
    if proposal.problems:
        raise TieringError("the proposal has problems to fix before it can be applied: "
                           + "; ".join(f"{p.subject}: {p.message}" for p in proposal.problems),
                           proposal.problems)
    changes = []
    for row in proposal.tiered:
        customer = customers[row.customer]
        now = customer.tier
        before = _tier_fields(now.level, now.class_, now.period, now.score) if now else None
        after = _tier_fields(row.level, row.class_, proposal.period, row.score)
        if before != after:
            changes.append(TierChange(row.customer, customer.path, before, after))
    return changes
