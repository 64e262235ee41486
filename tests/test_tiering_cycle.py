"""Which customers a tiering period covers (SPEC 3.1 cycles, 004 5.2.2)."""
from datetime import date

import pytest

from cxctl.model import Customer, Tier, TierOverride
from cxctl.tiering_cycle import (
    JANUARY, JULY, OPENING, cycle_for, effective_level, ineligible_reason, next_run_for,
    override_in_effect,
)
from cxctl.tiering_policy import TieringError, policy_from_dict

WEIGHTS = {"asset_scale": 50, "business_scale": 50}
POLICY = policy_from_dict({"weights": WEIGHTS, "split": [0.15, 0.65, 0.20]})
OPENED = policy_from_dict({"weights": WEIGHTS, "split": [0.15, 0.65, 0.20],
                           "site_opened": "2026-03-15"})


def customer(since, status="active"):
    return Customer(id="C-01", name="x", kind="tenant", status=status, since=since)


@pytest.mark.parametrize("since, covered", [
    (date(2024, 3, 1), True),
    (date(2025, 12, 31), True),
    (date(2026, 1, 1), False),
])
def test_january_run_covers_since_on_or_before_31_december(since, covered):
    cycle = cycle_for("2026-01", POLICY)
    assert cycle.kind == JANUARY
    assert (ineligible_reason(customer(since), cycle) is None) is covered


@pytest.mark.parametrize("since, covered", [
    (date(2025, 12, 31), False),
    (date(2026, 1, 1), True),
    (date(2026, 6, 30), True),
    (date(2026, 7, 1), False),
])
def test_july_run_covers_only_since_in_january_to_june(since, covered):
    cycle = cycle_for("2026-07", POLICY)
    assert cycle.kind == JULY
    assert (ineligible_reason(customer(since), cycle) is None) is covered


def test_left_out_reasons_name_the_run_the_customer_waits_for():
    january, july = cycle_for("2026-01", POLICY), cycle_for("2026-07", POLICY)
    assert ineligible_reason(customer(date(2026, 2, 1)), january) == \
        "since 2026-02-01: waits for the 2026-07 run"
    assert ineligible_reason(customer(date(2026, 7, 1)), july) == \
        "since 2026-07-01: waits for the 2027-01 run"
    assert "January" in ineligible_reason(customer(date(2025, 5, 1)), july)
    assert next_run_for(date(2026, 6, 30)) == "2026-07"
    assert next_run_for(date(2026, 7, 1)) == "2027-01"


def test_only_active_customers_with_a_since_date_are_tiered():
    january = cycle_for("2026-01", POLICY)
    assert ineligible_reason(customer(date(2020, 1, 1), "churned"), january).startswith("status churned")
    assert ineligible_reason(customer(date(2020, 1, 1), "prospect"), january).startswith("status prospect")
    assert ineligible_reason(customer(None), january).startswith("no since date")


def test_a_customer_not_started_by_as_of_is_left_out():
    cycle = cycle_for("2026-04", OPENED)
    assert ineligible_reason(customer(date(2026, 4, 20)), cycle, as_of=date(2026, 4, 10)) == \
        "since 2026-04-20: not started by 2026-04-10"
    assert ineligible_reason(customer(date(2026, 4, 20)), cycle, as_of=date(2026, 4, 30)) is None


@pytest.mark.parametrize("period", ["2026-03", "2026-10", "2025-12"])
def test_other_months_exit_without_site_opened(period):
    with pytest.raises(TieringError, match="not a tiering period"):
        cycle_for(period, POLICY)


@pytest.mark.parametrize("period, allowed", [
    ("2026-02", False),      # before the site opened
    ("2026-03", True),       # the month it opened
    ("2026-09", True),       # 1 September is less than 6 months after 15 March
    ("2026-10", False),      # 1 October is more than 6 months after
])
def test_site_opened_allows_any_month_within_6_months(period, allowed):
    if allowed:
        assert cycle_for(period, OPENED).kind == OPENING
    else:
        with pytest.raises(TieringError, match="2026-03 to 2026-09"):
            cycle_for(period, OPENED)


def test_opening_run_covers_everyone_started_by_the_end_of_the_month():
    cycle = cycle_for("2026-04", OPENED)
    assert ineligible_reason(customer(date(2026, 4, 30)), cycle) is None
    assert ineligible_reason(customer(date(2026, 5, 1)), cycle) == \
        "since 2026-05-01: not started by the end of 2026-04"


def test_january_and_july_keep_their_rules_inside_the_opening_window():
    opened_autumn = policy_from_dict({"weights": WEIGHTS, "split": [0.2, 0.6, 0.2],
                                      "site_opened": "2025-10-01"})
    assert cycle_for("2026-01", opened_autumn).kind == JANUARY


@pytest.mark.parametrize("period", ["2026-1", "2026-13", "26-01", "", "2026-01-01"])
def test_malformed_period_is_an_error(period):
    with pytest.raises(TieringError, match="YYYY-MM"):
        cycle_for(period, POLICY)


@pytest.mark.parametrize("period", ["0000-01", "9999-07", "2201-01"])
def test_period_outside_the_record_years_is_an_error(period):
    with pytest.raises(TieringError, match="out of range: years run 1900 to 2200"):
        cycle_for(period, POLICY)


def test_override_holds_through_its_until_month():
    assert override_in_effect(TierOverride(1, "anchor", "S-01"), "2030-01")
    limited = TierOverride(1, "anchor", "S-01", until="2026-07")
    assert override_in_effect(limited, "2026-07")
    assert not override_in_effect(limited, "2027-01")
    assert not override_in_effect(None, "2026-01")


def test_effective_level_takes_an_override_only_while_it_is_in_effect():
    def tiered(level, period, override=None):
        return Customer(id="C-01", name="x", kind="tenant", status="active",
                        tier=Tier(level=level, period=period, override=override))
    assert effective_level(customer(date(2025, 1, 1))) is None
    assert effective_level(tiered(2, "2026-07")) == 2
    # added by hand after the run: counts at once
    assert effective_level(tiered(2, "2026-07", TierOverride(1, "anchor", "S-01"))) == 1
    assert effective_level(tiered(2, "2026-07", TierOverride(1, "anchor", "S-01", until="2026-07"))) == 1
    # ended before the tier's period: the computed level stands
    assert effective_level(tiered(2, "2026-07", TierOverride(1, "anchor", "S-01", until="2026-06"))) == 2
