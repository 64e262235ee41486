"""`cxctl validate`: schema and cross-record checks, like a linter."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cxctl import render
from cxctl.cli.common import (EXIT_FINDINGS, EXIT_OK, FormatOpt, ShowPiiOpt, check_format, fail, load_from,
                              root_from)
from cxctl.findings import has_errors


def validate_command(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="[PATH]...",
        help="Report only on these files or folders (everything is still loaded, since "
             "cross-record checks need it).")] = None,
    fmt: FormatOpt = "table",
    warnings: Annotated[bool, typer.Option(
        "--warnings/--no-warnings", help="Show warnings as well as errors.")] = True,
    show_pii: ShowPiiOpt = False,
) -> None:
    """Check every record against its schema and the cross-record rules.

    Prints `path:line:col: level code: message` for each finding, with the
    offending line and a hint.  Exit 0 when there are no errors (warnings
    allowed), 1 when there are, 2 on a usage problem.
    """
    fmt = check_format(fmt, ("table", "json"))
    root = root_from(ctx)
    result = load_from(ctx, cross_checks=True)
    selected = _selected(root, paths, set(result.entries)) if paths else None
    findings = result.findings_for(selected) if selected is None else [
        f for f in result.findings if f.path in selected or _under(f.path, selected)]
    if not warnings:
        findings = [f for f in findings if f.level == "error"]
    if fmt == "json":
        shown = findings if show_pii else [render.masked_finding(f) for f in findings]
        typer.echo(render.to_json([f.to_dict() for f in shown]), nl=False)
    else:
        typer.echo(render.findings_text(findings, color=sys.stdout.isatty(), show_pii=show_pii), nl=False)
        files = len(selected) if selected is not None else len(result.entries)
        typer.echo(render.summary_line(findings, files))
    raise typer.Exit(EXIT_FINDINGS if has_errors(findings) else EXIT_OK)


def _selected(root: Path, paths: list[Path], known: set[str]) -> set[str]:
    """Paths given on the command line, relative to the root, "/"-separated."""
    out: set[str] = set()
    resolved_root = root.resolve()
    for p in paths:
        absolute = (p if p.is_absolute() else Path.cwd() / p).resolve()
        if not absolute.exists() and (resolved_root / p).exists():
            absolute = (resolved_root / p).resolve()
        try:
            rel = absolute.relative_to(resolved_root).as_posix()
        except ValueError:
            fail(f"{p} is not inside the records root {root}")
        if not absolute.exists():
            fail(f"{p} does not exist")
        if absolute.is_dir():
            prefix = "" if rel == "." else rel + "/"
            out |= {k for k in known if k.startswith(prefix)} | {prefix or "."}
        else:
            out.add(rel)
    return out


def _under(path: str, selected: set[str]) -> bool:
    return any(s.endswith("/") and path.startswith(s) for s in selected) or "." in selected
