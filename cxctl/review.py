"""Semantic review of record changes between two versions of a records tree.

A reviewer should not have to read raw YAML diffs: ``diff_states`` compares
the records of two sides (JSON data per path, as the store reads them from
git or the working tree) and says what happened in the department's words —
a ticket closed, a tier lowered with its override reason, an event appended.

It also enforces what git history is for.  Ticket events are append-only, so
an edited or deleted event, or a deleted ticket, is an error; a signed
handover's counts and signatures are fixed once signed.  Everything is data
(``Change`` with a level); nothing here reads files or prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from cxctl import review_kinds as kinds
from cxctl.model import CLOSED_STATUSES, STATUS_AFTER_EVENT, Ticket
from cxctl.review_items import (ERROR, INFO, LEVELS, WARNING, Change, Notes, describe_entry,
                                field_changes, item_diff, list_edit, short)
from cxctl.severity import derive_severity, severity_rank

__all__ = ["Change", "RecordState", "diff_states", "diff_record", "has_rule_breaks",
           "ERROR", "WARNING", "INFO", "LEVELS"]

# Kinds whose files are named after the record's id (or a handover's stem).
NAMED_BY_FILE = frozenset({"customer", "ticket", "provider", "survey", "handover"})
KIND_ORDER = ("settings", "staff", "policy", "calendar", "provider", "customer", "ticket",
              "handover", "survey")


@dataclass(slots=True)
class RecordState:
    """One record file at one side of a comparison."""
    path: str
    kind: str
    data: object | None              # JSON-typed content; None if it could not be read
    problem: str | None = None       # why ``data`` is None

    @property
    def key(self) -> tuple[str, str]:
        if self.kind in NAMED_BY_FILE:
            return self.kind, self.path.rsplit("/", 1)[-1][: -len(".yaml")]
        return self.kind, self.path


def has_rule_breaks(changes: Iterable[Change]) -> bool:
    return any(c.level == ERROR for c in changes)


def diff_states(old: Mapping[str, RecordState], new: Mapping[str, RecordState]) -> list[Change]:
    """Every semantic change from ``old`` to ``new`` (both keyed by path)."""
    before = _by_key(old.values())
    after = _by_key(new.values())
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys(), key=_order):
        changes += diff_record(before.get(key), after.get(key))
    return changes


def _by_key(states: Iterable[RecordState]) -> dict[tuple[str, str], RecordState]:
    out: dict[tuple[str, str], RecordState] = {}
    for state in sorted(states, key=lambda s: s.path):
        out.setdefault(state.key, state)
    return out


def _order(key: tuple[str, str]) -> tuple[int, str]:
    kind, name = key
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), name)


def diff_record(old: RecordState | None, new: RecordState | None) -> list[Change]:
    """The changes of one record; either side may be absent."""
    if old is None and new is None:
        return []
    some = new or old
    notes = Notes(some.kind, some.key[1], some.path)
    if new is not None and new.problem:
        notes(ERROR, "unreadable",
              f"not a valid record, so its changes cannot be checked: {new.problem}")
    elif old is not None and old.problem:
        if new is None:
            notes(WARNING, "removed", "an unreadable file was removed")
        else:
            notes(INFO, "readable-again", f"no longer broken (was: {old.problem})")
            if old.path != new.path:
                notes(INFO, "moved", f"moved from {old.path}")
    elif old is None:
        _ADDED.get(new.kind, kinds.added_generic)(new.data, notes)
    elif new is None:
        _REMOVED.get(old.kind, kinds.removed_generic)(old.data, notes)
    else:
        if old.path != new.path:
            notes(INFO, "moved", f"moved from {old.path} to {new.path}")
        if old.data != new.data:
            _CHANGED.get(new.kind, kinds.changed_generic)(old.data, new.data, notes)
    return notes.changes


# -- tickets -----------------------------------------------------------------

def _ticket_added(data: dict, notes: Notes) -> None:
    what = f"{data.get('kind')} from {data.get('customer')}"
    if data.get("severity"):
        what += f", {data['severity']}"
    events = data.get("events") or []
    notes(INFO, "ticket-opened", f"ticket opened: {what} at {data.get('opened_at')}"
          + (f", with {len(events)} event(s)" if events else ""))
    _status_walk("open", data, events, notes)


def _ticket_removed(data: dict, notes: Notes) -> None:
    notes(ERROR, "ticket-deleted",
          f"ticket deleted ({data.get('status')}, {len(data.get('events') or [])} events): its history "
          f"is append-only — close or force-close it instead")


def _ticket_changed(old: dict, new: dict, notes: Notes) -> None:
    old_events, new_events = old.get("events") or [], new.get("events") or []
    edit = list_edit(old_events, new_events)
    for i, j in edit.edited:
        notes(ERROR, "event-edited", f"event {i + 1} ({describe_entry(old_events[i])}) was edited: "
              f"{item_diff(old_events[i], new_events[j])} — events are append-only",
              field=f"events.{j}")
    for i in edit.deleted:
        notes(ERROR, "event-deleted", f"event {i + 1} ({describe_entry(old_events[i])}) was deleted "
              f"— events are append-only", field=f"events.{i}")
    for j in edit.inserted:
        notes(WARNING, "event-inserted", f"event inserted among earlier ones: "
              f"{describe_entry(new_events[j])}", field=f"events.{j}")
    for j in edit.appended:
        notes(INFO, "event-appended", f"event appended: {describe_entry(new_events[j])}",
              field=f"events.{j}")
    added = [new_events[j] for j in sorted(edit.appended + edit.inserted)]
    _status_walk(old.get("status", "open"), new, added, notes, old_status=old.get("status"))
    for role in ("owner", "provider"):
        if old.get(role) != new.get(role):
            moved = any(e.get("type") == "transfer" and e.get("to") == new.get(role) for e in added)
            notes(INFO, f"{role}-changed", f"{role} {short(old.get(role))} → {short(new.get(role))}"
                  + ("" if moved else " (no transfer event recorded)"), field=role)
    _severity(old, new, notes)
    if old.get("opened_at") != new.get("opened_at"):
        notes(WARNING, "opened-at-changed", f"acceptance time {old.get('opened_at')} → "
              f"{new.get('opened_at')}: every SLA clock of the ticket moves", field="opened_at")
    rest = field_changes(old, new, skip=("events", "status", "owner", "provider", "severity",
                                          "opened_at"))
    if rest:
        notes(INFO, "fields-changed", "; ".join(rest))


_STATUS_CHANGE = {"closed": "ticket-closed", "force_closed": "ticket-force-closed",
                  "resolved": "ticket-resolved", "open": "ticket-reopened"}


def _status_walk(start: str, new: dict, added: list[dict], notes: Notes,
                 old_status: str | None = None) -> None:
    """Follow the status through the new events; flag steps that were skipped."""
    status = start
    for e in added:
        after = STATUS_AFTER_EVENT.get(e.get("type"))
        if after is None:
            continue
        skipped = None
        if after == "closed" and status == "open":
            skipped = "closed without being resolved first (open → closed skips resolved)"
        elif after == "resolved" and status in CLOSED_STATUSES:
            skipped = f"resolved while {status}, without a reopen"
        elif after == "open" and status == "open":
            skipped = "reopened while still open"
        elif after in CLOSED_STATUSES and status in CLOSED_STATUSES:
            skipped = f"{e.get('type')} while already {status}"
        if skipped:
            notes(WARNING, "status-skip", f"{skipped}: {describe_entry(e)}")
        status = after
    recorded = new.get("status")
    if old_status is not None and recorded != old_status:
        notes(INFO, _STATUS_CHANGE.get(recorded, "status-changed"),
              f"status {old_status} → {recorded}", field="status")
    if recorded != status:
        notes(WARNING, "status-skip", f"status set to {recorded} but the events lead to {status} "
              f"(a status changes only through its event)", field="status")


def _recorded_severity(data: dict) -> str:
    """The severity as written, else the one derived from the impact."""
    if data.get("severity"):
        return data["severity"]
    return derive_severity(Ticket.from_dict(data).impact)


def _severity(old: dict, new: dict, notes: Notes) -> None:
    if new.get("kind") != "complaint" or old.get("kind") != "complaint":
        return
    try:
        before, after = _recorded_severity(old), _recorded_severity(new)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return
    if severity_rank(after) < severity_rank(before):
        notes(WARNING, "severity-lowered", f"severity lowered from {before} to {after}: check that "
              f"the impact bears it out (it may not be below the derived severity)", field="severity")
    elif after != before:
        notes(INFO, "severity-raised", f"severity raised from {before} to {after}", field="severity")


Handler = Callable[..., None]
_ADDED: dict[str, Handler] = {"ticket": _ticket_added, **kinds.ADDED}
_REMOVED: dict[str, Handler] = {"ticket": _ticket_removed, **kinds.REMOVED}
_CHANGED: dict[str, Handler] = {"ticket": _ticket_changed, **kinds.CHANGED}
