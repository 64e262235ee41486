"""Which people and providers a change made now may name (integrity.reference_problem):
they must exist and be working now; history in old records is not judged by it."""
import pytest

from cxctl.integrity import reference_problem
from cxctl.model import Provider, Records, Staff

RECORDS = Records(
    staff={s.id: s for s in (Staff("S-01", "甲", "staff"), Staff("S-02", "乙", "staff", active=False))},
    providers={p.id: p for p in (Provider("P-01", "a"), Provider("P-02", "b", "suspended"),
                                 Provider("P-03", "c", "transitional"))})


@pytest.mark.parametrize("ref, kinds, problem", [
    ("S-01", "SP", None),
    ("S-01", "S", None),
    ("P-01", "SP", None),
    ("P-03", "P", None),                                # transitional still handles tickets
    ("S-09", "SP", "staff member S-09 is not in staff.yaml"),
    ("S-02", "SP", "staff member S-02 (乙) is not active"),
    ("P-09", "P", "provider P-09 has no file providers/P-09.yaml"),
    ("P-02", "SP", "provider P-02 is suspended"),
    ("P-01", "S", "'P-01' is not a staff id (S-…)"),
    ("S-01", "P", "'S-01' is not a provider id (P-…)"),
    ("C-01", "SP", "'C-01' is not a staff id (S-…) or a provider id (P-…)"),
])
def test_reference_problem(ref, kinds, problem):
    assert reference_problem(RECORDS, ref, kinds=kinds) == problem
