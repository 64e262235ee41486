"""Semantic review of record changes (cxctl.review): what changed, and which
changes break the rules of the records' history."""
from __future__ import annotations

import copy

from cxctl.review import ERROR, INFO, WARNING, RecordState, diff_record, diff_states, has_rule_breaks

T_PATH = "tickets/2026/11/T-8Q3KZ2.yaml"


def ticket(**changes) -> dict:
    data = {
        "id": "T-8Q3KZ2", "customer": "C-7K2M9Q", "kind": "complaint", "channel": "hotline",
        "impact": {"households": 6, "compensation": "12000", "legal_or_media": False},
        "provider": "P-03", "owner": "S-021", "summary": "空调噪音投诉",
        "opened_at": "2026-11-03T15:40:00+08:00", "status": "open",
        "events": [
            {"at": "2026-11-03T16:05:00+08:00", "type": "contact", "by": "S-021", "outcome": "reached"},
            {"at": "2026-11-04T10:00:00+08:00", "type": "reply", "by": "P-03"},
        ],
    }
    data.update(changes)
    return data


def state(data, path=T_PATH, kind="ticket", problem=None) -> RecordState:
    return RecordState(path, kind, data, problem)


def codes(changes, level=None) -> list[str]:
    return [c.change for c in changes if level is None or c.level == level]


def event(at: str, type_: str, **more) -> dict:
    return {"at": at, "type": type_, **more}


# -- tickets: append-only events -------------------------------------------

def test_appended_events_are_information_not_rule_breaks():
    old = ticket()
    new = ticket(status="resolved", events=old["events"] + [
        event("2026-11-06T11:00:00+08:00", "resolve", by="S-021")])
    changes = diff_record(state(old), state(new))
    assert codes(changes) == ["event-appended", "ticket-resolved"]
    assert not has_rule_breaks(changes)
    assert changes[0].field == "events.2"
    assert "resolve at 2026-11-06T11:00:00+08:00 by S-021" in changes[0].message


def test_editing_an_earlier_event_is_an_error_naming_the_field_that_changed():
    old = ticket()
    new = copy.deepcopy(old)
    new["events"][1]["at"] = "2026-11-04T09:00:00+08:00"
    changes = diff_record(state(old), state(new))
    assert codes(changes, ERROR) == ["event-edited"]
    assert changes[0].field == "events.1"
    assert "at 2026-11-04T10:00:00+08:00 → 2026-11-04T09:00:00+08:00" in changes[0].message


def test_deleting_an_event_is_an_error():
    old = ticket()
    new = ticket(events=old["events"][1:])
    changes = diff_record(state(old), state(new))
    assert codes(changes, ERROR) == ["event-deleted"]
    assert "contact at 2026-11-03T16:05:00+08:00" in changes[0].message


def test_an_edit_is_caught_even_when_an_event_is_appended_in_the_same_change():
    old = ticket()
    new = copy.deepcopy(old)
    new["events"][0]["outcome"] = "unreachable"
    new["events"].append(event("2026-11-05T10:00:00+08:00", "note", by="S-021"))
    changes = diff_record(state(old), state(new))
    assert codes(changes, ERROR) == ["event-edited"]
    assert codes(changes, INFO) == ["event-appended"]


def test_an_event_inserted_among_earlier_ones_is_a_warning():
    old = ticket()
    new = ticket(events=[old["events"][0], event("2026-11-03T18:00:00+08:00", "note", by="S-021"),
                         old["events"][1]])
    changes = diff_record(state(old), state(new))
    assert codes(changes) == ["event-inserted"]
    assert changes[0].level == WARNING


def test_deleting_a_ticket_is_an_error_and_opening_one_is_not():
    removed = diff_record(state(ticket()), None)
    assert codes(removed, ERROR) == ["ticket-deleted"]
    added = diff_record(None, state(ticket()))
    assert codes(added) == ["ticket-opened"] and not has_rule_breaks(added)


def test_a_ticket_moved_to_another_month_folder_is_the_same_ticket():
    old = {T_PATH: state(ticket())}
    moved = "tickets/2026/10/T-8Q3KZ2.yaml"
    new = {moved: state(ticket(opened_at="2026-10-31T15:40:00+08:00"), path=moved)}
    changes = diff_states(old, new)
    assert "ticket-deleted" not in codes(changes) and "ticket-opened" not in codes(changes)
    assert codes(changes) == ["moved", "opened-at-changed"]
    assert changes[1].level == WARNING


# -- tickets: status, owner, severity ---------------------------------------

def test_closing_without_a_resolve_skips_a_step():
    old = ticket()
    new = ticket(status="closed", events=old["events"] + [
        event("2026-11-06T11:00:00+08:00", "close", by="S-022")])
    changes = diff_record(state(old), state(new))
    assert "status-skip" in codes(changes, WARNING)
    assert "ticket-closed" in codes(changes, INFO)


def test_resolve_revisit_close_is_the_full_path_with_no_skip():
    old = ticket()
    new = ticket(status="closed", events=old["events"] + [
        event("2026-11-06T11:00:00+08:00", "resolve", by="S-021"),
        event("2026-11-07T09:30:00+08:00", "revisit", by="S-022", outcome="satisfied"),
        event("2026-11-07T09:35:00+08:00", "close", by="S-022")])
    changes = diff_record(state(old), state(new))
    assert "status-skip" not in codes(changes)
    assert codes(changes).count("event-appended") == 3


def test_a_status_changed_by_hand_without_its_event_is_flagged():
    changes = diff_record(state(ticket()), state(ticket(status="closed")))
    assert "status-skip" in codes(changes, WARNING)
    assert any("the events lead to open" in c.message for c in changes)


def test_reopening_a_closed_ticket_is_a_reopen_not_a_skip():
    closed = ticket(status="closed", events=ticket()["events"] + [
        event("2026-11-06T11:00:00+08:00", "resolve", by="S-021"),
        event("2026-11-07T09:35:00+08:00", "close", by="S-022")])
    reopened = copy.deepcopy(closed)
    reopened["status"] = "open"
    reopened["events"].append(event("2026-11-08T09:00:00+08:00", "reopen", by="S-022"))
    changes = diff_record(state(closed), state(reopened))
    assert "ticket-reopened" in codes(changes)
    assert "status-skip" not in codes(changes)


def test_lowering_a_recorded_severity_is_a_warning_and_raising_it_is_not():
    lowered = diff_record(state(ticket(severity="major")), state(ticket(severity="important")))
    assert codes(lowered, WARNING) == ["severity-lowered"]
    raised = diff_record(state(ticket(severity="important")), state(ticket(severity="major")))
    assert codes(raised) == ["severity-raised"] and raised[0].level == INFO


def test_removing_an_explicit_severity_lowers_it_to_the_derived_one():
    # 6 households derive "important"; dropping an explicit "major" lowers it.
    changes = diff_record(state(ticket(severity="major")), state(ticket()))
    assert codes(changes, WARNING) == ["severity-lowered"]
    assert "from major to important" in changes[0].message


def test_nested_fields_are_named_by_their_dotted_path():
    more = ticket(impact={"households": 12, "compensation": "12000", "legal_or_media": False})
    changes = diff_record(state(ticket()), state(more))
    assert [(c.change, c.message) for c in changes] == [
        ("severity-raised", "severity raised from important to major"),
        ("fields-changed", "impact.households 6 → 12")]


def test_owner_change_says_whether_a_transfer_event_backs_it():
    old = ticket()
    with_transfer = ticket(owner="S-022", events=old["events"] + [
        event("2026-11-05T09:00:00+08:00", "transfer", by="S-014", **{"from": "S-021", "to": "S-022"})])
    backed = diff_record(state(old), state(with_transfer))
    assert [c.message for c in backed if c.change == "owner-changed"] == ["owner S-021 → S-022"]
    bare = diff_record(state(old), state(ticket(owner="S-022")))
    assert [c.message for c in bare if c.change == "owner-changed"] == \
        ["owner S-021 → S-022 (no transfer event recorded)"]


# -- customers ----------------------------------------------------------------

def customer(**changes) -> dict:
    data = {"id": "C-7K2M9Q", "name": "重庆晨光商贸有限公司", "kind": "tenant", "status": "active",
            "owner": "S-014", "contacts": [{"name": "张敏", "phone": "13800138000"}],
            "tier": {"level": 1, "class": "vip", "period": "2026-01", "score": 87.5}}
    data.update(changes)
    return data


C_PATH = "customers/C-7K2M9Q.yaml"


def test_tier_change_names_levels_and_the_override_reason():
    new = customer(tier={"level": 2, "period": "2026-07", "score": 80.0,
                         "override": {"level": 2, "reason": "lease ends in August", "by": "S-001"}})
    changes = diff_record(state(customer(), C_PATH, "customer"), state(new, C_PATH, "customer"))
    assert codes(changes) == ["tier-changed"]
    assert changes[0].message == ("tier 1 (vip) → 2 for 2026-07 (override: lease ends in August, "
                                  "approved by S-001)")


def test_owner_change_and_contact_details_without_personal_data():
    new = customer(owner="S-022", contacts=[{"name": "张敏", "phone": "13900001111"}])
    changes = diff_record(state(customer(), C_PATH, "customer"), state(new, C_PATH, "customer"))
    assert codes(changes) == ["owner-changed", "contacts-changed"]
    assert all("13900001111" not in c.message and "13800138000" not in c.message for c in changes)


def test_contact_log_rewrites_are_warnings_and_entries_appended_are_information():
    entry = {"at": "2026-03-05T10:00:00+08:00", "by": "S-014", "channel": "visit", "summary": "x"}
    old = customer(contact_log=[entry])
    appended = customer(contact_log=[entry, {**entry, "at": "2026-04-01T10:00:00+08:00"}])
    edited = customer(contact_log=[{**entry, "summary": "y"}])
    assert codes(diff_record(state(old, C_PATH, "customer"), state(appended, C_PATH, "customer"))) \
        == ["contact-logged"]
    changes = diff_record(state(old, C_PATH, "customer"), state(edited, C_PATH, "customer"))
    assert codes(changes, WARNING) == ["contact-log-edited"] and not has_rule_breaks(changes)


def test_removing_a_customer_is_a_warning():
    changes = diff_record(state(customer(), C_PATH, "customer"), None)
    assert codes(changes, WARNING) == ["customer-removed"]


# -- handovers ----------------------------------------------------------------

H_PATH = "handovers/2026/11/2026-11-24-main-early.yaml"


def handover(signed=True, **changes) -> dict:
    data = {"desk": "main", "date": "2026-11-24", "shift": "early",
            "handed_over_at": "2026-11-24T14:00:00+08:00", "outgoing": ["S-021"], "incoming": ["S-022"],
            "counts": {"umbrella": {"outgoing": 18, "incoming": 18},
                       "cash": {"outgoing": "1520.50", "incoming": "1520.50"}},
            "loans": [{"item": "umbrella", "qty": 1, "borrower": "王先生", "phone": "13900001111",
                       "due": "2026-11-25"}]}
    if signed:
        data["signatures"] = {"outgoing": {"by": "S-021", "at": "2026-11-24T14:05:00+08:00"}}
    data.update(changes)
    return data


def h_diff(old, new):
    return diff_record(state(old, H_PATH, "handover") if old else None,
                       state(new, H_PATH, "handover") if new else None)


def test_counts_changed_after_signing_are_an_error():
    old = handover()
    new = copy.deepcopy(old)
    new["counts"]["cash"]["incoming"] = "1500.50"
    changes = h_diff(old, new)
    assert codes(changes, ERROR) == ["signed-counts-changed"]
    assert "cash" in changes[0].message and changes[0].record == "2026-11-24-main-early"


def test_movements_rewritten_after_signing_are_an_error():
    old = handover(movements=[{"item": "umbrella", "qty": -2, "at": "2026-11-24T10:12:00+08:00"}])
    new = copy.deepcopy(old)
    new["movements"][0]["qty"] = -1
    changes = h_diff(old, new)
    assert codes(changes, ERROR) == ["signed-movements-changed"]
    assert "1 edited" in changes[0].message


def test_counts_changed_before_anyone_signed_are_fine():
    old = handover(signed=False)
    new = copy.deepcopy(old)
    new["counts"]["umbrella"]["incoming"] = 17
    assert codes(h_diff(old, new)) == ["counts-changed"]
    assert not has_rule_breaks(h_diff(old, new))


def test_the_second_signature_is_information_but_changing_the_first_is_an_error():
    old = handover()
    second = copy.deepcopy(old)
    second["signatures"]["incoming"] = {"by": "S-022", "at": "2026-11-24T14:06:00+08:00"}
    assert codes(h_diff(old, second)) == ["signed"]
    altered = copy.deepcopy(old)
    altered["signatures"]["outgoing"]["at"] = "2026-11-24T13:00:00+08:00"
    assert codes(h_diff(old, altered), ERROR) == ["signature-changed"]


def test_deleting_a_signed_handover_is_an_error_and_an_unsigned_one_a_warning():
    assert codes(h_diff(handover(), None), ERROR) == ["signed-handover-deleted"]
    assert codes(h_diff(handover(signed=False), None), WARNING) == ["handover-removed"]


def test_loan_phone_numbers_are_masked_in_messages():
    old = handover(signed=False)
    new = handover(signed=False, loans=[])
    message = " ".join(c.message for c in h_diff(old, new))
    assert "13900001111" not in message and "139****1111" in message


def test_show_pii_unmasks_loan_phone_numbers_in_messages():
    from cxctl.review_items import SHOW_PII
    token = SHOW_PII.set(True)
    try:
        message = " ".join(c.message for c in h_diff(handover(signed=False), handover(signed=False, loans=[])))
    finally:
        SHOW_PII.reset(token)
    assert "13900001111" in message


# -- other kinds and unreadable files ----------------------------------------

def test_removing_someone_from_staff_is_a_warning_and_a_rank_change_information():
    old = [{"id": "S-021", "name": "王强", "rank": "staff"}, {"id": "S-022", "name": "赵敏", "rank": "staff"}]
    new = [{"id": "S-021", "name": "王强", "rank": "supervisor"}]
    changes = diff_record(state(old, "staff.yaml", "staff"), state(new, "staff.yaml", "staff"))
    assert [(c.change, c.level, c.field) for c in changes] == [
        ("staff-removed", WARNING, "S-022"), ("staff-changed", INFO, "S-021")]


def test_a_record_that_cannot_be_read_at_the_new_side_is_an_error():
    changes = diff_record(state(ticket()), state(None, problem="found duplicate key 'status' (line 9)"))
    assert codes(changes, ERROR) == ["unreadable"]
    assert "duplicate key" in changes[0].message


def test_a_record_repaired_since_the_old_side_is_reported_as_readable_again():
    changes = diff_record(state(None, problem="not valid YAML (line 3)"), state(ticket()))
    assert codes(changes) == ["readable-again"] and not has_rule_breaks(changes)


def test_unchanged_records_give_no_changes():
    assert diff_states({T_PATH: state(ticket())}, {T_PATH: state(ticket())}) == []
