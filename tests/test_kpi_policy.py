"""The KPI policy (SPEC 1.4, 3.6): schema, the weights-sum rule, defaults."""
from decimal import Decimal

import pytest

from cxctl.kpi_policy import KpiPolicy, KpiPolicyError
from cxctl.store.loader import DEFAULTS, check_bytes

GOOD = b"""\
complaint_limit_ratio: 0.01
return_tolerance: "0.05"
survey_weights: {price: 10, quality: 50, delivery: 20, service: 20}
"""


def findings(text: bytes):
    return check_bytes(text, "policies/kpi.yaml", "policy").findings


def test_shipped_default_is_valid_and_matches_spec():
    entry = check_bytes((DEFAULTS / "policies" / "kpi.yaml").read_bytes(), "policies/kpi.yaml", "policy")
    assert entry.findings == []
    policy = KpiPolicy.from_dict(entry.data)
    assert policy.complaint_limit_ratio == Decimal("0.01")
    assert policy.return_tolerance == Decimal("0.05")
    assert policy.survey_weights == {"price": 10, "quality": 50, "delivery": 20, "service": 20}
    assert [policy.score_of(l) for l in ("very_satisfied", "satisfied", "basic", "dissatisfied",
                                         "very_dissatisfied")] == [100, 80, 60, 30, 0]
    assert policy.limited_categories == ("product_quality", "technical", "service_process")


def test_weights_must_sum_to_exactly_100():
    assert findings(GOOD) == []
    bad = findings(GOOD.replace(b"service: 20", b"service: 19.9"))
    assert [(f.code, f.field, f.level) for f in bad] == [("kpi-policy", "survey_weights", "error")]
    assert "99.9" in bad[0].message
    # fractional weights that do add up exactly are fine (0.1 + 0.2 would not in floats)
    assert findings(GOOD.replace(b"price: 10", b"price: 9.9").replace(b"service: 20", b"service: 20.1")) == []


def test_level_scores_must_not_rise_as_satisfaction_falls():
    text = GOOD + b"level_scores: {very_satisfied: 100, satisfied: 80, basic: 85, dissatisfied: 30, very_dissatisfied: 0}\n"
    bad = findings(text)
    assert [(f.code, f.field) for f in bad] == [("kpi-policy", "level_scores.basic")]
    with pytest.raises(KpiPolicyError):
        KpiPolicy.from_dict({"complaint_limit_ratio": 0.01, "return_tolerance": 0.05,
                             "survey_weights": {"quality": 100},
                             "level_scores": {"very_satisfied": 100, "satisfied": 80, "basic": 85,
                                              "dissatisfied": 30, "very_dissatisfied": 0}})


@pytest.mark.parametrize("line, field", [
    (b"complaint_limit_ratio: 1.5\n", "complaint_limit_ratio"),
    (b'return_tolerance: "5%"\n', "return_tolerance"),
    (b"survey_weights: {price: -1, quality: 101}\n", "survey_weights.price"),
    (b"limited_categories: [product_quality, quality]\n", "limited_categories.1"),
])
def test_schema_errors_name_the_field(line, field):
    key = line.split(b":")[0]
    lines = [l for l in GOOD.splitlines(keepends=True) if not l.startswith(key)] + [line]
    assert field in {f.field for f in findings(b"".join(lines))}


def test_unknown_keys_and_missing_survey_weights_are_errors():
    assert {f.code for f in findings(GOOD + b"complaint_ratio: 0.02\n")} == {"unknown-field"}
    assert {f.code for f in findings(b"complaint_limit_ratio: 0.02\n")} == {"missing-field"}


def test_a_policy_with_only_survey_weights_takes_the_spec_defaults():
    text = b"survey_weights: {quality: 60, service: 40}\n"
    entry = check_bytes(text, "policies/kpi.yaml", "policy")
    assert entry.findings == []
    policy = KpiPolicy.from_dict(entry.data)
    assert policy.complaint_limit_ratio == Decimal("0.01")      # SPEC 1.4 defaults
    assert policy.return_tolerance == Decimal("0.05")
    assert policy.survey_weights == {"quality": 60, "service": 40}
    # a value that is given still wins, zero included
    given = KpiPolicy.from_dict({"survey_weights": {"quality": 100}, "complaint_limit_ratio": "0.02",
                                 "return_tolerance": 0})
    assert (given.complaint_limit_ratio, given.return_tolerance) == (Decimal("0.02"), Decimal(0))
