"""`cxctl review` and `cxctl history`: record changes in git, in plain words."""
from __future__ import annotations

from typing import Annotated

import typer

from cxctl import render
from cxctl.cli.common import (EXIT_FINDINGS, EXIT_OK, FormatOpt, ShowPiiOpt, check_format, emit, fail,
                              root_from)
from cxctl.review import ERROR, WARNING, has_rule_breaks
from cxctl.review_items import SHOW_PII
from cxctl.store.gitread import GitError
from cxctl.store.revisions import compare, history

COLUMNS = ["level", "record", "change", "message"]


def review_command(
    ctx: typer.Context,
    rev_range: Annotated[str | None, typer.Argument(
        metavar="REV_RANGE",
        help="What to compare: nothing = the working tree against HEAD; A..B = commit A "
             "against commit B; A...B = B against its merge base with A (a pull request); "
             "A = commit A against the working tree.")] = None,
    staged: Annotated[bool, typer.Option(
        "--staged", help="Compare the staged changes (the next commit) instead of the working "
                         "tree, as a pre-commit hook does.")] = False,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Show what changed in the records between two git revisions.

    Tier, owner and status changes, tickets opened and closed, events appended
    — and rule breaks: an edited or deleted event, a deleted ticket, a signed
    handover altered.  Exit 1 when a rule is broken, 0 otherwise, 2 when the
    revisions cannot be read (unknown revision, not a git repository, shallow
    clone).  `--format md` gives a summary to paste into a pull request.
    """
    fmt = check_format(fmt)
    root = root_from(ctx)
    SHOW_PII.set(show_pii)
    try:
        result = compare(root, rev_range, staged=staged)
    except GitError as exc:
        fail(str(exc))
    rows = [c.to_dict() for c in result.changes]
    title = f"{result.base_label} → {result.target_label}"
    if fmt == "json":
        emit(rows, fmt)
    elif fmt == "csv":
        emit(rows, fmt, columns=[*COLUMNS, "path", "field"])
    elif fmt == "md":
        typer.echo(_markdown(rows, title, result.files), nl=False)
    else:
        typer.echo(f"Record changes {title}\n")
        emit(rows, fmt, columns=COLUMNS, empty="(no record changed)")
        typer.echo("\n" + _summary(rows, result.files))
    raise typer.Exit(EXIT_FINDINGS if has_rule_breaks(result.changes) else EXIT_OK)


def _summary(rows: list[dict], files: int) -> str:
    errors = sum(r["level"] == ERROR for r in rows)
    warnings = sum(r["level"] == WARNING for r in rows)
    others = len(rows) - errors - warnings
    text = (f"{files} record file{'s' * (files != 1)} changed: {errors} rule "
            f"break{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}, "
            f"{others} other change{'s' * (others != 1)}")
    if errors:
        text += " (events are append-only; signed handovers and tickets are never rewritten)"
    return text


def _markdown(rows: list[dict], title: str, files: int) -> str:
    head = f"### Record changes {title}\n\n{_summary(rows, files)}\n\n"
    if not rows:
        return head
    escaped = [{k: (str(v).replace("|", "\\|") if isinstance(v, str) else v) for k, v in r.items()}
               for r in rows]
    for row in escaped:
        row["level"] = f"**{row['level']}**" if row["level"] == ERROR else row["level"]
        row["record"] = f"`{row['record']}`"
    return head + render.render(escaped, "md", columns=COLUMNS)


def history_command(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(
        metavar="ID", help="A record id (C-…, T-…, P-…, V-…, S-…), a handover such as "
                           "2026-11-24-main-early, or a file such as policies/sla.yaml.")],
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """The git log of one record, with what each commit changed in it.

    Follows a ticket or survey into another month folder.  Exit 2 when the
    record has no history here, the folder is not in a git repository or the
    clone is shallow (the history would be cut short).
    """
    fmt = check_format(fmt)
    root = root_from(ctx)
    SHOW_PII.set(show_pii)
    try:
        entries = history(root, record)
    except GitError as exc:
        fail(str(exc))
    if fmt == "json":
        emit([{"commit": e.commit.sha, "date": e.commit.date, "author": e.commit.author,
               "subject": e.commit.subject, "path": e.path,
               "changes": [c.to_dict() for c in e.changes]} for e in entries], fmt)
        return
    rows = []
    for e in entries:
        commit = {"commit": e.commit.short, "date": e.commit.date[:16].replace("T", " "),
                  "author": e.commit.author, "subject": e.commit.subject}
        for change in e.changes or [None]:
            rows.append({**commit,
                         "level": change.level if change else "info",
                         "change": change.change if change else "no-change",
                         "message": change.message if change else "no change to the record's "
                                                                  "content (layout or comments only)"})
    emit(rows, fmt, columns=["commit", "date", "author", "subject", "level", "change", "message"])
