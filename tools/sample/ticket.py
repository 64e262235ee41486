"""A ticket under construction: fields, an append-only event list, and its record."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .yamlout import Flow, Quoted

STATUS_AFTER = {"resolve": "resolved", "close": "closed", "force_close": "force_closed", "reopen": "open"}
CLOSED = ("closed", "force_closed")
# the order fields are written in, whatever order a flow passes them
EVENT_KEYS = ("at", "type", "by", "outcome", "false_reply", "from", "to", "until", "approved_by",
              "reason", "note")


def derive_severity(households: int, compensation: Decimal, legal_or_media: bool) -> str:
    """SPEC §3.2."""
    if households >= 10 or compensation >= 50000:
        return "major"
    if legal_or_media or 5 <= households <= 9 or 5000 < compensation < 50000:
        return "important"
    return "general"


SEVERITY_ORDER = ("general", "important", "major")


@dataclass
class Tk:
    id: str
    customer: str
    kind: str
    channel: str
    category: str
    provider: str
    owner: str
    summary: str
    opened_at: datetime
    desk: str | None = None
    severity: str | None = None            # written explicitly when set
    derived: str | None = None             # complaints: severity the rules derive
    quality_class: str | None = None
    impact: dict | None = None
    ret: dict | None = None
    events: list[dict] = field(default_factory=list)

    # the flow's view of who currently holds the ticket
    def __post_init__(self):
        self.cur_owner = self.owner
        self.cur_provider = self.provider

    @property
    def last(self) -> datetime:
        return self.events[-1]["at"] if self.events else self.opened_at

    def ev(self, at: datetime, type_: str, **fields) -> datetime:
        at = max(at, self.last)
        e = {"at": at, "type": type_}
        e.update({k: v for k, v in fields.items() if v is not None})
        self.events.append(e)
        return at

    def transfer_owner(self, at, to, by, note=None) -> datetime:
        at = self.ev(at, "transfer", by=by, **{"from": self.cur_owner, "to": to}, note=note)
        self.cur_owner = to
        return at

    def transfer_provider(self, at, to, by, note=None) -> datetime:
        at = self.ev(at, "transfer", by=by, **{"from": self.cur_provider, "to": to}, note=note)
        self.cur_provider = to
        return at

    # -- views over the final event list ---------------------------------
    def status_at(self, moment: datetime | None = None) -> str:
        status = "open"
        for e in self.events:
            if moment is not None and e["at"] > moment:
                break
            status = STATUS_AFTER.get(e["type"], status)
        return status

    def holder_at(self, moment: datetime | None, prefix: str) -> str:
        """Owner (prefix S-) or provider (P-) after the transfers up to ``moment``."""
        holder = self.owner if prefix == "S-" else self.provider
        for e in self.events:
            if moment is not None and e["at"] > moment:
                break
            if e["type"] == "transfer" and str(e.get("from", "")).startswith(prefix):
                holder = e["to"]
        return holder

    def is_open_at(self, moment: datetime) -> bool:
        return self.opened_at <= moment and self.status_at(moment) not in CLOSED

    def record(self) -> dict:
        rec = {"id": self.id, "customer": self.customer, "kind": self.kind, "channel": self.channel,
               "category": self.category}
        if self.severity:
            rec["severity"] = self.severity
        if self.quality_class:
            rec["quality_class"] = self.quality_class
        if self.impact is not None:
            rec["impact"] = Flow(households=self.impact["households"],
                                 compensation=Quoted(self.impact["compensation"]),
                                 legal_or_media=self.impact["legal_or_media"])
        if self.ret:
            rec["return"] = Flow(self.ret)
        rec["provider"] = self.holder_at(None, "P-")
        rec["owner"] = self.holder_at(None, "S-")
        rec["summary"] = self.summary
        rec["opened_at"] = self.opened_at
        rec["status"] = self.status_at()
        rec["events"] = [Flow((k, e[k]) for k in EVENT_KEYS if k in e) for e in self.events]
        return rec
