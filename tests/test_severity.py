"""Complaint severity boundaries (SPEC 3.2)."""
from datetime import datetime
from decimal import Decimal

import pytest

from cxctl.model import Impact, Ticket
from cxctl.severity import (derive_severity, effective_severity, explain_severity, severity_problem,
                            severity_rank)


def complaint(severity=None, **impact) -> Ticket:
    return Ticket(id="T-SEV01", customer="C-01", kind="complaint", channel="hotline",
                  opened_at=datetime.fromisoformat("2026-11-02T10:00:00+08:00"), status="open",
                  severity=severity, impact=Impact(**impact))


@pytest.mark.parametrize("compensation, expected", [
    ("0", "general"),
    ("5000", "general"),          # exactly 5000 is still general
    ("5000.01", "important"),     # anything above it is important
    ("49999.99", "important"),
    ("50000", "major"),           # 50000 or more is major
    ("50000.01", "major"),
])
def test_compensation_boundaries(compensation, expected):
    assert derive_severity(Impact(compensation=Decimal(compensation))) == expected


@pytest.mark.parametrize("households, expected", [
    (4, "general"), (5, "important"), (9, "important"), (10, "major"), (25, "major"),
])
def test_household_boundaries(households, expected):
    assert derive_severity(Impact(households=households)) == expected


def test_legal_or_media_is_important_but_not_major():
    assert derive_severity(Impact(legal_or_media=True)) == "important"
    assert derive_severity(Impact(legal_or_media=True, households=10)) == "major"


def test_rank_orders_severities():
    assert severity_rank("general") < severity_rank("important") < severity_rank("major")
    assert sorted(["major", "general", "important"], key=severity_rank) == ["general", "important", "major"]
    assert severity_rank("unknown") < severity_rank("general")


def test_effective_severity_derives_when_absent():
    assert effective_severity(complaint(compensation=Decimal("12000"))) == "important"


def test_explicit_severity_may_raise_but_not_lower():
    assert effective_severity(complaint("major", compensation=Decimal("100"))) == "major"
    assert effective_severity(complaint("general", households=6)) == "important"
    assert severity_problem(complaint("general", households=6)) is not None
    assert severity_problem(complaint("major", households=6)) is None
    assert severity_problem(complaint(None, households=6)) is None


def test_explanation_names_the_rule():
    assert "5 to 9" in explain_severity(complaint(households=7))
    assert "below the derived" in explain_severity(complaint("general", compensation=Decimal("60000")))
