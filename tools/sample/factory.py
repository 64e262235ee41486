"""Everyday tickets drawn at random, and the clean-up every ticket goes through."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from . import catalogue as cat
from .clock import FIRST_DAY, LAST_DAY, SNAPSHOT, at, generated_id
from .flows import run_flow
from .people import (BY_ID, CARE, DESK, FLOOR, LEFT, MAJOR_OWNERS, PROVIDER_BY_ID, TRANSITION_AT,
                     TRANSITION_TO, available)
from .shifts import on_shift
from .ticket import SEVERITY_ORDER, Tk, derive_severity

KIND_MIX_DESK = (("complaint", "inquiry", "request", "repair"), (30, 32, 30, 8))
KIND_MIX = (("complaint", "request", "repair", "inquiry", "quality"), (30, 22, 28, 8, 12))
CHANNELS_DESK = (("walk_in", "visit", "phone"), (60, 15, 25))
CHANNELS_COMPLAINT = (("hotline", "web", "forum", "phone", "email", "letter", "visit", "walk_in"),
                      (30, 14, 10, 14, 10, 6, 8, 8))
CHANNELS_OTHER = (("hotline", "web", "phone", "email", "visit", "walk_in"), (30, 20, 25, 10, 10, 5))
CUSTOMER_MIX = {
    "complaint": {"end_customer": 40, "tenant": 40, "owner": 10, "dealer": 10},
    "request": {"tenant": 75, "owner": 15, "dealer": 10},
    "repair": {"tenant": 75, "owner": 15, "dealer": 10},
    "inquiry": {"end_customer": 30, "tenant": 30, "owner": 10, "dealer": 10, "prospect": 20},
    "quality": {"tenant": 60, "dealer": 40},
}
TRANSFER_TARGETS = ["P-01", "P-02", "P-03", "P-04", "P-07"]
DESK_SHARE = 0.25


class Registry:
    """Hands out unique ticket ids and remembers every ticket."""

    def __init__(self, rng):
        self.rng = rng
        self.tickets: list[Tk] = []
        self.ids: set[str] = set()

    def new_id(self, opened_at: datetime) -> str:
        while True:
            tid = generated_id("T", opened_at, self.rng, 4)
            if tid not in self.ids:
                self.ids.add(tid)
                return tid


def customer_for(rng, customers, kind: str, day: date):
    mix = CUSTOMER_MIX[kind]
    while True:
        group = rng.choices(list(mix), list(mix.values()))[0]
        pool = [c for c in customers
                if (c.status == "prospect" if group == "prospect" else c.kind == group and c.status != "prospect")
                and c.since <= day and (c.status != "churned" or day <= date(2026, 6, 30))]
        if pool:
            return rng.choice(pool)


def owner_for(rng, kind: str, severity: str | None, desk: str | None, moment: datetime) -> str:
    if desk:
        pool = [s for s in on_shift(desk, moment) if available(s, moment)]
        return rng.choice(pool or [s for s in DESK[desk] if available(s, moment)])
    if kind == "complaint":
        pool = MAJOR_OWNERS if severity == "major" else CARE + FLOOR
    elif kind == "inquiry":
        pool = CARE
    elif kind == "quality":
        pool = ["S-030", "S-012", "S-013", "S-011"]
    elif kind == "repair":
        pool = FLOOR + ["S-030", "S-030"]
    else:
        pool = FLOOR + CARE
    return rng.choice([s for s in pool if available(s, moment)])


def draw_impact(rng) -> dict:
    r = rng.random()
    households, comp, legal = 1, "0", False
    if r < 0.62:
        households = rng.choice([1, 1, 1, 2, 3, 4])
        comp = rng.choice(["0", "0", "0", "200", "800", "1500", "3000", "5000"])
    elif r < 0.71:
        legal = True
        comp = rng.choice(["0", "2000"])
    elif r < 0.83:
        households = rng.randint(5, 9)
    elif r < 0.90:
        comp = rng.choice(["6800", "12000", "23500", "49999.99"])
    elif r < 0.95:
        households = rng.randint(10, 30)
    else:
        comp = rng.choice(["50000", "68000", "120000"])
    return {"households": households, "compensation": comp, "legal_or_media": legal}


def written_severity(rng, derived: str) -> str | None:
    r = rng.random()
    if r < 0.45:
        return None
    if r < 0.9 or derived == "major":
        return derived
    return SEVERITY_ORDER[SEVERITY_ORDER.index(derived) + 1]


def new_ticket(reg: Registry, customers, *, kind, opened_at, desk=None, entry=None, channel=None,
               impact=None, severity="draw", owner=None, provider=None, quality_class=None, customer=None) -> Tk:
    rng = reg.rng
    summary, category, providers = entry or rng.choice(cat.BY_KIND[kind])
    provider = provider or rng.choice(providers)
    if opened_at >= TRANSITION_AT and provider == "P-08":
        provider = TRANSITION_TO
    if channel is None:
        mix = CHANNELS_DESK if desk else CHANNELS_COMPLAINT if kind == "complaint" else CHANNELS_OTHER
        channel = rng.choices(*mix)[0]
    derived = written = None
    if kind == "complaint":
        impact = impact or draw_impact(rng)
        derived = derive_severity(impact["households"], Decimal(impact["compensation"]), impact["legal_or_media"])
        written = written_severity(rng, derived) if severity == "draw" else severity
    if kind == "quality":
        quality_class = quality_class or rng.choices("ABC", (35, 40, 25))[0]
    cust = customer or customer_for(rng, customers, kind, opened_at.date())
    owner = owner or owner_for(rng, kind, written or derived, desk, opened_at)
    t = Tk(reg.new_id(opened_at), cust.id, kind, channel, category, provider, owner, summary, opened_at,
           desk=desk, severity=written, derived=derived, quality_class=quality_class, impact=impact)
    reg.tickets.append(t)
    return t


def everyday_tickets(reg: Registry, customers, count: int) -> None:
    rng = reg.rng
    days = (LAST_DAY - FIRST_DAY).days + 1
    for _ in range(count):
        day = FIRST_DAY + timedelta(days=rng.randrange(days))
        latest = 16 * 60 + 30 if day == LAST_DAY else 21 * 60 + 30
        m = rng.randrange(9 * 60, latest)
        opened_at = at(day, m // 60, m % 60)
        desk = (rng.choice(["main", "main", "north"])) if rng.random() < DESK_SHARE else None
        kind = rng.choices(*(KIND_MIX_DESK if desk else KIND_MIX))[0]
        t = new_ticket(reg, customers, kind=kind, opened_at=opened_at, desk=desk)
        others = [p for p in TRANSFER_TARGETS if p != t.provider]
        run_flow(rng, t, others)


# -- clean-up: what a real desk's history would look like at the snapshot -------------

def _insert(t: Tk, event: dict) -> None:
    i = next((k for k, e in enumerate(t.events) if e["at"] > event["at"]), len(t.events))
    t.events.insert(i, event)


def _hand_over(t: Tk, moment: datetime, prefix: str, old: str, new: str, by: str, note: str) -> None:
    if t.opened_at >= moment or not t.is_open_at(moment) or t.holder_at(moment, prefix) != old:
        return
    _insert(t, {"at": moment, "type": "transfer", "by": by, "from": old, "to": new, "note": note})
    for e in t.events:
        if e["at"] > moment:
            for key in ("by", "approved_by"):
                if e.get(key) == old:
                    e[key] = new


def _chain_transfers(t: Tk) -> None:
    """Each transfer hands over from whoever held the ticket at that moment."""
    holders = {"S-": t.owner, "P-": t.provider}
    kept = []
    for e in t.events:
        if e["type"] == "transfer":
            prefix = e["to"][:2]
            e["from"] = holders[prefix]
            if e["from"] == e["to"]:
                continue
            holders[prefix] = e["to"]
        kept.append(e)
    t.events = kept


def finish(tickets: list[Tk]) -> None:
    for t in tickets:
        t.events = [e for e in t.events if e["at"] <= SNAPSHOT]
        for p in LEFT:
            _hand_over(t, p.left_at, "S-", p.id, p.successor, "S-003" if p.team == "desk" else "S-002",
                       "员工离职，工单移交")
            for e in t.events:               # nobody acts for a person after they left
                for key in ("by", "approved_by"):
                    if e.get(key) == p.id and e["at"] >= p.left_at:
                        e[key] = p.successor
        _hand_over(t, TRANSITION_AT, "P-", "P-08", TRANSITION_TO, "S-007", "暖通维保合同过渡，未完结工单移交工程维修部")
        for e in t.events:
            if e.get("by") == "P-08" and e["at"] >= TRANSITION_AT:
                e["by"] = TRANSITION_TO
        _chain_transfers(t)
    for t in tickets:                         # the rules SPEC §1.2 and §3.7 hold for every ticket
        assert all(a["at"] <= b["at"] for a, b in zip(t.events, t.events[1:])), t.id
        assert all(e["at"] >= t.opened_at for e in t.events), t.id
        if t.status_at() not in ("closed", "force_closed"):
            assert BY_ID[t.holder_at(None, "S-")].active, t.id
            assert PROVIDER_BY_ID[t.holder_at(None, "P-")].status == "active", t.id
