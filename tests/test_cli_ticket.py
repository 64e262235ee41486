"""`cxctl ticket …` rules that the lifecycle tests in test_cli_records.py do
not reach: events judged against the ticket as it is under the write lock."""
from __future__ import annotations

import multiprocessing

import pytest
import yaml
from typer.testing import CliRunner

from cxctl.cli import ticket as ticket_cli
from cxctl.cli.main import app
from cxctl.store import writer
from tests.conftest import ENV, write

RESOLVED_REL = "tickets/2026/11/T-RES001.yaml"
RESOLVED = """\
id: T-RES001
customer: C-7K2M9Q
kind: request
channel: phone
provider: P-03
owner: S-021
summary: 更换门禁卡
opened_at: 2026-11-10T09:00:00+08:00
status: resolved
events:
  - {at: 2026-11-10T09:20:00+08:00, type: dispatch, by: S-021}
  - {at: 2026-11-10T11:00:00+08:00, type: resolve, by: S-021}
"""


def _close(root, by: str, at: str, arrived, results) -> None:
    """One person's `ticket close`, telling the test once it has read the
    records and is about to ask for the write lock."""
    real = ticket_cli.update_record

    def announced(*args, **kwargs):
        arrived.release()
        return real(*args, **kwargs)

    ticket_cli.update_record = announced
    result = CliRunner().invoke(app, ["--root", str(root), "ticket", "close", "T-RES001", "--by", by,
                                      "--at", at], env=ENV)
    results.put((by, result.exit_code, result.output))


def test_two_people_closing_the_same_ticket_at_once_write_one_close(records_root):
    write(records_root, RESOLVED_REL, RESOLVED)
    ctx = multiprocessing.get_context("fork")
    holding, release, arrived, results = ctx.Event(), ctx.Event(), ctx.Semaphore(0), ctx.Queue()

    def hold_lock():
        with writer.locked(records_root):
            holding.set()
            release.wait(30)

    holder = ctx.Process(target=hold_lock)
    holder.start()
    assert holding.wait(30)
    closers = [ctx.Process(target=_close, args=(records_root, by, at, arrived, results))
               for by, at in (("S-021", "2026-11-11T10:00:00+08:00"), ("S-022", "2026-11-11T10:05:00+08:00"))]
    try:
        for p in closers:
            p.start()
        # Both have read the ticket as resolved before either may write.
        assert arrived.acquire(timeout=30) and arrived.acquire(timeout=30)
    finally:
        release.set()
        holder.join(30)
    outcomes = sorted(results.get(timeout=60) for _ in closers)
    for p in closers:
        p.join(30)
    assert sorted(code for _, code, _ in outcomes) == [0, 1], outcomes
    refused = next(out for _, code, out in outcomes if code == 1)
    assert "cannot close ticket T-RES001: it is closed" in refused
    data = yaml.safe_load((records_root / RESOLVED_REL).read_text("utf-8"))
    assert [e["type"] for e in data["events"]] == ["dispatch", "resolve", "close"]
    assert data["status"] == "closed"


def test_a_transfer_records_the_owner_as_of_the_write_not_as_first_read(cli, records_root, monkeypatch):
    write(records_root, RESOLVED_REL, RESOLVED.replace("status: resolved", "status: open").replace(
        "  - {at: 2026-11-10T11:00:00+08:00, type: resolve, by: S-021}\n", ""))
    real = ticket_cli.update_record

    def someone_else_first(root, relpath, mutate):
        # Between this command's read and its write, a colleague hands the ticket to S-022.
        def their_transfer(doc):
            doc["events"].append(writer.new_entry(
                {"at": doc["events"][-1]["at"], "type": "transfer", "from": "S-021", "to": "S-022"},
                "events"))
            doc["owner"] = "S-022"
        real(root, relpath, their_transfer)
        return real(root, relpath, mutate)

    monkeypatch.setattr(ticket_cli, "update_record", someone_else_first)
    result = cli(["--root", records_root, "ticket", "event", "T-RES001", "transfer", "--to", "S-014",
                  "--at", "2026-11-10T10:00:00+08:00"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((records_root / RESOLVED_REL).read_text("utf-8"))
    assert [(e.get("from"), e.get("to")) for e in data["events"][1:]] == [("S-021", "S-022"),
                                                                          ("S-022", "S-014")]
    assert data["owner"] == "S-014"
    assert cli(["--root", records_root, "validate"]).exit_code == 0


SUSPENDED = "id: P-09\nname: 旧保洁公司\nstatus: suspended\n"
TRANSITIONAL = "id: P-05\nname: 新保洁公司\nstatus: transitional\n"


@pytest.fixture
def root(records_root):
    write(records_root, RESOLVED_REL, RESOLVED.replace("status: resolved", "status: open").replace(
        "  - {at: 2026-11-10T11:00:00+08:00, type: resolve, by: S-021}\n", ""))
    write(records_root, "providers/P-09.yaml", SUSPENDED)
    write(records_root, "providers/P-05.yaml", TRANSITIONAL)
    return records_root


AT = ["--at", "2026-11-10T12:00:00+08:00"]


@pytest.mark.parametrize("args, message", [
    (["event", "T-RES001", "note", "--by", "S-NOPE", *AT], "--by: staff member S-NOPE is not in staff.yaml"),
    (["event", "T-RES001", "reply", "--by", "P-77", *AT], "--by: provider P-77 has no file"),
    (["event", "T-RES001", "note", "--by", "S-099", *AT], "--by: staff member S-099 (陈离) is not active"),
    (["event", "T-RES001", "reply", "--by", "P-09", *AT], "--by: provider P-09 is suspended"),
    (["event", "T-RES001", "extend", "--by", "S-021", "--until", "2026-11-20T16:30:00+08:00",
      "--reason", "parts", "--approved-by", "S-NOPE", *AT], "--approved-by: staff member S-NOPE"),
    (["event", "T-RES001", "extend", "--by", "S-021", "--until", "2026-11-20T16:30:00+08:00",
      "--reason", "parts", "--approved-by", "P-03", *AT], "--approved-by: 'P-03' is not a staff id"),
    (["event", "T-RES001", "transfer", "--to", "S-099", *AT], "--to: staff member S-099 (陈离) is not active"),
    (["event", "T-RES001", "transfer", "--to", "P-09", *AT], "--to: provider P-09 is suspended"),
    (["event", "T-RES001", "transfer", "--to", "X-1", *AT], "--to: 'X-1' is not a staff id (S-…) or a provider id"),
    (["close", "T-RES001", "--by", "S-099", *AT], "--by: staff member S-099"),
    (["open", "--customer", "C-7K2M9Q", "--kind", "request", "--channel", "phone", "--summary", "x",
      "--owner", "S-099", *AT], "--owner: staff member S-099 (陈离) is not active"),
    (["open", "--customer", "C-7K2M9Q", "--kind", "request", "--channel", "phone", "--summary", "x",
      "--provider", "P-09", *AT], "--provider: provider P-09 is suspended"),
    (["open", "--customer", "C-7K2M9Q", "--kind", "request", "--channel", "phone", "--summary", "x",
      "--owner", "P-03", *AT], "--owner: 'P-03' is not a staff id"),
])
def test_write_commands_refuse_unknown_or_inactive_references(cli, root, args, message):
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
    result = cli(["--root", root, "ticket", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "nothing was written" in result.output
    assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before


def test_a_transitional_provider_and_active_people_are_usable(cli, root):
    for args in (["event", "T-RES001", "transfer", "--to", "P-05", *AT],
                 ["event", "T-RES001", "reply", "--by", "P-05", "--at", "2026-11-10T12:30:00+08:00"],
                 ["close", "T-RES001", "--by", "S-022", "--at", "2026-11-10T13:00:00+08:00"]):
        result = cli(["--root", root, "ticket", *args])
        assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / RESOLVED_REL).read_text("utf-8"))
    assert data["provider"] == "P-05" and data["status"] == "closed"
