"""The tiering policy and the score it gives one customer (SPEC 3.1, 004 5.2).

Pure functions over the validated ``policies/tiering.yaml`` dict and model
objects.  Everything is Decimal: weights and split shares are read through
their decimal text (``0.15`` stays 0.15, not the nearest binary fraction), so
sums and the round-half-up counts are exact.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cxctl.calendar import as_date

INPUT_MIN = 1
INPUT_MAX = 5
# Scores are shown, stored and ranked at two decimals (half up).  With whole
# weights every score is a multiple of 0.2, so the rounding never bites; it
# only keeps fractional weights from producing scores nobody can read out in a
# meeting, and two scores that look equal are equal.
SCORE_QUANTUM = Decimal("0.01")
DEFAULT_VIP_CRITERIA = ("asset_scale", "business_scale")
DEFAULT_VIP_SHARE = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that stops a tiering run from being applied."""
    subject: str                 # "policy" or a customer id
    field: str | None            # dotted path inside the policy or customer record
    message: str


class TieringError(Exception):
    """A run that cannot be made at all (bad period, no January run, bad
    policy): a usage or configuration error, exit 2 at the command line."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True, slots=True)
class TieringPolicy:
    weights: dict[str, Decimal]
    split: tuple[Decimal, Decimal, Decimal]
    vip_criteria: tuple[str, ...] = DEFAULT_VIP_CRITERIA
    vip_share: Decimal = DEFAULT_VIP_SHARE
    site_opened: date | None = None

    @property
    def criteria(self) -> tuple[str, ...]:
        return tuple(self.weights)


@dataclass(frozen=True, slots=True)
class CriterionScore:
    input: int
    weight: Decimal
    points: Decimal              # weight x input / 5, exact

    def to_dict(self) -> dict:
        return {"input": self.input, "weight": _number(self.weight), "points": _number(self.points)}


@dataclass(frozen=True, slots=True)
class Score:
    """A customer's score, or why it has none (``total`` None, ``reason`` set)."""
    total: Decimal | None
    breakdown: dict[str, CriterionScore] = field(default_factory=dict)
    reason: str | None = None
    problems: tuple[Problem, ...] = ()


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _number(value: Decimal) -> int | float:
    """A Decimal as the plain JSON/YAML number people expect (30, 87.5)."""
    return int(value) if value == value.to_integral_value() else float(value)


def decimal_text(value: Decimal) -> str:
    """87.50 -> "87.5", 100.00 -> "100": how scores read in messages and tables."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def score_number(value: Decimal) -> float:
    """A score as written to customer files and JSON: always a float (87.5, 88.0)."""
    return float(value)


def policy_problems(policy: dict) -> list[Problem]:
    """What the schema cannot say about a tiering policy.

    Works on any dict (even one that failed its schema) without raising, so the
    caller can show every problem at once.
    """
    problems: list[Problem] = []

    def bad(where: str, message: str) -> None:
        problems.append(Problem("policy", where, message))

    weights = policy.get("weights")
    if not isinstance(weights, dict) or not weights:
        bad("weights", "weights must map each rated criterion to its weight")
        weights = {}
    total = Decimal(0)
    for name, raw in weights.items():
        value = _decimal(raw)
        if value is None or value < 0:
            bad(f"weights.{name}", f"weight of {name} must be a number of 0 or more, not {raw!r}")
            continue
        total += value
    if weights and total != 100:
        bad("weights", f"weights sum to {_number(total)}, not 100 (score = Σ weight × input / 5 must run 0..100)")

    split = policy.get("split")
    shares = [_decimal(s) for s in split] if isinstance(split, list) else []
    if len(shares) != 3 or any(s is None or s < 0 for s in shares):
        bad("split", f"split must be three shares [tier 1, tier 2, tier 3] of 0..1, not {split!r}")
    elif sum(shares) != 1:
        bad("split", f"split {split} sums to {sum(shares)}, not 1")

    vip = policy.get("vip") or {}
    if not isinstance(vip, dict):
        bad("vip", "vip must be a mapping with criteria and share")
        vip = {}
    criteria = vip.get("criteria", list(DEFAULT_VIP_CRITERIA))
    if not isinstance(criteria, list) or not criteria:
        bad("vip.criteria", "vip.criteria must list at least one rated criterion")
    else:
        for name in criteria:
            if name not in weights:
                bad("vip.criteria", f"vip criterion {name!r} is not one of the weighted criteria "
                                    f"({', '.join(weights) or 'none'})")
    share = _decimal(vip.get("share", DEFAULT_VIP_SHARE))
    if share is None or not 0 < share <= 1:
        bad("vip.share", f"vip.share must be above 0 and at most 1, not {vip.get('share')!r}")

    if "site_opened" in policy and as_date(policy["site_opened"]) is None:
        bad("site_opened", f"site_opened must be a date (YYYY-MM-DD), not {policy['site_opened']!r}")
    return problems


def policy_from_dict(policy: dict) -> TieringPolicy:
    """The policy as an object; raises TieringError listing every problem."""
    problems = policy_problems(policy)
    if problems:
        raise TieringError("the tiering policy is not usable: "
                           + "; ".join(p.message for p in problems), problems)
    vip = policy.get("vip") or {}
    shares = [Decimal(str(s)) for s in policy["split"]]
    return TieringPolicy(
        weights={name: Decimal(str(w)) for name, w in policy["weights"].items()},
        split=(shares[0], shares[1], shares[2]),
        vip_criteria=tuple(vip.get("criteria", DEFAULT_VIP_CRITERIA)),
        vip_share=Decimal(str(vip.get("share", DEFAULT_VIP_SHARE))),
        site_opened=as_date(policy.get("site_opened")),
    )


def score_customer(customer_id: str, rating: dict, policy: TieringPolicy) -> Score:
    """Σ weight × input / 5 over the policy's criteria, rounded to 0.01 half up.

    A missing input leaves the customer out (never scored as 0); an input
    outside 1..5 leaves it out too and is a problem that blocks applying.
    """
    missing = [name for name in policy.criteria if rating.get(name) is None]
    if missing:
        return Score(None, reason="missing rating input: " + ", ".join(missing))
    breakdown: dict[str, CriterionScore] = {}
    problems: list[Problem] = []
    for name, weight in policy.weights.items():
        value = rating[name]
        if isinstance(value, bool) or not isinstance(value, int) or not INPUT_MIN <= value <= INPUT_MAX:
            problems.append(Problem(customer_id, f"rating.{name}",
                                    f"rating.{name} is {value!r}; inputs are whole numbers "
                                    f"{INPUT_MIN}..{INPUT_MAX}"))
            continue
        breakdown[name] = CriterionScore(value, weight, weight * value / INPUT_MAX)
    if problems:
        return Score(None, reason="; ".join(p.message for p in problems), problems=tuple(problems))
    total = sum((c.points for c in breakdown.values()), Decimal(0))
    return Score(total.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP), breakdown)
