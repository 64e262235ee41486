"""The handover record and policy schemas (SPEC 1.3): the SPEC example passes,
typos and impossible values do not."""
import copy
from pathlib import Path

import jsonschema_rs
import yaml

ROOT = Path(__file__).resolve().parents[1]


def validator(name):
    schema = yaml.load((ROOT / "schemas" / f"{name}.yaml").read_text(), Loader=yaml.CSafeLoader)
    return jsonschema_rs.validator_for(schema, validate_formats=True)


HANDOVER = validator("handover")
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


def changed(path, value):
    record = copy.deepcopy(SPEC_EXAMPLE)
    *parents, last = path
    target = record
    for key in parents:
        target = target[key]
    target[last] = value
    return record


def test_spec_example_is_valid():
    assert HANDOVER.is_valid(SPEC_EXAMPLE)


def test_negative_count_cash_as_float_and_unknown_field_are_rejected():
    assert not HANDOVER.is_valid(changed(["counts", "umbrella", "outgoing"], -1))
    assert not HANDOVER.is_valid(changed(["counts", "cash", "outgoing"], 1520.5))
    assert not HANDOVER.is_valid(changed(["counts", "cash", "outgoing"], "15,20"))
    assert not HANDOVER.is_valid(changed(["counts", "umbrella", "outgoin"], 18))
    assert not HANDOVER.is_valid(changed(["remarks"], "typo field"))


def test_timestamps_need_an_offset_and_shift_is_early_or_late():
    assert not HANDOVER.is_valid(changed(["handed_over_at"], "2026-11-24T22:00:00"))
    assert not HANDOVER.is_valid(changed(["shift"], "night"))


def test_movements_are_signed_loans_positive():
    assert HANDOVER.is_valid(changed(["movements", 0, "qty"], 3))
    assert not HANDOVER.is_valid(changed(["loans", 0, "qty"], 0))


def test_default_handover_policy_matches_its_schema():
    policy = yaml.load((ROOT / "cxctl/defaults/policies/handover.yaml").read_text(),
                       Loader=yaml.CSafeLoader)
    checker = validator("policy-handover")
    assert checker.is_valid(policy)
    assert policy["items"]["cash"]["cash"] is True
    assert not checker.is_valid({**policy, "authorised_cash_difference": 0.5})
