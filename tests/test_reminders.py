"""Reminder lists of `sla remind` (SPEC 3.4)."""
from datetime import datetime
from pathlib import Path

import yaml

from cxctl.calendar import BusinessCalendar
from cxctl.model import Event, Ticket
from cxctl.reminders import closed_late, forced_closures, old_open_complaints, overdue_open, remind_lists
from cxctl.sla import clocks_for_tickets
from cxctl.sla_policy import SlaPolicy

REPO = Path(__file__).resolve().parents[1]
POLICY = SlaPolicy.from_dict(yaml.load((REPO / "cxctl/defaults/policies/sla.yaml").read_text(encoding="utf-8"),
                                       Loader=yaml.CSafeLoader))
CAL = BusinessCalendar.from_dict({"name": "t", "timezone": "Asia/Shanghai",
                                  "workweek": ["mon", "tue", "wed", "thu", "fri"]})
AS_OF = datetime.fromisoformat("2026-11-20T12:00:00+08:00")


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s + "+08:00")


def ticket(tid, kind="request", opened="2026-11-02T10:00", events=()) -> Ticket:
    return Ticket(id=tid, customer="C-01", kind=kind, channel="hotline", opened_at=ts(opened), status="open",
                  owner="S-01", provider="P-01",
                  events=[Event(at=ts(at), type=type_, **kw) for at, type_, kw in events])


def evaluate(*tickets):
    by_id = {t.id: t for t in tickets}
    return by_id, clocks_for_tickets(tickets, POLICY, CAL, AS_OF)


def test_overdue_open_lists_running_breached_clocks_only():
    late = ticket("T-LATE", events=[("2026-11-02T10:30", "dispatch", {})])            # resolve overdue
    on_time = ticket("T-OK", opened="2026-11-20T11:00")                               # still within 1 h
    closed = ticket("T-DONE", events=[("2026-11-02T10:30", "dispatch", {}), ("2026-11-02T12:00", "resolve", {}),
                                      ("2026-11-02T13:00", "close", {})])
    rows = overdue_open(*evaluate(late, on_time, closed), AS_OF)
    assert [(r["ticket"], r["metric"]) for r in rows] == [("T-LATE", "resolve")]
    assert rows[0]["due_at"] == "2026-11-02T13:00:00+08:00"
    assert rows[0]["overdue_by"] == "17d 23h 00m"


def test_closed_late_lists_tickets_closed_in_the_month_with_a_missed_deadline():
    late = ticket("T-LATE", events=[("2026-11-02T10:30", "dispatch", {}), ("2026-11-02T14:00", "resolve", {}),
                                    ("2026-11-02T15:00", "close", {})])
    on_time = ticket("T-OK", events=[("2026-11-02T10:30", "dispatch", {}), ("2026-11-02T12:00", "resolve", {}),
                                     ("2026-11-02T15:00", "revisit", {"outcome": "satisfied"}),
                                     ("2026-11-02T15:05", "close", {})])
    october = ticket("T-OCT", opened="2026-10-12T10:00",
                     events=[("2026-10-12T14:00", "resolve", {}), ("2026-10-12T15:00", "close", {})])
    tickets, clocks = evaluate(late, on_time, october)
    rows = closed_late(tickets, clocks, AS_OF, CAL, (2026, 11))
    # closed without a revisit: its revisit clock is breached, but that is not a late closure
    assert {(r["ticket"], r["metric"]) for r in rows} == {("T-LATE", "resolve")}
    resolve = next(r for r in rows if r["metric"] == "resolve")
    assert resolve["late_by"] == "1h 00m"
    assert {r["ticket"] for r in closed_late(tickets, clocks, AS_OF, CAL, (2026, 10))} == {"T-OCT"}


def test_closed_late_is_judged_on_resolve_and_age_not_on_other_clocks():
    # first contact 4 h after acceptance (due in 3 h), resolved and closed the same day: on time
    slow_contact = ticket("T-SLOW", kind="complaint",
                          events=[("2026-11-02T14:00", "contact", {"outcome": "reached"}),
                                  ("2026-11-02T15:00", "resolve", {}), ("2026-11-02T15:30", "close", {})])
    # a first cycle resolved late, reopened, the second cycle on time
    reopened = ticket("T-REOPEN", events=[("2026-11-02T10:30", "dispatch", {}),
                                          ("2026-11-02T14:00", "resolve", {}),
                                          ("2026-11-03T09:00", "reopen", {}),
                                          ("2026-11-03T10:00", "resolve", {}),
                                          ("2026-11-03T10:30", "revisit", {"outcome": "satisfied"}),
                                          ("2026-11-03T11:00", "close", {})])
    # open for more than 3 months; its last resolve cycle was on time
    aged = ticket("T-AGED", opened="2026-07-01T10:00",
                  events=[("2026-07-01T10:30", "dispatch", {}), ("2026-07-01T12:00", "resolve", {}),
                          ("2026-07-01T15:00", "revisit", {"outcome": "satisfied"}),
                          ("2026-11-05T10:00", "close", {})])
    tickets, clocks = evaluate(slow_contact, reopened, aged)
    assert any(c.ticket == "T-SLOW" and c.metric == "first_contact" and c.state == "breached"
               for c in clocks)
    rows = closed_late(tickets, clocks, AS_OF, CAL, (2026, 11))
    assert sorted((r["ticket"], r["metric"], r["cycle"]) for r in rows) == \
        [("T-AGED", "age", 1), ("T-REOPEN", "resolve", 1)]


def test_open_complaints_past_three_months_are_escalated():
    old = ticket("T-OLD", kind="complaint", opened="2026-08-19T10:00",
                 events=[("2026-11-19T11:00", "escalate", {})])
    young = ticket("T-YOUNG", kind="complaint", opened="2026-08-20T13:00")     # due 2026-11-20 13:00
    old_request = ticket("T-REQ", kind="request", opened="2026-07-01T10:00")
    rows = old_open_complaints(*evaluate(old, young, old_request), AS_OF)
    assert [(r["ticket"], r["escalated"]) for r in rows] == [("T-OLD", True)]


def test_forced_closures_of_the_month_with_reason():
    nov = ticket("T-NOV", events=[("2026-11-05T10:00", "force_close", {"reason": "customer unreachable", "by": "S-02"})])
    # 2026-11-01 07:00 in Shanghai is November there, though still 31 October in UTC.
    first = ticket("T-FIRST", opened="2026-10-30T10:00",
                   events=[("2026-11-01T07:00", "force_close", {"reason": "duplicate"})])
    rows = forced_closures([nov, first], AS_OF, CAL, (2026, 11))
    assert [(r["ticket"], r["reason"]) for r in rows] == [("T-FIRST", "duplicate"),
                                                          ("T-NOV", "customer unreachable")]
    assert rows[1]["by"] == "S-02"
    assert forced_closures([nov, first], AS_OF, CAL, (2026, 10)) == []


def test_remind_lists_default_to_the_month_of_as_of():
    nov = ticket("T-NOV", events=[("2026-11-05T10:00", "force_close", {"reason": "duplicate"})])
    lists = remind_lists(*evaluate(nov), AS_OF, CAL)
    assert [r["ticket"] for r in lists.forced_closures] == ["T-NOV"]
    assert {r["list"] for r in lists.rows()} == {"investigations", "forced_closures"}
