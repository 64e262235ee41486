"""Customers (tenants, owners, dealers, members), their January 2026 tiers and surveys."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import names
from .clock import at, generated_id, random_part
from .people import ACCOUNT_JUNIOR, ACCOUNT_SENIOR, BY_ID, STAFF, available
from .yamlout import Flow, Quoted

CRITERIA = ("asset_scale", "business_scale", "brand_strength", "cooperation")
WEIGHTS = {"asset_scale": 30, "business_scale": 30, "brand_strength": 20, "cooperation": 20}
SPLIT = (0.15, 0.65, 0.20)
JANUARY_PERIOD = "2026-01"
OVERRIDE_BY = "S-001"
OVERRIDE_REASON = "集团战略合作主力店，经总经理办公会批准保留一级"
LEVELS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")

LOG_SUMMARIES = {
    "visit": ["季度走访，了解经营情况及物业服务意见", "上门沟通租约续签事宜", "走访店铺，听取装修改造计划",
              "节前安全检查并走访店长", "拜访总经理，沟通年度合作计划"],
    "phone": ["电话回访近期报修处理满意度", "电话沟通促销活动排期", "电话告知停车场改造安排",
              "电话确认物业费账单", "电话了解客流下滑原因"],
    "email": ["邮件发送年度客户满意度调查", "邮件确认广告位合作方案", "邮件通知消防演练安排"],
}


@dataclass
class Cust:
    id: str
    name: str
    kind: str
    status: str
    since: date
    rating: dict
    owner: str = ""
    mail: str | None = None           # e-mail local part of a private customer
    contacts: list = field(default_factory=list)
    ratio: str | None = None
    tier: dict | None = None
    level: int | None = None          # January level incl. override, or predicted July level
    contact_log: list = field(default_factory=list)
    documents: list = field(default_factory=list)

    @property
    def person(self) -> bool:
        return self.kind in ("owner", "end_customer")

    def score(self) -> float | None:
        if any(c not in self.rating for c in CRITERIA):
            return None
        return sum(WEIGHTS[c] * self.rating[c] for c in CRITERIA) / 5

    def record(self) -> dict:
        rec = {"id": self.id, "name": self.name, "kind": self.kind, "status": self.status,
               "owner": self.owner, "since": self.since, "contacts": self.contacts}
        if self.ratio is not None:
            rec["over_acceptance_ratio"] = Quoted(self.ratio)
        if self.rating:
            rec["rating"] = dict(self.rating)
        if self.tier:
            rec["tier"] = self.tier
        if self.contact_log:
            rec["contact_log"] = self.contact_log
        if self.documents:
            rec["documents"] = self.documents
        return rec


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def january_levels(custs: list[Cust]) -> dict[str, int]:
    """SPEC §3.1 split on scores alone: round-half-up counts, ties take the better tier."""
    ranked = sorted(custs, key=lambda c: (-c.score(), c.id))
    n = len(ranked)
    n1, n3 = _half_up(SPLIT[0] * n), _half_up(SPLIT[2] * n)
    by_position = {c.id: 1 if i < n1 else 2 if i < n - n3 else 3 for i, c in enumerate(ranked)}
    best_for_score: dict[float, int] = {}
    for c in ranked:
        best_for_score[c.score()] = min(best_for_score.get(c.score(), 3), by_position[c.id])
    return {c.id: best_for_score[c.score()] for c in ranked}


def vip_split(tier1: list[Cust]) -> set[str]:
    ordered = sorted(tier1, key=lambda c: (-(c.rating["asset_scale"] + c.rating["business_scale"]),
                                           -c.score(), c.id))
    return {c.id for c in ordered[: math.ceil(len(ordered) / 2)]}


def _rating(rng, kind) -> dict:
    bias = {"tenant": 0, "dealer": 0, "owner": -1, "end_customer": -2}[kind]
    pick = lambda b: max(1, min(5, rng.choice([1, 2, 3, 3, 4, 4, 5]) + b))     # noqa: E731
    return {"asset_scale": pick(bias), "business_scale": pick(bias),
            "brand_strength": pick(bias + (1 if kind == "tenant" else 0)), "cooperation": pick(1)}


def _since(rng, band: str) -> date:
    if band == "old":
        return date(2019, 1, 1) + timedelta(days=rng.randrange(7 * 365 - 10))   # 2019..2025
    if band == "h1":
        return date(2026, 1, 5) + timedelta(days=rng.randrange(170))              # Jan-Jun 2026
    return date(2026, 7, 1) + timedelta(days=rng.randrange(120))                  # Jul-Oct 2026


def make_customers(rng) -> list[Cust]:
    book = names.NameBook(rng)
    book.used.update(p.name for p in STAFF)          # no customer shares a name with the staff
    plan = [("tenant", 42), ("owner", 12), ("dealer", 10), ("end_customer", 20)]
    custs: list[Cust] = []
    used_ids: set[str] = set()
    for kind, count in plan:
        for i in range(count):
            cid, mail = "", None
            while not cid or cid in used_ids:
                cid = "C-" + random_part(rng, 6)
            used_ids.add(cid)
            if kind == "tenant":
                name = book.company(names.TENANT_TRADES)
            elif kind == "dealer":
                name = book.company(names.DEALER_TRADES)
            else:
                name, mail = book.person()
            # statuses and relationship start bands, fixed per position for a stable mix
            status, band = "active", "old"
            if i in (3, 17) and kind in ("tenant", "dealer", "end_customer"):
                status = "churned"
            elif i == 5 and kind != "owner" or (kind == "tenant" and i == 30):
                status, band = "prospect", "late"
            elif i % 7 == 6:
                band = "h1"
            elif i % 11 == 9:
                band = "late"
            since = _since(rng, band)
            if status == "churned":
                since = date(2019, 3, 1) + timedelta(days=rng.randrange(4 * 365))
            rating = {} if status == "prospect" else _rating(rng, kind)
            custs.append(Cust(cid, name, kind, status, since, rating, mail=mail))
    # two January-eligible active customers with one rating input not yet collected
    eligible = [c for c in custs if c.status == "active" and c.since.year <= 2025]
    for c, missing in zip((eligible[8], eligible[40]), ("brand_strength", "cooperation")):
        del c.rating[missing]
    dealers = [c for c in custs if c.kind == "dealer" and c.status == "active" and c.since.year <= 2025]
    dealers[0].ratio, dealers[1].ratio = "0.03", "0.02"
    _tier(custs)
    for c in custs:
        _contacts(rng, book, c)
        _documents(rng, c)
    _owners(rng, custs)
    for c in custs:
        _contact_log(rng, c)
    mark_coverage_gaps(custs)
    return custs


def _tier(custs: list[Cust]) -> None:
    eligible = [c for c in custs if c.status == "active" and c.since.year <= 2025 and c.score() is not None]
    levels = january_levels(eligible)
    # the override: the best-scored tier-2 tenant is kept at tier 1 by decision
    override = max((c for c in eligible if levels[c.id] == 2 and c.kind == "tenant"),
                   key=lambda c: (c.score(), c.id))
    final = dict(levels)
    final[override.id] = 1
    vips = vip_split([c for c in eligible if final[c.id] == 1])
    for c in eligible:
        c.level = final[c.id]
        tier = {"level": final[c.id]}
        if final[c.id] == 1:
            tier["class"] = "vip" if c.id in vips else "ordinary"
        tier["period"] = JANUARY_PERIOD
        tier["score"] = c.score()
        if c is override:
            tier["override"] = Flow(level=1, reason=OVERRIDE_REASON, by=OVERRIDE_BY)
        c.tier = tier
    # July candidates: placed by January's score boundaries, so their owners can match already
    cut1 = min(c.score() for c in eligible if levels[c.id] == 1)
    cut2 = min(c.score() for c in eligible if levels[c.id] == 2)
    for c in custs:
        if c.status == "active" and date(2026, 1, 1) <= c.since <= date(2026, 6, 30) and c.score() is not None:
            c.level = 1 if c.score() >= cut1 else 2 if c.score() >= cut2 else 3


def _owners(rng, custs: list[Cust]) -> None:
    senior_cycle = [s for s in ACCOUNT_SENIOR if BY_ID[s].active]
    for i, c in enumerate(custs):
        if c.level == 1:
            c.owner = senior_cycle[i % len(senior_cycle)]
        elif c.kind == "tenant":
            c.owner = rng.choice(["S-026", "S-027", "S-012", "S-013", "S-022"])
        else:
            c.owner = rng.choice(ACCOUNT_JUNIOR)
    # the one deliberate rank violation: an ordinary tier-1 tenant looked after by a supervisor
    tier1 = [c for c in custs if c.tier and c.tier["level"] == 1 and c.tier.get("class") == "ordinary"
             and "override" not in c.tier]
    tier1[0].owner = "S-012"


def _contacts(rng, book, c: Cust) -> None:
    def one(name, mail, role, with_id):
        d = {"name": name, "phone": Quoted(names.phone(rng))}
        if mail:
            d["email"] = f"{mail}@{rng.choice(names.DOMAINS)}"
        d["role"] = role
        if with_id:
            d["id_number"] = Quoted(names.id_number(rng))
        return Flow(d)

    if c.person:
        c.contacts = [one(c.name, c.mail if rng.random() < 0.6 else None, "本人", True)]
        return
    n = 1 if rng.random() < 0.5 else 2
    for k in range(n):
        person, mail = book.person()
        role = names.ROLES_COMPANY[(k * 2 + rng.randrange(3)) % len(names.ROLES_COMPANY)]
        c.contacts.append(one(person, mail, role, rng.random() < 0.5))


def _documents(rng, c: Cust) -> None:
    kinds = {"tenant": ["lease_contract", "business_license"], "owner": ["property_certificate", "id_copy"],
             "dealer": ["dealer_agreement", "business_license"], "end_customer": ["membership_form"]}[c.kind]
    if c.status == "prospect":
        kinds = kinds[1:] or kinds
    for k in kinds:
        signed = c.since - timedelta(days=rng.randrange(3, 25))
        c.documents.append(Flow(type=k, ref=Quoted(f"archive/{signed.year}/{c.id}/{k}.pdf"), date=signed))


# active customers nobody contacted in 2026 (a coverage gap the KPI shows)
NO_CONTACT_2026 = 6


def _contact_log(rng, c: Cust) -> None:
    if c.status == "prospect":
        return
    entries = []
    years = [2025, 2026] if c.status == "active" else [2025]
    for year in years:
        if c.since.year > year:
            continue
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            start = max(date(year, 1, 5), c.since + timedelta(days=2))
            end = date(year, 12, 20) if year == 2025 else date(2026, 11, 18)
            if start >= end:
                continue
            day = start + timedelta(days=rng.randrange((end - start).days))
            moment = at(day, rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 15, 30, 45]))
            by = c.owner
            previous = "S-008" if c.owner == "S-006" and c.level == 1 else None
            if previous and available(previous, moment):
                by = previous
            channel = rng.choice(["visit", "visit", "phone", "phone", "email"])
            entries.append(Flow(at=moment, by=by, channel=channel, summary=rng.choice(LOG_SUMMARIES[channel])))
    c.contact_log = sorted(entries, key=lambda e: e["at"])


def mark_coverage_gaps(custs: list[Cust]) -> None:
    """Drop the 2026 contacts of a few active customers."""
    active = [c for c in custs if c.status == "active" and c.since.year <= 2025 and c.contact_log]
    for c in active[5::9][:NO_CONTACT_2026]:
        c.contact_log = [e for e in c.contact_log if e["at"].year != 2026]


def make_surveys(rng, custs: list[Cust]) -> list[dict]:
    surveys, taken = [], set()
    pool = [c for c in custs if c.status in ("active", "churned")]
    for year, count in ((2025, 30), (2026, 42)):
        for _ in range(count):
            c = rng.choice([c for c in pool if c.since < date(year, 10, 1)
                            and (year == 2025 or c.status == "active")])
            lo = max(date(year, 3, 1), c.since + timedelta(days=20))
            hi = date(year, 12, 15) if year == 2025 else date(2026, 11, 15)
            day = lo + timedelta(days=rng.randrange(max(1, (hi - lo).days)))
            moment = at(day, 10)
            by = c.owner if available(c.owner, moment) else "S-011"
            if c.owner == "S-006" and available("S-008", moment) and rng.random() < 0.5:
                by = "S-008"
            mood = rng.random()
            weights = [0.35, 0.4, 0.17, 0.06, 0.02] if mood > 0.15 else [0.05, 0.25, 0.35, 0.25, 0.10]
            answers = Flow({item: rng.choices(LEVELS, weights)[0]
                            for item in ("price", "quality", "delivery", "service")})
            sid = generated_id("V", moment, rng, 4)
            while sid in taken:
                sid = generated_id("V", moment, rng, 4)
            taken.add(sid)
            surveys.append({"id": sid, "customer": c.id, "date": day,
                            "by": by, "answers": answers})
    return surveys
