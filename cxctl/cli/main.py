"""The `cxctl` command: global options and the command groups."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from cxctl import __version__
from cxctl.cli import (calendar, customer, export, handover, init, kpi, report, review, sla, survey,
                       ticket, tier, validate)

app = typer.Typer(
    name="cxctl",
    help="Customer-service records kept as YAML files in git: validate them, open and "
         "update tickets, check SLA deadlines, tier customers, reconcile shift handovers "
         "and report KPIs.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cxctl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    root: Annotated[Path | None, typer.Option(
        "--root", metavar="DIR", envvar="CXCTL_ROOT",
        help="Records root (default: ./records; or set CXCTL_ROOT).")] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Read every file afresh and evaluate every SLA clock, without the "
                           "cache in <root>/.cxctl-cache/.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    ctx.obj = {"root": root, "no_cache": no_cache}


app.command("init")(init.init_command)
app.command("validate")(validate.validate_command)
app.command("review")(review.review_command)
app.command("history")(review.history_command)
app.command("export")(export.export_command)
app.add_typer(customer.app, name="customer")
app.add_typer(ticket.app, name="ticket")
app.add_typer(tier.app, name="tier")
app.add_typer(sla.app, name="sla")
app.add_typer(calendar.app, name="calendar")
app.add_typer(handover.app, name="handover")
app.add_typer(kpi.app, name="kpi")
app.add_typer(survey.app, name="survey")
app.add_typer(report.app, name="report")


def run() -> None:
    """Console entry point: usage errors exit 2, like the rest of cxctl."""
    try:
        app(standalone_mode=True)
        code: int | str | None = 0
    except KeyboardInterrupt:
        code = 130
    except SystemExit as exc:
        code = exc.code
    leave(code)


def leave(code: int | str | None) -> NoReturn:
    """Exit without tearing the heap down: after loading 200 000 records,
    freeing every object one by one takes a good part of a second and helps
    nobody.  Every file, lock and connection cxctl opens is closed by the
    time a command returns; what is left is to flush the output."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        _say(str(code))
        code = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:                 # `cxctl … | head`: the reader has gone
        code = code or 1
    except (OSError, ValueError) as exc:    # a full disk, a closed stream
        _say(f"cxctl: the output could not be written: {exc}")
        code = code or 1
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 1
    os._exit(code)


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except (OSError, ValueError):
        pass
