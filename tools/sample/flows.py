"""Realistic life cycles per ticket kind, with on-time and late cases for every SLA metric.

Delays are drawn well inside or well outside each target (SPEC §3.3) so the
sample shows clear met and breached clocks; events that would happen after
the snapshot moment are cut off later, leaving running and at-risk clocks.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from . import catalogue as cat
from .clock import add_working_days, daytime_on, hours, in_open_hours, minutes, working_deadline
from .people import APPROVERS, CARE, SUPERVISORS, available
from .ticket import Tk

RESOLVE_DAYS = {"general": 3, "important": 7, "major": 15}
LATEST_UNTIL = datetime.fromisoformat("2026-11-22T16:30:00+08:00")


def _pick_available(rng, pool, moment):
    ok = [s for s in pool if available(s, moment)]
    return rng.choice(ok)


def _between(rng, lo: datetime, hi: datetime) -> datetime:
    span = max(0, int((hi - lo).total_seconds() // 60))
    return lo + timedelta(minutes=rng.randrange(span + 1))


def _late_working(rng, deadline: datetime, lo_days=1, hi_days=6) -> datetime:
    d = add_working_days(deadline.date(), rng.randint(lo_days, hi_days))
    return daytime_on(d, rng, (9, 0), (18, 0))


def maybe_note(rng, t: Tk, at: datetime, p=0.12):
    if rng.random() < p:
        t.ev(at, "note", by=t.cur_owner, note=rng.choice(cat.NOTES))


def revisit_cycle(rng, t: Tk, after: datetime, *, allow_reopen=True, can_false_reply=False) -> None:
    """Revisit after a resolve, then close, reopen or force-close."""
    who = _pick_available(rng, CARE, after)
    at = in_open_hours(after + hours(rng.uniform(1, 30)), rng)
    roll = rng.random()
    if can_false_reply and roll < 0.06:
        at = t.ev(at, "revisit", by=who, outcome="unsatisfied", false_reply=True,
                  note="服务商回复已处理，经核实问题仍存在")
        again = t.ev(at + minutes(rng.uniform(3, 20)), "reopen", by=t.cur_owner)
        reply = t.ev(in_open_hours(again + hours(rng.uniform(2, 30)), rng), "reply", by=t.cur_provider)
        res = t.ev(in_open_hours(reply + hours(rng.uniform(2, 40)), rng), "resolve", by=t.cur_owner)
        revisit_cycle(rng, t, res, allow_reopen=False)
        return
    if roll < 0.76:
        at = t.ev(at, "revisit", by=who, outcome="satisfied")
        t.ev(at + minutes(rng.uniform(1, 40)), "close", by=who)
    elif roll < 0.87:
        at = t.ev(at, "revisit", by=who, outcome="unsatisfied")
        if allow_reopen and rng.random() < 0.35:
            again = t.ev(at + minutes(rng.uniform(3, 30)), "reopen", by=t.cur_owner)
            res = t.ev(in_open_hours(again + hours(rng.uniform(4, 90)), rng), "resolve", by=t.cur_owner)
            revisit_cycle(rng, t, res, allow_reopen=False)
        else:
            boss = _pick_available(rng, APPROVERS, at)
            t.ev(at + hours(rng.uniform(2, 48)), "force_close", by=boss, reason=cat.FORCE_REASONS["demand"])
    else:
        at = t.ev(at, "revisit", by=who, outcome="unreachable")
        if rng.random() < 0.5:
            at = t.ev(in_open_hours(at + hours(rng.uniform(18, 30)), rng), "revisit", by=who,
                      outcome="satisfied")
            t.ev(at + minutes(rng.uniform(1, 20)), "close", by=who)
            return
        at = t.ev(in_open_hours(at + hours(rng.uniform(18, 30)), rng), "revisit", by=who, outcome="unreachable")
        if rng.random() < 0.6:
            boss = _pick_available(rng, APPROVERS, at)
            t.ev(at + hours(rng.uniform(1, 24)), "force_close", by=boss, reason=cat.FORCE_REASONS["unreachable"])
        else:
            t.ev(at + minutes(rng.uniform(5, 60)), "close", by=who, note="回访未接通，已短信告知处理结果")


def complaint(rng, t: Tk, others: list[str]) -> None:
    t0 = t.opened_at
    late_contact = rng.random() < 0.14
    c_at = in_open_hours(t0 + minutes(rng.uniform(200, 1400) if late_contact else rng.uniform(8, 150)), rng)
    if rng.random() < 0.16:
        c_at = t.ev(c_at, "contact", by=t.cur_owner, outcome="unreachable")
        if rng.random() < 0.8:
            t.ev(c_at + minutes(rng.uniform(2, 25)), "sms", by=t.cur_owner)
        c_at = t.ev(in_open_hours(c_at + hours(rng.uniform(2, 30)), rng), "contact", by=t.cur_owner,
                    outcome="reached")
    else:
        c_at = t.ev(c_at, "contact", by=t.cur_owner, outcome="reached")
    d_at = t.ev(in_open_hours(max(c_at, t0 + minutes(rng.uniform(5, 90))), rng), "dispatch", by=t.cur_owner)
    if rng.random() < 0.07 and others:
        lead = _pick_available(rng, SUPERVISORS[:1] + ["S-006"], d_at)
        t.transfer_provider(d_at + hours(rng.uniform(1, 6)), rng.choice(others), lead, note="非本部门职责，改派处理")
    if t.desk is None and rng.random() < 0.07:
        new = _pick_available(rng, [s for s in CARE if s != t.cur_owner], d_at)
        t.transfer_owner(d_at + hours(rng.uniform(2, 20)), new, "S-011" if available("S-011", d_at) else "S-006",
                         note="按区域调整负责人")
    reply_late = rng.random() < 0.18
    r_at = d_at + (hours(rng.uniform(26, 80)) if reply_late else hours(rng.uniform(1, 20)))
    r_at = t.ev(in_open_hours(r_at, rng), "reply", by=t.cur_provider)
    if rng.random() < 0.05:
        t.ev(in_open_hours(r_at + hours(rng.uniform(1, 30)), rng), "escalate", by=t.cur_owner,
             note=rng.choice(cat.ESCALATE_NOTES))
    maybe_note(rng, t, r_at + hours(rng.uniform(0.5, 6)))
    deadline = working_deadline(t0, RESOLVE_DAYS[t.derived if t.severity is None else t.severity])
    if rng.random() < 0.06:
        h_at = t.ev(t.last + hours(rng.uniform(1, 6)), "hold", by=t.cur_owner, note=rng.choice(cat.HOLD_NOTES))
        t.ev(in_open_hours(h_at + hours(rng.uniform(20, 90)), rng), "resume", by=t.cur_owner)
    if rng.random() < 0.06:
        sev = t.severity or t.derived
        until = working_deadline(t0, RESOLVE_DAYS[sev] + rng.randint(3, 6))
        if until <= LATEST_UNTIL and t.last < deadline - hours(2):
            e_at = t.ev(_between(rng, t.last, deadline - hours(2)), "extend", by=t.cur_owner,
                        until=until, approved_by=_pick_available(rng, APPROVERS, t.last),
                        reason=rng.choice(cat.EXTEND_REASONS))
            # most extended tickets then make the new date; some miss even that
            res = _late_working(rng, deadline, 1, 2) if rng.random() < 0.7 else _late_working(rng, until, 1, 3)
            res = t.ev(max(res, e_at + hours(2)), "resolve", by=t.cur_owner)
            revisit_cycle(rng, t, res, can_false_reply=True)
            return
    if rng.random() < 0.8 and t.last < deadline - hours(2):
        res = _between(rng, t.last + hours(1), deadline - hours(1))
        res = in_open_hours(res, rng)
    else:
        res = _late_working(rng, deadline)
        remind = deadline + hours(rng.uniform(1, 18))
        if remind < res:
            t.ev(remind, "reminder", by=_pick_available(rng, ["S-011", "S-006", "S-002"], remind),
                 note="催办：已超过处理时限，请尽快处理")
    res = t.ev(res, "resolve", by=t.cur_owner)
    revisit_cycle(rng, t, res, can_false_reply=True)


def request(rng, t: Tk) -> None:
    t0 = t.opened_at
    d_at = t0 + (minutes(rng.uniform(70, 300)) if rng.random() < 0.15 else minutes(rng.uniform(5, 55)))
    d_at = t.ev(in_open_hours(d_at, rng), "dispatch", by=t.cur_owner)
    if rng.random() < 0.05:
        h_at = t.ev(d_at + minutes(rng.uniform(10, 60)), "hold", by=t.cur_owner, note="等待商户补充资料")
        t.ev(in_open_hours(h_at + hours(rng.uniform(1, 30)), rng), "resume", by=t.cur_owner)
    due = t0 + hours(3)
    if rng.random() < 0.05 and t.last < due - minutes(30):
        until = t0 + hours(rng.uniform(20, 50))
        if until <= LATEST_UNTIL:
            until = until.replace(second=0, microsecond=0)
            e_at = t.ev(_between(rng, t.last, due - minutes(20)), "extend", by=t.cur_owner, until=until,
                        approved_by=_pick_available(rng, APPROVERS, t.last), reason="需协调商户配合")
            res = _between(rng, due + hours(1), until - hours(1)) if rng.random() < 0.7 \
                else until + hours(rng.uniform(2, 30))
            res = t.ev(max(res, e_at + minutes(30)), "resolve", by=t.cur_owner)
            _request_revisit(rng, t, res)
            return
    if rng.random() < 0.82:
        res = max(t.last + minutes(10), t0 + minutes(rng.uniform(40, 165)))
    else:
        res = t0 + minutes(rng.uniform(200, 2400))
    res = t.ev(in_open_hours(res, rng), "resolve", by=t.cur_owner)
    _request_revisit(rng, t, res)


def _request_revisit(rng, t: Tk, res: datetime, again=True) -> None:
    who = _pick_available(rng, CARE, res)
    cutoff = working_deadline(res, 1)
    if rng.random() < 0.85:
        at = in_open_hours(_between(rng, res + minutes(30), cutoff - minutes(40)), rng)
    else:
        at = working_deadline(res, rng.randint(2, 4)) - hours(rng.uniform(1, 6))
    roll = rng.random()
    if roll < 0.04 and again:
        at = t.ev(at, "revisit", by=who, outcome="unsatisfied")
        again_at = t.ev(at + minutes(rng.uniform(5, 30)), "reopen", by=t.cur_owner)
        res2 = t.ev(in_open_hours(again_at + hours(rng.uniform(1, 20)), rng), "resolve", by=t.cur_owner)
        _request_revisit(rng, t, res2, again=False)
        return
    outcome = "unreachable" if roll > 0.95 else "satisfied"
    at = t.ev(at, "revisit", by=who, outcome=outcome)
    t.ev(at + minutes(rng.uniform(1, 30)), "close", by=who)


def repair(rng, t: Tk) -> None:
    t0 = t.opened_at
    d_at = t.ev(in_open_hours(t0 + minutes(rng.uniform(5, 60)), rng), "dispatch", by=t.cur_owner)
    deadline = working_deadline(d_at, 3)
    if rng.random() < 0.85:
        r_at = in_open_hours(d_at + hours(rng.uniform(1, 40)), rng)
    else:
        r_at = _late_working(rng, deadline, 1, 3)
        remind = deadline + hours(rng.uniform(1, 10))
        if remind < r_at:
            t.ev(remind, "reminder", by=_pick_available(rng, ["S-012", "S-013", "S-007"], remind),
                 note="催办：维修超过3个工作日未回复")
    r_at = t.ev(r_at, "reply", by=t.cur_provider)
    maybe_note(rng, t, r_at + hours(rng.uniform(0.2, 3)), 0.08)
    res = t.ev(in_open_hours(r_at + hours(rng.uniform(0.5, 24)), rng), "resolve", by=t.cur_owner)
    if rng.random() < 0.5:
        who = _pick_available(rng, CARE, res)
        at = in_open_hours(res + hours(rng.uniform(2, 48)), rng)
        if rng.random() < 0.05:
            at = t.ev(at, "revisit", by=who, outcome="unsatisfied")
            again = t.ev(at + minutes(rng.uniform(5, 60)), "reopen", by=t.cur_owner)
            r2 = t.ev(in_open_hours(again + hours(rng.uniform(2, 30)), rng), "reply", by=t.cur_provider)
            res = t.ev(in_open_hours(r2 + hours(rng.uniform(1, 20)), rng), "resolve", by=t.cur_owner)
            at = in_open_hours(res + hours(rng.uniform(2, 30)), rng)
        at = t.ev(at, "revisit", by=who, outcome="satisfied")
        t.ev(at + minutes(rng.uniform(1, 30)), "close", by=who)
    else:
        t.ev(res + minutes(rng.uniform(10, 180)), "close", by=t.cur_owner)


def inquiry(rng, t: Tk) -> None:
    t0 = t.opened_at
    if t.desk is None or rng.random() < 0.5:
        t.ev(in_open_hours(t0 + minutes(rng.uniform(3, 60)), rng), "contact", by=t.cur_owner, outcome="reached")
    span = rng.uniform(10, 40 * 60) if t.desk else rng.uniform(10, 24 * 60)
    res = t.ev(in_open_hours(t0 + minutes(span), rng), "resolve", by=t.cur_owner)
    t.ev(res + minutes(rng.uniform(0, 30)), "close", by=t.cur_owner)


FEEDBACK_HOURS = {"A": 4, "B": 8}


def quality(rng, t: Tk) -> None:
    t0 = t.opened_at
    t.ev(t0 + minutes(rng.uniform(5, 30)), "dispatch", by=t.cur_owner)
    target = FEEDBACK_HOURS.get(t.quality_class)
    if target is None:
        r_at = t0 + hours(rng.uniform(2, 72))
    elif rng.random() < 0.8:
        r_at = t0 + hours(rng.uniform(0.5, 0.75 * target))
    else:
        r_at = t0 + hours(rng.uniform(1.4 * target, 4 * target))
    r_at = t.ev(r_at.replace(second=0, microsecond=0), "reply", by=t.cur_provider)
    res = t.ev(in_open_hours(r_at + hours(rng.uniform(2, 100)), rng), "resolve", by=t.cur_owner)
    t.ev(res + minutes(rng.uniform(10, 600)), "close", by=t.cur_owner)


FLOWS = {"request": request, "repair": repair, "inquiry": inquiry, "quality": quality}


def run_flow(rng, t: Tk, others: list[str]) -> None:
    if t.kind == "complaint":
        complaint(rng, t, others)
    else:
        FLOWS[t.kind](rng, t)

