"""Plain model objects built from schema-valid records.

The store validates each file against its schema first, so the constructors
here can trust types and required keys.  Timestamps are aware datetimes,
dates are ``date``, money and cash are ``Decimal``.  Nothing here reads files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

# Event types that change a ticket's status, and the status each one leads to.
STATUS_AFTER_EVENT = {
    "resolve": "resolved",
    "close": "closed",
    "force_close": "force_closed",
    "reopen": "open",
}
CLOSED_STATUSES = frozenset({"closed", "force_closed"})
RANKS = ("staff", "supervisor", "deputy_manager", "manager", "director")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


_fromiso = datetime.fromisoformat


def parse_date(value: str) -> date:
    return date.fromisoformat(value)


def parse_amount(value: Any) -> Decimal | int:
    """Counts are whole numbers; cash is a decimal string."""
    if isinstance(value, str):
        return Decimal(value)
    return value


def parse_time_of_day(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@dataclass(slots=True)
class Event:
    at: datetime
    type: str
    by: str | None = None
    outcome: str | None = None
    reason: str | None = None
    note: str | None = None
    until: datetime | None = None
    approved_by: str | None = None
    from_: str | None = None
    to: str | None = None
    false_reply: bool = False

    @classmethod
    def from_dict(cls, d: dict) -> Event:
        # Positional, in field order: 200 000 tickets make a million events.
        get = d.get
        until = get("until")
        return cls(_fromiso(d["at"]), d["type"], get("by"), get("outcome"), get("reason"),
                   get("note"), _fromiso(until) if until else None, get("approved_by"),
                   get("from"), get("to"), bool(get("false_reply", False)))


@dataclass(slots=True)
class Impact:
    households: int = 0
    compensation: Decimal = Decimal("0")
    legal_or_media: bool = False


@dataclass(slots=True)
class Return:
    approved_qty: int
    returned_qty: int
    tolerance: Decimal | None = None


@dataclass(slots=True)
class Ticket:
    id: str
    customer: str
    kind: str
    channel: str
    opened_at: datetime
    status: str
    summary: str = ""
    category: str | None = None
    severity: str | None = None          # as written in the file; None = derive
    quality_class: str | None = None
    impact: Impact = field(default_factory=Impact)
    return_: Return | None = None
    provider: str | None = None
    owner: str | None = None
    events: list[Event] = field(default_factory=list)
    path: str | None = None              # relative to the records root

    @classmethod
    def from_dict(cls, d: dict, path: str | None = None) -> Ticket:
        imp = d.get("impact") or {}
        ret = d.get("return")
        return cls(
            id=d["id"],
            customer=d["customer"],
            kind=d["kind"],
            channel=d["channel"],
            opened_at=parse_ts(d["opened_at"]),
            status=d["status"],
            summary=d.get("summary", ""),
            category=d.get("category"),
            severity=d.get("severity"),
            quality_class=d.get("quality_class"),
            impact=Impact(
                households=imp.get("households", 0),
                compensation=Decimal(imp.get("compensation", "0")),
                legal_or_media=imp.get("legal_or_media", False),
            ),
            return_=Return(
                approved_qty=ret["approved_qty"],
                returned_qty=ret["returned_qty"],
                tolerance=Decimal(ret["tolerance"]) if ret.get("tolerance") is not None else None,
            ) if ret else None,
            provider=d.get("provider"),
            owner=d.get("owner"),
            events=[Event.from_dict(e) for e in d.get("events", ())],
            path=path,
        )

    def events_until(self, moment: datetime | None) -> list[Event]:
        """Events that had happened by ``moment`` (all of them if None)."""
        if moment is None:
            return self.events
        return [e for e in self.events if e.at <= moment]

    def status_at(self, moment: datetime | None) -> str:
        """The status implied by the events up to ``moment``."""
        status = "open"
        for e in self.events_until(moment):
            status = STATUS_AFTER_EVENT.get(e.type, status)
        return status

    def is_open_at(self, moment: datetime | None) -> bool:
        return self.opened_at <= moment and self.status_at(moment) not in CLOSED_STATUSES \
            if moment is not None else self.status not in CLOSED_STATUSES

    def accepting_provider(self) -> str | None:
        """The provider that accepted the ticket: the ``from`` of the first
        provider transfer, else the current provider (SPEC 1.2)."""
        for e in self.events:
            if e.type == "transfer" and e.from_ and e.from_.startswith("P-"):
                return e.from_
        return self.provider


@dataclass(slots=True)
class Contact:
    name: str
    phone: str | None = None
    email: str | None = None
    role: str | None = None
    id_number: str | None = None


@dataclass(slots=True)
class TierOverride:
    level: int
    reason: str
    by: str
    until: str | None = None


@dataclass(slots=True)
class Tier:
    level: int
    period: str
    class_: str | None = None
    score: float | None = None
    override: TierOverride | None = None


@dataclass(slots=True)
class ContactLogEntry:
    at: datetime
    by: str
    channel: str
    summary: str = ""


@dataclass(slots=True)
class Customer:
    id: str
    name: str
    kind: str
    status: str
    owner: str | None = None
    since: date | None = None
    contacts: list[Contact] = field(default_factory=list)
    over_acceptance_ratio: Decimal | None = None
    rating: dict[str, int] = field(default_factory=dict)
    tier: Tier | None = None
    contact_log: list[ContactLogEntry] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    path: str | None = None

    @classmethod
    def from_dict(cls, d: dict, path: str | None = None) -> Customer:
        t = d.get("tier")
        ov = t.get("override") if t else None
        return cls(
            id=d["id"],
            name=d["name"],
            kind=d["kind"],
            status=d["status"],
            owner=d.get("owner"),
            since=parse_date(d["since"]) if d.get("since") else None,
            contacts=[Contact(**c) for c in d.get("contacts", ())],
            over_acceptance_ratio=Decimal(d["over_acceptance_ratio"])
            if d.get("over_acceptance_ratio") is not None else None,
            rating=dict(d.get("rating") or {}),
            tier=Tier(
                level=t["level"],
                period=t["period"],
                class_=t.get("class"),
                score=t.get("score"),
                override=TierOverride(**ov) if ov else None,
            ) if t else None,
            contact_log=[
                ContactLogEntry(at=parse_ts(c["at"]), by=c["by"], channel=c["channel"],
                                summary=c.get("summary", ""))
                for c in d.get("contact_log", ())
            ],
            documents=list(d.get("documents", ())),
            path=path,
        )


@dataclass(slots=True)
class ItemCount:
    outgoing: Decimal | int
    incoming: Decimal | int


@dataclass(slots=True)
class Movement:
    item: str
    qty: Decimal | int
    at: datetime
    note: str = ""


@dataclass(slots=True)
class Loan:
    item: str
    qty: int
    borrower: str
    due: date
    phone: str | None = None


@dataclass(slots=True)
class Signature:
    by: str
    at: datetime


@dataclass(slots=True)
class Handover:
    desk: str
    date: date
    shift: str
    handed_over_at: datetime
    outgoing: list[str]
    incoming: list[str]
    counts: dict[str, ItemCount] = field(default_factory=dict)
    movements: list[Movement] = field(default_factory=list)
    loans: list[Loan] = field(default_factory=list)
    open_matters: list[dict] = field(default_factory=list)     # {ticket, note}
    signatures: dict[str, Signature] = field(default_factory=dict)  # outgoing / incoming
    closing: dict | None = None
    path: str | None = None

    @property
    def stem(self) -> str:
        return f"{self.date.isoformat()}-{self.desk}-{self.shift}"

    @classmethod
    def from_dict(cls, d: dict, path: str | None = None) -> Handover:
        sigs = d.get("signatures") or {}
        return cls(
            desk=d["desk"],
            date=parse_date(d["date"]),
            shift=d["shift"],
            handed_over_at=parse_ts(d["handed_over_at"]),
            outgoing=list(d.get("outgoing", ())),
            incoming=list(d.get("incoming", ())),
            counts={k: ItemCount(parse_amount(v["outgoing"]), parse_amount(v["incoming"]))
                    for k, v in (d.get("counts") or {}).items()},
            movements=[Movement(m["item"], parse_amount(m["qty"]), parse_ts(m["at"]), m.get("note", ""))
                       for m in d.get("movements", ())],
            loans=[Loan(item=l["item"], qty=l["qty"], borrower=l["borrower"],
                        due=parse_date(l["due"]), phone=l.get("phone"))
                   for l in d.get("loans", ())],
            open_matters=list(d.get("open_matters", ())),
            signatures={role: Signature(s["by"], parse_ts(s["at"])) for role, s in sigs.items() if s},
            closing=d.get("closing"),
            path=path,
        )


@dataclass(slots=True)
class Staff:
    id: str
    name: str
    rank: str
    team: str | None = None
    active: bool = True

    @property
    def rank_index(self) -> int:
        return RANKS.index(self.rank)


@dataclass(slots=True)
class Provider:
    id: str
    name: str
    status: str = "active"
    visits: dict[str, int] = field(default_factory=dict)   # "YYYY-MM" -> visits
    path: str | None = None

    @classmethod
    def from_dict(cls, d: dict, path: str | None = None) -> Provider:
        return cls(id=d["id"], name=d["name"], status=d.get("status", "active"),
                   visits={str(k): v for k, v in (d.get("visits") or {}).items()}, path=path)


@dataclass(slots=True)
class Survey:
    id: str
    customer: str
    date: date
    answers: dict[str, str]
    by: str | None = None
    path: str | None = None

    @classmethod
    def from_dict(cls, d: dict, path: str | None = None) -> Survey:
        return cls(id=d["id"], customer=d["customer"], date=parse_date(d["date"]),
                   answers=dict(d["answers"]), by=d.get("by"), path=path)


@dataclass(slots=True)
class Settings:
    organisation: str
    timezone: str
    calendar: str

    @classmethod
    def from_dict(cls, d: dict) -> Settings:
        return cls(organisation=d["organisation"], timezone=d["timezone"], calendar=d["calendar"])


@dataclass(slots=True)
class Records:
    """Everything under one records root that loaded cleanly.

    Policies and calendars stay as validated dicts here; the core module that
    owns each one turns it into its own object (``calendar.from_dict`` …).
    """
    settings: Settings | None = None
    staff: dict[str, Staff] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    handovers: list[Handover] = field(default_factory=list)
    surveys: dict[str, Survey] = field(default_factory=dict)
    calendars: dict[str, dict] = field(default_factory=dict)
    policies: dict[str, dict] = field(default_factory=dict)   # "sla" | "tiering" | "kpi"
