"""`cxctl report monthly`: dated files, identical bytes on a rerun, no personal data,
exit codes that cron can act on (SPEC 2, 5)."""
from __future__ import annotations

import json
import re

from tests.conftest import write

TOPICS = ("kpi", "sla", "reminders", "handover", "returns", "coverage")

# Never contacted, never replied: every complaint clock breaches in November.
# Force-closed with a phone number typed into the reason.
BREACHED = """\
id: T-BR01
customer: C-7K2M9Q
kind: complaint
channel: forum
category: technical
provider: P-03
owner: S-021
summary: 电梯故障
opened_at: 2026-11-10T09:00:00+08:00
status: force_closed
return: {approved_qty: 20, returned_qty: 23}
events:
  - {at: 2026-11-20T10:00:00+08:00, type: force_close, by: S-022, reason: "客户电话13700001234 拒绝回访"}
"""

# An early shift without its late one (continuity: an error), with an overdue loan
# whose borrower left a phone number (loans: a warning that carries the phone).
HANDOVER = """\
desk: main
date: 2026-11-24
shift: early
handed_over_at: 2026-11-24T14:00:00+08:00
outgoing: [S-021]
incoming: [S-022]
counts:
  umbrella: {outgoing: 18, incoming: 18}
loans:
  - {item: umbrella, qty: 1, borrower: 王先生, phone: "13900001111", due: 2026-11-20}
signatures:
  outgoing: {by: S-021, at: 2026-11-24T14:05:00+08:00}
  incoming: {by: S-022, at: 2026-11-24T14:06:00+08:00}
"""

PHONES = ("13800138000", "13900001111", "13700001234")


def busy_root(records_root):
    write(records_root, "tickets/2026/11/T-BR01.yaml", BREACHED)
    write(records_root, "handovers/2026/11/2026-11-24-main-early.yaml", HANDOVER)
    return records_root


def run(cli, root, out, *extra):
    return cli(["--root", root, "report", "monthly", "--month", "2026-11", "--out", out, *extra])


def snapshot(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_writes_every_topic_in_three_formats_with_dated_names(cli, records_root, tmp_path):
    out = tmp_path / "reports"
    result = run(cli, busy_root(records_root), out)
    names = set(snapshot(out))
    assert names == {f"2026-11-{t}.{ext}" for t in TOPICS for ext in ("md", "csv", "json")}
    kpi = json.loads((out / "2026-11-kpi.json").read_text("utf-8"))
    assert kpi["month"] == "2026-11" and kpi["as_of"] == "2026-12-01T00:00:00+08:00"
    p03 = next(r for r in kpi["provider"] if r["group"] == "P-03")
    assert p03["complaints"] == 2 and p03["forced_closures"] == 1
    assert "## By provider" in (out / "2026-11-kpi.md").read_text("utf-8")
    assert result.stdout.count("2026-11-") >= 18


def test_rerun_with_the_same_records_and_as_of_gives_identical_bytes(cli, records_root, tmp_path):
    root = busy_root(records_root)
    first, second = tmp_path / "a", tmp_path / "b"
    run(cli, root, first)
    run(cli, root, second)
    assert snapshot(first) == snapshot(second)
    # a rerun into the same folder rewrites the same bytes and leaves no temporary files
    before = snapshot(first)
    run(cli, root, first)
    assert snapshot(first) == before
    # an explicit as-of equal to the default is the same report
    third = tmp_path / "c"
    run(cli, root, third, "--as-of", "2026-12-01T00:00:00+08:00")
    assert snapshot(third) == before


def test_no_unmasked_phone_in_any_written_file(cli, records_root, tmp_path):
    out = tmp_path / "reports"
    run(cli, busy_root(records_root), out)
    every = "\n".join(b.decode("utf-8") for b in snapshot(out).values())
    for phone in PHONES:
        assert phone not in every
    assert "139****1111" in every          # the overdue loan, masked
    assert "137****1234" in every          # typed into a forced closure's reason, masked
    assert not re.search(r"(?<![0-9A-Za-z-])1[3-9][0-9]{9}(?![0-9])", every)


def test_exit_1_on_breaches_and_error_findings_listing_them(cli, records_root, tmp_path):
    out = tmp_path / "reports"
    result = run(cli, busy_root(records_root), out)
    assert result.exit_code == 1
    sla = json.loads((out / "2026-11-sla.json").read_text("utf-8"))
    assert {(b["ticket"], b["metric"]) for b in sla["breaches"]} >= {
        ("T-BR01", "first_contact"), ("T-BR01", "provider_reply")}
    handover = json.loads((out / "2026-11-handover.json").read_text("utf-8"))["findings"]
    assert {(f["check"], f["level"]) for f in handover} == {("continuity", "error"), ("loans", "warning")}
    returns = json.loads((out / "2026-11-returns.json").read_text("utf-8"))["returns"]
    # 23 > 20 x 1.05 = 21: an error to resolve before booking
    assert [(r["ticket"], r["outcome"], r["level"]) for r in returns] == [("T-BR01", "excess", "error")]
    reminders = json.loads((out / "2026-11-reminders.json").read_text("utf-8"))
    assert [r["ticket"] for r in reminders["forced_closures"]] == ["T-BR01"]


def test_exit_0_for_a_month_without_breaches_or_findings(cli, records_root, tmp_path):
    # the fixture's only ticket met every deadline in November
    result = run(cli, records_root, tmp_path / "reports")
    assert result.exit_code == 0, result.output
    assert "0 SLA breach(es)" in result.stdout


def test_only_handovers_of_the_month_are_reconciled(cli, records_root, tmp_path):
    busy_root(records_root)
    out = tmp_path / "reports"
    result = cli(["--root", records_root, "report", "monthly", "--month", "2026-10", "--out", out])
    assert json.loads((out / "2026-10-handover.json").read_text("utf-8"))["findings"] == []
    assert result.exit_code == 0


def test_show_pii_and_bad_months_are_refused_with_exit_2(cli, records_root, tmp_path):
    out = tmp_path / "reports"
    refused = run(cli, records_root, out, "--show-pii")
    assert refused.exit_code == 2 and "--show-pii is refused" in refused.stderr
    bad = cli(["--root", records_root, "report", "monthly", "--month", "2026-13", "--out", out])
    assert bad.exit_code == 2 and "no month 13" in bad.stderr
    assert not out.exists()


def test_out_must_be_a_folder(cli, records_root, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = run(cli, records_root, blocker)
    assert result.exit_code == 2
