"""Cross-record checks (SPEC §3.7): what records must satisfy together.

Pure: takes loaded records, returns findings with a path and field but no
line; the store fills in positions.  Cross-record rules never block a write
(a person may fix the other record next); they are reported.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from cxctl.calendar import zone_or_none
from cxctl.findings import Finding, error, warning
from cxctl.handover import validate_findings as handover_findings
from cxctl.model import CLOSED_STATUSES, RANKS, Records, Staff
from cxctl.ticket_index import DAY_US, facts_of, from_micros, micros
from cxctl.tiering_cycle import effective_level

TIER1_MIN_RANK = "deputy_manager"
ACTIVE_PROVIDER_STATUSES = frozenset({"active", "transitional"})


def check_records(records: Records, identities: list[tuple[str, str, str]], *,
                  now: datetime) -> list[Finding]:
    tz = zone_or_none(records.settings.timezone) if records.settings else None
    out: list[Finding] = []
    out += _default_calendar(records)
    out += duplicate_ids(identities)
    out += _ticket_references(records)
    out += _customer_references(records)
    out += _other_references(records)
    out += owner_rank_findings(records)
    out += _future_timestamps(records, now)
    out += handover_findings(records)
    if tz is not None:
        out += _ticket_folders(records, tz)
    return out


def _default_calendar(records: Records) -> list[Finding]:
    if records.settings is None or records.settings.calendar in records.calendars:
        return []
    return [error("cxctl.yaml", "unknown-calendar",
                  f"the default calendar '{records.settings.calendar}' is not in calendars/",
                  field="calendar",
                  hint=f"add calendars/{records.settings.calendar}.yaml (cxctl calendar import) "
                       f"or name one of: {', '.join(sorted(records.calendars)) or 'none'}")]


def duplicate_ids(identities: list[tuple[str, str, str]]) -> list[Finding]:
    if len({(kind, record_id) for kind, record_id, _ in identities}) == len(identities):
        return []
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, record_id, path in identities:
        seen[(kind, record_id)].append(path)
    out = []
    for (kind, record_id), paths in seen.items():
        for path in paths[1:]:
            out.append(error(path, "duplicate-id",
                             f"{kind} id {record_id} is already used by {paths[0]}", field="id",
                             hint="give one of them a new id (cxctl generates ids that never collide)"))
    return out


def reference_problem(records: Records, ref: str, *, kinds: str = "SP") -> str | None:
    """Why a change made now cannot name ``ref``, or None if it can.

    ``kinds`` says what may be named: "S" staff, "P" providers.  The id must
    exist, and whoever is named by a change made now — a new owner or
    provider, or the person doing or approving it — must be working now: an
    active staff member, a provider neither suspended nor ended.  (Records
    written earlier may still name people who have since left; validate
    allows that in history.)
    """
    wanted = " or ".join(w for k, w in (("S", "a staff id (S-…)"), ("P", "a provider id (P-…)"))
                         if k in kinds)
    if ref.startswith("S-") and "S" in kinds:
        person = records.staff.get(ref)
        if person is None:
            return f"staff member {ref} is not in staff.yaml"
        if not person.active:
            return f"staff member {ref} ({person.name}) is not active"
        return None
    if ref.startswith("P-") and "P" in kinds:
        provider = records.providers.get(ref)
        if provider is None:
            return f"provider {ref} has no file providers/{ref}.yaml"
        if provider.status not in ACTIVE_PROVIDER_STATUSES:
            return f"provider {ref} is {provider.status}"
        return None
    return f"'{ref}' is not {wanted}"


class _Refs:
    """Reference checks against the roster and the other records."""

    def __init__(self, records: Records):
        self.r = records

    def actor(self, ref: str | None, path: str, field: str, *, current: bool = False) -> list[Finding]:
        if ref is None:
            return []
        if ref.startswith("S-"):
            person = self.r.staff.get(ref)
            if person is None:
                return [error(path, "unknown-reference", f"staff member {ref} is not in staff.yaml",
                              field=field)]
            if current and not person.active:
                return [error(path, "inactive-assignee",
                              f"{ref} ({person.name}) is no longer active but is still assigned here",
                              field=field,
                              hint=f"hand the work over: cxctl handover transfer --from {ref} --to S-…")]
            return []
        provider = self.r.providers.get(ref)
        if provider is None:
            return [error(path, "unknown-reference", f"provider {ref} has no file providers/{ref}.yaml",
                          field=field)]
        if current and provider.status not in ACTIVE_PROVIDER_STATUSES:
            return [error(path, "inactive-assignee",
                          f"provider {ref} is {provider.status} but still handles this open ticket",
                          field=field, hint="transfer the ticket to an active provider")]
        return []

    def customer(self, ref: str, path: str, field: str) -> list[Finding]:
        if ref in self.r.customers:
            return []
        return [error(path, "unknown-reference", f"customer {ref} has no file customers/{ref}.yaml",
                      field=field)]


def _ticket_references(records: Records) -> list[Finding]:
    refs, out = _Refs(records), []
    # Nearly every reference is fine: the sets below vouch for those from the
    # ticket's facts alone; only a ticket they cannot vouch for is built and
    # gone through field by field for its findings.
    existing = {None} | {s for s in records.staff if s.startswith("S-")} \
        | {p for p in records.providers if not p.startswith("S-")}
    working = {None} | {s for s, person in records.staff.items()
                        if s.startswith("S-") and person.active} \
        | {p for p, provider in records.providers.items()
           if not p.startswith("S-") and provider.status in ACTIVE_PROVIDER_STATUSES}
    customers = records.customers
    for f in facts_of(records.tickets).values():
        fine = existing if f.status in CLOSED_STATUSES else working
        if f.customer in customers and f.owner in fine and f.provider in fine \
                and existing.issuperset(f.actors):
            continue
        t = records.tickets[f.id]
        is_open = t.status not in CLOSED_STATUSES
        if t.customer not in customers:
            out += refs.customer(t.customer, t.path, "customer")
        if t.owner not in fine:
            out += refs.actor(t.owner, t.path, "owner", current=is_open)
        if t.provider not in fine:
            out += refs.actor(t.provider, t.path, "provider", current=is_open)
        for i, e in enumerate(t.events):
            if e.by in existing and e.approved_by in existing and e.from_ in existing \
                    and e.to in existing:
                continue
            for name in ("by", "approved_by", "from_", "to"):
                out += refs.actor(getattr(e, name), t.path, f"events.{i}.{name.rstrip('_')}")
    return out


def _customer_references(records: Records) -> list[Finding]:
    refs, out = _Refs(records), []
    for c in records.customers.values():
        out += refs.actor(c.owner, c.path, "owner", current=c.status != "churned")
        if c.tier and c.tier.override:
            out += refs.actor(c.tier.override.by, c.path, "tier.override.by")
        for i, entry in enumerate(c.contact_log):
            out += refs.actor(entry.by, c.path, f"contact_log.{i}.by")
    return out


def _other_references(records: Records) -> list[Finding]:
    refs, out = _Refs(records), []
    for s in records.surveys.values():
        out += refs.customer(s.customer, s.path, "customer")
        out += refs.actor(s.by, s.path, "by")
    for h in records.handovers:
        for side in ("outgoing", "incoming"):
            for i, person in enumerate(getattr(h, side)):
                out += refs.actor(person, h.path, f"{side}.{i}")
        for role, sig in h.signatures.items():
            out += refs.actor(sig.by, h.path, f"signatures.{role}.by")
        for i, matter in enumerate(h.open_matters):
            if matter.get("ticket") not in records.tickets:
                out.append(error(h.path, "unknown-reference",
                                 f"open matter names ticket {matter.get('ticket')}, which does not exist",
                                 field=f"open_matters.{i}.ticket"))
    return out


def owner_rank_problem(level: int, owner: Staff) -> str | None:
    """Tier-1 customers need an owner of deputy manager or above; tiers 2-3
    an owner below that rank (seed 004 §5.3.1)."""
    senior = owner.rank_index >= RANKS.index(TIER1_MIN_RANK)
    if level == 1 and not senior:
        return (f"a tier-1 customer needs an owner of rank {TIER1_MIN_RANK} or above; "
                f"{owner.id} is {owner.rank}")
    if level in (2, 3) and senior:
        return (f"a tier-{level} customer's owner should rank below {TIER1_MIN_RANK}; "
                f"{owner.id} is {owner.rank}")
    return None


def owner_rank_findings(records: Records) -> list[Finding]:
    out = []
    for c in records.customers.values():
        if not c.tier or c.status != "active" or c.owner not in records.staff:
            continue
        problem = owner_rank_problem(effective_level(c), records.staff[c.owner])
        if problem:
            out.append(warning(c.path, "owner-rank", problem, field="owner",
                               hint="reassign the customer (cxctl customer edit … --set owner=S-…)"))
    return out


def _future_timestamps(records: Records, now: datetime) -> list[Finding]:
    out = []
    now_us = micros(now)
    for f in facts_of(records.tickets).values():
        if f.last_us <= now_us:         # nothing in this ticket is later than now
            continue
        t = records.tickets[f.id]
        if t.opened_at > now:
            out.append(warning(t.path, "future-timestamp",
                               f"opened_at {t.opened_at.isoformat()} is in the future", field="opened_at"))
        for i, e in enumerate(t.events):
            if e.at > now:
                out.append(warning(t.path, "future-timestamp",
                                   f"event {i} ({e.type}) at {e.at.isoformat()} is in the future",
                                   field=f"events.{i}.at"))
    return out


def _ticket_folders(records: Records, tz: ZoneInfo) -> list[Finding]:
    out = []
    months: dict[str, tuple[int, int] | None] = {}
    for f in facts_of(records.tickets).values():
        if f.path is not None:
            folder, _, name = f.path.rpartition("/")
            if folder not in months:
                months[folder] = _folder_month(folder, tz)
            span = months[folder]
            if span is not None and span[0] <= f.opened_us < span[1] and name == f"{f.id}.yaml":
                continue
        local = from_micros(f.opened_us).astimezone(tz)
        expected = f"tickets/{local.year:04d}/{local.month:02d}/{f.id}.yaml"
        if f.path != expected:
            out.append(error(f.path, "wrong-folder",
                             f"a ticket accepted on {local.date().isoformat()} belongs in {expected}",
                             field="opened_at", hint=f"git mv {f.path} {expected}"))
    return out


_TICKET_FOLDER = re.compile(r"tickets/([0-9]{4})/([0-9]{2})")


def _folder_month(folder: str, tz: ZoneInfo) -> tuple[int, int] | None:
    """Moments that surely belong in a ticket folder ``tickets/YYYY/MM``, as
    [start, end) in microseconds: its month in the records' time zone, less a
    day at either end, where a clock turned back across midnight could give
    a moment the date of the month next to it (those are worked out exactly)."""
    match = _TICKET_FOLDER.fullmatch(folder)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1 < year < 9999):
        return None
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return (micros(datetime(year, month, 1, tzinfo=tz)) + DAY_US,
            micros(datetime(*following, 1, tzinfo=tz)) - DAY_US)
