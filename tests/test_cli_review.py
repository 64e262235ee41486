"""`cxctl review` and `cxctl history` on a throw-away git repository whose
commits change a tier, append an event, edit an old event and delete a ticket."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import write
from tests.gitrepo import append, commit, edit, git, records_repo

T_REL = "tickets/2026/11/T-8Q3KZ2.yaml"
OPEN_REL = "tickets/2026/11/T-OPEN01.yaml"
OPEN_TICKET = """\
id: T-OPEN01
customer: C-7K2M9Q
kind: complaint
channel: web
category: delivery
provider: P-03
owner: S-021
summary: 送货延误
opened_at: 2026-11-20T09:00:00+08:00
status: open
events:
  - {at: 2026-11-20T09:30:00+08:00, type: dispatch, by: S-021}
"""
TIER_1 = "tier:\n  level: 1\n  class: vip\n  period: 2026-01\n  score: 87.5\n"
TIER_2 = ("tier:\n  level: 2\n  period: 2026-07\n  score: 80.0\n"
          "  override: {level: 2, reason: \"lease ends in August\", by: S-001}\n")
CONTACT = "  - {at: 2026-11-20T10:00:00+08:00, type: contact, by: S-021, outcome: reached}\n"


@dataclass
class History:
    top: Path
    root: Path
    shas: dict[str, str]


# Every case runs twice: records in a `records/` folder of the repository, and
# the repository's top being the records root itself.
@pytest.fixture(params=["records", ""], ids=["records-folder", "root-is-top"])
def repo(tmp_path, cli, request) -> History:
    top, root = records_repo(tmp_path, request.param)
    shas = {"initial": git(top, "rev-parse", "HEAD").strip()}
    append(root / "customers/C-7K2M9Q.yaml", TIER_1)
    write(root, OPEN_REL, OPEN_TICKET)
    shas["january"] = commit(top, "January tiering; a delivery complaint")
    edit(root / "customers/C-7K2M9Q.yaml", TIER_1, TIER_2)
    shas["tier"] = commit(top, "July tiering: C-7K2M9Q to tier 2")
    append(root / OPEN_REL, CONTACT)
    shas["contact"] = commit(top, "Reached the customer of T-OPEN01")
    edit(root / T_REL, "2026-11-04T10:00:00+08:00, type: reply", "2026-11-04T09:00:00+08:00, type: reply")
    shas["edited"] = commit(top, "Correct the reply time")
    git(root, "rm", "-q", OPEN_REL)
    shas["deleted"] = commit(top, "Remove a duplicate ticket")
    assert cli(["--root", root, "validate"]).exit_code == 0
    return History(top, root, shas)


def review(cli, repo: History, *args):
    return cli(["--root", repo.root, "review", *args])


def test_tier_change_is_shown_with_its_override_reason_and_exits_0(cli, repo):
    result = review(cli, repo, f"{repo.shas['january']}..{repo.shas['tier']}")
    assert result.exit_code == 0, result.output
    assert "tier 1 (vip) → 2 for 2026-07 (override: lease ends in August, approved by S-001)" \
        in result.output
    assert "0 rule breaks" in result.output


def test_an_appended_event_is_fine(cli, repo):
    result = review(cli, repo, f"{repo.shas['tier']}..{repo.shas['contact']}")
    assert result.exit_code == 0, result.output
    assert "event appended: contact at 2026-11-20T10:00:00+08:00 by S-021 (reached)" in result.output


def test_an_edited_old_event_breaks_the_append_only_rule_and_exits_1(cli, repo):
    result = review(cli, repo, f"{repo.shas['contact']}..{repo.shas['edited']}")
    assert result.exit_code == 1, result.output
    assert "event-edited" in result.output
    assert "at 2026-11-04T10:00:00+08:00 → 2026-11-04T09:00:00+08:00" in result.output


def test_a_deleted_ticket_exits_1(cli, repo):
    result = review(cli, repo, f"{repo.shas['edited']}..{repo.shas['deleted']}")
    assert result.exit_code == 1
    assert "ticket-deleted" in result.output and "T-OPEN01" in result.output


def test_a_range_with_several_commits_reports_their_sum(cli, repo):
    result = review(cli, repo, f"{repo.shas['january']}..HEAD", "--format", "json")
    rows = json.loads(result.output)
    assert result.exit_code == 1
    assert sorted((r["record"], r["change"]) for r in rows) == [
        ("C-7K2M9Q", "tier-changed"), ("T-8Q3KZ2", "event-edited"), ("T-OPEN01", "ticket-deleted")]
    assert {r["level"] for r in rows if r["change"] != "tier-changed"} == {"error"}
    assert set(rows[0]) >= {"level", "kind", "record", "change", "message", "path", "field"}


def test_default_is_the_working_tree_against_head(cli, repo):
    clean = review(cli, repo)
    assert clean.exit_code == 0 and "(no record changed)" in clean.output
    write(repo.root, "customers/C-NEW001.yaml", "id: C-NEW001\nname: 新客户\nkind: tenant\nstatus: active\n")
    append(repo.root / T_REL, "  - {at: 2026-11-08T09:00:00+08:00, type: note, by: S-021}\n")
    result = review(cli, repo)
    assert result.exit_code == 0, result.output
    assert "Record changes HEAD → (working tree)" in result.output
    assert "customer added: 新客户" in result.output and "event appended: note" in result.output


def test_a_single_revision_is_compared_with_the_working_tree(cli, repo):
    result = review(cli, repo, repo.shas["contact"])
    assert result.exit_code == 1
    assert "event-edited" in result.output and "ticket-deleted" in result.output


def test_staged_reviews_the_index_not_the_working_tree(cli, repo):
    path = repo.root / T_REL
    original = path.read_text(encoding="utf-8")
    edit(path, "outcome: satisfied", "outcome: unsatisfied")
    git(repo.root, "add", T_REL)
    path.write_text(original, encoding="utf-8")
    assert review(cli, repo).exit_code == 0
    staged = review(cli, repo, "--staged")
    assert staged.exit_code == 1 and "outcome satisfied → unsatisfied" in staged.output


def test_three_dots_compare_a_branch_with_its_merge_base(cli, repo):
    git(repo.top, "checkout", "-q", "-b", "feature", repo.shas["contact"])
    append(repo.root / OPEN_REL, "  - {at: 2026-11-21T10:00:00+08:00, type: reply, by: P-03}\n")
    commit(repo.top, "provider replied")
    result = review(cli, repo, "main...feature", "--format", "json")
    rows = json.loads(result.output)
    # Only the branch's own change: main's later edit and deletion are not part of it.
    assert result.exit_code == 0
    assert [(r["record"], r["change"]) for r in rows] == [("T-OPEN01", "event-appended")]


def test_markdown_for_a_pull_request(cli, repo):
    result = review(cli, repo, f"{repo.shas['contact']}..{repo.shas['deleted']}", "--format", "md")
    lines = result.output.splitlines()
    assert lines[0] == f"### Record changes {repo.shas['contact']} → {repo.shas['deleted']}"
    assert lines[4].startswith("| level") and lines[5].startswith("|---")
    assert "| **error** | `T-OPEN01`" in result.output
    assert "2 rule breaks" in result.output


def test_a_malformed_record_is_reported_not_a_traceback(cli, repo):
    (repo.root / T_REL).write_text("id: T-8Q3KZ2\nstatus: [open\n", encoding="utf-8")
    broken = commit(repo.top, "broken file")
    result = review(cli, repo, f"{repo.shas['deleted']}..{broken}")
    assert result.exit_code == 1
    assert "unreadable" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("rev", ["no-such-branch", "HEAD~40..HEAD", "main..nothing", "nope...main"])
def test_bad_revision_exits_2_with_a_message(cli, repo, rev):
    result = review(cli, repo, rev)
    assert result.exit_code == 2
    assert "unknown revision" in result.output


def test_staged_with_a_range_is_a_usage_error(cli, repo):
    result = review(cli, repo, "--staged", "HEAD~1..HEAD")
    assert result.exit_code == 2 and "one revision" in result.output


def test_not_a_repository_exits_2(cli, records_root):
    result = cli(["--root", records_root, "review"])
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output
    assert cli(["--root", records_root, "history", "T-8Q3KZ2"]).exit_code == 2


def test_shallow_clone_exits_2_for_a_range_beyond_it_and_for_history(cli, repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.top}", str(clone))
    clone_root = clone / repo.root.relative_to(repo.top)
    result = cli(["--root", clone_root, "review", "HEAD~1..HEAD"])
    assert result.exit_code == 2 and "shallow clone" in result.output
    history = cli(["--root", clone_root, "history", "T-8Q3KZ2"])
    assert history.exit_code == 2 and "shallow clone" in history.output
    # What the clone does hold can still be reviewed.
    assert cli(["--root", clone_root, "review"]).exit_code == 0


# -- history ------------------------------------------------------------------

def test_history_lists_each_commit_of_a_ticket_with_its_change(cli, repo):
    result = cli(["--root", repo.root, "history", "T-OPEN01", "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    assert [e["subject"] for e in entries] == [
        "Remove a duplicate ticket", "Reached the customer of T-OPEN01",
        "January tiering; a delivery complaint"]
    assert [[c["change"] for c in e["changes"]] for e in entries] == [
        ["ticket-deleted"], ["event-appended"], ["ticket-opened"]]
    assert entries[0]["commit"] == repo.shas["deleted"]


def test_history_table_shows_the_edit_of_an_old_event(cli, repo):
    result = cli(["--root", repo.root, "history", "T-8Q3KZ2"])
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if repo.shas["edited"][:10] in line]
    assert len(lines) == 1 and "event-edited" in lines[0] and "Correct the reply time" in lines[0]
    assert "ticket-opened" in result.output


def test_history_follows_a_ticket_into_another_month_folder(cli, repo):
    (repo.root / "tickets/2026/10").mkdir()
    git(repo.root, "mv", T_REL, "tickets/2026/10/T-8Q3KZ2.yaml")
    edit(repo.root / "tickets/2026/10/T-8Q3KZ2.yaml", "opened_at: 2026-11-03T15:40:00+08:00",
         "opened_at: 2026-10-31T15:40:00+08:00")
    commit(repo.top, "accepted in October")
    entries = json.loads(cli(["--root", repo.root, "history", "T-8Q3KZ2", "-f", "json"]).output)
    assert [c["change"] for c in entries[0]["changes"]] == ["moved", "opened-at-changed"]
    assert len(entries) == 3       # the move, the edited event, the opening


def test_history_of_a_customer_and_of_a_staff_member(cli, repo):
    customer = json.loads(cli(["--root", repo.root, "history", "C-7K2M9Q", "-f", "json"]).output)
    assert [[c["change"] for c in e["changes"]] for e in customer] == [
        ["tier-changed"], ["tier-changed"], ["customer-added"]]
    edit(repo.root / "staff.yaml", "rank: staff, team: desk, active: true}\n- {id: S-022",
         "rank: supervisor, team: desk, active: true}\n- {id: S-022")
    commit(repo.top, "S-021 promoted")
    staff = json.loads(cli(["--root", repo.root, "history", "S-021", "-f", "json"]).output)
    assert [e["subject"] for e in staff] == ["S-021 promoted", "initial records"]
    assert "rank staff → supervisor" in staff[0]["changes"][0]["message"]


def test_history_of_an_unknown_record_or_a_bad_id_exits_2(cli, repo):
    missing = cli(["--root", repo.root, "history", "T-NEVER1"])
    assert missing.exit_code == 2 and "no commit touches T-NEVER1" in missing.output
    nobody = cli(["--root", repo.root, "history", "S-777"])
    assert nobody.exit_code == 2 and "no commit changes S-777" in nobody.output
    bad = cli(["--root", repo.root, "history", "rm -rf"])
    assert bad.exit_code == 2 and "not a record id" in bad.output
