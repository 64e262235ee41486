"""Semantic changes of customers, handovers, staff, providers, surveys and
configuration files (tickets are in ``cxctl.review``).

Each handler gets the JSON data of one record at each side and a ``Notes``
to report to.  Levels: ``error`` only for broken rules of the records' own
history (a signed handover altered or deleted), ``warning`` for changes a
reviewer should look at twice, ``info`` for the rest.
"""
from __future__ import annotations

from cxctl.review_items import (ERROR, INFO, WARNING, Notes, describe_entry, field_changes,
                                item_diff, list_edit, short)


# -- customers ----------------------------------------------------------------

def customer_added(data: dict, notes: Notes) -> None:
    tier = data.get("tier") or {}
    notes(INFO, "customer-added", f"customer added: {data.get('name')} ({data.get('kind')}, "
          f"{data.get('status')}), owner {short(data.get('owner'))}"
          + (f", tier {tier.get('level')}" if tier else ""))


def customer_removed(data: dict, notes: Notes) -> None:
    notes(WARNING, "customer-removed", f"customer removed: {data.get('name')} — a customer who "
          f"leaves is kept with status: churned, so tickets and KPIs still find them")


def _tier_text(tier: dict | None) -> str:
    if not tier:
        return "none"
    text = str(tier.get("level"))
    return f"{text} ({tier['class']})" if tier.get("class") else text


def customer_changed(old: dict, new: dict, notes: Notes) -> None:
    old_tier, new_tier = old.get("tier") or None, new.get("tier") or None
    if old_tier != new_tier:
        _tier(old_tier, new_tier, notes)
    for key, code in (("owner", "owner-changed"), ("status", "status-changed")):
        if old.get(key) != new.get(key):
            notes(INFO, code, f"{key} {short(old.get(key))} → {short(new.get(key))}", field=key)
    if old.get("rating") != new.get("rating"):
        notes(INFO, "rating-changed", "rating " + "; ".join(
            field_changes(old.get("rating") or {}, new.get("rating") or {})), field="rating")
    if old.get("contacts") != new.get("contacts"):
        # Contact details are personal data: say that they changed, not what they are.
        notes(INFO, "contacts-changed", f"contacts changed ({len(old.get('contacts') or [])} → "
              f"{len(new.get('contacts') or [])})", field="contacts")
    _log(old.get("contact_log") or [], new.get("contact_log") or [], notes)
    rest = field_changes(old, new, skip=("tier", "owner", "status", "rating", "contacts",
                                        "contact_log"))
    if rest:
        notes(INFO, "fields-changed", "; ".join(rest))


def _tier(old: dict | None, new: dict | None, notes: Notes) -> None:
    override = (new or {}).get("override")
    why = f" (override: {override.get('reason')}, approved by {override.get('by')})" if override else ""
    old_level, new_level = (old or {}).get("level"), (new or {}).get("level")
    if old_level != new_level or (old or {}).get("class") != (new or {}).get("class"):
        period = f" for {new.get('period')}" if new and new.get("period") else ""
        change = f"set to {_tier_text(new)}" if not old else \
            "removed" if not new else f"{_tier_text(old)} → {_tier_text(new)}"
        notes(INFO, "tier-changed", f"tier {change}{period}{why}", field="tier")
    elif (old or {}).get("override") != override:
        notes(INFO, "tier-override-changed", "tier override " + (
            f"set{why}" if override else "removed"), field="tier.override")
    else:
        changed = field_changes(old or {}, new or {})
        notes(INFO, "tier-changed", "tier " + "; ".join(changed), field="tier")


def _log(old: list, new: list, notes: Notes) -> None:
    edit = list_edit(old, new)
    for i, j in edit.edited:
        notes(WARNING, "contact-log-edited", f"contact log entry {i + 1} ({describe_entry(old[i])}) "
              f"was edited: {item_diff(old[i], new[j])}", field=f"contact_log.{j}")
    for i in edit.deleted:
        notes(WARNING, "contact-log-deleted", f"contact log entry {i + 1} "
              f"({describe_entry(old[i])}) was deleted", field=f"contact_log.{i}")
    for j in sorted(edit.appended + edit.inserted):
        notes(INFO, "contact-logged", f"contact logged: {describe_entry(new[j])}",
              field=f"contact_log.{j}")


# -- handovers ----------------------------------------------------------------

SIGNED_CONTENT = ("counts", "movements")


def _signed_roles(data: dict) -> list[str]:
    return [role for role, sig in (data.get("signatures") or {}).items() if sig]


def handover_added(data: dict, notes: Notes) -> None:
    roles = _signed_roles(data)
    notes(INFO, "handover-added", f"handover of {data.get('desk')} {data.get('date')} "
          f"{data.get('shift')} added" + (f", signed by {', '.join(roles)}" if roles else ", unsigned"))


def handover_removed(data: dict, notes: Notes) -> None:
    if _signed_roles(data):
        notes(ERROR, "signed-handover-deleted", "a signed handover was deleted: the joint count "
              "it records is part of the desk's balance chain")
    else:
        notes(WARNING, "handover-removed", "an unsigned handover was deleted")


def handover_changed(old: dict, new: dict, notes: Notes) -> None:
    signed = _signed_roles(old)
    for key in SIGNED_CONTENT:
        if old.get(key) == new.get(key):
            continue
        detail = _counts_diff(old.get(key), new.get(key)) if key == "counts" else \
            _movements_diff(old.get(key) or [], new.get(key) or [])
        if signed:
            notes(ERROR, f"signed-{key}-changed", f"{key} changed after signing by "
                  f"{', '.join(signed)}: {detail} — a correction is a new count, signed again",
                  field=key)
        else:
            notes(INFO, f"{key}-changed", f"{key} changed: {detail}", field=key)
    old_sigs, new_sigs = old.get("signatures") or {}, new.get("signatures") or {}
    for role in sorted(set(old_sigs) | set(new_sigs)):
        before, after = old_sigs.get(role), new_sigs.get(role)
        if before == after:
            continue
        if not before:
            notes(INFO, "signed", f"signed by {after.get('by')} ({role}) at {after.get('at')}",
                  field=f"signatures.{role}")
        else:
            notes(ERROR, "signature-changed", f"the {role} signature ({before.get('by')} at "
                  f"{before.get('at')}) was " + ("removed" if not after else
                                                  f"changed: {item_diff(before, after)}"),
                  field=f"signatures.{role}")
    rest = field_changes(old, new, skip=(*SIGNED_CONTENT, "signatures"))
    if rest:
        notes(INFO, "fields-changed", "; ".join(rest))


def _movements_diff(old: list, new: list) -> str:
    edit = list_edit(old, new)
    counts = (("added", len(edit.appended) + len(edit.inserted)), ("edited", len(edit.edited)),
              ("deleted", len(edit.deleted)))
    parts = [f"{n} {what}" for what, n in counts if n]
    return ", ".join(parts) or "reordered"


def _counts_diff(old: dict | None, new: dict | None) -> str:
    old, new = old or {}, new or {}
    parts = []
    for item in list(new) + [i for i in old if i not in new]:
        if old.get(item) != new.get(item):
            parts.append(f"{item} {short(old.get(item))} → {short(new.get(item))}")
    return "; ".join(parts)


# -- staff, providers, surveys, configuration ---------------------------------

def staff_changed(old: list, new: list, notes: Notes) -> None:
    if not (isinstance(old, list) and isinstance(new, list)):
        notes(INFO, "changed", "staff.yaml changed")
        return
    before = {p.get("id"): p for p in old if isinstance(p, dict)}
    after = {p.get("id"): p for p in new if isinstance(p, dict)}
    for sid in [p for p in after if p not in before]:
        notes(INFO, "staff-added", f"{sid} {after[sid].get('name')} joined "
              f"({after[sid].get('rank')}, {short(after[sid].get('team'))})", field=sid)
    for sid in [p for p in before if p not in after]:
        notes(WARNING, "staff-removed", f"{sid} {before[sid].get('name')} was removed from "
              f"staff.yaml — set active: false instead, since history still names them", field=sid)
    for sid in [p for p in after if p in before and after[p] != before[p]]:
        notes(INFO, "staff-changed", f"{sid}: " + "; ".join(field_changes(before[sid], after[sid])),
              field=sid)


def staff_added(data: list, notes: Notes) -> None:
    staff_changed([], data, notes)


def provider_changed(old: dict, new: dict, notes: Notes) -> None:
    if old.get("status") != new.get("status"):
        notes(INFO, "status-changed", f"status {old.get('status')} → {new.get('status')}",
              field="status")
    if old.get("visits") != new.get("visits"):
        notes(INFO, "visits-changed", "visits " + "; ".join(
            field_changes(old.get("visits") or {}, new.get("visits") or {})), field="visits")
    rest = field_changes(old, new, skip=("status", "visits"))
    if rest:
        notes(INFO, "fields-changed", "; ".join(rest))


def survey_changed(old: dict, new: dict, notes: Notes) -> None:
    notes(WARNING, "survey-edited", "an answered survey was edited: "
          + "; ".join(field_changes(old, new)))


def survey_removed(data: dict, notes: Notes) -> None:
    notes(WARNING, "survey-removed", f"an answered survey of {data.get('customer')} "
          f"({data.get('date')}) was removed")


def added_generic(data, notes: Notes) -> None:
    notes(INFO, "added", f"{notes.kind} added")


def removed_generic(data, notes: Notes) -> None:
    notes(WARNING, "removed", f"{notes.kind} removed" + (
        ": cxctl falls back to its default" if notes.kind in ("policy", "calendar") else ""))


def changed_generic(old, new, notes: Notes) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        notes(INFO, "changed", "; ".join(field_changes(old, new)) or "reordered")
    else:
        notes(INFO, "changed", "content changed")


ADDED = {"customer": customer_added, "handover": handover_added, "staff": staff_added}
REMOVED = {"customer": customer_removed, "handover": handover_removed, "survey": survey_removed}
CHANGED = {"customer": customer_changed, "handover": handover_changed, "staff": staff_changed,
           "provider": provider_changed, "survey": survey_changed}
