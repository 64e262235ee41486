"""Returns reconciliation (002 六, SPEC 3.5): exact decimal tolerance boundary."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from cxctl.model import Customer, Return, Ticket
from cxctl.returns import policy_tolerance, reconcile_return, reconcile_returns

CST = timezone(timedelta(hours=8))


def complaint(approved, returned, tolerance=None, tid="T-01", customer="C-01"):
    return Ticket(id=tid, customer=customer, kind="complaint", channel="hotline",
                  opened_at=datetime(2026, 11, 3, 15, 40, tzinfo=CST), status="open",
                  return_=Return(approved, returned,
                                 Decimal(tolerance) if tolerance is not None else None))


def customer(ratio=None):
    return Customer(id="C-01", name="晨光", kind="tenant", status="active",
                    over_acceptance_ratio=Decimal(ratio) if ratio is not None else None)


def test_exactly_at_the_tolerance_books_one_more_is_an_error():
    ok = reconcile_return(complaint(20, 21), None)
    assert (ok.outcome, ok.booked_qty, ok.level, ok.limit) == ("booked", 21, None, Decimal("21.00"))
    over = reconcile_return(complaint(20, 22), None)
    assert (over.outcome, over.booked_qty, over.level) == ("excess", None, "error")
    assert over.finding().check == "returns" and over.finding().item == "T-01"


def test_boundary_that_binary_floats_would_get_wrong():
    # 100 x (1 + 0.15) is 114.99999999999999 in floats, which would refuse 115;
    # in decimals it is exactly 115, and 115 books.
    assert reconcile_return(complaint(100, 115, "0.15"), None).outcome == "booked"
    assert reconcile_return(complaint(100, 116, "0.15"), None).outcome == "excess"


def test_shortfall_is_booked_at_the_returned_quantity_with_a_warning():
    r = reconcile_return(complaint(20, 18), None)
    assert (r.outcome, r.booked_qty, r.level) == ("shortfall", 18, "warning")
    assert (r.finding().expected, r.finding().actual) == (20, 18)


def test_exact_return_books_without_a_finding():
    r = reconcile_return(complaint(20, 20), None)
    assert r.outcome == "booked" and r.finding() is None


def test_tolerance_comes_from_ticket_then_customer_then_policy():
    # approved 100, returned 104: ok at 5% (policy default), too much at the customer's 3%
    assert reconcile_return(complaint(100, 104), customer(None)).tolerance_source == "policy"
    by_customer = reconcile_return(complaint(100, 104), customer("0.03"))
    assert (by_customer.tolerance_source, by_customer.outcome) == ("customer", "excess")
    by_ticket = reconcile_return(complaint(100, 104, "0.04"), customer("0.03"))
    assert (by_ticket.tolerance_source, by_ticket.outcome) == ("ticket", "booked")


def test_policy_tolerance_reads_the_kpi_policy_and_defaults_to_five_percent():
    assert policy_tolerance(None) == Decimal("0.05")
    assert policy_tolerance({"return_tolerance": 0.1}) == Decimal("0.1")
    assert policy_tolerance({"return_tolerance": "0.02"}) == Decimal("0.02")


def test_reconcile_returns_only_lists_tickets_with_a_return():
    plain = complaint(1, 1, tid="T-02")
    plain.return_ = None
    results = reconcile_returns([complaint(20, 22, tid="T-09"), plain, complaint(20, 20, tid="T-03")],
                                {"C-01": customer()}, {"return_tolerance": "0.10"})
    assert [(r.ticket, r.outcome) for r in results] == [("T-03", "booked"), ("T-09", "booked")]
    assert results[1].to_dict()["limit"] == "22.00"
