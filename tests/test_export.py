"""`cxctl export`: every record as rows (counts equal the records), SLA clocks
with the same states as the SLA module for the same --as-of, personal data
masked unless asked, and an export that appears whole or not at all."""
from __future__ import annotations

import csv
import os
import sqlite3
import stat
from datetime import datetime

import pytest

from cxctl.calendar import BusinessCalendar
from cxctl.sla import clocks_for_ticket
from cxctl.sla_policy import SlaPolicy
from cxctl.store import tables as table_writer
from cxctl.store.loader import load_records
from tests.conftest import write

AS_OF = "2026-11-21T12:00:00+08:00"
OPEN_COMPLAINT = """\
id: T-OPEN01
customer: C-7K2M9Q
kind: complaint
channel: web
category: delivery
impact: {households: 12}
provider: P-03
owner: S-021
summary: 送货延误
opened_at: 2026-11-20T09:00:00+08:00
status: open
events:
  - {at: 2026-11-20T09:30:00+08:00, type: dispatch, by: S-021}
"""
REQUEST = """\
id: T-REQ001
customer: C-7K2M9Q
kind: request
channel: phone
provider: P-03
owner: S-022
summary: 更换门禁卡
opened_at: 2026-11-21T10:30:00+08:00
status: open
events: []
"""
HANDOVER = """\
desk: main
date: 2026-11-20
shift: early
handed_over_at: 2026-11-20T14:00:00+08:00
outgoing: [S-021]
incoming: [S-022]
counts:
  umbrella: {outgoing: 18, incoming: 18}
  cash: {outgoing: "1520.50", incoming: "1520.50"}
movements:
  - {item: umbrella, qty: -2, at: 2026-11-20T10:12:00+08:00, note: "lent to 王先生"}
loans:
  - {item: umbrella, qty: 1, borrower: 王先生, phone: "13900001111", due: 2026-11-25}
open_matters:
  - {ticket: T-OPEN01, note: "customer calls back at 15:00"}
signatures:
  outgoing: {by: S-021, at: 2026-11-20T14:05:00+08:00}
  incoming: {by: S-022, at: 2026-11-20T14:06:00+08:00}
"""
SURVEY = """\
id: V-01JD8Q4Z7K
customer: C-7K2M9Q
date: 2026-06-15
by: S-014
answers: {price: satisfied, quality: very_satisfied, delivery: basic, service: satisfied}
"""


@pytest.fixture
def root(records_root):
    write(records_root, "tickets/2026/11/T-OPEN01.yaml", OPEN_COMPLAINT)
    write(records_root, "tickets/2026/11/T-REQ001.yaml", REQUEST)
    write(records_root, "handovers/2026/11/2026-11-20-main-early.yaml", HANDOVER)
    write(records_root, "surveys/2026/V-01JD8Q4Z7K.yaml", SURVEY)
    return records_root


def export_db(cli, root, tmp_path, *extra):
    out = tmp_path / "out" / "records.db"
    result = cli(["--root", root, "export", "--out", out, "--as-of", AS_OF, *extra])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(out)
    db.row_factory = sqlite3.Row
    return db


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_row_counts_equal_record_counts(cli, root, tmp_path):
    loaded = load_records(root, use_cache=False)
    assert not [f for f in loaded.findings if f.level == "error"]
    records = loaded.records
    db = export_db(cli, root, tmp_path)
    assert count(db, "customers") == len(records.customers) == 1
    assert count(db, "tickets") == len(records.tickets) == 3
    assert count(db, "events") == sum(len(t.events) for t in records.tickets.values()) == 6
    assert count(db, "contacts") == sum(len(c.contacts) for c in records.customers.values())
    assert count(db, "handovers") == len(records.handovers) == 1
    assert count(db, "handover_counts") == 2
    assert count(db, "handover_movements") == 1 and count(db, "handover_loans") == 1
    assert count(db, "surveys") == len(records.surveys) == 1
    assert count(db, "staff") == len(records.staff) == 5
    assert count(db, "providers") == len(records.providers) == 1
    assert count(db, "provider_visits") == 3


def test_clock_states_equal_the_sla_module_for_the_same_as_of(cli, root, tmp_path):
    db = export_db(cli, root, tmp_path)
    records = load_records(root, use_cache=False).records
    policy = SlaPolicy.from_dict(records.policies["sla"])
    calendar = BusinessCalendar.from_dict(records.calendars[records.settings.calendar])
    as_of = datetime.fromisoformat(AS_OF)
    expected = sorted(
        (c.ticket, c.metric, c.cycle, c.state, c.due_at.isoformat(),
         c.done_at.isoformat() if c.done_at else None)
        for t in records.tickets.values() for c in clocks_for_ticket(t, policy, calendar, as_of))
    exported = sorted(tuple(r) for r in db.execute(
        "SELECT ticket, metric, cycle, state, due_at, done_at FROM clocks"))
    assert exported == expected
    # The as-of matters: the unanswered complaint has breached its first contact, the
    # request accepted 90 minutes earlier has breached its one-hour dispatch.
    states = {(r[0], r[1]): r[2] for r in db.execute("SELECT ticket, metric, state FROM clocks")}
    assert states[("T-OPEN01", "first_contact")] == "breached"
    assert states[("T-REQ001", "dispatch")] == "breached"
    assert states[("T-8Q3KZ2", "resolve")] == "met"


def test_an_earlier_as_of_gives_earlier_states_and_fewer_clocks(cli, root, tmp_path):
    out = tmp_path / "early.db"
    result = cli(["--root", root, "export", "--out", out, "--as-of", "2026-11-20T10:00:00+08:00"])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(out)
    states = dict(((t, m), s) for t, m, s in db.execute("SELECT ticket, metric, state FROM clocks"))
    assert states[("T-OPEN01", "first_contact")] == "running"
    assert not any(t == "T-REQ001" for t, _ in states)     # not yet accepted


def test_personal_data_is_masked_by_default(cli, root, tmp_path):
    db = export_db(cli, root, tmp_path)
    contact = db.execute("SELECT phone, email, id_number FROM contacts").fetchone()
    assert tuple(contact) == ("138****8000", "z***@example.com", "110101********1234")
    assert db.execute("SELECT phone FROM handover_loans").fetchone()[0] == "139****1111"
    assert db.execute("SELECT value FROM meta WHERE key = 'pii'").fetchone()[0] == "masked"


def test_show_pii_exports_personal_data_as_recorded(cli, root, tmp_path):
    db = export_db(cli, root, tmp_path, "--show-pii")
    assert tuple(db.execute("SELECT phone, email, id_number FROM contacts").fetchone()) == \
        ("13800138000", "zm@example.com", "110101199003071234")


def test_values_keep_their_meaning(cli, root, tmp_path):
    db = export_db(cli, root, tmp_path)
    ticket = db.execute("SELECT * FROM tickets WHERE id = 'T-8Q3KZ2'").fetchone()
    assert ticket["compensation"] == "12000"               # exact decimal text, never a float
    assert ticket["legal_or_media"] == 0 and ticket["events"] == 5
    assert ticket["severity_effective"] == "important"
    complaint = db.execute("SELECT severity, severity_effective FROM tickets WHERE id = 'T-OPEN01'")
    assert tuple(complaint.fetchone()) == (None, "major")  # 12 households: derived
    cash = db.execute("SELECT outgoing FROM handover_counts WHERE item = 'cash'").fetchone()[0]
    assert cash == "1520.50"
    # SQLite's date functions understand the timestamps with their offset.
    utc = db.execute("SELECT datetime(opened_at) FROM tickets WHERE id = 'T-8Q3KZ2'").fetchone()[0]
    assert utc == "2026-11-03 07:40:00"
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tickets_customer", "events_ticket_seq", "clocks_state"} <= indexes


def test_csv_writes_one_file_per_table_with_the_same_rows(cli, root, tmp_path):
    out = tmp_path / "csv"
    result = cli(["--root", root, "export", "--format", "csv", "--out", out, "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    db = export_db(cli, root, tmp_path)
    for table in ("customers", "contacts", "tickets", "events", "clocks", "handovers",
                  "handover_counts", "surveys", "staff", "providers"):
        with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == count(db, table), table
    with open(out / "contacts.csv", encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["phone"] == "138****8000"


def previous_export(path):
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE previous (x)")
    db.close()
    return path.read_bytes()


def test_a_failed_export_leaves_the_previous_one_untouched(cli, root, tmp_path, monkeypatch):
    out = tmp_path / "records.db"
    before = previous_export(out)

    def broken(db, table):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(table_writer, "_sqlite_table", broken)
    result = cli(["--root", root, "export", "--out", out, "--as-of", AS_OF])
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".records.db")] == []


def test_export_replaces_an_earlier_csv_export_but_not_a_folder_of_other_files(cli, root, tmp_path):
    out = tmp_path / "csv"
    args = ["--root", root, "export", "--format", "csv", "--out", out, "--as-of", AS_OF]
    assert cli(args).exit_code == 0
    assert cli(args).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".csv")) == []
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "plan.txt").write_text("keep me\n", encoding="utf-8")
    refused = cli(["--root", root, "export", "--format", "csv", "--out", tmp_path / "notes"])
    assert refused.exit_code == 2 and "other than an earlier export" in refused.output
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["plan.txt"]


def test_export_replaces_an_earlier_sqlite_export(cli, root, tmp_path):
    out = tmp_path / "records.db"
    previous_export(out)
    db = export_db(cli, root, tmp_path)   # tmp_path/out/records.db: a new path
    assert count(db, "tickets") == 3
    result = cli(["--root", root, "export", "--out", out, "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    tables = {r[0] for r in sqlite3.connect(out).execute("SELECT name FROM sqlite_master")}
    assert "tickets" in tables and "previous" not in tables


def test_export_never_replaces_a_file_that_is_not_an_sqlite_database(cli, root, tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n", encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for out in (notes, fifo):
        result = cli(["--root", root, "export", "--out", out, "--as-of", AS_OF])
        assert result.exit_code == 2, result.output
        assert "not an SQLite database" in result.output
    assert notes.read_text(encoding="utf-8") == "not a database\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize("fmt, target", [("sqlite", "staff.yaml"), ("sqlite", "export.db"),
                                         ("csv", "tables"), ("csv", "."), ("sqlite", ".")])
def test_export_never_writes_inside_the_records_root(cli, root, tmp_path, fmt, target):
    def files():    # the parse cache is cxctl's own, not export output
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                      if ".cxctl-cache" not in p.relative_to(root).parts)

    before = files()
    staff = (root / "staff.yaml").read_bytes()
    result = cli(["--root", root, "export", "--format", fmt, "--out", root / target, "--as-of", AS_OF])
    assert result.exit_code == 2, result.output
    assert "inside the records root" in result.output
    assert (root / "staff.yaml").read_bytes() == staff
    assert files() == before


def test_personal_data_typed_into_free_text_is_masked_unless_shown(cli, root, tmp_path):
    write(root, "tickets/2026/11/T-OPEN01.yaml", OPEN_COMPLAINT + (
        "  - {at: 2026-11-20T10:00:00+08:00, type: note, by: S-021, "
        "note: \"客户新电话 13912345678, mail li.lei@example.com\"}\n"))
    db = export_db(cli, root, tmp_path)
    note = db.execute("SELECT note FROM events WHERE type = 'note'").fetchone()[0]
    assert note == "客户新电话 139****5678, mail l***@example.com"
    shown = export_db(cli, root, tmp_path / "shown", "--show-pii")
    assert shown.execute("SELECT note FROM events WHERE type = 'note'").fetchone()[0] == \
        "客户新电话 13912345678, mail li.lei@example.com"


def test_a_deadline_the_calendar_cannot_place_exits_2_not_a_traceback(cli, root, tmp_path):
    write(root, "calendars/cn-mainland.yaml", """\
    name: cn-mainland
    timezone: Asia/Shanghai
    workweek: [mon, tue, wed, thu, fri]
    hours: ["09:00-09:01"]
    """)
    write(root, "policies/sla.yaml", """\
    targets:
      request:
        dispatch: {within: 8760, unit: hours, business_hours: true}
    """)
    result = cli(["--root", root, "export", "--out", tmp_path / "x.db", "--as-of", AS_OF])
    assert result.exit_code == 2, result.output
    assert "cannot compute an SLA deadline" in result.output
    assert not (tmp_path / "x.db").exists()


def test_unknown_format_is_a_usage_error(cli, root, tmp_path):
    result = cli(["--root", root, "export", "--format", "xlsx", "--out", tmp_path / "x"])
    assert result.exit_code == 2 and "sqlite or csv" in result.output
