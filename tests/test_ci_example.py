"""examples/ci/records-ci.yml: the commands the workflow runs, run the same way
against a throw-away records repository cloned from an "origin" (as CI checks
out a pull request): the check job's steps, and the scheduled report."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from cxctl.cli.main import app
from tests.gitrepo import append, commit, cxctl_env, edit, git, records_repo

WORKFLOW = yaml.safe_load((Path(__file__).resolve().parent.parent / "examples/ci/records-ci.yml")
                          .read_text(encoding="utf-8"))
T_REL = "records/tickets/2026/11/T-8Q3KZ2.yaml"
# What GitHub would put in for the expressions the steps use.
EXPRESSIONS = {"${{ github.base_ref }}": "main"}


def cxctl_steps(job: str, event: str) -> list[dict]:
    steps = []
    for step in WORKFLOW["jobs"][job]["steps"]:
        condition = step.get("if")
        if condition and f"'{event}'" not in condition and condition != "always()":
            continue
        if "run" in step:
            steps.append(step)
    return steps


def run_step(step: dict, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    step_env = {}
    for key, value in {**WORKFLOW.get("env", {}), **step.get("env", {})}.items():
        for expression, replacement in EXPRESSIONS.items():
            value = str(value).replace(expression, replacement)
        step_env[key] = value
    return subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                          env={**env, **step_env}, capture_output=True, text=True)


@pytest.fixture
def pull_request(tmp_path):
    """A clone with origin/main, on a branch `feature` one commit ahead."""
    upstream, _ = records_repo(tmp_path / "upstream")
    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", f"file://{upstream}", str(clone))
    git(clone, "config", "user.name", "Desk Tester")
    git(clone, "config", "user.email", "desk@example.com")
    git(clone, "checkout", "-q", "-b", "feature")
    env = cxctl_env(tmp_path)
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")
    return clone, env, tmp_path / "summary.md"


def test_check_job_passes_a_pull_request_that_appends_an_event(pull_request):
    clone, env, summary = pull_request
    append(clone / T_REL, "  - {at: 2026-11-08T09:00:00+08:00, type: note, by: S-021}\n")
    commit(clone, "note on T-8Q3KZ2")
    steps = [s for s in cxctl_steps("check", "pull_request") if s["run"].startswith("cxctl")]
    assert [s["name"] for s in steps] == ["Validate the records",
                                          "Review the record changes of the pull request"]
    for step in steps:
        result = run_step(step, clone, env)
        assert result.returncode == 0, (step["name"], result.stdout, result.stderr)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### Record changes merge base of origin/main and HEAD → HEAD")
    assert "event appended: note" in text


def test_check_job_fails_a_pull_request_that_rewrites_an_event(pull_request):
    clone, env, summary = pull_request
    edit(clone / T_REL, "type: reply, by: P-03", "type: reply, by: S-021")
    commit(clone, "who replied")
    validate, review = [s for s in cxctl_steps("check", "pull_request") if s["run"].startswith("cxctl")]
    assert run_step(validate, clone, env).returncode == 0
    result = run_step(review, clone, env)
    assert result.returncode == 1
    assert "event-edited" in summary.read_text(encoding="utf-8")


def test_check_job_fails_on_an_invalid_record_pushed(pull_request):
    clone, env, _ = pull_request
    edit(clone / T_REL, "status: closed", "status: shut")
    commit(clone, "typo")
    validate = cxctl_steps("check", "push")[-1]
    assert validate["name"] == "Validate the records"
    result = run_step(validate, clone, env)
    assert result.returncode == 1 and "status" in result.stdout


def test_scheduled_job_runs_the_monthly_report(pull_request):
    names = {c.name for c in app.registered_groups}
    if "report" not in names:
        pytest.skip("`cxctl report` is not part of this build")
    clone, env, _ = pull_request
    month, report = cxctl_steps("monthly-report", "schedule")[1:3]
    assert "report monthly" in report["run"]
    env["GITHUB_ENV"] = str(clone.parent / "github_env")
    assert run_step(month, clone, env).returncode == 0
    key, value = Path(env["GITHUB_ENV"]).read_text().strip().split("=")
    result = run_step(report, clone, {**env, key: value})
    assert result.returncode in (0, 1), result.stderr
    assert (clone / "reports" / value).is_dir()
