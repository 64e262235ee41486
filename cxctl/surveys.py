"""Satisfaction survey scores (SPEC 3.6; seed 001 §九-十).

Each answer level scores 100/80/60/30/0 (very satisfied … very dissatisfied,
from ``policies/kpi.yaml``); a survey scores the sum of item weight x level
score / 100, so 0..100.  Arithmetic is Decimal; scores are shown at two
decimals, half up.

A survey that leaves out a weighted item cannot be scored without inventing
an answer: it is reported and left out of the averages, never scored as if
the item were 0.  An answer to an item the policy does not weigh is reported
and ignored.  All averages are over surveys (a customer answering twice
counts twice in its tier's and the year's average); a customer's own score
is the mean of its surveys.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from cxctl.kpi_policy import KpiPolicy
from cxctl.model import Customer, Survey
from cxctl.tiering_cycle import effective_level

QUANTUM = Decimal("0.01")
UNTIERED = "untiered"


def shown(value: Decimal | None) -> float | None:
    """A score as a number with two decimals (half up)."""
    return None if value is None else float(value.quantize(QUANTUM, rounding=ROUND_HALF_UP))


def number(value: Decimal) -> int | float:
    """A policy weight as JSON shows it: 20, not 20.0."""
    return int(value) if value == value.to_integral_value() else float(value)


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


@dataclass(frozen=True, slots=True)
class SurveyScore:
    survey: str
    customer: str
    score: Decimal | None                      # None when a weighted item is unanswered
    problems: tuple[str, ...] = ()


def score_survey(survey: Survey, policy: KpiPolicy) -> SurveyScore:
    weights = policy.weights()
    problems = [f"item '{item}' is not in the policy's survey_weights; ignored"
                for item in survey.answers if item not in weights]
    missing = [item for item in weights if item not in survey.answers]
    if missing:
        problems.append(f"no answer for {', '.join(missing)}; survey not scored")
        return SurveyScore(survey.id, survey.customer, None, tuple(problems))
    score = sum((weights[item] * policy.score_of(survey.answers[item]) for item in weights),
                Decimal(0)) / 100
    return SurveyScore(survey.id, survey.customer, score, tuple(problems))


@dataclass
class SurveySummary:
    year: int
    surveys: int = 0                           # answered in the year
    scored: int = 0
    average: float | None = None
    customers: list[dict] = field(default_factory=list)
    tiers: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)        # lowest average first
    lowest_items: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"year": self.year, "surveys": self.surveys, "scored": self.scored,
                "average": self.average, "lowest_items": self.lowest_items,
                "customers": self.customers, "tiers": self.tiers, "items": self.items,
                "problems": self.problems}


def _tier_of(customer: Customer | None) -> str:
    if customer is None or customer.tier is None:
        return UNTIERED
    return str(effective_level(customer))


def survey_summary(surveys: Iterable[Survey], customers: Mapping[str, Customer], year: int,
                   policy: KpiPolicy) -> SurveySummary:
    """Scores of the surveys dated in ``year``: per customer, per current tier, for the
    year, and the average level score of each item (lowest first)."""
    chosen = sorted((s for s in surveys if s.date.year == year), key=lambda s: (s.date, s.id))
    summary = SurveySummary(year, surveys=len(chosen))
    per_customer: dict[str, list[Decimal]] = {}
    per_tier: dict[str, list[Decimal]] = {}
    per_item: dict[str, list[Decimal]] = {item: [] for item in policy.weights()}
    all_scores: list[Decimal] = []
    for survey in chosen:
        result = score_survey(survey, policy)
        summary.problems += [{"survey": survey.id, "customer": survey.customer, "problem": p}
                             for p in result.problems]
        for item, level in survey.answers.items():
            if item in per_item:
                per_item[item].append(policy.score_of(level))
        per_customer.setdefault(survey.customer, [])
        if result.score is None:
            continue
        all_scores.append(result.score)
        per_customer[survey.customer].append(result.score)
        per_tier.setdefault(_tier_of(customers.get(survey.customer)), []).append(result.score)

    summary.scored = len(all_scores)
    summary.average = shown(_mean(all_scores))
    for customer_id in sorted(per_customer):
        customer = customers.get(customer_id)
        scores = per_customer[customer_id]
        summary.customers.append({
            "customer": customer_id, "name": customer.name if customer else None,
            "tier": _tier_of(customer),
            "class": customer.tier.class_ if customer and customer.tier else None,
            "surveys": sum(1 for s in chosen if s.customer == customer_id),
            "scored": len(scores), "score": shown(_mean(scores))})
    for tier in sorted(per_tier, key=lambda t: (t == UNTIERED, t)):
        scores = per_tier[tier]
        summary.tiers.append({"tier": tier, "surveys": len(scores), "average": shown(_mean(scores))})
    items = [{"item": item, "weight": number(policy.weights()[item]), "answers": len(values),
              "average": shown(_mean(values))} for item, values in per_item.items()]
    answered = [i for i in items if i["average"] is not None]
    # Lowest first; items nobody answered go last; ties keep the policy's item order.
    summary.items = sorted(answered, key=lambda i: i["average"]) + [i for i in items if i["average"] is None]
    if answered:
        lowest = min(_mean(per_item[i["item"]]) for i in answered)
        summary.lowest_items = [i["item"] for i in summary.items
                                if i["average"] is not None and _mean(per_item[i["item"]]) == lowest]
    return summary
