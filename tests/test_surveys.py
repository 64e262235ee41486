"""Satisfaction survey scores (SPEC 3.6; 001 §九-十)."""
from datetime import date
from decimal import Decimal

from cxctl.kpi_policy import KpiPolicy
from cxctl.model import Customer, Survey, Tier, TierOverride
from cxctl.store.loader import check_bytes
from cxctl.surveys import score_survey, survey_summary

POLICY = KpiPolicy()      # defaults: price 10, quality 50, delivery 20, service 20; 100/80/60/30/0


def survey(sid, customer, day, **answers):
    return Survey(id=sid, customer=customer, date=day, answers=answers)


def tiered(cid, level):
    return Customer(id=cid, name=cid, kind="tenant", status="active",
                    tier=Tier(level=level, period="2026-01") if level else None)


def test_score_is_the_weighted_sum_of_level_scores():
    # SPEC 1.4 example: 10x80 + 50x100 + 20x60 + 20x80 = 800 + 5000 + 1200 + 1600 = 8600 / 100 = 86
    s = score_survey(survey("V-01", "C-01", date(2026, 6, 15), price="satisfied",
                            quality="very_satisfied", delivery="basic", service="satisfied"), POLICY)
    assert s.score == Decimal(86) and s.problems == ()
    # all very dissatisfied scores 0, all very satisfied 100
    worst = score_survey(survey("V-02", "C-01", date(2026, 6, 15), price="very_dissatisfied",
                                quality="very_dissatisfied", delivery="very_dissatisfied",
                                service="very_dissatisfied"), POLICY)
    assert worst.score == 0


def test_a_missing_weighted_item_is_reported_not_scored_as_zero():
    s = score_survey(survey("V-03", "C-01", date(2026, 6, 15), price="satisfied", quality="satisfied",
                            delivery="satisfied", colour="basic"), POLICY)
    assert s.score is None
    assert s.problems == ("item 'colour' is not in the policy's survey_weights; ignored",
                          "no answer for service; survey not scored")


def test_summary_per_customer_tier_and_year_with_lowest_items():
    full = dict(price="satisfied", quality="very_satisfied", delivery="basic", service="satisfied")
    surveys = [
        survey("V-01", "C-01", date(2026, 3, 1), **full),                                 # 86
        survey("V-02", "C-01", date(2026, 9, 1), **{**full, "quality": "dissatisfied"}),  # 86 - 50x70/100 = 51
        survey("V-03", "C-02", date(2026, 5, 1), **{**full, "delivery": "very_dissatisfied"}),  # 86 - 12 = 74
        survey("V-04", "C-03", date(2026, 5, 1), price="basic", quality="basic"),          # incomplete
        survey("V-05", "C-02", date(2025, 12, 31), **full),                                # other year
    ]
    customers = {"C-01": tiered("C-01", 1), "C-02": tiered("C-02", 2), "C-03": tiered("C-03", None)}
    result = survey_summary(surveys, customers, 2026, POLICY)
    assert (result.surveys, result.scored) == (4, 3)
    # year: (86 + 51 + 74) / 3 = 211 / 3 = 70.333… -> 70.33
    assert result.average == 70.33
    rows = {c["customer"]: c for c in result.customers}
    assert rows["C-01"]["score"] == 68.5            # (86 + 51) / 2
    assert rows["C-02"]["score"] == 74.0
    assert (rows["C-03"]["surveys"], rows["C-03"]["score"]) == (1, None)
    assert [(t["tier"], t["average"]) for t in result.tiers] == [("1", 68.5), ("2", 74.0)]
    # item averages over every answer: price (80+80+80+60)/4 = 75, quality (100+30+100+60)/4 = 72.5,
    # delivery (60+60+0)/3 = 40, service 80
    assert [(i["item"], i["average"]) for i in result.items] == [
        ("delivery", 40.0), ("quality", 72.5), ("price", 75.0), ("service", 80.0)]
    assert result.lowest_items == ["delivery"]
    assert [p["survey"] for p in result.problems] == ["V-04"]


def test_a_year_without_surveys_has_null_averages():
    result = survey_summary([], {}, 2026, POLICY)
    assert (result.surveys, result.average, result.lowest_items, result.customers) == (0, None, [], [])


def test_a_level_outside_the_scale_is_a_schema_finding():
    text = (b"id: V-01\ncustomer: C-01\ndate: 2026-06-15\n"
            b"answers: {price: satisfied, quality: excellent}\n")
    found = check_bytes(text, "surveys/2026/V-01.yaml", "survey")
    assert found.data is None
    assert [(f.code, f.field, f.line, f.column) for f in found.findings] == [
        ("bad-value", "answers.quality", 4, 38)]   # the line, and the column of "excellent"


def test_tier_averages_use_the_override_in_effect_and_ignore_an_expired_one():
    full = dict(price="satisfied", quality="very_satisfied", delivery="basic", service="satisfied")
    anchor = Customer(id="C-01", name="x", kind="tenant", status="active", tier=Tier(
        level=2, period="2026-07", override=TierOverride(1, "anchor tenant", "S-01")))
    lapsed = Customer(id="C-02", name="y", kind="tenant", status="active", tier=Tier(
        level=2, period="2026-07", override=TierOverride(1, "until the lease ends", "S-01", until="2026-06")))
    surveys = [survey("V-01", "C-01", date(2026, 8, 1), **full),                                # 86
               survey("V-02", "C-02", date(2026, 8, 1), **{**full, "quality": "satisfied"})]    # 76
    result = survey_summary(surveys, {"C-01": anchor, "C-02": lapsed}, 2026, POLICY)
    assert [(t["tier"], t["average"]) for t in result.tiers] == [("1", 86.0), ("2", 76.0)]
    assert {c["customer"]: c["tier"] for c in result.customers} == {"C-01": "1", "C-02": "2"}
