"""Settled clocks (SPEC 3.3): once every clock of a ticket has stopped and the
ticket's last event has happened, no later as_of changes any clock, so the
clocks can be kept instead of evaluated again."""
from datetime import timedelta

from hypothesis import given, settings, strategies as st

from cxctl.model import Event, Impact
from cxctl.sla import clocks_for_ticket, settled_since
from cxctl.sla_policy import SlaPolicy
from tests.test_sla import CAL, LATER, MON, POLICY, ev, ticket, ts

OPENED = ts(f"{MON}T10:00")


def rows(t, as_of, policy=POLICY):
    return [c.to_dict() for c in clocks_for_ticket(t, policy, CAL, as_of)]


def settled(t, as_of, policy=POLICY):
    return settled_since(t, clocks_for_ticket(t, policy, CAL, as_of), as_of=as_of)


# -- the property, over random event sequences -------------------------------------------------

EVENT_KINDS = [("contact", "reached"), ("contact", "unreachable"), ("sms", None), ("dispatch", None),
               ("reply", None), ("resolve", None), ("revisit", "satisfied"), ("close", None),
               ("force_close", None), ("reopen", None), ("hold", None), ("resume", None),
               ("extend", None), ("note", None)]
# Every stopping event in turn, so that many generated tickets end settled.
FULL_LIFECYCLE = [("contact", "reached"), ("dispatch", None), ("reply", None), ("resolve", None),
                  ("revisit", "satisfied"), ("close", None)]
MINUTES = st.integers(min_value=0, max_value=60 * 24 * 40)


@st.composite
def tickets(draw):
    kind = draw(st.sampled_from(["request", "complaint", "repair", "inquiry", "quality"]))
    steps = draw(st.lists(st.tuples(st.sampled_from(EVENT_KINDS), MINUTES), max_size=10))
    if draw(st.booleans()):
        start = max((m for _, m in steps), default=0)
        gaps = draw(st.lists(st.integers(0, 60 * 30), min_size=len(FULL_LIFECYCLE),
                             max_size=len(FULL_LIFECYCLE)))
        for step, gap in zip(FULL_LIFECYCLE, gaps):
            start += gap
            steps.append((step, start))
    events = []
    for (type_, outcome), minute in steps:
        at = OPENED + timedelta(minutes=minute)
        until = at + timedelta(days=draw(st.integers(0, 20))) if type_ == "extend" else None
        events.append(Event(at=at, type=type_, outcome=outcome, until=until,
                            approved_by="S-03" if until else None))
    return ticket(kind, events=events, quality_class=draw(st.sampled_from(["A", "B", "C"])),
                  impact=Impact(households=draw(st.sampled_from([0, 5]))))


@settings(max_examples=400, deadline=None)
@given(tickets(), st.integers(-60, 60 * 24 * 120), st.integers(0, 60 * 24 * 800))
def test_settled_clocks_never_change_at_any_later_as_of(t, a_minutes, later_minutes):
    a = OPENED + timedelta(minutes=a_minutes)
    b = a + timedelta(minutes=later_minutes)
    at_a = clocks_for_ticket(t, POLICY, CAL, a)
    since = settled_since(t, at_a)
    if since is not None and since <= a:
        assert [c.to_dict() for c in at_a] == rows(t, b)
        assert rows(t, since) == rows(t, b)
    # Given the as_of, the precondition is checked rather than assumed.
    assert settled_since(t, at_a, as_of=a) == (since if since is not None and since <= a else None)


@settings(max_examples=200, deadline=None)
@given(tickets())
def test_a_full_lifecycle_settles_at_its_last_event(t):
    # The property above is not vacuous: far enough after the last event, a ticket
    # whose every clock stopped is settled, at exactly that event.
    last = max([e.at for e in t.events] + [t.opened_at])
    clocks = clocks_for_ticket(t, POLICY, CAL, ts(LATER))
    expected = last if all(c.done_at is not None for c in clocks) else None
    assert settled_since(t, clocks) == expected


# -- hand cases --------------------------------------------------------------------------------

CLOSED_COMPLAINT = [ev(f"{MON}T10:30", "contact", outcome="reached"), ev(f"{MON}T11:00", "dispatch"),
                    ev("2026-11-03T09:00", "reply"), ev("2026-11-04T15:00", "resolve"),
                    ev("2026-11-04T16:00", "close")]


def test_closed_complaint_is_settled_at_its_close():
    t = ticket("complaint", events=CLOSED_COMPLAINT)
    assert settled(t, ts("2026-11-04T16:00")) == ts("2026-11-04T16:00")
    assert rows(t, ts("2026-11-04T16:00")) == rows(t, ts(LATER))


def test_closed_complaint_is_not_settled_before_its_last_event():
    # At 15:30 every clock but age has stopped; the close at 16:00 is still to come.
    t = ticket("complaint", events=CLOSED_COMPLAINT)
    assert settled(t, ts("2026-11-04T15:30")) is None
    # Evaluated after the close, but a note added later still has to happen.
    late_note = ticket("complaint", events=[*CLOSED_COMPLAINT, ev("2026-11-20T09:00", "note")])
    assert settled(late_note, ts("2026-11-10T09:00")) is None
    assert settled_since(late_note, clocks_for_ticket(late_note, POLICY, CAL, ts("2026-11-10T09:00"))) \
        == ts("2026-11-20T09:00")


def test_ticket_on_hold_is_not_settled():
    t = ticket("complaint", events=[*CLOSED_COMPLAINT[:3], ev("2026-11-03T10:00", "hold")])
    clocks = clocks_for_ticket(t, POLICY, CAL, ts("2026-11-10T10:00"))
    assert {c.metric: c.state for c in clocks}["resolve"] == "paused"
    assert settled_since(t, clocks) is None
    # ...and rightly so: its due keeps moving while it stays on hold.
    assert rows(t, ts("2026-11-10T10:00")) != rows(t, ts("2026-11-11T10:00"))


def test_resolved_request_awaiting_its_revisit_is_not_settled():
    t = ticket("request", events=[ev(f"{MON}T10:30", "dispatch"), ev(f"{MON}T12:00", "resolve"),
                                  ev(f"{MON}T12:30", "close")])
    clocks = clocks_for_ticket(t, POLICY, CAL, ts("2026-11-03T10:00"))
    assert [c.metric for c in clocks if c.done_at is None] == ["revisit"]
    assert settled_since(t, clocks) is None
    assert rows(t, ts("2026-11-03T10:00")) != rows(t, ts("2026-11-03T16:31"))   # running -> breached
    revisited = ticket("request", events=[*t.events, ev("2026-11-03T11:00", "revisit", outcome="satisfied")])
    assert settled(revisited, ts("2026-11-03T11:00")) == ts("2026-11-03T11:00")


def test_reopened_ticket_is_not_settled_until_closed_again():
    first = CLOSED_COMPLAINT
    reopened = ticket("complaint", events=[*first, ev("2026-11-05T09:00", "reopen")])
    assert settled(reopened, ts("2026-11-05T09:00")) is None       # resolve cycle 2 and age run
    # Between the close and the reopen the ticket looked settled, but the reopen is
    # a later event, so evaluating it then did not settle it.
    assert settled(reopened, ts("2026-11-04T18:00")) is None
    closed_again = ticket("complaint", events=[*reopened.events, ev("2026-11-06T10:00", "resolve"),
                                               ev("2026-11-06T11:00", "close")])
    assert settled(closed_again, ts("2026-11-06T11:00")) == ts("2026-11-06T11:00")
    assert [(c["metric"], c["cycle"]) for c in rows(closed_again, ts(LATER)) if c["metric"] == "resolve"] \
        == [("resolve", 1), ("resolve", 2)]


def test_a_ticket_without_clocks_is_settled_once_opened():
    # A policy with targets for requests only: an inquiry has no clocks at all.
    policy = SlaPolicy.from_dict({"targets": {"request": {"dispatch": {"within": 1, "unit": "hours"}}}})
    t = ticket("inquiry", events=[ev(f"{MON}T11:00", "note")])
    assert rows(t, ts(LATER), policy) == []
    assert settled(t, ts(f"{MON}T11:00"), policy) == ts(f"{MON}T11:00")
    assert settled(t, ts(f"{MON}T10:30"), policy) is None          # the note is still to come
    assert settled(ticket("inquiry"), OPENED, policy) == OPENED
    assert settled(ticket("inquiry"), OPENED - timedelta(minutes=1), policy) is None
