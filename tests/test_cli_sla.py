"""`cxctl sla check` / `sla remind` through the CLI: output keys, filters, exit codes."""
from __future__ import annotations

import json

import pytest
from freezegun import freeze_time

from tests.conftest import write

LATE = """\
id: T-LATE01
customer: C-7K2M9Q
kind: complaint
channel: web
provider: P-03
owner: S-022
opened_at: 2026-11-02T10:00:00+08:00
status: open
"""

RISKY = """\
id: T-RISK01
customer: C-7K2M9Q
kind: request
channel: phone
provider: P-03
owner: S-021
opened_at: 2026-11-06T16:30:00+08:00
status: open
"""

FORCED = """\
id: T-FORCE1
customer: C-7K2M9Q
kind: request
channel: phone
owner: S-021
opened_at: 2026-11-02T09:00:00+08:00
status: force_closed
events:
  - {at: 2026-11-02T09:20:00+08:00, type: dispatch, by: S-021}
  - {at: 2026-11-04T10:00:00+08:00, type: force_close, by: S-022, reason: customer withdrew}
"""

AS_OF = "2026-11-06T17:20:00+08:00"   # Friday: T-LATE01 overdue, T-RISK01 dispatch due in 10 minutes


@pytest.fixture
def root(records_root):
    write(records_root, "tickets/2026/11/T-LATE01.yaml", LATE)
    write(records_root, "tickets/2026/11/T-RISK01.yaml", RISKY)
    write(records_root, "tickets/2026/11/T-FORCE1.yaml", FORCED)
    return records_root


def check(cli, root, *args):
    return cli(["--root", root, "sla", "check", "--as-of", AS_OF, *args])


def test_json_lists_every_started_clock_with_the_spec_keys(cli, root):
    result = check(cli, root, "--format", "json")
    assert result.exit_code == 0, result.output            # breaches alone do not fail a plain check
    clocks = json.loads(result.stdout)
    assert all(list(c)[:7] == ["ticket", "metric", "cycle", "started_at", "due_at", "done_at", "state"]
               for c in clocks)
    states = {(c["ticket"], c["metric"]): c["state"] for c in clocks}
    assert states[("T-LATE01", "resolve")] == "breached"
    assert states[("T-RISK01", "dispatch")] == "at_risk"
    assert states[("T-8Q3KZ2", "resolve")] == "met"
    late = next(c for c in clocks if c["ticket"] == "T-LATE01" and c["metric"] == "resolve")
    assert late["due_at"] == "2026-11-05T16:30:00+08:00" and late["done_at"] is None


def test_fail_on_breach_exits_1_only_when_a_listed_clock_is_breached(cli, root):
    assert check(cli, root, "--fail-on", "breach").exit_code == 1
    assert check(cli, root, "--fail-on", "breach", "--ticket", "T-RISK01").exit_code == 0
    assert check(cli, root, "--fail-on", "at_risk", "--ticket", "T-RISK01").exit_code == 1
    assert check(cli, root, "--fail-on", "at_risk", "--ticket", "T-8Q3KZ2").exit_code == 0


def test_filters(cli, root):
    def tickets(*args):
        return {(c["ticket"], c["state"]) for c in json.loads(check(cli, root, "--format", "json", *args).stdout)}

    assert {t for t, _ in tickets("--state", "breached,at_risk")} == {"T-LATE01", "T-RISK01", "T-FORCE1"}
    assert {s for _, s in tickets("--state", "met")} == {"met"}
    assert {t for t, _ in tickets("--kind", "request")} == {"T-RISK01", "T-FORCE1"}
    assert {t for t, _ in tickets("--owner", "S-022")} == {"T-LATE01"}
    assert {t for t, _ in tickets("--provider", "P-03", "--kind", "complaint")} == {"T-LATE01", "T-8Q3KZ2"}


def test_table_output_is_readable(cli, root):
    result = check(cli, root, "--ticket", "T-LATE01")
    assert result.exit_code == 0
    assert "2026-11-05 16:30" in result.stdout and "breached" in result.stdout
    assert "3 working days" in result.stdout


def test_as_of_before_opening_lists_no_clock(cli, root):
    result = cli(["--root", root, "sla", "check", "--as-of", "2026-11-02T09:59:00+08:00",
                  "--ticket", "T-LATE01", "--format", "json"])
    assert json.loads(result.stdout) == []


@freeze_time("2026-11-02T05:00:00Z")      # 13:00 in Shanghai: first contact due now
def test_now_is_the_default_as_of(cli, root):
    clocks = json.loads(cli(["--root", root, "sla", "check", "--ticket", "T-LATE01", "--format", "json"]).stdout)
    assert {c["metric"]: c["state"] for c in clocks}["first_contact"] == "at_risk"


def test_explain_shows_how_the_deadline_was_derived(cli, root):
    result = check(cli, root, "--explain", "T-LATE01")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "resolve (cycle 1): 3 working days -> breached" in out
    assert "Tue 2026-11-03: day 1 (working day)" in out
    assert "general (derived" in out
    assert "due Thu 2026-11-05 16:30 +0800" in out
    steps = json.loads(check(cli, root, "--explain", "T-LATE01", "--format", "json").stdout)
    assert any("skipped" not in s and "day 3" in s for c in steps for s in c["steps"])


@pytest.mark.parametrize("args", [["--state", "late"], ["--fail-on", "soon"], ["--format", "xml"],
                                  ["--kind", "complaints"], ["--ticket", "T-NONE01"], ["--explain", "T-NONE01"]])
def test_bad_options_exit_2(cli, root, args):
    result = check(cli, root, *args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_bad_as_of_exits_2(cli, root):
    result = cli(["--root", root, "sla", "check", "--as-of", "tomorrow-ish"])
    assert result.exit_code == 2 and "--as-of" in result.output


def _calendar(root, **change):
    body = {"name": "cn-mainland", "timezone": "Asia/Shanghai", "workweek": "[mon, tue, wed, thu, fri]",
            "holidays": "[2026-10-01]", "workdays": "[2026-10-10]", **change}
    write(root, "calendars/cn-mainland.yaml", "".join(f"{k}: {v}\n" for k, v in body.items()))


@pytest.mark.parametrize("change, field", [
    ({"timezone": "Asia/Beijing"}, "timezone"),
    ({"workdays": "[2026-10-01]"}, "workdays.0"),
    ({"workdays": "[2026-10-12]"}, "workdays.0"),
    ({"day_cutoff": '"25:00"'}, "day_cutoff"),
])
def test_bad_calendar_is_a_finding_and_stops_sla_check(cli, root, change, field):
    _calendar(root, **change)
    validated = cli(["--root", root, "validate", "--format", "json"])
    assert validated.exit_code == 1
    findings = [f for f in json.loads(validated.stdout) if f["path"] == "calendars/cn-mainland.yaml"]
    assert any(f["field"] == field and f["level"] == "error" for f in findings), findings
    result = check(cli, root)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "calendars/cn-mainland.yaml" in result.output


def test_good_site_calendar_is_used(cli, root):
    # 2026-11-04 as a holiday pushes the general complaint's deadline to Friday.
    _calendar(root, holidays="[2026-11-04]", workdays="[]")
    clocks = json.loads(check(cli, root, "--ticket", "T-LATE01", "--format", "json").stdout)
    assert {c["metric"]: c["due_at"] for c in clocks}["resolve"] == "2026-11-06T16:30:00+08:00"


def test_missing_calendar_exits_2(cli, root):
    write(root, "cxctl.yaml", "organisation: x\ntimezone: Asia/Shanghai\ncalendar: nowhere\n")
    result = check(cli, root)
    assert result.exit_code == 2 and "'nowhere'" in result.output and "Traceback" not in result.output


def test_policy_with_unknown_kind_is_rejected(cli, root):
    write(root, "policies/sla.yaml", "targets:\n  ticket:\n    age: {within: 3, unit: calendar_months}\n")
    validated = cli(["--root", root, "validate", "--format", "json"])
    assert validated.exit_code == 1
    assert any(f["path"] == "policies/sla.yaml" for f in json.loads(validated.stdout))
    assert check(cli, root).exit_code == 2


def test_site_policy_changes_the_targets(cli, root):
    write(root, "policies/sla.yaml", "targets:\n  complaint:\n    resolve: {within: 1, unit: working_days}\n")
    clocks = json.loads(check(cli, root, "--ticket", "T-LATE01", "--format", "json").stdout)
    assert [(c["metric"], c["due_at"]) for c in clocks] == [("resolve", "2026-11-03T16:30:00+08:00")]


# -- sla remind ---------------------------------------------------------------------------

def test_remind_lists(cli, root):
    result = cli(["--root", root, "sla", "remind", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 0, result.output
    lists = json.loads(result.stdout)
    assert set(lists) == {"reminders", "investigations", "escalations", "forced_closures"}
    assert {(r["ticket"], r["metric"]) for r in lists["reminders"]} == {
        ("T-LATE01", "first_contact"), ("T-LATE01", "provider_reply"), ("T-LATE01", "resolve")}
    assert [(r["ticket"], r["reason"]) for r in lists["forced_closures"]] == [("T-FORCE1", "customer withdrew")]
    assert {r["ticket"] for r in lists["investigations"]} == {"T-FORCE1"}     # closed past its 3 h resolve


def test_remind_table_has_a_heading_per_list(cli, root):
    out = cli(["--root", root, "sla", "remind", "--as-of", AS_OF]).stdout
    assert "催办 reminders: open tickets past a deadline (3)" in out
    assert "escalations: open complaints older than 3 months (0)" in out


def test_remind_escalates_old_open_complaints(cli, root):
    result = cli(["--root", root, "sla", "remind", "--as-of", "2027-02-02T10:00:00+08:00",
                  "--list", "escalations", "--format", "json"])
    assert json.loads(result.stdout) == {"escalations": []}
    later = cli(["--root", root, "sla", "remind", "--as-of", "2027-02-02T10:01:00+08:00",
                 "--list", "escalations", "--format", "json"])
    assert [r["ticket"] for r in json.loads(later.stdout)["escalations"]] == ["T-LATE01"]


def test_remind_month_option(cli, root):
    october = cli(["--root", root, "sla", "remind", "--as-of", AS_OF, "--month", "2026-10", "--format", "json"])
    assert json.loads(october.stdout)["forced_closures"] == []
    assert cli(["--root", root, "sla", "remind", "--month", "2026-13"]).exit_code == 2
    assert cli(["--root", root, "sla", "remind", "--list", "todo"]).exit_code == 2


def test_remind_refuses_a_month_outside_the_record_years(cli, root):
    result = cli(["--root", root, "sla", "remind", "--month", "0000-01", "--as-of", AS_OF])
    assert result.exit_code == 2 and "years run 1900 to 2200" in result.stderr


def test_a_calendar_without_working_days_ahead_is_reported_and_never_a_traceback(cli, root):
    write(root, "calendars/cn-mainland.yaml", """\
    name: cn-mainland
    timezone: Asia/Shanghai
    workweek: []
    workdays: [2020-01-04]
    """)
    found = json.loads(cli(["--root", root, "validate", "--format", "json"]).stdout)
    assert [(f["path"], f["field"]) for f in found if f["level"] == "error"] == \
        [("calendars/cn-mainland.yaml", "workweek")]
    result = check(cli, root)
    assert result.exit_code == 2 and "calendar" in result.stderr


def test_a_deadline_the_calendar_cannot_place_exits_2_with_the_reason(cli, root):
    # one business minute a day: 8760 business hours lie far beyond any search
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
    assert cli(["--root", root, "validate"]).exit_code == 0
    for args in (["sla", "check"], ["sla", "remind"], ["sla", "check", "--explain", "T-RISK01"]):
        result = cli(["--root", root, *args, "--as-of", AS_OF])
        assert result.exit_code == 2, result.output
        assert "cannot compute an SLA deadline" in result.stderr and "business hours" in result.stderr


@pytest.mark.parametrize("target", ["{within: 100000, unit: calendar_months}",
                                    "{within: 1000000000000, unit: hours}"])
def test_a_huge_target_is_a_validation_error_and_sla_check_exits_2(cli, root, target):
    write(root, "policies/sla.yaml", f"targets:\n  all:\n    age: {target}\n")
    found = json.loads(cli(["--root", root, "validate", "--format", "json"]).stdout)
    assert {(f["path"], f["level"]) for f in found} == {("policies/sla.yaml", "error")}
    result = check(cli, root)
    assert result.exit_code == 2 and "policies/sla.yaml" in result.stderr


def test_open_lists_only_clocks_still_running(cli, records_root):
    from tests.conftest import write
    write(records_root, "tickets/2026/11/T-OPEN01.yaml", """\
id: T-OPEN01
customer: C-7K2M9Q
kind: complaint
channel: hotline
provider: P-03
owner: S-021
summary: 无人联系
opened_at: 2026-11-10T09:00:00+08:00
status: open
events: []
""")
    args = ["--root", records_root, "sla", "check", "--as-of", "2026-11-20T15:00:00+08:00", "--format", "json"]
    everything = json.loads(cli(args).stdout)
    running = json.loads(cli([*args, "--open"]).stdout)
    assert any(c["done_at"] is not None for c in everything)          # stopped clocks exist …
    assert running and all(c["done_at"] is None for c in running)    # … and --open leaves them out
    assert ("T-OPEN01", "first_contact", "breached") in {(c["ticket"], c["metric"], c["state"]) for c in running}
    assert {c["ticket"] for c in running} == {"T-OPEN01"}
