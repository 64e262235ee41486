"""customer and ticket commands, driven through the CLI as a person would."""
from __future__ import annotations

import json

import pytest
import yaml

from cxctl.render import FORMATS
from tests.conftest import write


def load(root, relpath):
    return yaml.safe_load((root / relpath).read_text("utf-8"))


def test_init_creates_a_tree_that_validates(cli, tmp_path):
    root = tmp_path / "new"
    result = cli(["init", root, "--organisation", "测试中心"])
    assert result.exit_code == 0, result.output
    assert (root / "policies/sla.yaml").exists() and (root / "calendars/cn-mainland.yaml").exists()
    assert cli(["--root", root, "validate"]).exit_code == 0
    again = cli(["init", root])
    assert again.exit_code == 2 and "already" in again.output


def test_init_rejects_an_unknown_time_zone(cli, tmp_path):
    result = cli(["init", tmp_path / "x", "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_init_rejects_an_empty_organisation_before_writing_anything(cli, tmp_path):
    for name in ("", "   "):
        result = cli(["init", tmp_path / "x", "--organisation", name])
        assert result.exit_code == 2 and "--organisation" in result.output
        assert not (tmp_path / "x").exists()


def test_init_completes_a_tree_that_lacks_files_and_never_overwrites_one(cli, tmp_path, records_root):
    write(records_root, "policies/sla.yaml", "# our own targets\ntargets: {}\n")
    (records_root / "cxctl.yaml").unlink()
    staff = (records_root / "staff.yaml").read_bytes()
    result = cli(["init", records_root, "--organisation", "测试中心"])
    assert result.exit_code == 0, result.output
    assert (records_root / "staff.yaml").read_bytes() == staff
    assert (records_root / "policies/sla.yaml").read_text("utf-8") == "# our own targets\ntargets: {}\n"
    assert load(records_root, "cxctl.yaml")["organisation"] == "测试中心"
    assert (records_root / "calendars/cn-mainland.yaml").exists()
    assert "added cxctl.yaml" in result.output
    assert "kept the existing policies/sla.yaml, staff.yaml" in result.output


def test_init_refuses_a_folder_holding_records_and_other_things(cli, tmp_path, records_root):
    (records_root / "cxctl.yaml").unlink()
    (records_root / "notes.txt").write_text("private\n", encoding="utf-8")
    before = sorted(p.relative_to(records_root).as_posix() for p in records_root.rglob("*"))
    result = cli(["init", records_root])
    assert result.exit_code == 2 and "notes.txt" in result.output
    assert sorted(p.relative_to(records_root).as_posix() for p in records_root.rglob("*")) == before


def test_init_where_no_folder_can_be_made_is_a_clear_error(cli, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x\n", encoding="utf-8")
    for target, reason in ((plain, "not a folder"), (plain / "sub", "Not a directory")):
        result = cli(["init", target])
        assert result.exit_code == 2, result.output
        assert reason in result.output and "Traceback" not in result.output
    assert plain.read_text(encoding="utf-8") == "x\n"


def test_customer_add_show_edit_log_contact(cli, records_root):
    result = cli(["--root", records_root, "customer", "add", "--name", "渝北物业", "--kind", "owner",
                  "--owner", "S-021", "--since", "2025-02-01",
                  "--contact", "name=刘洋,phone=13912345678,email=ly@example.com",
                  "--rating", "asset_scale=3"])
    assert result.exit_code == 0, result.output
    new_id = result.stdout.split()[0]
    assert new_id.startswith("C-") and len(new_id) == 20
    relpath = f"customers/{new_id}.yaml"
    assert load(records_root, relpath)["rating"] == {"asset_scale": 3}

    edited = cli(["--root", records_root, "customer", "edit", new_id, "--set", "rating.cooperation=5",
                  "--set", "name=yes"])
    assert edited.exit_code == 0, edited.output
    data = load(records_root, relpath)
    assert data["rating"]["cooperation"] == 5 and data["name"] == "yes"   # "yes" stays text

    logged = cli(["--root", records_root, "customer", "log-contact", new_id, "--by", "S-021",
                  "--channel", "visit", "--summary", "季度回访", "--at", "2026-03-05T10:00:00+08:00"])
    assert logged.exit_code == 0, logged.output
    assert load(records_root, relpath)["contact_log"][0]["summary"] == "季度回访"

    shown = cli(["--root", records_root, "customer", "show", new_id, "--format", "json"])
    assert json.loads(shown.stdout)["contacts"][0]["phone"] == "139****5678"
    assert cli(["--root", records_root, "validate"]).exit_code == 0


def test_customer_edit_refuses_bad_values_and_changes_nothing(cli, records_root):
    path = records_root / "customers/C-7K2M9Q.yaml"
    before = path.read_bytes()
    bad_type = cli(["--root", records_root, "customer", "edit", "C-7K2M9Q", "--set", "rating.cooperation=lots"])
    assert bad_type.exit_code == 2
    bad_value = cli(["--root", records_root, "customer", "edit", "C-7K2M9Q", "--set", "rating.cooperation=9"])
    assert bad_value.exit_code == 1 and "nothing was written" in bad_value.output
    unknown_owner = cli(["--root", records_root, "customer", "edit", "C-7K2M9Q", "--set", "owner=S-404"])
    assert unknown_owner.exit_code == 2
    unknown_field = cli(["--root", records_root, "customer", "edit", "C-7K2M9Q", "--set", "nmae=x"])
    assert unknown_field.exit_code == 2
    assert path.read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["edit", "C-7K2M9Q", "--set", "owner=S-099"], "--set owner: staff member S-099 (陈离) is not active"),
    (["edit", "C-7K2M9Q", "--set", "owner=P-03"], "--set owner: 'P-03' is not a staff id"),
    (["log-contact", "C-7K2M9Q", "--by", "S-404", "--channel", "visit"],
     "--by: staff member S-404 is not in staff.yaml"),
    (["log-contact", "C-7K2M9Q", "--by", "S-099", "--channel", "visit"], "--by: staff member S-099"),
    (["add", "--name", "新客户", "--kind", "tenant", "--owner", "S-099"], "--owner: staff member S-099"),
])
def test_customer_commands_refuse_unknown_or_inactive_staff(cli, records_root, args, message):
    before = {p: p.read_bytes() for p in records_root.rglob("*.yaml")}
    result = cli(["--root", records_root, "customer", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "nothing was written" in result.output
    assert {p: p.read_bytes() for p in records_root.rglob("*.yaml")} == before


@pytest.mark.parametrize("field", ["rating.asset_scale.x", "contacts.1", "contacts.0.fax", "nickname",
                                   "contacts.-1", "rating..x"])
def test_customer_edit_unset_of_a_field_that_does_not_exist_exits_2(cli, records_root, field):
    path = records_root / "customers/C-7K2M9Q.yaml"
    before = path.read_bytes()
    result = cli(["--root", records_root, "customer", "edit", "C-7K2M9Q", "--unset", field])
    assert result.exit_code == 2, result.output
    assert f"no field '{field}'" in result.output
    assert path.read_bytes() == before


def test_customer_edit_unsets_a_list_item_and_a_nested_field(cli, records_root):
    path = records_root / "customers/C-7K2M9Q.yaml"
    text = path.read_text("utf-8").replace(
        "  - {name: 张敏,", "  - {name: 李雷, phone: \"13911112222\"}\n  - {name: 张敏,")
    path.write_text(text, "utf-8")
    result = cli(["--root", records_root, "customer", "edit", "C-7K2M9Q", "--unset", "contacts.0",
                  "--unset", "contacts.0.role", "--unset", "rating.cooperation"])
    assert result.exit_code == 0, result.output
    data = load(records_root, "customers/C-7K2M9Q.yaml")
    assert [c["name"] for c in data["contacts"]] == ["张敏"] and "role" not in data["contacts"][0]
    assert "cooperation" not in data["rating"]


def test_customer_list_by_tier_ignores_an_expired_override(cli, records_root):
    tier = ("tier:\n  level: 2\n  period: 2026-07\n  score: 80.0\n"
            "  override: {level: 1, reason: \"lease ends in June\", by: S-001, until: 2026-06}\n")
    with open(records_root / "customers/C-7K2M9Q.yaml", "a", encoding="utf-8") as fh:
        fh.write(tier)
    write(records_root, "customers/C-OTHER1.yaml",
          "id: C-OTHER1\nname: 另一家\nkind: dealer\nstatus: active\nowner: S-014\n"
          "tier:\n  level: 2\n  period: 2026-07\n  override: {level: 1, reason: anchor, by: S-001}\n")

    def ids(level):
        result = cli(["--root", records_root, "customer", "list", "--tier", level, "--format", "json"])
        return [(c["id"], c["tier"]) for c in json.loads(result.stdout)]
    assert ids(1) == [("C-OTHER1", 1)]
    assert ids(2) == [("C-7K2M9Q", 2)]


def test_customer_list_filters(cli, records_root):
    write(records_root, "customers/C-OTHER1.yaml",
          "id: C-OTHER1\nname: 另一家\nkind: dealer\nstatus: churned\nowner: S-014\n")
    result = cli(["--root", records_root, "customer", "list", "--status", "active", "--format", "json"])
    assert [c["id"] for c in json.loads(result.stdout)] == ["C-7K2M9Q"]
    result = cli(["--root", records_root, "customer", "list", "--owner", "S-014", "--format", "json"])
    assert [c["id"] for c in json.loads(result.stdout)] == ["C-OTHER1"]


def test_ticket_lifecycle_through_the_cli(cli, records_root):
    opened = cli(["--root", records_root, "ticket", "open", "--customer", "C-7K2M9Q", "--kind", "complaint",
                  "--channel", "hotline", "--summary", "漏水", "--provider", "P-03", "--owner", "S-021",
                  "--compensation", "5000", "--at", "2026-10-30T23:30:00+08:00"])
    assert opened.exit_code == 0, opened.output
    ticket_id, relpath = opened.stdout.split()
    assert relpath.startswith("tickets/2026/10/")      # month of acceptance, local time
    steps = [
        ["contact", "--by", "S-021", "--outcome", "unreachable", "--at", "2026-10-31T08:00:00+08:00"],
        ["sms", "--by", "S-021", "--at", "2026-10-31T08:05:00+08:00"],
        ["transfer", "--to", "P-03", "--at", "2026-10-31T09:00:00+08:00"],
    ]
    for step in steps[:2]:
        assert cli(["--root", records_root, "ticket", "event", ticket_id, *step]).exit_code == 0
    same_provider = cli(["--root", records_root, "ticket", "event", ticket_id, *steps[2]])
    assert same_provider.exit_code == 1 and "already with P-03" in same_provider.output
    moved = cli(["--root", records_root, "ticket", "event", ticket_id, "transfer", "--to", "S-022",
                 "--at", "2026-10-31T09:00:00+08:00"])
    assert moved.exit_code == 0
    resolved = cli(["--root", records_root, "ticket", "event", ticket_id, "resolve", "--by", "S-022",
                    "--at", "2026-11-02T10:00:00+08:00"])
    assert "status → resolved" in resolved.stdout
    closed = cli(["--root", records_root, "ticket", "close", ticket_id, "--by", "S-022",
                  "--at", "2026-11-03T10:00:00+08:00"])
    assert closed.exit_code == 0
    again = cli(["--root", records_root, "ticket", "close", ticket_id, "--at", "2026-11-03T11:00:00+08:00"])
    assert again.exit_code == 1 and "it is closed" in again.output
    data = load(records_root, relpath)
    assert data["status"] == "closed" and data["owner"] == "S-022"
    assert data["events"][2] == {"at": data["events"][2]["at"], "type": "transfer", "from": "S-021", "to": "S-022"}
    assert cli(["--root", records_root, "validate"]).exit_code == 0


def test_ticket_event_refuses_out_of_order_and_incomplete_events(cli, records_root):
    path = records_root / "tickets/2026/11/T-8Q3KZ2.yaml"
    before = path.read_bytes()
    early = cli(["--root", records_root, "ticket", "event", "T-8Q3KZ2", "note", "--note", "x",
                 "--at", "2026-11-05T10:00:00+08:00"])
    assert early.exit_code == 1 and "time order" in early.output
    no_outcome = cli(["--root", records_root, "ticket", "event", "T-8Q3KZ2", "contact",
                      "--at", "2026-11-08T10:00:00+08:00"])
    assert no_outcome.exit_code == 1 and "outcome" in no_outcome.output
    force_without_reason = cli(["--root", records_root, "ticket", "close", "T-8Q3KZ2", "--force"])
    assert force_without_reason.exit_code == 2
    naive = cli(["--root", records_root, "ticket", "event", "T-8Q3KZ2", "note", "--at", "yesterday-ish"])
    assert naive.exit_code == 2
    assert path.read_bytes() == before


def test_ticket_list_filters_by_month_in_local_time(cli, records_root):
    result = cli(["--root", records_root, "ticket", "list", "--month", "2026-11", "--format", "json"])
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["T-8Q3KZ2"] and rows[0]["severity"] == "important"
    assert json.loads(cli(["--root", records_root, "ticket", "list", "--month", "2026-10",
                           "--format", "json"]).stdout) == []
    assert cli(["--root", records_root, "ticket", "list", "--month", "2026-13"]).exit_code == 2


@pytest.mark.parametrize("month", ["2026-13", "0000-01", "2026-1", "26-11", "November"])
def test_ticket_list_reads_month_like_every_other_command(cli, records_root, month):
    listed = cli(["--root", records_root, "ticket", "list", "--month", month])
    summary = cli(["--root", records_root, "kpi", "summary", "--month", month])
    assert listed.exit_code == summary.exit_code == 2
    assert listed.stderr == summary.stderr and f"--month '{month}' is" in listed.stderr


def test_ticket_list_takes_a_month_written_with_spaces_as_kpi_does(cli, records_root):
    result = cli(["--root", records_root, "ticket", "list", "--month", " 2026-11 ", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == ["T-8Q3KZ2"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_personal_data_is_masked_in_every_format(cli, records_root, fmt):
    for command in (["customer", "list"], ["customer", "show", "C-7K2M9Q"]):
        masked = cli(["--root", records_root, *command, "--format", fmt]).stdout
        assert "13800138000" not in masked and "138****8000" in masked
        if command[1] == "show":
            assert "zm@example.com" not in masked and "110101199003071234" not in masked
            assert "110101********1234" in masked and "z***@example.com" in masked
        shown = cli(["--root", records_root, *command, "--format", fmt, "--show-pii"]).stdout
        assert "13800138000" in shown


def _leaf_commands(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_with_a_format_option_also_takes_show_pii():
    """SPEC 2: --format and --show-pii go together on every listing of records
    (`validate` lists findings about files, not records, and is left out)."""
    import typer.main

    from cxctl.cli.main import app

    missing = [" ".join(path) for path, command in _leaf_commands(typer.main.get_command(app))
               if path != ("validate",)
               and any("--format" in p.opts for p in command.params)
               and not any("--show-pii" in p.opts for p in command.params)]
    assert missing == []


def test_show_pii_is_accepted_by_returns_transfer_and_calendar_show(cli, records_root):
    for command in (["handover", "returns"],
                    ["handover", "transfer", "--from", "S-021", "--to", "S-022", "--dry-run"],
                    ["calendar", "show", "--month", "2026-10"]):
        result = cli(["--root", records_root, *command, "--format", "json", "--show-pii"])
        assert result.exit_code == 0, result.output
        json.loads(result.stdout)
