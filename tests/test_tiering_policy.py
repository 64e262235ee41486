"""Tiering policy checks and scoring (SPEC 3.1, 1.4)."""
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from cxctl.tiering_policy import (
    TieringError, policy_from_dict, policy_problems, score_customer,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = {"weights": {"asset_scale": 30, "business_scale": 30, "brand_strength": 20,
                       "cooperation": 20},
           "split": [0.15, 0.65, 0.20]}


def _schema_validator():
    schema = yaml.safe_load((ROOT / "schemas" / "policy-tiering.yaml").read_text("utf-8"))
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def test_shipped_default_policy_passes_schema_and_semantic_checks():
    shipped = yaml.safe_load((ROOT / "cxctl/defaults/policies/tiering.yaml").read_text("utf-8"))
    assert _schema_validator().is_valid(shipped)
    assert policy_problems(shipped) == []
    policy = policy_from_dict(shipped)
    assert policy.weights == {"asset_scale": 30, "business_scale": 30,
                              "brand_strength": 20, "cooperation": 20}
    assert policy.split == (Decimal("0.15"), Decimal("0.65"), Decimal("0.20"))
    assert policy.vip_criteria == ("asset_scale", "business_scale")
    assert policy.vip_share == Decimal("0.5")


def test_schema_rejects_unknown_keys_and_a_two_part_split():
    validator = _schema_validator()
    assert not validator.is_valid({**DEFAULT, "weigths": {}})
    assert not validator.is_valid({**DEFAULT, "split": [0.5, 0.5]})
    assert not validator.is_valid({**DEFAULT, "site_opened": "2026-02-30"})


def test_weights_must_sum_to_100():
    problems = policy_problems({**DEFAULT, "weights": {**DEFAULT["weights"], "cooperation": 19}})
    assert [p.field for p in problems] == ["weights"]
    assert "sum to 99" in problems[0].message
    with pytest.raises(TieringError, match="sum to 99"):
        policy_from_dict({**DEFAULT, "weights": {**DEFAULT["weights"], "cooperation": 19}})


def test_split_must_sum_to_1_exactly_in_decimal():
    # 0.7 + 0.2 + 0.1 is 0.9999999999999999 in binary floating point, but it is 1.
    assert policy_problems({**DEFAULT, "split": [0.7, 0.2, 0.1]}) == []
    problems = policy_problems({**DEFAULT, "split": [0.15, 0.65, 0.19]})
    assert [p.field for p in problems] == ["split"]
    assert "sums to 0.99" in problems[0].message


def test_vip_criteria_must_be_weighted_criteria_and_share_in_range():
    problems = policy_problems({**DEFAULT, "vip": {"criteria": ["asset_scale", "footfall"],
                                                   "share": 0}})
    assert {p.field for p in problems} == {"vip.criteria", "vip.share"}


def test_problems_of_a_broken_policy_are_all_listed_without_raising():
    problems = policy_problems({"weights": "heavy", "split": None, "site_opened": "soon"})
    assert {p.field for p in problems} >= {"weights", "split", "site_opened"}


def test_score_is_weighted_sum_over_5_with_breakdown():
    policy = policy_from_dict(DEFAULT)
    score = score_customer("C-01", {"asset_scale": 4, "business_scale": 3,
                                    "brand_strength": 5, "cooperation": 4}, policy)
    assert score.total == Decimal("78.00")           # 24 + 18 + 20 + 16
    assert score.breakdown["asset_scale"].points == 24
    assert score.breakdown["brand_strength"].to_dict() == {"input": 5, "weight": 20, "points": 20}
    top = score_customer("C-02", dict.fromkeys(DEFAULT["weights"], 5), policy)
    assert top.total == 100


def test_fractional_weights_round_score_half_up_to_two_decimals():
    policy = policy_from_dict({**DEFAULT, "weights": {"asset_scale": 33.33, "business_scale": 33.33,
                                                      "cooperation": 33.34}})
    # 33.33*1/5 + 33.33*1/5 + 33.34*2/5 = 6.666 + 6.666 + 13.336 = 26.668 -> 26.67
    score = score_customer("C-01", {"asset_scale": 1, "business_scale": 1, "cooperation": 2}, policy)
    assert score.total == Decimal("26.67")
    # 33.33*3/5 = 19.998 (x2) + 33.34*1/5 = 6.668 -> 46.664 -> 46.66
    score = score_customer("C-01", {"asset_scale": 3, "business_scale": 3, "cooperation": 1}, policy)
    assert score.total == Decimal("46.66")


def test_missing_input_is_left_out_never_scored_as_zero():
    policy = policy_from_dict(DEFAULT)
    score = score_customer("C-01", {"asset_scale": 4, "business_scale": 3}, policy)
    assert score.total is None
    assert score.reason == "missing rating input: brand_strength, cooperation"
    assert score.problems == ()


def test_input_outside_1_to_5_is_left_out_and_a_problem():
    policy = policy_from_dict(DEFAULT)
    score = score_customer("C-01", {"asset_scale": 6, "business_scale": 3,
                                    "brand_strength": 0, "cooperation": 4}, policy)
    assert score.total is None
    assert [p.field for p in score.problems] == ["rating.asset_scale", "rating.brand_strength"]
    assert "1..5" in score.reason
