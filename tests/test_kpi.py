"""Monthly complaint KPIs (SPEC 3.6) on a small hand-built November 2026.

November 2026 in Asia/Shanghai has no public holiday; Nov 1 is a Sunday,
Nov 30 a Monday.  Default SLA policy: provider_reply 24 hours from the first
dispatch (else from opened_at); resolve for a general complaint 3 working
days, day 1 being the first working day after the acceptance date, due at
16:30.  Evaluated as of the default moment, 2026-12-01T00:00+08:00.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cxctl.calendar import BusinessCalendar
from cxctl.kpi import ROW_KEYS, complaint_limit, default_as_of, kpi_summary
from cxctl.kpi_policy import KpiPolicy
from cxctl.model import STATUS_AFTER_EVENT, Provider, Records, Staff, Ticket
from cxctl.months import Month
from cxctl.sla_policy import SlaPolicy
from cxctl.store.loader import DEFAULTS, check_bytes

CST = timezone(timedelta(hours=8))
NOV = Month(2026, 11)


def _default(kind: str, relpath: str) -> dict:
    path = DEFAULTS / relpath
    return check_bytes(path.read_bytes(), relpath, kind).data


CALENDAR = BusinessCalendar.from_dict(_default("calendar", "calendars/cn-mainland.yaml"))
SLA = SlaPolicy.from_dict(_default("policy", "policies/sla.yaml"))
POLICY = KpiPolicy.from_dict(_default("policy", "policies/kpi.yaml"))
AS_OF = datetime(2026, 12, 1, 0, 0, tzinfo=CST)


def ev(at: str, type_: str, **extra) -> dict:
    """An event at a local (+08:00) time written 'MM-DD HH:MM' in 2026."""
    return {"at": f"2026-{at[:5]}T{at[6:]}:00+08:00", "type": type_, **extra}


def ticket(tid: str, opened: str, events=(), *, kind="complaint", provider="P-01", owner="S-021",
           channel="hotline", category="product_quality", impact=None) -> Ticket:
    status = "open"
    for e in events:
        status = STATUS_AFTER_EVENT.get(e["type"], status)
    data = {"id": tid, "customer": "C-01", "kind": kind, "channel": channel, "category": category,
            "provider": provider, "owner": owner, "opened_at": opened, "status": status,
            "events": list(events)}
    if impact:
        data["impact"] = impact
    return Ticket.from_dict(data)


STAFF = {s.id: s for s in [
    Staff("S-001", "周主任", "director", "management", True),
    Staff("S-014", "李娜", "deputy_manager", "floor-2", True),
    Staff("S-021", "王强", "staff", "desk", True),
    Staff("S-022", "赵敏", "supervisor", "desk", True),
    Staff("S-099", "陈离", "staff", "desk", False),
]}

Q3_FULL = {"2026-07": 400, "2026-08": 410, "2026-09": 391}
PROVIDERS = {p.id: p for p in [
    Provider("P-01", "工程维修部", "active", dict(Q3_FULL)),
    Provider("P-02", "物业服务中心", "active", {"2026-07": 100, "2026-08": 100, "2026-09": 100}),
    Provider("P-03", "保洁外包", "active", {"2026-07": 300, "2026-09": 300}),   # August missing
    Provider("P-04", "安保外包", "transitional", dict(Q3_FULL)),
    Provider("P-05", "绿化外包", "suspended", dict(Q3_FULL)),
]}

MONTH_TICKETS = [
    # A1: reply 5h after dispatch (met); reached in 30 min; closed Wed Nov 4, before the
    # resolve due Thu Nov 5 16:30 (day 1 Tue 3, day 3 Thu 5); revisit satisfied.
    ticket("T-A1", "2026-11-02T09:00:00+08:00", [
        ev("11-02 09:30", "contact", outcome="reached"), ev("11-02 10:00", "dispatch"),
        ev("11-02 15:00", "reply", by="P-01"), ev("11-03 10:00", "resolve"),
        ev("11-04 10:00", "revisit", outcome="satisfied"), ev("11-04 10:05", "close")]),
    # A2: reply Nov 4 12:00, due Nov 4 09:30 (breached); reached only after 25 h; the
    # revisit finds a false reply; closed Tue Nov 10 after the due Fri Nov 6 16:30.
    ticket("T-A2", "2026-11-03T09:00:00+08:00", [
        ev("11-03 09:30", "dispatch"), ev("11-03 10:00", "contact", outcome="unreachable"),
        ev("11-03 10:05", "sms"), ev("11-04 10:00", "contact", outcome="reached"),
        ev("11-04 12:00", "reply", by="P-01"), ev("11-09 10:00", "resolve"),
        ev("11-09 15:00", "revisit", outcome="unsatisfied", false_reply=True),
        ev("11-10 10:00", "close")], category="technical"),
    # A3: every revisit unreachable, then force-closed: an unreachable complaint.
    ticket("T-A3", "2026-11-04T14:00:00+08:00", [
        ev("11-04 14:30", "dispatch"), ev("11-04 15:00", "contact", outcome="reached"),
        ev("11-05 09:00", "reply", by="P-01"), ev("11-06 10:00", "resolve"),
        ev("11-06 15:00", "revisit", outcome="unreachable"),
        ev("11-09 10:00", "revisit", outcome="unreachable"),
        ev("11-10 10:00", "force_close", reason="customer unreachable after two revisits")],
        owner="S-022", category="service_process"),
    # A4: dispatched, never replied (due Nov 6 10:30 has passed: counted, not met);
    # revisit unsatisfied, then force-closed: revisited, but no `close` at all.
    ticket("T-A4", "2026-11-05T10:00:00+08:00", [
        ev("11-05 10:30", "dispatch"), ev("11-05 11:00", "contact", outcome="reached"),
        ev("11-12 10:00", "revisit", outcome="unsatisfied"),
        ev("11-13 10:00", "force_close", reason="expectation far beyond policy")],
        owner="S-022", channel="forum", category="price"),
    # A5: accepted on the last day at 23:59 local; its reply is due Dec 1 23:59, after
    # the as-of moment: pending.  A forum complaint still open at the end of the month.
    ticket("T-A5", "2026-11-30T23:59:00+08:00", channel="forum"),
    # A6: accepted Sun Nov 1 00:30 local, written in UTC (Oct 31 16:30Z): a November
    # complaint.  Reply 19.5 h after opening (no dispatch: the clock starts at
    # opened_at); reached at 23.5 h; closed Nov 3, before the due Wed Nov 4 16:30.
    ticket("T-A6", "2026-10-31T16:30:00+00:00", [
        ev("11-01 20:00", "reply", by="P-01"), ev("11-02 00:00", "contact", outcome="reached"),
        ev("11-02 10:00", "resolve"), ev("11-03 10:00", "revisit", outcome="satisfied"),
        ev("11-03 10:05", "close")], category="other"),
    # A7: accepted by P-01, transferred to P-02: still P-01's.  Its owner moves to S-022
    # only in December, after the as-of moment, so it is S-021's.
    ticket("T-A7", "2026-11-10T09:00:00+08:00", [
        ev("11-10 09:20", "contact", outcome="reached"),
        ev("11-10 10:00", "transfer", **{"from": "P-01", "to": "P-02"}),
        ev("11-10 10:30", "dispatch"), ev("11-10 16:00", "reply", by="P-02"),
        ev("12-02 09:00", "transfer", **{"from": "S-021", "to": "S-022"})],
        provider="P-02", owner="S-022", category="delivery"),
    # B1 (P-03, whose visits miss August) and C1 (P-04, transitional): flawless.
    ticket("T-B1", "2026-11-16T10:00:00+08:00", [
        ev("11-16 10:05", "contact", outcome="reached"), ev("11-16 10:10", "dispatch"),
        ev("11-16 11:00", "reply", by="P-03"), ev("11-17 10:00", "resolve"),
        ev("11-18 10:00", "revisit", outcome="satisfied"), ev("11-18 10:05", "close")],
        provider="P-03", owner="S-014"),
    ticket("T-C1", "2026-11-16T10:00:00+08:00", [
        ev("11-16 10:05", "contact", outcome="reached"), ev("11-16 10:10", "dispatch"),
        ev("11-16 11:00", "reply", by="P-04"), ev("11-17 10:00", "resolve"),
        ev("11-18 10:00", "revisit", outcome="satisfied"), ev("11-18 10:05", "close")],
        provider="P-04", owner="S-014", category="parts"),
]
NOT_COUNTED = [
    ticket("T-R1", "2026-11-05T10:00:00+08:00", kind="repair"),          # not a complaint
    ticket("T-D1", "2026-11-30T16:00:00+00:00"),    # Dec 1 00:00 local: December's
    ticket("T-O1", "2026-10-31T23:00:00+08:00"),    # October's
]


def records(tickets=MONTH_TICKETS + NOT_COUNTED, providers=PROVIDERS) -> Records:
    return Records(staff=STAFF, providers=providers, tickets={t.id: t for t in tickets})


def summary(by="provider", as_of=AS_OF, **kw) -> dict:
    rows = kpi_summary(records(**kw), NOV, by, as_of, SLA, CALENDAR, POLICY)
    return {row["group"]: row for row in rows}


def fraction(row, key):
    return row[key], row[f"{key}_num"], row[f"{key}_den"]


def test_default_as_of_is_the_first_moment_of_the_next_month_local():
    assert default_as_of(NOV, CALENDAR) == AS_OF
    assert default_as_of(Month(2026, 12), CALENDAR) == datetime(2027, 1, 1, tzinfo=CST)


def test_every_kpi_of_the_accepting_provider():
    p01 = summary()["P-01"]
    assert list(p01) == list(ROW_KEYS)
    # A1..A7; not the repair, not Dec 1 00:00 local, not Oct 31 23:00 local.
    assert p01["complaints"] == 7
    # counted: A1 A2 A3 A4 A6 A7 (A5 pending, due after as-of); met: A1 A3 A6 A7.
    assert fraction(p01, "reply_on_time_rate") == (4 / 6, 4, 6)
    # reached within 24 h: A1 A3 A4 A6 A7 (A2 after 25 h, A5 never) of 7.
    assert fraction(p01, "contact_24h_rate") == (5 / 7, 5, 7)
    assert p01["false_replies"] == 1            # A2
    assert p01["unreachable"] == 1              # A3
    assert p01["revisited"] == 4                # A1 A2 A4 A6 (A3's revisits never reached anyone)
    # first close by the first resolve due: A1, A6 of the 4 revisited (A2 late, A4 none).
    assert fraction(p01, "first_closure_rate") == (2 / 4, 2, 4)
    # closed by Nov 30 and not unreachable: A1 A2 A4 A6 of 7 - 1 unreachable = 6.
    # A3 is closed too, but unreachable complaints are left out of both counts.
    assert fraction(p01, "monthly_closure_rate") == (4 / 6, 4, 6)
    # last revisit satisfied: A1 A6, of 7 - 1 = 6.
    assert fraction(p01, "satisfaction_rate") == (2 / 6, 2, 6)
    assert p01["forced_closures"] == 2          # A3 A4
    # ceil(0.01 x (400 + 410 + 391) / 3) = ceil(4.0033) = 5
    assert p01["complaint_limit"] == 5
    assert p01["limited_complaints"] == 4       # A1 product_quality, A2 technical, A3 service_process, A5
    assert p01["over_limit"] is False
    # first and monthly closure below 1, and forum complaint A5 open at the end of the month.
    assert p01["fee_support_eligible"] is False
    assert any("T-A5" in note for note in p01["notes"])


def test_a_provider_with_no_complaints_appears_with_null_rates_and_is_eligible():
    rows = summary()
    p02 = rows["P-02"]     # T-A7 is P-02's now, but P-01 accepted it
    assert p02["complaints"] == 0
    for rate in ("reply_on_time_rate", "contact_24h_rate", "first_closure_rate",
                 "monthly_closure_rate", "satisfaction_rate"):
        assert fraction(p02, rate) == (None, 0, 0)
    # ceil(0.01 x 300 / 3) = 1; 0 > 1 is false; null rates count as met.
    assert (p02["complaint_limit"], p02["limited_complaints"], p02["over_limit"]) == (1, 0, False)
    assert p02["fee_support_eligible"] is True


def test_missing_visit_month_makes_the_limit_unknown_not_zero():
    p03 = summary()["P-03"]
    assert p03["complaints"] == 1 and p03["limited_complaints"] == 1
    assert (p03["complaint_limit"], p03["over_limit"], p03["fee_support_eligible"]) == (None, None, None)
    assert p03["notes"] == ["limit unknown: no visits for 2026-08"]


def test_only_active_providers_appear_without_complaints():
    rows = summary()
    assert list(rows) == ["P-01", "P-02", "P-03", "P-04"]    # P-05 is suspended and had none
    p04 = rows["P-04"]                                        # transitional, with a complaint
    assert fraction(p04, "first_closure_rate") == (1.0, 1, 1)
    assert p04["over_limit"] is False and p04["fee_support_eligible"] is False
    assert p04["notes"] == ["provider is transitional"]


def test_by_owner_uses_the_owner_as_of_and_nulls_the_provider_only_kpis():
    rows = summary("owner")
    # every active staff member; S-099 left and owns nothing this month
    assert list(rows) == ["S-001", "S-014", "S-021", "S-022"]
    assert rows["S-001"]["complaints"] == 0
    # S-021: A1 A2 A5 A6 A7 (A7's owner changes only on Dec 2)
    assert rows["S-021"]["complaints"] == 5
    s022 = rows["S-022"]    # A3 (unreachable) and A4
    assert s022["complaints"] == 2 and s022["unreachable"] == 1 and s022["revisited"] == 1
    assert fraction(s022, "reply_on_time_rate") == (1 / 2, 1, 2)      # A3 met, A4 never replied
    assert fraction(s022, "monthly_closure_rate") == (1.0, 1, 1)      # A4 of 2 - 1
    assert fraction(s022, "satisfaction_rate") == (0.0, 0, 1)
    assert s022["forced_closures"] == 2
    for key in ("complaint_limit", "limited_complaints", "over_limit", "fee_support_eligible"):
        assert s022[key] is None


def test_by_team_adds_up_the_owners_of_each_team():
    rows = summary("team")
    assert list(rows) == ["desk", "floor-2", "management"]
    desk = rows["desk"]      # S-021 and S-022: all seven of P-01's complaints
    assert desk["complaints"] == 7
    assert fraction(desk, "monthly_closure_rate") == (4 / 6, 4, 6)
    assert rows["floor-2"]["complaints"] == 2 and rows["management"]["complaints"] == 0
    assert rows["desk"]["complaint_limit"] is None


def test_events_after_the_end_of_the_month_do_not_count_for_it():
    late = ticket("T-L1", "2026-11-20T10:00:00+08:00", [
        ev("11-20 10:10", "contact", outcome="reached"),
        ev("12-03 10:00", "force_close", reason="customer wants a refund beyond policy")])
    row = summary(as_of=datetime(2026, 12, 10, tzinfo=CST), tickets=[late])["P-01"]
    # force-closed Dec 3: not by the end of November, so neither forced nor closed
    assert row["forced_closures"] == 0
    assert fraction(row, "monthly_closure_rate") == (0.0, 0, 1)


def test_a_complaint_not_yet_accepted_at_as_of_does_not_exist():
    # A7 is accepted Nov 10 09:00: one minute before, only A1 A2 A3 A4 A6 exist.
    assert summary(as_of=datetime(2026, 11, 10, 8, 59, tzinfo=CST))["P-01"]["complaints"] == 5
    assert summary(as_of=datetime(2026, 11, 10, 9, 0, tzinfo=CST))["P-01"]["complaints"] == 6


def test_boundaries_are_inclusive_reply_due_at_as_of_contact_at_24h_close_at_due():
    # Opened Mon Nov 30 00:00: reply due Dec 1 00:00 = as-of; nothing by then: counted, not met.
    due_now = ticket("T-E1", "2026-11-30T00:00:00+08:00")
    # Reply exactly at its due (24 h after dispatch): met; reached exactly 24 h after opening.
    # resolve due: day 1 Tue Nov 3, day 3 Thu Nov 5 16:30; closed at exactly 16:30: on time.
    exact = ticket("T-E2", "2026-11-02T09:00:00+08:00", [
        ev("11-02 10:00", "dispatch"), ev("11-03 09:00", "contact", outcome="reached"),
        ev("11-03 10:00", "reply", by="P-01"), ev("11-05 10:00", "resolve"),
        ev("11-05 11:00", "revisit", outcome="satisfied"), ev("11-05 16:30", "close")])
    row = summary(tickets=[due_now, exact])["P-01"]
    assert fraction(row, "reply_on_time_rate") == (1 / 2, 1, 2)
    assert fraction(row, "contact_24h_rate") == (1 / 2, 1, 2)
    assert fraction(row, "first_closure_rate") == (1.0, 1, 1)


def test_first_closure_uses_the_extended_resolve_deadline():
    # Due Thu Nov 5 16:30, extended to Mon Nov 9 12:00; closed Nov 9 10:00: on time.
    extended = ticket("T-X1", "2026-11-02T09:00:00+08:00", [
        ev("11-04 09:00", "extend", until="2026-11-09T12:00:00+08:00", approved_by="S-014",
           reason="parts on order"),
        ev("11-09 09:00", "resolve"), ev("11-09 09:30", "revisit", outcome="satisfied"),
        ev("11-09 10:00", "close")])
    assert fraction(summary(tickets=[extended])["P-01"], "first_closure_rate") == (1.0, 1, 1)


def _fee(tickets, providers=PROVIDERS) -> dict:
    return summary(tickets=tickets, providers=providers)["P-01"]


def _clean(tid: str, opened_day: int, **kw) -> Ticket:
    day = f"11-{opened_day:02d}"
    return ticket(tid, f"2026-{day}T09:00:00+08:00", [
        ev(f"{day} 09:10", "contact", outcome="reached"), ev(f"{day} 09:20", "dispatch"),
        ev(f"{day} 10:00", "reply", by="P-01"), ev(f"{day} 11:00", "resolve"),
        ev(f"{day} 12:00", "revisit", outcome="satisfied"), ev(f"{day} 12:05", "close")], **kw)


def test_fee_support_each_condition_on_its_own():
    assert _fee([_clean("T-F1", 2)])["fee_support_eligible"] is True
    # over the limit: 6 limited complaints > 5
    over = _fee([_clean(f"T-F{i}", 2 + i) for i in range(6)])
    assert (over["limited_complaints"], over["over_limit"], over["fee_support_eligible"]) == (6, True, False)
    # exactly at the limit is not over it: 5 > 5 is false
    assert _fee([_clean(f"T-F{i}", 2 + i) for i in range(5)])["fee_support_eligible"] is True
    # lawsuit or media exposure
    legal = _fee([_clean("T-F1", 2, impact={"legal_or_media": True})])
    assert legal["fee_support_eligible"] is False and legal["notes"] == ["lawsuit or media exposure: T-F1"]
    # a forum complaint closed by the end of the month is fine
    assert _fee([_clean("T-F1", 2, channel="forum")])["fee_support_eligible"] is True
    # suspended provider
    suspended = {**PROVIDERS, "P-01": Provider("P-01", "工程维修部", "suspended", dict(Q3_FULL))}
    assert _fee([_clean("T-F1", 2)], suspended)["fee_support_eligible"] is False


def test_complaint_limit_uses_the_previous_calendar_quarter_exactly():
    visits = {"2025-10": 1000, "2025-11": 1000, "2025-12": 1001}
    # January 2026 looks back to 2025 Q4: ceil(0.01 x 3001 / 3) = ceil(10.0033) = 11
    assert complaint_limit(visits, Month(2026, 1), "0.01") == (11, "2025-Q4", [])
    # March is in the same quarter as January
    assert complaint_limit(visits, Month(2026, 3), "0.01")[0] == 11
    # April looks at 2026 Q1, which has no data
    assert complaint_limit(visits, Month(2026, 4), "0.01") == (
        None, "2026-Q1", ["2026-01", "2026-02", "2026-03"])
    # 0.01 x 1200 / 3 = 4 exactly: no rounding up (a float 0.01 would give 4.000000000000001)
    assert complaint_limit({"2026-07": 400, "2026-08": 400, "2026-09": 400}, NOV, 0.01)[0] == 4


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError):
        kpi_summary(records(), NOV, "region", AS_OF, SLA, CALENDAR, POLICY)


def test_a_close_undone_by_a_reopen_in_the_month_is_not_a_monthly_closure():
    reopened = ticket("T-RO1", "2026-11-02T09:00:00+08:00", [
        ev("11-02 10:00", "resolve"), ev("11-03 10:00", "revisit", outcome="unsatisfied"),
        ev("11-03 11:00", "close"), ev("11-20 09:00", "reopen")])
    row = summary(tickets=[reopened])["P-01"]
    assert fraction(row, "monthly_closure_rate") == (0.0, 0, 1)
    # its first close (Nov 3) still came before the first resolve due (Thu Nov 5 16:30)
    assert fraction(row, "first_closure_rate") == (1.0, 1, 1)


def test_satisfaction_follows_the_last_revisit_not_the_first_or_any():
    # Day 1 Tue Nov 3 … resolve due Thu Nov 5 16:30 for both.
    won_back = ticket("T-S1", "2026-11-02T09:00:00+08:00", [
        ev("11-02 10:00", "resolve"), ev("11-02 15:00", "revisit", outcome="unsatisfied"),
        ev("11-03 10:00", "revisit", outcome="satisfied"), ev("11-03 10:05", "close")])
    lost = ticket("T-S2", "2026-11-02T09:00:00+08:00", [
        ev("11-02 10:00", "resolve"), ev("11-02 15:00", "revisit", outcome="satisfied"),
        ev("11-03 10:00", "revisit", outcome="unsatisfied"), ev("11-03 10:05", "close")])
    first = summary(tickets=[won_back])["P-01"]
    assert fraction(first, "satisfaction_rate") == (1.0, 1, 1)
    assert first["revisited"] == 1
    assert fraction(summary(tickets=[lost])["P-01"], "satisfaction_rate") == (0.0, 0, 1)


def test_an_unreachable_revisit_followed_by_a_reached_one_is_not_unreachable():
    reached_later = ticket("T-U1", "2026-11-02T09:00:00+08:00", [
        ev("11-02 10:00", "resolve"), ev("11-02 15:00", "revisit", outcome="unreachable"),
        ev("11-03 10:00", "revisit", outcome="satisfied"), ev("11-03 10:05", "close")])
    row = summary(tickets=[reached_later])["P-01"]
    assert (row["unreachable"], row["revisited"]) == (0, 1)
    # left in both denominators: complaints - unreachable = 1
    assert fraction(row, "monthly_closure_rate") == (1.0, 1, 1)
    assert fraction(row, "satisfaction_rate") == (1.0, 1, 1)


def test_first_closure_is_judged_by_the_first_resolve_cycle_even_after_a_reopen():
    # Cycle 1 from Mon Nov 2 09:00: due Thu Nov 5 16:30.  Reopened Wed Nov 4 10:00,
    # cycle 2 is due Mon Nov 9 16:30 (Thu 5, Fri 6, Mon 9).  The first close, Fri Nov 6
    # 10:00, is within cycle 2's due but after cycle 1's: not a first-time closure.
    reopened = ticket("T-RO2", "2026-11-02T09:00:00+08:00", [
        ev("11-03 10:00", "resolve"), ev("11-03 15:00", "revisit", outcome="unsatisfied"),
        ev("11-04 10:00", "reopen"), ev("11-06 09:00", "resolve"),
        ev("11-06 09:30", "revisit", outcome="satisfied"), ev("11-06 10:00", "close")])
    assert fraction(summary(tickets=[reopened])["P-01"], "first_closure_rate") == (0.0, 0, 1)
    # The same close a day earlier (Thu Nov 5 16:30 exactly) meets cycle 1's due.
    on_time = ticket("T-RO3", "2026-11-02T09:00:00+08:00", [
        ev("11-03 10:00", "resolve"), ev("11-03 15:00", "revisit", outcome="unsatisfied"),
        ev("11-04 10:00", "reopen"), ev("11-05 09:00", "resolve"),
        ev("11-05 09:30", "revisit", outcome="satisfied"), ev("11-05 16:30", "close")])
    assert fraction(summary(tickets=[on_time])["P-01"], "first_closure_rate") == (1.0, 1, 1)
