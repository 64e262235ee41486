"""Ticket facts and the ticket map that builds on demand (cxctl.ticket_index):
facts worked out from a file's data agree with facts of the built ticket, only
the tickets asked for are built, and the checks and selections that look at
facts first find exactly what looking at every built ticket finds."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cxctl import integrity
from cxctl.calendar import BusinessCalendar
from cxctl.kpi import complaints_in_month
from cxctl.model import Ticket
from cxctl.months import Month
from cxctl.store.loader import check_bytes, list_files, load_records
from cxctl.ticket_index import TicketFacts, TicketMap, as_facts, facts_row, from_micros, micros
from tests.conftest import TICKET, write

SAMPLE = Path(__file__).resolve().parent.parent / "records"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _ticket(ticket_id: str, opened: str, *, kind: str = "complaint", extra: str = "") -> str:
    return (TICKET.replace("T-8Q3KZ2", ticket_id).replace("kind: complaint", f"kind: {kind}")
            .replace("opened_at: 2026-11-03T15:40:00+08:00", f"opened_at: {opened}") + extra)


def test_micros_is_exact_and_round_trips():
    moment = datetime(2026, 10, 31, 23, 59, 59, 999_999, tzinfo=SHANGHAI)
    assert from_micros(micros(moment)) == moment
    assert micros(datetime(2026, 11, 1, tzinfo=SHANGHAI)) - micros(moment) == 1


def test_facts_from_data_agree_with_facts_of_the_built_ticket():
    paths = [p for p in list_files(SAMPLE) if p.startswith("tickets/")]
    assert len(paths) > 100
    for relpath in paths:
        entry = check_bytes((SAMPLE / relpath).read_bytes(), relpath, "ticket")
        assert entry.facts is not None, relpath
        assert as_facts(entry.facts) == TicketFacts.of(Ticket.from_dict(entry.data, relpath)), relpath


def test_facts_name_every_actor_and_the_latest_moment():
    data = {"id": "T-1", "customer": "C-1", "kind": "request", "status": "open", "channel": "hotline",
            "opened_at": "2026-11-03T15:40:00+08:00",
            "events": [{"at": "2026-11-05T09:00:00+08:00", "type": "extend", "by": "S-2",
                        "approved_by": "S-9", "until": "2026-11-20T16:30:00+08:00"},
                       {"at": "2026-11-04T09:00:00+00:00", "type": "transfer", "from": "P-1", "to": "P-2"}]}
    facts = as_facts(facts_row(data, "tickets/2026/11/T-1.yaml"))
    assert facts.actors == ("P-1", "P-2", "S-2", "S-9")
    # The latest moment is the event of the 5th, though a later-written event comes after it
    # and is written in another offset.
    assert from_micros(facts.last_us) == datetime.fromisoformat("2026-11-05T09:00:00+08:00")
    assert facts.owner is None and facts.provider is None


def test_ticket_map_builds_only_what_is_asked_for():
    built = []
    facts = {f"T-{i}": TicketFacts(f"tickets/2026/11/T-{i}.yaml", f"T-{i}", "C-1", "request", "open",
                                   None, None, 0, 0, ()) for i in range(3)}

    def build(f):
        built.append(f.id)
        return f.id.lower()

    tickets = TicketMap(facts, build)
    assert len(tickets) == 3 and "T-1" in tickets and list(tickets) == ["T-0", "T-1", "T-2"]
    assert built == []
    assert tickets["T-1"] == "t-1" and tickets["T-1"] == "t-1"
    assert built == ["T-1"]                        # once, however often asked
    with pytest.raises(KeyError):
        tickets["T-9"]
    assert list(tickets.values()) == ["t-0", "t-1", "t-2"]
    assert built == ["T-1", "T-0", "T-2"]


def _cross_findings(root: Path, now: datetime, *, built: bool):
    result = load_records(root, use_cache=False, cross_checks=False)
    records = result.records
    assert isinstance(records.tickets, TicketMap)
    if built:       # every ticket built: the checks cannot take a short cut through the facts
        records.tickets = dict(records.tickets.items())
    identities = [(k, i, p) for k, i, p in _identities(result)]
    found = integrity.check_records(records, identities, now=now)
    return sorted((f.path, f.code, f.field or "", f.message) for f in found)


def _identities(result):
    for relpath, entry in result.entries.items():
        if entry.kind == "ticket" and entry.facts:
            yield "ticket", entry.facts[1], relpath


def test_cross_checks_through_facts_find_what_every_built_ticket_shows(records_root):
    now = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
    # Accepted at the first moment of November (Shanghai), and a microsecond before it.
    write(records_root, "tickets/2026/11/T-FIRST01.yaml", _ticket("T-FIRST01", "2026-11-01T00:00:00+08:00"))
    write(records_root, "tickets/2026/11/T-LASTOCT.yaml",
          _ticket("T-LASTOCT", "2026-10-31T23:59:59.999999+08:00"))
    # The same moment as the first, written in UTC: still November in Shanghai.
    write(records_root, "tickets/2026/11/T-UTCNOV1.yaml", _ticket("T-UTCNOV1", "2026-10-31T16:00:00+00:00"))
    # An event a microsecond after now, and one exactly at now.
    write(records_root, "tickets/2026/11/T-FUTURE1.yaml", _ticket(
        "T-FUTURE1", "2026-11-10T09:00:00+08:00",
        extra="  - {at: 2026-11-20T12:00:00.000001+08:00, type: note, by: S-021}\n"))
    write(records_root, "tickets/2026/11/T-NOWEVT1.yaml", _ticket(
        "T-NOWEVT1", "2026-11-10T09:00:00+08:00",
        extra="  - {at: 2026-11-20T12:00:00+08:00, type: note, by: S-021}\n"))
    # An event naming someone unknown; an open ticket owned by someone who left.
    write(records_root, "tickets/2026/11/T-UNKNOWN.yaml", _ticket(
        "T-UNKNOWN", "2026-11-10T09:00:00+08:00",
        extra="  - {at: 2026-11-10T10:00:00+08:00, type: note, by: S-404}\n"))
    write(records_root, "tickets/2026/11/T-LEFTOWN.yaml", _ticket(
        "T-LEFTOWN", "2026-11-10T09:00:00+08:00").replace("owner: S-021", "owner: S-099")
        .replace("status: closed", "status: open").split("events:")[0] + "events: []\n")

    through_facts = _cross_findings(records_root, now, built=False)
    every_ticket = _cross_findings(records_root, now, built=True)
    assert through_facts == every_ticket
    by_ticket = {(Path(p).stem, code, field) for p, code, field, _ in through_facts}
    assert by_ticket == {
        ("T-LASTOCT", "wrong-folder", "opened_at"),
        ("T-FUTURE1", "future-timestamp", "events.5.at"),
        ("T-UNKNOWN", "unknown-reference", "events.5.by"),
        ("T-LEFTOWN", "inactive-assignee", "owner"),
    }


def test_a_months_complaints_are_chosen_by_their_facts_and_only_those_built(records_root):
    for ticket_id, opened, kind in [
            ("T-OCTLAST", "2026-10-31T23:59:00+08:00", "complaint"),   # October in Shanghai
            ("T-NOVFRST", "2026-10-31T16:00:00+00:00", "complaint"),   # 00:00 Nov 1 in Shanghai
            ("T-OCTREQ1", "2026-10-15T10:00:00+08:00", "request"),
            ("T-SEPCOMP", "2026-09-30T23:59:59.999999+08:00", "complaint"),
            ("T-SEPEARL", "2026-09-29T23:00:00+08:00", "complaint")]:
        folder = "2026/11" if ticket_id == "T-NOVFRST" else "2026/" + opened[5:7]
        write(records_root, f"tickets/{folder}/{ticket_id}.yaml", _ticket(ticket_id, opened, kind=kind))
    records = load_records(records_root, use_cache=False, cross_checks=False).records
    calendar = BusinessCalendar.from_dict(records.calendars["cn-mainland"])
    chosen = complaints_in_month(records.tickets, Month.parse("2026-10"), calendar,
                                 datetime(2026, 12, 1, tzinfo=SHANGHAI))
    assert [t.id for t in chosen] == ["T-OCTLAST"]
    # Built: the complaints within a day of October's moments (the local date decides
    # among them); not the request, not a complaint two days before, not November's
    # complaint of the fixture.
    assert set(records.tickets._built) == {"T-OCTLAST", "T-NOVFRST", "T-SEPCOMP"}


@pytest.mark.parametrize("folder", ["tickets/0000/01", "tickets/9999/12", "tickets/２０２６/11"])
def test_a_folder_no_month_can_be_is_reported_not_a_traceback(cli, records_root, folder):
    source = records_root / "tickets/2026/11/T-8Q3KZ2.yaml"
    write(records_root, f"{folder}/T-8Q3KZ2.yaml", source.read_text("utf-8"))
    source.unlink()
    result = cli(["--root", records_root, "validate", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert '"code": "wrong-folder"' in result.stdout
    assert "tickets/2026/11/T-8Q3KZ2.yaml" in result.stdout        # the hint says where


def test_a_clock_turned_back_across_midnight_is_judged_by_the_local_date(records_root):
    # St. John's turned its clocks back from 00:01 on 1 November 2009 to 23:01 on
    # 31 October: 23:05 that night (-03:30) comes after November's first moment
    # (00:00, -02:30) yet is dated 31 October.
    write(records_root, "cxctl.yaml", "organisation: x\ntimezone: America/St_Johns\ncalendar: nl\n")
    calendar_text = (SAMPLE / "calendars/cn-mainland.yaml").read_text("utf-8")
    write(records_root, "calendars/nl.yaml", calendar_text.replace("name: cn-mainland", "name: nl")
          .replace("timezone: Asia/Shanghai", "timezone: America/St_Johns"))
    late_october = _ticket("T-STJ0001", "2009-10-31T23:05:00-03:30").replace("+08:00", "-03:30") \
        .replace("2026-11-0", "2009-11-0")
    write(records_root, "tickets/2009/11/T-STJ0001.yaml", late_october)      # the wrong folder
    write(records_root, "tickets/2009/10/T-STJ0002.yaml",
          late_october.replace("T-STJ0001", "T-STJ0002").replace("23:05:00", "23:10:00"))
    now = datetime(2026, 11, 20, tzinfo=SHANGHAI)
    through_facts = _cross_findings(records_root, now, built=False)
    assert through_facts == _cross_findings(records_root, now, built=True)
    assert {(Path(p).stem, code) for p, code, _, _ in through_facts if code == "wrong-folder"} == {
        ("T-STJ0001", "wrong-folder")}
    records = load_records(records_root, use_cache=False, cross_checks=False).records
    calendar = BusinessCalendar.from_dict(records.calendars["nl"])
    chosen = complaints_in_month(records.tickets, Month.parse("2009-10"), calendar,
                                 datetime(2009, 12, 1, tzinfo=ZoneInfo("America/St_Johns")))
    assert [t.id for t in chosen] == ["T-STJ0001", "T-STJ0002"]


def test_cross_checks_take_tickets_made_in_memory_without_a_path():
    from cxctl.model import Records, Settings
    ticket = Ticket.from_dict({"id": "T-1", "customer": "C-1", "kind": "request", "channel": "hotline",
                               "opened_at": "2026-11-03T15:40:00+08:00", "status": "open"})
    records = Records(settings=Settings("x", "Asia/Shanghai", "cn-mainland"), tickets={"T-1": ticket},
                      calendars={"cn-mainland": {}})
    found = integrity.check_records(records, [], now=datetime(2026, 11, 20, tzinfo=SHANGHAI))
    assert ("wrong-folder", None) in {(f.code, f.path) for f in found}
