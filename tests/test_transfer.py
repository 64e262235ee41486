"""Transfer of a leaver's open tickets and customers (SPEC 2, 3.1)."""
from datetime import datetime, timedelta, timezone

from cxctl.model import Customer, Event, Staff, Ticket, Tier
from cxctl.transfer import plan_transfer

CST = timezone(timedelta(hours=8))
AT = datetime(2026, 11, 24, 18, 0, tzinfo=CST)
STAFF = {s.id: s for s in (
    Staff("S-014", "李娜", "staff"),
    Staff("S-021", "王强", "staff"),
    Staff("S-003", "赵敏", "deputy_manager"),
    Staff("S-009", "孙浩", "staff", active=False),
)}


def ticket(tid, owner, status="open", events=()):
    return Ticket(id=tid, customer="C-01", kind="complaint", channel="hotline",
                  opened_at=datetime(2026, 11, 3, 9, 0, tzinfo=CST), status=status, owner=owner,
                  events=list(events), path=f"tickets/2026/11/{tid}.yaml")


def customer(cid, owner, level=None):
    return Customer(id=cid, name=cid, kind="tenant", status="active", owner=owner,
                    tier=Tier(level=level, period="2026-01") if level else None,
                    path=f"customers/{cid}.yaml")


TICKETS = [
    ticket("T-01", "S-014"),
    ticket("T-02", "S-014", "resolved", [Event(datetime(2026, 11, 4, tzinfo=CST), "resolve")]),
    ticket("T-03", "S-014", "closed", [Event(datetime(2026, 11, 4, tzinfo=CST), "close")]),
    ticket("T-04", "S-021"),
]
CUSTOMERS = [customer("C-01", "S-014", 2), customer("C-02", "S-021"), customer("C-03", "S-014", 1)]


def plan(frm="S-014", to="S-021", **kw):
    return plan_transfer(frm, to, staff=STAFF, tickets=kw.get("tickets", TICKETS),
                         customers=kw.get("customers", CUSTOMERS), at=AT, by="S-003")


def test_open_tickets_and_all_customers_of_the_leaver_move_closed_ones_stay():
    p = plan()
    assert not p.refused
    assert [m.ticket for m in p.tickets] == ["T-01", "T-02"]
    assert p.tickets[0].event == {"at": AT, "type": "transfer", "by": "S-003",
                                  "from": "S-014", "to": "S-021"}
    assert [m.customer for m in p.customers] == ["C-01", "C-03"]
    assert [r["record"] for r in p.rows()] == ["T-01", "T-02", "C-01", "C-03"]


def test_owner_rank_mismatch_is_a_warning_both_ways():
    to_staff = plan(to="S-021")
    assert len(to_staff.warnings) == 1 and to_staff.warnings[0].startswith("C-03: a tier-1 customer")
    to_deputy = plan(to="S-003")
    assert len(to_deputy.warnings) == 1 and to_deputy.warnings[0].startswith("C-01: a tier-2 customer")
    assert not to_deputy.refused


def test_refusals_unknown_inactive_and_self():
    assert plan(to="S-777").refusals == ["successor S-777 is not on the staff roster"]
    assert plan(to="S-009").refusals == ["successor S-009 (孙浩) is not active"]
    assert plan(to="S-014").refusals == ["S-014 cannot hand over to themselves"]
    assert plan(frm="S-404").refusals == ["S-404 is not on the staff roster"]


def test_a_ticket_with_events_after_the_transfer_moment_refuses():
    late = ticket("T-05", "S-014", events=[Event(AT + timedelta(minutes=1), "note")])
    p = plan(tickets=[late])
    assert p.refused and "T-05" in p.refusals[0]
