"""The handover record and policy schemas (SPEC 1.3): the SPEC example passes,
typos and impossible values are findings that name the field."""
import copy
from pathlib import Path

import yaml

from cxctl.store import schemas

ROOT = Path(__file__).resolve().parents[1]
PATH = "handovers/2026/11/2026-11-24-main-late.yaml"
SPEC_EXAMPLE = {
    "desk": "main", "date": "2026-11-24", "shift": "late",
    "handed_over_at": "2026-11-24T22:00:00+08:00",
    "outgoing": ["S-031"], "incoming": ["S-032"],
    "counts": {"umbrella": {"outgoing": 18, "incoming": 18},
               "cash": {"outgoing": "1520.50", "incoming": "1520.50"}},
    "movements": [{"item": "umbrella", "qty": -2, "at": "2026-11-24T10:12:00+08:00", "note": "lent"},
                  {"item": "cash", "qty": "-200.00", "at": "2026-11-24T11:00:00+08:00"}],
    "loans": [{"item": "umbrella", "qty": 1, "borrower": "王先生", "phone": "13900001111",
               "due": "2026-11-25"}],
    "open_matters": [{"ticket": "T-8Q3KZ2", "note": "calls back at 15:00"}],
    "signatures": {"outgoing": {"by": "S-031", "at": "2026-11-24T22:05:00+08:00"},
                   "incoming": {"by": "S-032", "at": "2026-11-24T22:06:00+08:00"}},
    "closing": {"sealed_to_control_room": {"by": "S-032", "received_by": "S-090",
                                           "at": "2026-11-24T22:10:00+08:00"}},
}


def problems(path, value, name="handover", base=SPEC_EXAMPLE):
    record = copy.deepcopy(base)
    *parents, last = path
    target = record
    for key in parents:
        target = target[key]
    target[last] = value
    return [(f.field, f.code) for f in schemas.check(name, record, PATH)]


def test_spec_example_is_valid():
    assert schemas.check("handover", SPEC_EXAMPLE, PATH) == []


def test_negative_count_and_cash_that_is_not_a_decimal_string_are_named():
    assert problems(["counts", "umbrella", "outgoing"], -1) == [("counts.umbrella.outgoing", "schema")]
    assert problems(["counts", "cash", "outgoing"], 1520.5) == [("counts.cash.outgoing", "wrong-type")]
    assert problems(["counts", "cash", "outgoing"], "15,20") == [("counts.cash.outgoing", "schema")]


def test_unknown_fields_are_errors():
    assert problems(["counts", "umbrella", "outgoin"], 18) == [("counts.umbrella.outgoin", "unknown-field")]
    assert problems(["remarks"], "typo") == [("remarks", "unknown-field")]


def test_timestamps_need_an_offset_and_shift_is_early_or_late():
    assert problems(["handed_over_at"], "2026-11-24T22:00:00") == [("handed_over_at", "bad-format")]
    assert problems(["shift"], "night") == [("shift", "bad-value")]


def test_movements_are_signed_loans_positive():
    assert problems(["movements", 0, "qty"], 3) == []
    assert problems(["loans", 0, "qty"], 0) == [("loans.0.qty", "schema")]


def test_default_handover_policy_matches_its_schema():
    policy = yaml.load((ROOT / "cxctl/defaults/policies/handover.yaml").read_text(),
                       Loader=yaml.CSafeLoader)
    assert schemas.check("policy-handover", policy, "policies/handover.yaml") == []
    assert policy["items"]["cash"]["cash"] is True
    assert problems(["authorised_cash_difference"], 0.5, "policy-handover", policy) == \
        [("authorised_cash_difference", "wrong-type")]
