"""The KPI policy (``policies/kpi.yaml``, SPEC 1.4 and 3.6) as an object.

The schema ``schemas/policy-kpi.yaml`` fixes the shape; ``policy_problems``
adds what a schema cannot say: the survey weights sum to exactly 100, and an
answer level never scores more than a more satisfied one.  Numbers are read
through their decimal text, so 0.01 stays 0.01 and sums are exact.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cxctl.returns import DEFAULT_RETURN_TOLERANCE

# Most satisfied first (001 §九: 非常满意, 满意, 基本满意, 不满意, 非常不满意).
LEVELS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")
DEFAULT_LEVEL_SCORES = {"very_satisfied": Decimal(100), "satisfied": Decimal(80),
                        "basic": Decimal(60), "dissatisfied": Decimal(30),
                        "very_dissatisfied": Decimal(0)}
# 001 §九 gives price 10 and quality 50 and is cut off there; the other 40 split evenly.
DEFAULT_SURVEY_WEIGHTS = {"price": Decimal(10), "quality": Decimal(50), "delivery": Decimal(20),
                          "service": Decimal(20)}
# 003 §3.5: product quality + service process + technical ability complaints.
DEFAULT_LIMITED_CATEGORIES = ("product_quality", "technical", "service_process")
WEIGHT_TOTAL = Decimal(100)


class KpiPolicyError(ValueError):
    def __init__(self, problems: list[tuple[str | None, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in problems))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def policy_problems(d: Any) -> list[tuple[str | None, str]]:
    """Problems with a schema-valid KPI policy dict, as (field, message)."""
    if not isinstance(d, dict):
        return [(None, "the KPI policy must be a mapping")]
    problems: list[tuple[str | None, str]] = []
    weights = d.get("survey_weights")
    if isinstance(weights, dict) and weights:
        values = [_decimal(w) for w in weights.values()]
        if None not in values:
            total = sum(values, Decimal(0))
            if total != WEIGHT_TOTAL:
                listed = " + ".join(f"{k} {v}" for k, v in weights.items())
                problems.append(("survey_weights",
                                 f"survey weights must sum to 100, not {total.normalize():f} ({listed})"))
    scores = d.get("level_scores")
    if isinstance(scores, dict):
        for better, worse in zip(LEVELS, LEVELS[1:]):
            high, low = _decimal(scores.get(better)), _decimal(scores.get(worse))
            if high is not None and low is not None and low > high:
                problems.append((f"level_scores.{worse}",
                                 f"'{worse}' scores {low.normalize():f}, more than the more "
                                 f"satisfied '{better}' ({high.normalize():f})"))
    return problems


@dataclass(frozen=True)
class KpiPolicy:
    complaint_limit_ratio: Decimal = Decimal("0.01")
    return_tolerance: Decimal = DEFAULT_RETURN_TOLERANCE
    survey_weights: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_SURVEY_WEIGHTS))
    level_scores: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_LEVEL_SCORES))
    limited_categories: tuple[str, ...] = DEFAULT_LIMITED_CATEGORIES

    @classmethod
    def from_dict(cls, d: dict) -> KpiPolicy:
        """The policy from a schema-valid dict; KpiPolicyError if it breaks a rule."""
        problems = policy_problems(d)
        if problems:
            raise KpiPolicyError(problems)
        scores = d.get("level_scores")
        defaults = cls()
        ratio, tolerance = _decimal(d.get("complaint_limit_ratio")), _decimal(d.get("return_tolerance"))
        return cls(
            complaint_limit_ratio=defaults.complaint_limit_ratio if ratio is None else ratio,
            return_tolerance=defaults.return_tolerance if tolerance is None else tolerance,
            survey_weights={k: _decimal(v) for k, v in d["survey_weights"].items()},
            level_scores={k: _decimal(scores[k]) for k in LEVELS} if scores
            else dict(DEFAULT_LEVEL_SCORES),
            limited_categories=tuple(d.get("limited_categories") or DEFAULT_LIMITED_CATEGORIES),
        )

    def weights(self) -> dict[str, Decimal]:
        return self.survey_weights

    def score_of(self, level: str) -> Decimal:
        return self.level_scores[level]
