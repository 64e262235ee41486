"""The hooks in .pre-commit-hooks.yaml, run the way pre-commit runs them:
the hook's `entry` split like a shell would, then the staged files that match
its `files` pattern (deleted files are never passed), from the repository top."""
from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.gitrepo import append, cxctl_env, edit, git, records_repo

HOOKS = {h["id"]: h for h in yaml.safe_load(
    (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
T_REL = "records/tickets/2026/11/T-8Q3KZ2.yaml"


def run_hook(hook_id: str, top: Path, env: dict, entry: str | None = None
             ) -> subprocess.CompletedProcess | None:
    """``entry`` overrides the hook's entry, the way a repository whose
    records are not in `records/` is told to (see the hooks file)."""
    hook = {**HOOKS[hook_id], **({"entry": entry} if entry else {})}
    staged = [p for p in git(top, "diff", "--staged", "--name-only", "--diff-filter=ACMRTUXB",
                             "-z").split("\0") if p]
    files = [p for p in staged if re.search(hook.get("files", ""), p)]
    if not files and not hook.get("always_run"):
        return None                     # pre-commit skips the hook
    argv = shlex.split(hook["entry"]) + hook.get("args", [])
    if hook.get("pass_filenames", True):
        argv += files
    return subprocess.run(argv, cwd=top, env=env, capture_output=True, text=True)


@pytest.fixture
def sample(tmp_path):
    top, root = records_repo(tmp_path)
    return top, root, cxctl_env(tmp_path)


def test_the_file_pattern_takes_records_and_leaves_other_yaml_alone():
    pattern = HOOKS["cxctl-validate"]["files"]
    for path in ("records/cxctl.yaml", "records/staff.yaml", "tickets/2026/11/T-8Q3KZ2.yaml",
                 "records/handovers/2026/11/2026-11-24-main-early.yaml", "records/policies/sla.yaml"):
        assert re.search(pattern, path), path
    for path in (".github/workflows/records.yml", ".pre-commit-config.yaml", "docs/mkdocs.yaml",
                 "records/tickets/2026/11/T-8Q3KZ2.yml"):
        assert not re.search(pattern, path), path


def test_validate_hook_fails_on_a_bad_record_being_committed(sample):
    top, root, env = sample
    edit(top / T_REL, "channel: hotline", "chanel: hotline")
    git(top, "add", T_REL)
    result = run_hook("cxctl-validate", top, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "tickets/2026/11/T-8Q3KZ2.yaml" in result.stdout and "chanel" in result.stdout


def test_validate_hook_passes_a_good_change_and_skips_unrelated_files(sample):
    top, root, env = sample
    append(top / T_REL, "  - {at: 2026-11-08T09:00:00+08:00, type: note, by: S-021}\n")
    git(top, "add", T_REL)
    result = run_hook("cxctl-validate", top, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 files checked: 0 errors" in result.stdout
    git(top, "reset", "-q")
    (top / "README.md").write_text("notes\n", encoding="utf-8")
    git(top, "add", "README.md")
    assert run_hook("cxctl-validate", top, env) is None


def test_review_hook_fails_on_an_edited_event_and_passes_an_appended_one(sample):
    top, root, env = sample
    append(top / T_REL, "  - {at: 2026-11-08T09:00:00+08:00, type: note, by: S-021}\n")
    git(top, "add", T_REL)
    ok = run_hook("cxctl-review", top, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "event appended: note" in ok.stdout
    edit(top / T_REL, "type: reply, by: P-03", "type: reply, by: S-021")
    git(top, "add", T_REL)
    broken = run_hook("cxctl-review", top, env)
    assert broken.returncode == 1 and "event-edited" in broken.stdout


def test_review_hook_runs_for_a_deletion_that_no_file_list_shows(sample):
    top, root, env = sample
    git(top, "rm", "-q", T_REL)
    result = run_hook("cxctl-review", top, env)
    assert result is not None, "a deletion must not skip the hook"
    assert result.returncode == 1 and "ticket-deleted" in result.stdout


# A repository whose top is the records root: the hooks file says to override
# the entry with `--root .`.
TOP_T_REL = "tickets/2026/11/T-8Q3KZ2.yaml"


@pytest.fixture
def top_is_root(tmp_path):
    top, root = records_repo(tmp_path, "")
    return top, cxctl_env(tmp_path)


def test_hooks_at_the_repository_top_fail_on_an_edited_event_and_a_bad_record(top_is_root):
    top, env = top_is_root
    edit(top / TOP_T_REL, "type: reply, by: P-03", "type: reply, by: S-021")
    git(top, "add", TOP_T_REL)
    review = run_hook("cxctl-review", top, env, "cxctl --root . review --staged")
    assert review.returncode == 1 and "event-edited" in review.stdout, review.stdout + review.stderr
    edit(top / TOP_T_REL, "channel: hotline", "chanel: hotline")
    git(top, "add", TOP_T_REL)
    validate = run_hook("cxctl-validate", top, env, "cxctl --root . validate")
    assert validate.returncode == 1 and "chanel" in validate.stdout, validate.stdout + validate.stderr


def test_review_hook_at_the_repository_top_catches_a_deleted_ticket(top_is_root):
    top, env = top_is_root
    git(top, "rm", "-q", TOP_T_REL)
    result = run_hook("cxctl-review", top, env, "cxctl --root . review --staged")
    assert result.returncode == 1 and "ticket-deleted" in result.stdout, result.stdout + result.stderr
