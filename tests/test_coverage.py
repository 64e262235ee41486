"""Yearly contact coverage per owner (SPEC 3.1, 3.6; 004 §4.2.4)."""
from datetime import datetime, timedelta, timezone

from cxctl.calendar import BusinessCalendar
from cxctl.coverage import contact_coverage
from cxctl.model import ContactLogEntry, Customer, Staff
from cxctl.store.loader import DEFAULTS, check_bytes

CALENDAR = BusinessCalendar.from_dict(check_bytes(
    (DEFAULTS / "calendars" / "cn-mainland.yaml").read_bytes(), "calendars/cn-mainland.yaml", "calendar").data)
CST = timezone(timedelta(hours=8))
STAFF = {"S-014": Staff("S-014", "李娜", "deputy_manager", "floor-2"),
         "S-021": Staff("S-021", "王强", "staff", "desk")}


def customer(cid, owner, *contacts, status="active"):
    return Customer(id=cid, name=f"客户{cid[-1]}", kind="tenant", status=status, owner=owner,
                    contact_log=[ContactLogEntry(at=at, by="S-999", channel="visit") for at in contacts])


def at(y, m, d, hh=10, mm=0, tz=CST):
    return datetime(y, m, d, hh, mm, tzinfo=tz)


CUSTOMERS = [
    customer("C-01", "S-014", at(2026, 3, 5)),
    # only contact: 2026-12-31T16:30Z is 2027-01-01 00:30 in Shanghai -> not 2026
    customer("C-02", "S-014", at(2026, 12, 31, 16, 30, timezone.utc)),
    # 2025-12-31T16:30Z is 2026-01-01 00:30 local -> 2026; contacted by someone else: still counts
    customer("C-03", "S-014", at(2025, 12, 31, 16, 30, timezone.utc)),
    customer("C-04", "S-021", at(2025, 6, 1)),                 # last contacted the year before
    customer("C-05", "S-021", at(2026, 7, 1), status="churned"),  # not active: not counted
    customer("C-06", None),                                     # nobody owns it
]


def test_coverage_per_owner_counts_active_customers_contacted_in_the_local_year():
    result = contact_coverage(CUSTOMERS, STAFF, 2026, CALENDAR)
    rows = {r["owner"]: r for r in result.owners}
    assert list(rows) == ["S-014", "S-021", None]
    # S-014: C-01 and C-03 contacted in 2026, C-02 not (its contact is in 2027 locally): 2/3
    assert (rows["S-014"]["coverage_num"], rows["S-014"]["coverage_den"]) == (2, 3)
    assert rows["S-014"]["coverage"] == 2 / 3 and rows["S-014"]["uncontacted"] == ["C-02"]
    # S-021: C-04 only (C-05 churned): 0/1
    assert (rows["S-021"]["customers"], rows["S-021"]["contacted"], rows["S-021"]["coverage"]) == (1, 0, 0.0)
    assert rows[None]["uncontacted"] == ["C-06"]


def test_customers_nobody_contacted_are_listed_with_their_last_contact():
    result = contact_coverage(CUSTOMERS, STAFF, 2026, CALENDAR)
    assert [(u["customer"], u["owner"]) for u in result.uncontacted] == [
        ("C-02", "S-014"), ("C-04", "S-021"), ("C-06", None)]
    assert result.uncontacted[1]["last_contact"] == "2025-06-01T10:00:00+08:00"
    assert result.uncontacted[2]["last_contact"] is None


def test_contacts_after_the_cutoff_are_not_counted_yet():
    # As of 2026-03-05 09:59, C-01's contact at 10:00 has not happened yet
    early = contact_coverage(CUSTOMERS, STAFF, 2026, CALENDAR, until=at(2026, 3, 5, 9, 59))
    assert {r["owner"]: r["contacted"] for r in early.owners}["S-014"] == 1      # C-03 only
    on_time = contact_coverage(CUSTOMERS, STAFF, 2026, CALENDAR, until=at(2026, 3, 5, 10, 0))
    assert {r["owner"]: r["contacted"] for r in on_time.owners}["S-014"] == 2
