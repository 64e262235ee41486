"""`cxctl init`: scaffold an empty records tree."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from cxctl.cli.common import fail
from cxctl.store.loader import DEFAULTS
from cxctl.store.writer import atomic_write, dump, to_commented

FOLDERS = ("customers", "tickets", "handovers", "surveys", "providers", "policies", "calendars")
GITIGNORE = "# cxctl's parse cache and write lock\n.cxctl-cache/\n.cxctl.lock\n"


def init_command(
    directory: Annotated[Path, typer.Argument(metavar="[DIR]", help="Where to create it.")] = Path("records"),
    organisation: Annotated[str, typer.Option(help="Name of the organisation.")] = "My service desk",
    timezone: Annotated[str, typer.Option(help="IANA time zone of the desk.")] = "Asia/Shanghai",
    calendar: Annotated[str, typer.Option(help="Default business calendar.")] = "cn-mainland",
) -> None:
    """Create an empty records tree with settings, default policies and a calendar."""
    if (directory / "cxctl.yaml").exists():
        fail(f"{directory} already holds a records tree (cxctl.yaml exists); nothing was changed")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone '{timezone}' (use an IANA name such as Asia/Shanghai)")
    shipped = {p.stem for p in (DEFAULTS / "calendars").glob("*.yaml")}
    if calendar not in shipped:
        fail(f"no calendar '{calendar}' ships with cxctl (shipped: {', '.join(sorted(shipped))}); "
             f"create it later with `cxctl calendar import`")
    for folder in FOLDERS:
        (directory / folder).mkdir(parents=True, exist_ok=True)
    for sub in ("policies", "calendars"):
        for src in sorted((DEFAULTS / sub).glob("*.yaml")):
            target = directory / sub / src.name
            if not target.exists():
                shutil.copyfile(src, target)
    settings = {"organisation": organisation, "timezone": timezone, "calendar": calendar}
    atomic_write(directory / "cxctl.yaml", dump(to_commented(settings)))
    atomic_write(directory / "staff.yaml", "# The roster: one entry per person.\n"
                 "# - {id: S-001, name: 李娜, rank: supervisor, team: desk, active: true}\n[]\n")
    if not (directory / ".gitignore").exists():
        atomic_write(directory / ".gitignore", GITIGNORE)
    typer.echo(f"created a records tree in {directory}; next: add staff to {directory}/staff.yaml, "
               f"then `cxctl --root {directory} validate`")
