"""Reading records from git (cxctl.store.gitread): revisions, changed files,
blobs, and the clear errors for what cannot be read."""
from __future__ import annotations

import pytest

from cxctl.store import gitread
from cxctl.store.gitread import INDEX, WORKTREE, GitError
from tests.conftest import write
from tests.gitrepo import append, commit, git, init_repo, records_repo

T_REL = "tickets/2026/11/T-8Q3KZ2.yaml"
NOTE = "  - {at: 2026-11-08T09:00:00+08:00, type: note, by: S-021, note: follow-up}\n"


def test_root_inside_the_repository_is_found_with_its_prefix(tmp_path):
    top, root = records_repo(tmp_path)
    repo = gitread.open_repo(root)
    assert repo.top.resolve() == top.resolve()
    assert repo.prefix == "records/"
    assert not repo.shallow


def test_changed_paths_cover_commits_the_index_and_untracked_files(tmp_path):
    top, root = records_repo(tmp_path)
    repo = gitread.open_repo(root)
    head = gitread.resolve(repo, "HEAD")
    assert gitread.changed_paths(repo, head, WORKTREE) == []
    append(root / T_REL, NOTE)
    write(root, "customers/C-NEW01.yaml", "id: C-NEW01\n")
    write(root, ".cxctl-cache/x.yaml", "cache: 1\n")          # hidden: never a record
    assert gitread.changed_paths(repo, head, WORKTREE) == ["customers/C-NEW01.yaml", T_REL]
    assert gitread.changed_paths(repo, head, INDEX) == []
    git(top, "add", f"records/{T_REL}")
    assert gitread.changed_paths(repo, head, INDEX) == [T_REL]
    second = commit(top, "note")
    assert gitread.changed_paths(repo, head, second) == ["customers/C-NEW01.yaml", T_REL]


def test_read_files_reads_each_side_and_marks_missing_files(tmp_path):
    top, root = records_repo(tmp_path)
    repo = gitread.open_repo(root)
    head = gitread.resolve(repo, "HEAD")
    append(root / T_REL, NOTE)
    at_head = gitread.read_files(repo, head, [T_REL, "customers/C-NONE1.yaml"])
    on_disk = gitread.read_files(repo, WORKTREE, [T_REL])
    assert at_head["customers/C-NONE1.yaml"] is None
    assert on_disk[T_REL] == at_head[T_REL] + NOTE.encode()


def test_cat_files_keeps_binary_content_whole(tmp_path):
    top, root = records_repo(tmp_path)
    (root / "customers/C-BIN01.yaml").write_bytes(b"id: C-BIN01\n\x00\xff\n")
    sha = commit(top, "binary junk")
    repo = gitread.open_repo(root)
    assert gitread.cat_files(repo, [f"{sha}:records/customers/C-BIN01.yaml",
                                    f"{sha}:records/nothing.yaml"]) == [b"id: C-BIN01\n\x00\xff\n", None]


def test_unknown_revision_and_option_like_revision_are_refused(tmp_path):
    _, root = records_repo(tmp_path)
    repo = gitread.open_repo(root)
    with pytest.raises(GitError, match="unknown revision 'no-such-branch'"):
        gitread.resolve(repo, "no-such-branch")
    with pytest.raises(GitError, match="not a revision"):
        gitread.resolve(repo, "--all")


def test_a_folder_outside_git_is_a_clear_error(tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="not inside a git repository"):
        gitread.open_repo(tmp_path / "plain")


def test_a_repository_without_commits_says_so(tmp_path):
    top = init_repo(tmp_path / "empty")
    repo = gitread.open_repo(top)
    with pytest.raises(GitError, match="no commits yet"):
        gitread.resolve(repo, "HEAD")


def test_a_shallow_clone_is_detected_and_named_in_errors(tmp_path):
    top, root = records_repo(tmp_path)
    append(root / T_REL, NOTE)
    commit(top, "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{top}", str(clone))
    repo = gitread.open_repo(clone / "records")
    assert repo.shallow
    with pytest.raises(GitError, match="shallow clone"):
        gitread.resolve(repo, "HEAD~1")
    with pytest.raises(GitError, match="shallow clone"):
        gitread.require_full_history(repo, "history")


def test_log_follows_a_record_into_another_month_folder(tmp_path):
    top, root = records_repo(tmp_path)
    (root / "tickets/2026/10").mkdir(parents=True)
    git(top, "mv", f"records/{T_REL}", "records/tickets/2026/10/T-8Q3KZ2.yaml")
    commit(top, "accepted in October after all")
    repo = gitread.open_repo(root)
    commits = gitread.log(repo, ["tickets/**/T-8Q3KZ2.yaml"])
    assert [c.subject for c in commits] == ["accepted in October after all", "initial records"]
    assert sorted(commits[0].files) == [("A", "tickets/2026/10/T-8Q3KZ2.yaml"), ("D", T_REL)]
    assert commits[1].files == [("A", T_REL)]


def test_a_persons_git_configuration_does_not_change_the_log(tmp_path):
    top, root = records_repo(tmp_path)
    git(top, "config", "log.follow", "true")       # makes plain git refuse glob pathspecs
    git(top, "config", "color.ui", "always")
    commits = gitread.log(gitread.open_repo(root), ["tickets/**/T-8Q3KZ2.yaml"])
    assert [(c.subject, c.files) for c in commits] == [("initial records", [("A", T_REL)])]


def test_changed_paths_when_the_records_root_is_the_repository_top(tmp_path):
    top, root = records_repo(tmp_path, "")
    repo = gitread.open_repo(root)
    assert repo.prefix == ""
    head = gitread.resolve(repo, "HEAD")
    append(root / T_REL, NOTE)
    git(top, "rm", "-q", "customers/C-7K2M9Q.yaml")
    write(root, "customers/C-NEW01.yaml", "id: C-NEW01\n")
    assert gitread.changed_paths(repo, head, INDEX) == ["customers/C-7K2M9Q.yaml"]
    assert gitread.changed_paths(repo, head, WORKTREE) == [
        "customers/C-7K2M9Q.yaml", "customers/C-NEW01.yaml", T_REL]
    assert "staff.yaml" in gitread.list_paths(repo, head)
