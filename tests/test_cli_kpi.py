"""`cxctl kpi summary`, `kpi coverage` and `survey summary` at the command line (SPEC 2, 3.6)."""
from __future__ import annotations

import csv
import io
import json

from tests.conftest import write

# Accepted by P-03, then transferred to P-07: it stays P-03's complaint.
TRANSFERRED = """\
id: T-TR01
customer: C-7K2M9Q
kind: complaint
channel: hotline
category: product_quality
provider: P-07
owner: S-022
opened_at: 2026-11-30T23:59:00+08:00
status: open
events:
  - {at: 2026-11-30T23:59:30+08:00, type: transfer, by: S-001, from: P-03, to: P-07}
"""

P07 = """\
id: P-07
name: 电梯维保
status: active
"""


def summary(cli, root, *extra):
    return cli(["--root", root, "kpi", "summary", "--month", "2026-11", *extra])


def test_json_has_the_fixed_keys_with_fractions(cli, records_root):
    write(records_root, "tickets/2026/11/T-TR01.yaml", TRANSFERRED)
    write(records_root, "providers/P-07.yaml", P07)
    result = summary(cli, records_root, "--by", "provider", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["group"]: r for r in json.loads(result.stdout)}
    assert list(rows) == ["P-03", "P-07"]
    p03 = rows["P-03"]
    # the fixture's complaint plus the transferred one accepted at 23:59 on the last day
    assert p03["complaints"] == 2
    # the fixture complaint was reached 25 minutes after opening; T-TR01 never: 1/2
    assert (p03["contact_24h_rate"], p03["contact_24h_rate_num"], p03["contact_24h_rate_den"]) == (0.5, 1, 2)
    # ceil(0.01 x (410 + 388 + 402) / 3) = 4; both complaints are of limited categories
    assert (p03["complaint_limit"], p03["limited_complaints"], p03["over_limit"]) == (4, 2, False)
    # P-07 has no complaints and no visits: limit unknown, eligibility unknown
    assert rows["P-07"]["complaints"] == 0
    assert rows["P-07"]["complaint_limit"] is None and rows["P-07"]["fee_support_eligible"] is None
    for key in ("group", "complaints", "reply_on_time_rate", "contact_24h_rate", "false_replies",
                "unreachable", "revisited", "first_closure_rate", "monthly_closure_rate",
                "satisfaction_rate", "forced_closures", "complaint_limit", "limited_complaints",
                "over_limit", "fee_support_eligible"):
        assert key in p03


def test_table_shows_each_rate_with_its_fraction_and_unknown_limits(cli, records_root):
    write(records_root, "providers/P-07.yaml", P07)
    result = summary(cli, records_root)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Complaints accepted in 2026-11, by provider, as of 2026-12-01T00:00:00+08:00"
    p07 = next(line for line in lines if line.startswith("P-07"))
    assert "n/a (0/0)" in p07 and "unknown" in p07
    assert "100.0% (1/1)" in next(line for line in lines if line.startswith("P-03"))


def test_by_owner_and_team_have_no_limit_columns(cli, records_root):
    owner = json.loads(summary(cli, records_root, "--by", "owner", "--format", "json").stdout)
    # every active staff member, S-099 (inactive) not
    assert [r["group"] for r in owner] == ["S-001", "S-014", "S-021", "S-022"]
    assert all(r["complaint_limit"] is None and r["fee_support_eligible"] is None for r in owner)
    team = summary(cli, records_root, "--by", "team")
    assert "complaint_limit" not in team.stdout and "desk" in team.stdout


def test_csv_keeps_numerators_and_denominators(cli, records_root):
    result = summary(cli, records_root, "--format", "csv")
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["reply_on_time_rate_num"], row["reply_on_time_rate_den"]) == ("1", "1")


def test_as_of_changes_what_has_happened(cli, records_root):
    # As of Nov 3 16:00 the complaint (opened 15:40) is not replied to yet and its reply is not
    # due: pending, so the reply rate has no denominator.
    result = summary(cli, records_root, "--as-of", "2026-11-03T16:00:00+08:00", "--format", "json")
    p03 = json.loads(result.stdout)[0]
    assert (p03["reply_on_time_rate"], p03["reply_on_time_rate_den"]) == (None, 0)


def test_bad_month_grouping_and_format_exit_2(cli, records_root):
    for args, text in ((["--month", "2026-13"], "no month 13"),
                       (["--month", "2026-11", "--by", "region"], "not a grouping"),
                       (["--month", "November"], "YYYY-MM"),
                       (["--month", "2026-11", "--format", "xml"], "unknown format")):
        result = cli(["--root", records_root, "kpi", "summary", *args])
        assert result.exit_code == 2 and text in result.stderr and "Traceback" not in result.output


def test_an_unreadable_ticket_is_reported_and_exits_1(cli, records_root):
    write(records_root, "tickets/2026/11/T-BAD1.yaml", "id: T-BAD1\nkind: complaint\n")
    result = summary(cli, records_root, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["complaints"] == 1
    assert "T-BAD1.yaml" in result.stderr and "left out" in result.stderr
    assert result.stderr.count("could not be read") == 1      # said once, with the details


def test_coverage_json_and_masked_contacts(cli, records_root):
    result = cli(["--root", records_root, "kpi", "coverage", "--year", "2026", "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["year"] == 2026
    assert doc["owners"] == [{"owner": "S-021", "name": "王强", "customers": 1, "contacted": 0,
                              "coverage": 0.0, "coverage_num": 0, "coverage_den": 1,
                              "uncontacted": ["C-7K2M9Q"]}]
    assert [u["customer"] for u in doc["uncontacted"]] == ["C-7K2M9Q"]
    table = cli(["--root", records_root, "kpi", "coverage", "--year", "2026"])
    assert "0.0% (0/1)" in table.stdout and "Customers nobody contacted in 2026" in table.stdout
    assert cli(["--root", records_root, "kpi", "coverage", "--year", "0"]).exit_code == 2


SURVEY = """\
id: {id}
customer: C-7K2M9Q
date: 2026-06-15
by: S-014
answers: {{price: satisfied, quality: very_satisfied, delivery: {delivery}, service: satisfied}}
"""


def test_survey_summary_scores_and_reports_a_level_outside_the_scale(cli, records_root):
    write(records_root, "surveys/2026/V-01.yaml", SURVEY.format(id="V-01", delivery="basic"))
    write(records_root, "surveys/2026/V-02.yaml", SURVEY.format(id="V-02", delivery="superb"))
    result = cli(["--root", records_root, "survey", "summary", "--year", "2026", "--format", "json"])
    doc = json.loads(result.stdout)
    # 10x80 + 50x100 + 20x60 + 20x80 = 8600 / 100 = 86; V-02 could not be read
    assert (doc["surveys"], doc["average"], doc["lowest_items"]) == (1, 86.0, ["delivery"])
    assert result.exit_code == 1
    assert "surveys/2026/V-02.yaml:5" in result.stderr and "superb" in result.stderr
    table = cli(["--root", records_root, "survey", "summary", "--year", "2026"])
    assert table.stdout.startswith("2026: 1 survey(s), 1 scored, average 86.00; lowest-scoring item(s): delivery")


def test_a_kpi_policy_whose_weights_do_not_add_up_is_unusable(cli, records_root):
    write(records_root, "policies/kpi.yaml",
          "complaint_limit_ratio: 0.01\nreturn_tolerance: 0.05\n"
          "survey_weights: {price: 10, quality: 50, delivery: 20, service: 10}\n")
    result = cli(["--root", records_root, "survey", "summary", "--year", "2026"])
    assert result.exit_code == 2
    assert "policies/kpi.yaml:3" in result.stderr and "must sum to 100, not 90" in result.stderr
    validate = cli(["--root", records_root, "validate", "--format", "json"])
    assert [(f["path"], f["code"], f["field"]) for f in json.loads(validate.stdout)] == [
        ("policies/kpi.yaml", "kpi-policy", "survey_weights")]
