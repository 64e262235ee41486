"""`cxctl validate`: every check fires on a bad record and stays quiet on a good one."""
from __future__ import annotations

import json
import unicodedata

import pytest

from tests.conftest import CUSTOMER, TICKET, write


def findings(cli, root, *paths):
    result = cli(["--root", root, "validate", "--format", "json", *paths])
    return result, json.loads(result.stdout)


def codes(found):
    return {f["code"] for f in found}


def test_clean_tree_exits_0_with_no_findings(cli, records_root):
    result, found = findings(cli, records_root)
    assert result.exit_code == 0
    assert found == []


# Each case: (file to write, its content, the code expected, the field expected)
CASES = {
    "malformed yaml": ("customers/C-7K2M9Q.yaml", "id: C-7K2M9Q\nname: [unclosed\n", "yaml-syntax", None),
    "tab indentation": ("customers/C-7K2M9Q.yaml",
                        CUSTOMER.replace("  asset_scale: 4", "\tasset_scale: 4"), "yaml-syntax", None),
    "unknown field": ("customers/C-7K2M9Q.yaml", CUSTOMER.replace("name:", "nmae:"), "unknown-field", "nmae"),
    "missing field": ("customers/C-7K2M9Q.yaml", CUSTOMER.replace("kind: tenant\n", ""), "missing-field", None),
    "wrong type": ("customers/C-7K2M9Q.yaml", CUSTOMER.replace("asset_scale: 4", "asset_scale: four"),
                   "wrong-type", "rating.asset_scale"),
    "value out of enum": ("customers/C-7K2M9Q.yaml", CUSTOMER.replace("kind: tenant", "kind: tennant"),
                          "bad-value", "kind"),
    "naive timestamp": ("tickets/2026/11/T-8Q3KZ2.yaml",
                        TICKET.replace("opened_at: 2026-11-03T15:40:00+08:00", "opened_at: 2026-11-03T15:40:00"),
                        "naive-timestamp", "opened_at"),
    "field on the wrong kind": ("tickets/2026/11/T-8Q3KZ2.yaml",
                                TICKET.replace("severity: important", "severity: important\nquality_class: A"),
                                "field-not-allowed", "quality_class"),
    "duplicate key": ("customers/C-7K2M9Q.yaml", CUSTOMER + "status: churned\n", "duplicate-key", None),
    "merge conflict": ("customers/C-7K2M9Q.yaml",
                       CUSTOMER.replace("owner: S-021   # relationship owner\n",
                                        "<<<<<<< HEAD\nowner: S-021\n=======\nowner: S-014\n>>>>>>> feature\n"),
                       "merge-conflict", None),
    "empty file": ("customers/C-7K2M9Q.yaml", "", "empty-file", None),
    "id does not match file": ("customers/C-7K2M9Q.yaml", CUSTOMER.replace("id: C-7K2M9Q", "id: C-OTHER1"),
                               "id-mismatch", "id"),
    "unknown customer": ("tickets/2026/11/T-8Q3KZ2.yaml", TICKET.replace("customer: C-7K2M9Q", "customer: C-NOPE1"),
                         "unknown-reference", "customer"),
    "unknown staff in an event": ("tickets/2026/11/T-8Q3KZ2.yaml",
                                  TICKET.replace("type: reply, by: P-03", "type: reply, by: S-404"),
                                  "unknown-reference", "events.1.by"),
    "unknown provider": ("tickets/2026/11/T-8Q3KZ2.yaml", TICKET.replace("provider: P-03", "provider: P-77"),
                         "unknown-reference", "provider"),
    "open ticket owned by someone who left": (
        "tickets/2026/11/T-8Q3KZ2.yaml",
        TICKET.replace("owner: S-021", "owner: S-099").replace("status: closed", "status: resolved")
        .replace("  - {at: 2026-11-07T09:35:00+08:00, type: close, by: S-022}\n", ""),
        "inactive-assignee", "owner"),
    "event before opened_at": ("tickets/2026/11/T-8Q3KZ2.yaml",
                               TICKET.replace("2026-11-03T16:05:00+08:00", "2026-11-03T15:00:00+08:00"),
                               "event-before-opened", "events.0.at"),
    "events out of order": ("tickets/2026/11/T-8Q3KZ2.yaml",
                            TICKET.replace("2026-11-04T10:00:00+08:00", "2026-11-07T10:00:00+08:00"),
                            "event-order", "events.2.at"),
    "status disagrees with events": ("tickets/2026/11/T-8Q3KZ2.yaml", TICKET.replace("status: closed", "status: open"),
                                     "status-mismatch", "status"),
    "severity below derived": ("tickets/2026/11/T-8Q3KZ2.yaml",
                               TICKET.replace("severity: important", "severity: general"),
                               "severity-below-derived", "severity"),
    "transfer not reflected": ("tickets/2026/11/T-8Q3KZ2.yaml",
                               TICKET.replace("  - {at: 2026-11-04T10:00:00+08:00",
                                              "  - {at: 2026-11-03T17:00:00+08:00, type: transfer, from: S-021, to: S-022}\n"
                                              "  - {at: 2026-11-04T10:00:00+08:00"),
                               "transfer-mismatch", "owner"),
    "extension that is not later": ("tickets/2026/11/T-8Q3KZ2.yaml",
                                    TICKET.replace("  - {at: 2026-11-04T10:00:00+08:00",
                                                   "  - {at: 2026-11-04T09:00:00+08:00, type: extend, "
                                                   "until: 2026-11-04T09:00:00+08:00, approved_by: S-014, "
                                                   "reason: parts}\n  - {at: 2026-11-04T10:00:00+08:00"),
                                    "extend-not-later", "events.1.until"),
    "ticket in the wrong month folder": ("tickets/2026/10/T-8Q3KZ2.yaml", TICKET, "wrong-folder", "opened_at"),
    "file where no record belongs": ("customers/2026/C-7K2M9Q.yaml", CUSTOMER, "wrong-folder", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_check_reports_its_problem(cli, records_root, case):
    relpath, text, code, field = CASES[case]
    if case == "ticket in the wrong month folder":
        (records_root / "tickets/2026/11/T-8Q3KZ2.yaml").unlink()
    write(records_root, relpath, text)
    result, found = findings(cli, records_root)
    assert result.exit_code == 1, result.output
    hits = [f for f in found if f["code"] == code]
    assert hits, f"expected {code}, got {found}"
    hit = hits[0]
    assert hit["path"] == relpath
    assert hit["level"] == "error"
    if field is not None:
        assert hit["field"] == field
    if code not in ("empty-file", "wrong-folder") or field:
        assert hit["line"] is not None and hit["line"] >= 1


def test_binary_file_is_a_finding_not_a_crash(cli, records_root):
    (records_root / "customers/C-7K2M9Q.yaml").write_bytes(b"\x00\x01\x02binary\xff")
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert codes(found) >= {"binary-file"}


def test_non_utf8_file_is_a_finding(cli, records_root):
    (records_root / "customers/C-7K2M9Q.yaml").write_bytes(CUSTOMER.encode("gbk"))
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert "encoding" in codes(found)


def test_duplicate_ids_across_month_folders(cli, records_root):
    write(records_root, "tickets/2026/10/T-8Q3KZ2.yaml", TICKET)
    _, found = findings(cli, records_root)
    assert "duplicate-id" in codes(found)


def test_same_moment_events_are_fine(cli, records_root):
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml",
          TICKET.replace("2026-11-03T16:05:00+08:00", "2026-11-03T15:40:00+08:00"))
    result, found = findings(cli, records_root)
    assert result.exit_code == 0, found


def test_history_may_name_people_who_left(cli, records_root):
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml", TICKET.replace("owner: S-021", "owner: S-099"))
    result, found = findings(cli, records_root)
    assert result.exit_code == 0, found


def test_owner_rank_is_a_warning_not_an_error(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml",
          CUSTOMER + "tier: {level: 1, class: vip, period: 2026-01, score: 80.0}\n")
    result, found = findings(cli, records_root)
    assert result.exit_code == 0
    assert [(f["code"], f["level"]) for f in found] == [("owner-rank", "warning")]
    write(records_root, "customers/C-7K2M9Q.yaml",
          CUSTOMER.replace("owner: S-021", "owner: S-014") + "tier: {level: 1, class: vip, period: 2026-01}\n")
    _, found = findings(cli, records_root)
    assert found == []


def test_future_timestamp_is_a_warning(cli, records_root):
    write(records_root, "tickets/2099/01/T-FUTURE1.yaml",
          TICKET.replace("T-8Q3KZ2", "T-FUTURE1").replace("2026-11-0", "2099-01-0"))
    result, found = findings(cli, records_root)
    assert result.exit_code == 0
    assert {(f["code"], f["level"]) for f in found} == {("future-timestamp", "warning")}


def test_missing_settings_is_reported(cli, records_root):
    (records_root / "cxctl.yaml").unlink()
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert "missing-settings" in codes(found)


def test_other_files_are_still_checked_after_a_bad_one(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", "id: [broken\n")
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml", TICKET.replace("status: closed", "status: open"))
    _, found = findings(cli, records_root)
    assert {"yaml-syntax", "status-mismatch"} <= codes(found)


def test_paths_limit_the_report_but_not_the_load(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER.replace("name:", "nmae:"))
    result, found = findings(cli, records_root, str(records_root / "tickets"))
    # The ticket's customer failed its schema, so it is unknown to the ticket …
    assert {f["path"] for f in found} == {"tickets/2026/11/T-8Q3KZ2.yaml"}
    # … and the customer's own finding is left out of this report.
    assert "unknown-field" not in codes(found)


def test_json_keys_are_the_contract(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER.replace("name:", "nmae:"))
    _, found = findings(cli, records_root)
    unknown = next(f for f in found if f["code"] == "unknown-field")
    assert set(unknown) == {"path", "line", "column", "field", "code", "level", "message"}
    assert unknown["path"] == "customers/C-7K2M9Q.yaml"
    assert (unknown["line"], unknown["column"]) == (3, 1)


def test_text_output_points_at_the_field_with_a_caret_and_a_hint(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER.replace("name: 重庆", "nmae: 重庆"))
    result = cli(["--root", records_root, "validate"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "unknown-field" in line)
    assert lines[start:start + 4] == [
        "customers/C-7K2M9Q.yaml:3:1: error unknown-field: unknown field 'nmae' (nmae)",
        "  3 | nmae: 重庆晨光商贸有限公司",
        "    | ^",
        "  hint: did you mean 'name'?",
    ]


def test_golden_naive_timestamp_message(cli, records_root):
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml",
          TICKET.replace("{at: 2026-11-04T10:00:00+08:00", "{at: 2026-11-04 10:00:00"))
    result = cli(["--root", records_root, "validate"])
    assert result.stdout.splitlines()[:4] == [
        "tickets/2026/11/T-8Q3KZ2.yaml:15:10: error naive-timestamp: timestamp 'events.1.at' has no UTC offset "
        "(events.1.at)",
        "  15 |   - {at: 2026-11-04 10:00:00, type: reply, by: P-03}",
        "     |          ^",
        "  hint: add the offset, e.g. 2026-11-24T09:12:00+08:00",
    ]


def test_golden_merge_conflict_message(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml",
          CUSTOMER.replace("owner: S-021   # relationship owner\n",
                           "<<<<<<< HEAD\nowner: S-021\n=======\nowner: S-014\n>>>>>>> feature\n"))
    result = cli(["--root", records_root, "validate"])
    lines = result.stdout.splitlines()
    assert lines[0] == "customers/C-7K2M9Q.yaml:6:1: error merge-conflict: unresolved git merge-conflict marker"
    assert lines[1] == "  6 | <<<<<<< HEAD"
    assert lines[3].startswith("  hint: resolve the conflict")


def test_quoting_hint_for_yaml_1_1_surprises(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml",
          CUSTOMER.replace('phone: "13800138000"', "phone: 13800138000"))
    _, found = findings(cli, records_root)
    assert found[0]["code"] == "wrong-type"
    result = cli(["--root", records_root, "validate"])
    assert 'hint: write the value in double quotes' in result.stdout


def test_unknown_format_is_a_usage_error(cli, records_root):
    result = cli(["--root", records_root, "validate", "--format", "xml"])
    assert result.exit_code == 2


def test_missing_root_is_a_usage_error(cli, tmp_path):
    result = cli(["--root", tmp_path / "nowhere", "validate"])
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_unknown_time_zone_in_settings_is_a_finding_and_commands_exit_2(cli, records_root):
    write(records_root, "cxctl.yaml", "organisation: x\ntimezone: Asia/Chongqing_Nowhere\ncalendar: cn-mainland\n")
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert [(f["code"], f["field"], f["line"]) for f in found] == [("unknown-timezone", "timezone", 2)]
    assert cli(["--root", records_root, "ticket", "list"]).exit_code == 2


def test_default_calendar_must_exist(cli, records_root):
    write(records_root, "cxctl.yaml", "organisation: x\ntimezone: Asia/Shanghai\ncalendar: atlantis\n")
    _, found = findings(cli, records_root)
    assert [(f["code"], f["path"], f["line"]) for f in found] == [("unknown-calendar", "cxctl.yaml", 3)]


def test_timestamps_outside_a_sane_range_are_rejected(cli, records_root):
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml",
          TICKET.replace("{at: 2026-11-07T09:35:00+08:00", "{at: 9999-11-07T09:35:00+08:00"))
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert ("bad-format", "events.4.at") in {(f["code"], f["field"]) for f in found}
    assert cli(["--root", records_root, "sla", "check"]).exit_code == 0      # no overflow anywhere


def test_commands_say_which_records_they_left_out(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", "id: [broken\n")
    result = cli(["--root", records_root, "ticket", "list"])
    assert "1 record file(s) could not be read and are left out: customers/C-7K2M9Q.yaml" in result.stderr


def test_as_of_outside_the_year_range_is_a_usage_error(cli, records_root):
    result = cli(["--root", records_root, "sla", "check", "--as-of", "0001-01-01T00:00:00+08:00"])
    assert result.exit_code == 2 and "outside the years" in result.output


def test_quoted_lines_and_messages_mask_personal_data_unless_asked(cli, records_root):
    bad = CUSTOMER.replace('phone: "13800138000", email: zm@example.com',
                           'phone: "13800138000", email: zm@example.com, wechat: zm88')
    write(records_root, "customers/C-7K2M9Q.yaml", bad)
    for fmt in ("table", "json"):
        masked = cli(["--root", records_root, "validate", "--format", fmt]).stdout
        assert "unknown field 'wechat'" in masked
        assert "13800138000" not in masked and "110101199003071234" not in masked
        assert "zm@example.com" not in masked
    text = cli(["--root", records_root, "validate"]).stdout.splitlines()
    quoted = next(line for line in text if "wechat: zm88" in line)
    caret_column = text[text.index(quoted) + 1].index("^")
    # The caret sits under 'wechat' as the masked line is displayed (CJK
    # characters take two columns; the masked e-mail is longer than the original).
    width, at = 0, None
    for i, ch in enumerate(quoted):
        if width == caret_column:
            at = i
            break
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    assert at is not None and quoted[at:].startswith("wechat")
    shown = cli(["--root", records_root, "validate", "--show-pii"]).stdout
    assert "13800138000" in shown


# --- input that YAML readers disagree on, or that must never crash --------------

@pytest.mark.parametrize("line, shown", [
    ("legal_or_media: yes", "'yes' is true/false to YAML 1.1 tools"),
    ("households: 010", "'010' is a number to YAML 1.1 tools"),
    ("households: 1:30", "'1:30' is a number to YAML 1.1 tools"),
])
def test_scalars_yaml_1_1_and_1_2_read_differently_are_findings(cli, records_root, line, shown):
    key = line.split(":")[0]
    old = {"legal_or_media": "legal_or_media: false", "households": "households: 6"}[key]
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml", TICKET.replace(old, line))
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    hit = next(f for f in found if f["code"] == "ambiguous-scalar")
    assert shown in hit["message"] and hit["line"] == 7
    # the same document through the general path (it also has a naive timestamp)
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml",
          TICKET.replace(old, line).replace("opened_at: 2026-11-03T15:40:00+08:00", "opened_at: 2026-11-03 15:40:00"))
    _, found = findings(cli, records_root)
    assert "ambiguous-scalar" in codes(found)


def test_quoted_yes_and_true_are_fine(cli, records_root):
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml",
          TICKET.replace("legal_or_media: false", "legal_or_media: true").replace("空调噪音投诉", '"yes"'))
    result, found = findings(cli, records_root)
    assert result.exit_code == 0, found


@pytest.mark.parametrize("value", ["!!binary aGVsbG8=", "!!set {a, b}"])
def test_explicit_tags_for_unusable_types_are_findings(cli, records_root, value):
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER.replace("name: 重庆晨光商贸有限公司", f"name: {value}"))
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert [(f["code"], f["field"]) for f in found if f["code"] == "unusable-value"] == [("unusable-value", "name")]


def test_an_alias_bomb_is_refused_quickly(cli, records_root):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER + "\n".join(levels) + "\n")
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert "unusable-value" in codes(found)


def test_a_self_referencing_alias_is_a_finding(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER + "documents: &d [*d]\n")
    result, found = findings(cli, records_root)
    assert result.exit_code == 1 and found


def test_an_impossible_date_is_a_finding_with_its_line(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER.replace("since: 2024-03-01", "since: 2026-02-30"))
    result, found = findings(cli, records_root)
    hit = next(f for f in found if f["path"] == "customers/C-7K2M9Q.yaml")
    assert (hit["code"], hit["line"]) == ("bad-format", 7)


def test_timestamps_in_another_spelling_are_findings_not_crashes(cli, records_root):
    write(records_root, "tickets/2026/11/T-8Q3KZ2.yaml",
          TICKET.replace("opened_at: 2026-11-03T15:40:00+08:00", 'opened_at: "2026-11-03t15:40:00z"'))
    result, found = findings(cli, records_root)
    assert result.exit_code == 1
    assert any(f["field"] == "opened_at" for f in found)
    assert cli(["--root", records_root, "sla", "check"]).exit_code == 0


def test_a_key_of_unicode_digits_does_not_crash(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml", CUSTOMER + "²: 1\n")
    result, found = findings(cli, records_root)
    assert result.exit_code == 1 and "unknown-field" in codes(found)


def test_bad_personal_values_are_not_repeated_in_messages(cli, records_root):
    write(records_root, "customers/C-7K2M9Q.yaml",
          CUSTOMER.replace('phone: "13800138000", email: zm@example.com',
                           'phone: "133-6980-3963x", email: "yulan.ma@@example.org"'))
    for fmt in ("table", "json"):
        out = cli(["--root", records_root, "validate", "--format", fmt]).stdout
        assert "'contacts.0.phone' is not a valid phone" in out
        assert "3963x" not in out and "yulan.ma@@" not in out
    shown = cli(["--root", records_root, "validate", "--show-pii"]).stdout
    assert "3963x" in shown
