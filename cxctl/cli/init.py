"""`cxctl init`: scaffold an empty records tree, or complete one that lacks
its settings, policies or calendars — never overwriting a file."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from cxctl.cli.common import fail
from cxctl.store.loader import DEFAULTS
from cxctl.store.writer import atomic_write, dump, to_commented

FOLDERS = ("customers", "tickets", "handovers", "surveys", "providers", "policies", "calendars")
RECORD_FOLDERS = ("customers", "tickets", "handovers", "surveys", "providers")
GITIGNORE = "# cxctl's parse cache and write lock\n.cxctl-cache/\n.cxctl.lock\n"
STAFF = ("# The roster: one entry per person.\n"
         "# - {id: S-001, name: 李娜, rank: supervisor, team: desk, active: true}\n[]\n")


def _scaffold(organisation: str, timezone: str, calendar: str) -> dict[str, str]:
    """Every file of a new tree, by path relative to it."""
    files = {"cxctl.yaml": dump(to_commented(
        {"organisation": organisation, "timezone": timezone, "calendar": calendar})),
        "staff.yaml": STAFF, ".gitignore": GITIGNORE}
    for sub in ("policies", "calendars"):
        for src in sorted((DEFAULTS / sub).glob("*.yaml")):
            files[f"{sub}/{src.name}"] = src.read_text(encoding="utf-8")
    return files


def _holds_records(directory: Path) -> bool:
    if (directory / "staff.yaml").exists():
        return True
    return any(p.is_file() for folder in RECORD_FOLDERS if (directory / folder).is_dir()
               for p in (directory / folder).rglob("*"))


def _foreign(directory: Path) -> list[str]:
    """Entries that no records tree holds (hidden ones, such as .git, are fine)."""
    known = {*FOLDERS, "cxctl.yaml", "staff.yaml"}
    return sorted(p.name for p in directory.iterdir()
                  if not p.name.startswith(".") and p.name not in known)


def init_command(
    directory: Annotated[Path, typer.Argument(metavar="[DIR]", help="Where to create it.")] = Path("records"),
    organisation: Annotated[str, typer.Option(help="Name of the organisation.")] = "My service desk",
    timezone: Annotated[str, typer.Option(help="IANA time zone of the desk.")] = "Asia/Shanghai",
    calendar: Annotated[str, typer.Option(help="Default business calendar.")] = "cn-mainland",
) -> None:
    """Create an empty records tree with settings, default policies and a calendar.

    In a folder that already holds records but no cxctl.yaml, only the missing
    files are added; an existing file is never replaced.
    """
    if not organisation.strip():
        fail("--organisation must name the organisation (it is empty)")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone '{timezone}' (use an IANA name such as Asia/Shanghai)")
    shipped = {p.stem for p in (DEFAULTS / "calendars").glob("*.yaml")}
    if calendar not in shipped:
        fail(f"no calendar '{calendar}' ships with cxctl (shipped: {', '.join(sorted(shipped))}); "
             f"create it later with `cxctl calendar import`")
    try:
        added, kept = _create(directory, _scaffold(organisation.strip(), timezone, calendar))
    except OSError as exc:
        fail(f"cannot create a records tree in {directory}: {exc.strerror or exc}")
    if kept:
        typer.echo(f"completed the records tree in {directory}: added {', '.join(added)}; "
                   f"kept the existing {', '.join(kept)}")
    else:
        typer.echo(f"created a records tree in {directory}")
    typer.echo(f"next: add staff to {directory}/staff.yaml, then `cxctl --root {directory} validate`")


def _create(directory: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """Write the files that do not exist yet; (added, kept) paths."""
    if directory.exists() and not directory.is_dir():
        fail(f"{directory} exists and is not a folder")
    if (directory / "cxctl.yaml").exists():
        fail(f"{directory} already holds a records tree (cxctl.yaml exists); nothing was changed")
    if directory.is_dir() and _holds_records(directory):
        foreign = _foreign(directory)
        if foreign:
            fail(f"{directory} holds records and other things ({', '.join(foreign[:5])}); "
                 f"init only completes a records tree that lacks files, so nothing was changed")
    kept = sorted(rel for rel in files if (directory / rel).exists())
    for folder in FOLDERS:
        (directory / folder).mkdir(parents=True, exist_ok=True)
    added = []
    for rel, text in files.items():
        if rel not in kept:
            atomic_write(directory / rel, text)
            added.append(rel)
    return added, kept
