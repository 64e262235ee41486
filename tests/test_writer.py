"""Writes: round-trip edits are one-line diffs, atomic, validated, and locked."""
from __future__ import annotations

import difflib
import multiprocessing
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from cxctl.store import writer
from cxctl.store.writer import WriteRefused, new_entry, update_record
from tests.conftest import CUSTOMER, TICKET

CST = timezone(timedelta(hours=8))


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_editing_one_field_changes_exactly_one_line_and_keeps_comments(records_root):
    path = records_root / "customers/C-7K2M9Q.yaml"
    before = path.read_text("utf-8")
    assert update_record(records_root, "customers/C-7K2M9Q.yaml", lambda d: d["rating"].__setitem__("cooperation", 5))
    after = path.read_text("utf-8")
    assert changed_lines(before, after) == ["-  cooperation: 4", "+  cooperation: 5"]
    assert "# a tenant on floor 2" in after and "# relationship owner" in after


def test_editing_a_quoted_value_keeps_its_quotes(records_root):
    path = records_root / "tickets/2026/11/T-8Q3KZ2.yaml"
    before = path.read_text("utf-8")
    update_record(records_root, "tickets/2026/11/T-8Q3KZ2.yaml",
                  lambda d: d["impact"].__setitem__("compensation", "12500"))
    assert changed_lines(before, path.read_text("utf-8")) == [
        '-impact: {households: 6, compensation: "12000", legal_or_media: false}',
        '+impact: {households: 6, compensation: "12500", legal_or_media: false}',
    ]


def test_appending_an_event_adds_one_line_in_the_file_style(records_root):
    path = records_root / "tickets/2026/11/T-8Q3KZ2.yaml"
    before = path.read_text("utf-8")
    event = {"at": datetime(2026, 11, 8, 9, 0, tzinfo=CST), "type": "note", "by": "S-021", "note": "no"}
    update_record(records_root, "tickets/2026/11/T-8Q3KZ2.yaml", lambda d: d["events"].append(new_entry(event, "events")))
    assert changed_lines(before, path.read_text("utf-8")) == [
        '+  - {at: 2026-11-08T09:00:00+08:00, type: note, by: S-021, note: "no"}']


def test_text_that_yaml_1_1_would_misread_is_quoted():
    text = writer.dump(writer.to_commented({"a": "yes", "b": "16:30", "c": "0123", "d": "on", "e": "普通"}))
    assert yaml.safe_load(text) == {"a": "yes", "b": "16:30", "c": "0123", "d": "on", "e": "普通"}


def test_no_change_means_no_write(records_root):
    path = records_root / "customers/C-7K2M9Q.yaml"
    mtime = path.stat().st_mtime_ns
    assert update_record(records_root, "customers/C-7K2M9Q.yaml", lambda d: d.__setitem__("kind", "tenant")) is False
    assert path.stat().st_mtime_ns == mtime


def test_an_invalid_edit_is_refused_and_the_file_is_untouched(records_root):
    path = records_root / "customers/C-7K2M9Q.yaml"
    before = path.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        update_record(records_root, "customers/C-7K2M9Q.yaml", lambda d: d.__setitem__("kind", "alien"))
    assert refused.value.findings[0].code == "bad-value"
    assert path.read_bytes() == before


def test_a_single_record_rule_blocks_the_write(records_root):
    path = records_root / "tickets/2026/11/T-8Q3KZ2.yaml"
    before = path.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        update_record(records_root, "tickets/2026/11/T-8Q3KZ2.yaml", lambda d: d.__setitem__("status", "open"))
    assert refused.value.findings[0].code == "status-mismatch"
    assert path.read_bytes() == before


def test_a_crash_mid_write_leaves_the_old_file_intact(records_root, monkeypatch):
    path = records_root / "customers/C-7K2M9Q.yaml"
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("power cut")

    monkeypatch.setattr(writer.os, "replace", crash)
    with pytest.raises(OSError):
        update_record(records_root, "customers/C-7K2M9Q.yaml", lambda d: d.__setitem__("name", "新名字"))
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["C-7K2M9Q.yaml"]   # no temp file left behind


def test_create_refuses_to_overwrite(records_root):
    with pytest.raises(WriteRefused) as refused:
        writer.create_record(records_root, "customers/C-7K2M9Q.yaml", {"id": "C-7K2M9Q"})
    assert refused.value.findings[0].code == "exists"
    assert (records_root / "customers/C-7K2M9Q.yaml").read_text("utf-8") == CUSTOMER


def test_editing_a_broken_file_is_refused(records_root):
    (records_root / "customers/C-7K2M9Q.yaml").write_text("id: [broken\n", "utf-8")
    with pytest.raises(WriteRefused):
        update_record(records_root, "customers/C-7K2M9Q.yaml", lambda d: None)


def _append_notes(root, worker: int, count: int) -> None:
    for i in range(count):
        def mutate(doc, i=i):
            last = doc["events"][-1]["at"]
            doc["events"].append(new_entry({"at": last + timedelta(minutes=1), "type": "note",
                                            "note": f"worker {worker} note {i}"}, "events"))
        update_record(root, "tickets/2026/11/T-8Q3KZ2.yaml", mutate)


def test_two_processes_appending_events_lose_none(records_root):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_append_notes, args=(records_root, w, 15)) for w in (1, 2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
    assert all(p.exitcode == 0 for p in workers)
    data = yaml.safe_load((records_root / "tickets/2026/11/T-8Q3KZ2.yaml").read_text("utf-8"))
    notes = [e["note"] for e in data["events"] if e["type"] == "note"]
    assert sorted(notes) == sorted(f"worker {w} note {i}" for w in (1, 2) for i in range(15))


def test_lock_is_exclusive_between_processes(records_root):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()

    def hold():
        with writer.locked(records_root):
            ready.set()
            release.wait(30)

    holder = ctx.Process(target=hold)
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(writer.LockBusy):
            with writer.locked(records_root, timeout=0.2):
                pass
    finally:
        release.set()
        holder.join(30)
    with writer.locked(records_root, timeout=5):
        pass


# --- the file's own layout survives an edit ------------------------------------

CUSTOMER_PATH = "customers/C-7K2M9Q.yaml"
TICKET_PATH = "tickets/2026/11/T-8Q3KZ2.yaml"
NOTE = {"at": datetime(2026, 11, 8, 9, 0, tzinfo=CST), "type": "note", "by": "S-021", "note": "no"}
NOTE_LINE = b'  - {at: 2026-11-08T09:00:00+08:00, type: note, by: S-021, note: "no"}'


def _rate_cooperation_5(doc):
    doc["rating"]["cooperation"] = 5


def _put(root, relpath: str, data: bytes) -> bytes:
    (root / relpath).write_bytes(data)
    return data


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_an_edit_keeps_the_files_line_endings_byte_for_byte(records_root, monkeypatch, newline):
    text = CUSTOMER + "notes: |\n  一楼\n  二楼\n"     # line breaks inside a value too
    before = _put(records_root, CUSTOMER_PATH, text.encode().replace(b"\n", newline))
    validated = []
    check = writer.check_bytes
    monkeypatch.setattr(writer, "check_bytes", lambda raw, *a: validated.append(raw) or check(raw, *a))
    assert update_record(records_root, CUSTOMER_PATH, _rate_cooperation_5)
    after = (records_root / CUSTOMER_PATH).read_bytes()
    assert after == before.replace(b"cooperation: 4" + newline, b"cooperation: 5" + newline)
    assert validated[-1] == after          # what was checked is what was written


def test_an_event_appended_to_a_crlf_ticket_ends_in_crlf(records_root):
    before = _put(records_root, TICKET_PATH, TICKET.encode().replace(b"\n", b"\r\n"))
    update_record(records_root, TICKET_PATH, lambda d: d["events"].append(new_entry(NOTE, "events")))
    assert (records_root / TICKET_PATH).read_bytes() == before + NOTE_LINE + b"\r\n"


def test_a_no_op_on_a_crlf_file_writes_nothing(records_root):
    _put(records_root, CUSTOMER_PATH, CUSTOMER.encode().replace(b"\n", b"\r\n"))
    assert update_record(records_root, CUSTOMER_PATH, lambda d: d.__setitem__("kind", "tenant")) is False


@pytest.mark.parametrize("crlf_lines, expected", [(13, b"\r\n"), (3, b"\n")])
def test_a_file_mixing_endings_is_written_in_its_majoritys(records_root, crlf_lines, expected):
    lines = CUSTOMER.encode().splitlines()       # 16 lines
    _put(records_root, CUSTOMER_PATH, b"".join(
        line + (b"\r\n" if i < crlf_lines else b"\n") for i, line in enumerate(lines)))
    update_record(records_root, CUSTOMER_PATH, _rate_cooperation_5)
    assert (records_root / CUSTOMER_PATH).read_bytes() == \
        CUSTOMER.encode().replace(b"cooperation: 4", b"cooperation: 5").replace(b"\n", expected)


@pytest.mark.parametrize("head", [
    "%YAML 1.2\n---\n",
    "# customer record, kept by hand\n\n%YAML 1.2\n%TAG !cx! tag:example.com,2026:\n---\n",
    "---\n",
    "--- # one customer\n",
])
def test_directives_and_the_start_marker_survive_an_edit(records_root, head):
    before = _put(records_root, CUSTOMER_PATH, (head + CUSTOMER).encode())
    update_record(records_root, CUSTOMER_PATH, _rate_cooperation_5)
    assert (records_root / CUSTOMER_PATH).read_bytes() == before.replace(b"cooperation: 4", b"cooperation: 5")


def test_a_crlf_file_with_a_directive_and_a_byte_order_mark_keeps_all_three(records_root):
    before = _put(records_root, TICKET_PATH, ("\ufeff%YAML 1.2\n---\n" + TICKET).encode().replace(b"\n", b"\r\n"))
    update_record(records_root, TICKET_PATH, lambda d: d["events"].append(new_entry(NOTE, "events")))
    assert (records_root / TICKET_PATH).read_bytes() == before + NOTE_LINE + b"\r\n"


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_a_file_without_a_final_newline_stays_without_one(records_root, newline):
    before = _put(records_root, CUSTOMER_PATH, CUSTOMER.rstrip("\n").encode().replace(b"\n", newline))
    update_record(records_root, CUSTOMER_PATH, lambda d: d.__setitem__("kind", "owner"))
    assert (records_root / CUSTOMER_PATH).read_bytes() == before.replace(b"kind: tenant", b"kind: owner")


def test_the_final_newline_comes_back_when_the_last_value_needs_it(records_root):
    path = records_root / CUSTOMER_PATH
    _put(records_root, CUSTOMER_PATH, (CUSTOMER + "notes: |-\n  一楼\n  二楼").encode())
    update_record(records_root, CUSTOMER_PATH, lambda d: d.__setitem__("notes", "一楼\n二楼\n"))
    assert yaml.safe_load(path.read_text("utf-8"))["notes"] == "一楼\n二楼\n"

