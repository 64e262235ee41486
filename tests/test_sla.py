"""SLA clocks (SPEC 3.3): each row of the target table met/breached at its boundary,
start/stop rules, states, reopen, extend, hold/resume, and the policy file."""
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from cxctl.calendar import BusinessCalendar
from cxctl.model import Event, Impact, Ticket
from cxctl.sla import clocks_for_ticket, explain_ticket
from cxctl.sla_policy import DeadlineError, PolicyError, SlaPolicy, Target, policy_problems

REPO = Path(__file__).resolve().parents[1]
DEFAULT_POLICY = yaml.load((REPO / "cxctl/defaults/policies/sla.yaml").read_text(encoding="utf-8"),
                           Loader=yaml.CSafeLoader)
POLICY = SlaPolicy.from_dict(DEFAULT_POLICY)
CAL = BusinessCalendar.from_dict({
    "name": "cn-test", "timezone": "Asia/Shanghai", "workweek": ["mon", "tue", "wed", "thu", "fri"],
    "holidays": [f"2026-10-0{d}" for d in range(1, 8)], "workdays": ["2026-09-20", "2026-10-10"],
    "provisional": [2027],
})
MON = "2026-11-02"   # an ordinary week: Mon 2 .. Fri 6 Nov 2026


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s if "+" in s else s + "+08:00")


def ev(at: str, type_: str, **kw) -> Event:
    return Event(at=ts(at), type=type_, **kw)


def ticket(kind="complaint", opened=f"{MON}T10:00", events=(), **kw) -> Ticket:
    return Ticket(id="T-SLA01", customer="C-01", kind=kind, channel="hotline", opened_at=ts(opened),
                  status="open", events=list(events), provider="P-01", owner="S-01", **kw)


def clock(t: Ticket, metric: str, as_of: str, cycle: int = 1):
    found = [c for c in clocks_for_ticket(t, POLICY, CAL, ts(as_of)) if c.metric == metric and c.cycle == cycle]
    assert len(found) == 1, [c.to_dict() for c in clocks_for_ticket(t, POLICY, CAL, ts(as_of))]
    return found[0]


LATER = "2027-06-01T00:00"   # long after everything: all events count


# -- one row of the target table at a time, met at the boundary, breached past it ------------

@pytest.mark.parametrize("kind, metric, extra, events_at, due", [
    ("request", "dispatch", {}, ("dispatch",), f"{MON}T11:00"),
    ("request", "resolve", {}, ("resolve",), f"{MON}T13:00"),
    ("complaint", "first_contact", {}, ("contact", {"outcome": "reached"}), f"{MON}T13:00"),
    ("complaint", "provider_reply", {}, ("reply",), "2026-11-03T10:00"),
    ("complaint", "resolve", {}, ("resolve",), "2026-11-05T16:30"),                       # general: 3 wd
    ("complaint", "resolve", {"impact": Impact(households=5)}, ("resolve",), "2026-11-11T16:30"),  # 7 wd
    ("complaint", "resolve", {"impact": Impact(compensation=Decimal("50000"))}, ("resolve",),
     "2026-11-23T16:30"),                                                                   # major: 15 wd
    ("repair", "provider_reply", {}, ("reply",), "2026-11-05T16:30"),                      # 3 wd
    ("quality", "feedback", {"quality_class": "A"}, ("reply",), f"{MON}T14:00"),
    ("quality", "feedback", {"quality_class": "B"}, ("reply",), f"{MON}T18:00"),
])
@pytest.mark.parametrize("offset, state", [(timedelta(0), "met"), (timedelta(minutes=-1), "met"),
                                           (timedelta(minutes=1), "breached")])
def test_target_table_boundaries(kind, metric, extra, events_at, due, offset, state):
    type_, fields = events_at[0], (events_at[1] if len(events_at) > 1 else {})
    stop = ts(due) + offset
    t = ticket(kind, events=[Event(at=stop, type=type_, **fields)], **extra)
    c = clock(t, metric, LATER)
    assert c.due_at == ts(due)
    assert c.done_at == stop
    assert c.state == state


@pytest.mark.parametrize("offset, state", [(timedelta(0), "met"), (timedelta(minutes=1), "breached")])
def test_request_revisit_by_next_working_day_cutoff(offset, state):
    # Resolved Fri 6 Nov 15:00: revisit due Mon 9 Nov 16:30.
    revisit_at = ts("2026-11-09T16:30") + offset
    t = ticket("request", events=[ev("2026-11-06T15:00", "resolve"),
                                  Event(at=revisit_at, type="revisit", outcome="satisfied")])
    c = clock(t, "revisit", LATER)
    assert (c.started_at, c.due_at, c.state) == (ts("2026-11-06T15:00"), ts("2026-11-09T16:30"), state)


@pytest.mark.parametrize("closed_at, state", [("2027-02-02T10:00", "met"), ("2027-02-02T10:01", "breached")])
def test_age_three_calendar_months(closed_at, state):
    t = ticket("inquiry", opened="2026-11-02T10:00", events=[ev(closed_at, "close")])
    c = clock(t, "age", LATER)
    assert c.due_at == ts("2027-02-02T10:00") and c.state == state


def test_quality_class_c_has_no_feedback_clock():
    t = ticket("quality", quality_class="C")
    assert [c.metric for c in clocks_for_ticket(t, POLICY, CAL, ts(LATER))] == ["age"]


def test_clocks_per_kind_follow_the_policy():
    metrics = {k: [c.metric for c in clocks_for_ticket(ticket(k, quality_class="A"), POLICY, CAL, ts(LATER))]
               for k in ("request", "complaint", "repair", "inquiry", "quality")}
    assert metrics == {
        "request": ["dispatch", "resolve", "age"],          # revisit starts only at a resolve
        "complaint": ["first_contact", "provider_reply", "resolve", "age"],
        "repair": ["provider_reply", "age"],
        "inquiry": ["age"],
        "quality": ["feedback", "age"],
    }


# -- start and stop rules ------------------------------------------------------------------

def test_first_contact_met_by_sms_after_failed_contact_inside_window():
    t = ticket(events=[ev(f"{MON}T10:30", "contact", outcome="unreachable"), ev(f"{MON}T12:59", "sms")])
    c = clock(t, "first_contact", LATER)
    assert (c.done_at, c.state) == (ts(f"{MON}T12:59"), "met")


def test_first_contact_sms_after_window_is_breached():
    t = ticket(events=[ev(f"{MON}T10:30", "contact", outcome="unreachable"), ev(f"{MON}T13:01", "sms")])
    assert clock(t, "first_contact", LATER).state == "breached"


def test_first_contact_not_stopped_by_failed_contact_alone_or_sms_without_one():
    t = ticket(events=[ev(f"{MON}T10:10", "sms"), ev(f"{MON}T10:30", "contact", outcome="unreachable")])
    c = clock(t, "first_contact", f"{MON}T12:00")
    assert c.done_at is None and c.state == "running"
    assert clock(t, "first_contact", f"{MON}T13:01").state == "breached"


def test_provider_reply_starts_at_dispatch_when_there_is_one():
    t = ticket(events=[ev(f"{MON}T12:00", "dispatch"), ev("2026-11-03T12:00", "reply")])
    c = clock(t, "provider_reply", LATER)
    assert (c.started_at, c.due_at, c.state) == (ts(f"{MON}T12:00"), ts("2026-11-03T12:00"), "met")


def test_provider_reply_ignores_a_reply_before_the_dispatch():
    t = ticket(events=[ev(f"{MON}T11:00", "reply"), ev(f"{MON}T12:00", "dispatch")])
    c = clock(t, "provider_reply", "2026-11-03T12:01")
    assert c.done_at is None and c.state == "breached"


def test_resolve_stopped_by_close_or_force_close():
    t = ticket("request", events=[ev(f"{MON}T12:00", "force_close", reason="duplicate")])
    assert clock(t, "resolve", LATER).done_at == ts(f"{MON}T12:00")


# -- as-of -----------------------------------------------------------------------------------

def test_events_after_as_of_are_ignored_and_unstarted_clocks_not_listed():
    t = ticket("request", events=[ev(f"{MON}T10:30", "dispatch"), ev(f"{MON}T12:00", "resolve"),
                                  ev(f"{MON}T15:00", "revisit", outcome="satisfied")])
    at_11 = clocks_for_ticket(t, POLICY, CAL, ts(f"{MON}T11:00"))
    assert {c.metric: c.state for c in at_11} == {"dispatch": "met", "resolve": "running", "age": "running"}
    assert clocks_for_ticket(t, POLICY, CAL, ts(f"{MON}T09:59")) == []
    assert clock(t, "revisit", f"{MON}T13:00").done_at is None


# -- states ------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, state", [
    (f"{MON}T12:23", "running"),    # 37 minutes left: outside the 20% window (36 min of 3 h)
    (f"{MON}T12:24", "at_risk"),    # 36 minutes left
    (f"{MON}T13:00", "at_risk"),    # due now, not yet past it
    (f"{MON}T13:01", "breached"),   # running past due
])
def test_running_states_around_the_warning_window(as_of, state):
    assert clock(ticket("request"), "resolve", as_of).state == state


@pytest.mark.parametrize("as_of, state", [(f"{MON}T10:44", "running"), (f"{MON}T10:45", "at_risk")])
def test_warning_window_is_at_least_15_minutes(as_of, state):
    # 20% of 1 hour is 12 minutes; the minimum of 15 applies.
    assert clock(ticket("request"), "dispatch", as_of).state == state


# -- reopen, extend, hold ---------------------------------------------------------------------

def test_reopen_starts_cycle_two_and_keeps_cycle_one():
    t = ticket(events=[ev("2026-11-03T10:00", "resolve"), ev("2026-11-03T11:00", "close"),
                       ev("2026-11-04T09:00", "reopen")])
    clocks = [c for c in clocks_for_ticket(t, POLICY, CAL, ts("2026-11-05T09:00")) if c.metric == "resolve"]
    assert [(c.cycle, c.state) for c in clocks] == [(1, "met"), (2, "running")]
    assert clocks[1].started_at == ts("2026-11-04T09:00")
    assert clocks[1].due_at == ts("2026-11-09T16:30")      # 3 working days from the reopen
    assert clock(t, "resolve", "2026-11-09T16:31", cycle=2).state == "breached"


def test_reopened_request_gets_a_second_revisit_cycle():
    t = ticket("request", events=[ev(f"{MON}T11:00", "resolve"), ev(f"{MON}T15:00", "revisit", outcome="unsatisfied"),
                                  ev(f"{MON}T15:10", "reopen"), ev("2026-11-03T09:00", "resolve")])
    assert clock(t, "revisit", LATER, cycle=1).state == "met"
    assert clock(t, "revisit", "2026-11-03T10:00", cycle=2).due_at == ts("2026-11-04T16:30")
    assert clock(t, "resolve", LATER, cycle=2).started_at == ts(f"{MON}T15:10")


def test_extend_moves_the_resolve_due():
    events = [ev("2026-11-04T10:00", "extend", until=ts("2026-11-10T16:30"), approved_by="S-03", reason="parts"),
              ev("2026-11-09T10:00", "resolve")]
    c = clock(ticket(events=events), "resolve", LATER)
    assert (c.due_at, c.extended_to, c.state) == (ts("2026-11-10T16:30"), ts("2026-11-10T16:30"), "met")
    # The same resolve without the extension breaches the 3-working-day target.
    assert clock(ticket(events=events[1:]), "resolve", LATER).state == "breached"


def test_extend_never_moves_the_resolve_due_earlier():
    # ticket() opens Mon 2 Nov 10:00; 3 working days: due Thu 5 Nov 16:30
    earlier = [ev("2026-11-03T10:00", "extend", until=ts("2026-11-04T12:00"), approved_by="S-03",
                  reason="typo"), ev("2026-11-05T10:00", "resolve")]
    c = clock(ticket(events=earlier), "resolve", LATER)
    assert (c.due_at, c.extended_to, c.state) == (ts("2026-11-05T16:30"), None, "met")
    # an until before the extension's own moment does not shorten it either
    backwards = [ev("2026-11-03T10:00", "extend", until=ts("2026-11-02T11:00"), approved_by="S-03",
                    reason="typo")]
    assert clock(ticket(events=backwards), "resolve", "2026-11-04T09:00").due_at == ts("2026-11-05T16:30")
    # a later, shorter extension does not undo a longer one
    twice = [ev("2026-11-03T10:00", "extend", until=ts("2026-11-12T16:30"), approved_by="S-03", reason="parts"),
             ev("2026-11-04T10:00", "extend", until=ts("2026-11-10T16:30"), approved_by="S-03", reason="again"),
             ev("2026-11-11T10:00", "resolve")]
    c = clock(ticket(events=twice), "resolve", LATER)
    assert (c.due_at, c.state) == (ts("2026-11-12T16:30"), "met")


def test_extend_recorded_after_the_resolve_does_not_count():
    events = [ev("2026-11-09T10:00", "resolve"),
              ev("2026-11-09T11:00", "extend", until=ts("2026-11-10T16:30"), approved_by="S-03", reason="late")]
    assert clock(ticket(events=events), "resolve", LATER).state == "breached"


def test_hold_and_resume_pause_a_pausable_clock():
    events = [ev(f"{MON}T11:00", "hold"), ev(f"{MON}T13:00", "resume"), ev(f"{MON}T14:59", "resolve")]
    c = clock(ticket("request", events=events), "resolve", LATER)
    assert c.due_at == ts(f"{MON}T15:00") and c.paused == timedelta(hours=2) and c.state == "met"


def test_clock_on_hold_is_paused_and_its_due_keeps_moving():
    t = ticket("request", events=[ev(f"{MON}T11:00", "hold")])
    c = clock(t, "resolve", f"{MON}T15:00")
    assert c.state == "paused" and c.due_at == ts(f"{MON}T17:00")


def test_hold_does_not_pause_a_metric_the_policy_does_not_let_pause():
    t = ticket("request", events=[ev(f"{MON}T10:10", "hold")])
    c = clock(t, "dispatch", f"{MON}T11:30")
    assert c.due_at == ts(f"{MON}T11:00") and c.state == "breached"


def test_hold_after_the_deadline_passed_stays_breached():
    t = ticket("request", events=[ev(f"{MON}T14:00", "hold")])
    assert clock(t, "resolve", f"{MON}T15:00").state == "breached"


# -- severity, provisional years, explain, JSON ---------------------------------------------------

def test_complaint_resolve_uses_effective_severity():
    assert clock(ticket(impact=Impact(compensation=Decimal("5000"))), "resolve", LATER).target == "3 working days"
    assert clock(ticket(impact=Impact(compensation=Decimal("5000.01"))), "resolve", LATER).target == "7 working days"
    assert clock(ticket(severity="major"), "resolve", LATER).target == "15 working days"


def test_national_day_complaint_deadline_from_spec():
    c = clock(ticket(opened="2026-09-29T10:00"), "resolve", "2026-09-29T11:00")
    assert c.due_at == ts("2026-10-09T16:30")


def test_deadline_in_provisional_year_carries_a_warning():
    c = clock(ticket(opened="2026-12-30T10:00"), "resolve", "2026-12-30T11:00")
    assert c.warnings == ["calendar year 2027 is provisional"]
    assert clock(ticket(), "resolve", f"{MON}T11:00").warnings == []
    assert clock(ticket(opened="2026-12-31T10:00"), "first_contact", "2026-12-31T11:00").warnings == []


def test_explain_shows_skipped_days_and_severity():
    t = ticket(opened="2026-09-29T10:00", impact=Impact(compensation=Decimal("1000")))
    explained = {c.metric: notes for c, notes in explain_ticket(t, POLICY, CAL, ts("2026-09-29T11:00"))}
    text = "\n".join(explained["resolve"])
    assert "general (derived" in text
    assert "Thu 2026-10-01: skipped, holiday" in text
    assert "Fri 2026-10-09: day 3 (working day)" in text
    assert "due Fri 2026-10-09 16:30 +0800" in text


def test_to_dict_has_the_spec_keys_and_offsets():
    d = clock(ticket(events=[ev(f"{MON}T12:00", "contact", outcome="reached")]), "first_contact", LATER).to_dict()
    assert list(d)[:7] == ["ticket", "metric", "cycle", "started_at", "due_at", "done_at", "state"]
    assert d["started_at"] == "2026-11-02T10:00:00+08:00" and d["due_at"] == "2026-11-02T13:00:00+08:00"
    assert d["done_at"] == "2026-11-02T12:00:00+08:00" and d["state"] == "met" and d["cycle"] == 1
    assert clock(ticket(), "first_contact", f"{MON}T11:00").to_dict()["done_at"] is None


# -- the policy file ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def policy_schema():
    raw = yaml.load((REPO / "schemas/policy-sla.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return jsonschema_rs.validator_for(raw, validate_formats=True)


def test_default_policy_is_schema_valid(policy_schema):
    assert policy_schema.is_valid(DEFAULT_POLICY)
    assert policy_problems(DEFAULT_POLICY) == []


@pytest.mark.parametrize("targets", [
    {"ticket": {"age": {"within": 3, "unit": "calendar_months"}}},         # unknown kind
    {"request": {"answer": {"within": 1, "unit": "hours"}}},               # unknown metric
    {"request": {"dispatch": {"within": 1, "unit": "minutes"}}},           # unknown unit
    {"request": {"dispatch": {"within": 0, "unit": "hours"}}},             # not positive
    {"request": {"dispatch": {"within": 1, "unit": "hours", "pause": True}}},   # typo'd key
    {"complaint": {"resolve": {"by_severity": {"critical": {"within": 1, "unit": "working_days"}}}}},
    {"request": {"dispatch": {"within": 8761, "unit": "hours"}}},          # more than a year of hours
    {"request": {"dispatch": {"within": 10**12, "unit": "hours"}}},
    {"request": {"resolve": {"within": 251, "unit": "working_days"}}},
    {"request": {"resolve": {"within": 3000000, "unit": "working_days"}}},
    {"request": {"resolve": {"within": 367, "unit": "calendar_days"}}},
    {"request": {"resolve": {"within": 5000000, "unit": "calendar_days"}}},
    {"all": {"age": {"within": 25, "unit": "calendar_months"}}},
    {"all": {"age": {"within": 100000, "unit": "calendar_months"}}},
])
def test_bad_policies_are_rejected(policy_schema, targets):
    bad = {"targets": targets}
    assert not policy_schema.is_valid(bad)
    assert policy_problems(bad)
    with pytest.raises(PolicyError):
        SlaPolicy.from_dict(bad)


def test_largest_targets_and_warning_minimum_are_accepted_one_more_is_not(policy_schema):
    largest = {"warning": {"minimum_minutes": 10080}, "targets": {
        "request": {"dispatch": {"within": 8760, "unit": "hours"},
                    "resolve": {"within": 250, "unit": "working_days"},
                    "revisit": {"within": 366, "unit": "calendar_days"}},
        "all": {"age": {"within": 24, "unit": "calendar_months"}}}}
    assert policy_schema.is_valid(largest) and policy_problems(largest) == []
    week_and_a_minute = {**largest, "warning": {"minimum_minutes": 10081}}
    assert not policy_schema.is_valid(week_and_a_minute)
    assert [f for f, _ in policy_problems(week_and_a_minute)] == ["warning.minimum_minutes"]
    huge = {**largest, "warning": {"minimum_minutes": 10**15}}
    with pytest.raises(PolicyError):
        SlaPolicy.from_dict(huge)


def test_a_deadline_beyond_representable_dates_is_a_deadline_error_not_an_overflow():
    start = ts(f"{MON}T10:00")
    for target in (Target(1e12, "hours"), Target(5000000, "calendar_days"), Target(100000, "calendar_months")):
        with pytest.raises(DeadlineError, match="beyond the dates"):
            target.due(start, CAL)


def test_policy_problems_catch_what_the_schema_allows():
    bad = {"targets": {"request": {"revisit": {"within": 1.5, "unit": "working_days"},
                                   "resolve": {"within": 2, "unit": "working_days", "business_hours": True}}}}
    fields = {f for f, _ in policy_problems(bad)}
    assert fields == {"targets.request.revisit.within", "targets.request.resolve.business_hours"}


def test_site_policy_changes_targets_without_code():
    custom = SlaPolicy.from_dict({"warning": {"ratio": 0.5, "minimum_minutes": 0}, "targets": {
        "request": {"resolve": {"within": 2, "unit": "hours", "business_hours": True}},
        "complaint": {"resolve": {"within": 10, "unit": "calendar_days"}}}})
    cal = BusinessCalendar.from_dict({"name": "x", "timezone": "Asia/Shanghai",
                                      "workweek": ["mon", "tue", "wed", "thu", "fri"], "hours": ["09:00-12:00"]})
    req = clocks_for_ticket(ticket("request", opened=f"{MON}T11:00"), custom, cal, ts(f"{MON}T11:30"))
    assert [(c.metric, c.due_at, c.state) for c in req] == [("resolve", ts("2026-11-03T10:00"), "running")]
    comp = clocks_for_ticket(ticket(opened="2026-11-04T10:00"), custom, cal, ts("2026-11-04T11:00"))
    assert comp[0].due_at == ts("2026-11-16T16:30")    # Nov 14 is a Saturday: rolled to Monday


# -- DST and non-working starts at the clock level -------------------------------------------------

BERLIN = BusinessCalendar.from_dict({"name": "de-test", "timezone": "Europe/Berlin",
                                     "workweek": ["mon", "tue", "wed", "thu", "fri"]})


def test_clocks_in_a_dst_calendar():
    spring = ticket(opened="2026-03-29T01:30:00+01:00")      # 30 minutes before clocks go forward
    clocks = {c.metric: c for c in clocks_for_ticket(spring, POLICY, BERLIN, ts("2026-03-29T04:00:00+02:00"))}
    assert clocks["first_contact"].due_at == ts("2026-03-29T05:30:00+02:00")   # 3 elapsed hours
    assert clocks["resolve"].due_at == ts("2026-04-01T16:30:00+02:00")         # Mon, Tue, Wed at the cut-off
    assert clocks["first_contact"].state == "running"


def test_complaint_accepted_on_saturday_evening_counts_from_monday():
    c = clock(ticket(opened="2026-11-07T20:00"), "resolve", "2026-11-07T21:00")
    assert c.due_at == ts("2026-11-11T16:30")
