"""`cxctl survey summary`: satisfaction survey scores of a year (SPEC 3.6; 001 §九-十)."""
from __future__ import annotations

import typer

from cxctl import render
from cxctl.cli.common import EXIT_FINDINGS, FormatOpt, ShowPiiOpt, check_format, emit, records_from
from cxctl.cli.context import kpi_policy_of
from cxctl.cli.kpi import YearOpt, left_out, warn_left_out
from cxctl.surveys import SurveySummary, survey_summary

app = typer.Typer(help="Satisfaction survey scores.", no_args_is_help=True)


def headline(summary: SurveySummary) -> str:
    average = "n/a" if summary.average is None else f"{summary.average:.2f}"
    lowest = ", ".join(summary.lowest_items) or "n/a"
    return (f"{summary.year}: {summary.surveys} survey(s), {summary.scored} scored, "
            f"average {average}; lowest-scoring item(s): {lowest}")


def sections(summary: SurveySummary) -> list[tuple[str, list[dict], str]]:
    """(title, rows, text when empty) of each part, in reading order."""
    return [
        ("Score per customer", summary.customers, "(no surveys this year)"),
        ("Average per tier (customer's current tier)", summary.tiers, "(no scored surveys)"),
        ("Items, lowest average first", summary.items, "(no items)"),
        ("Problems", summary.problems, "(none)"),
    ]


def long_rows(summary: SurveySummary) -> list[dict]:
    """Every part as one table (CSV): section, subject, and the numbers."""
    rows = [{"section": "year", "subject": str(summary.year), "surveys": summary.surveys,
             "score": summary.average, "note": ", ".join(summary.lowest_items)}]
    rows += [{"section": "customer", "subject": c["customer"], "surveys": c["surveys"],
              "score": c["score"], "note": f"tier {c['tier']}"} for c in summary.customers]
    rows += [{"section": "tier", "subject": t["tier"], "surveys": t["surveys"],
              "score": t["average"], "note": ""} for t in summary.tiers]
    rows += [{"section": "item", "subject": i["item"], "surveys": i["answers"], "score": i["average"],
              "note": "lowest" if i["item"] in summary.lowest_items else ""} for i in summary.items]
    rows += [{"section": "problem", "subject": p["survey"], "surveys": None, "score": None,
              "note": p["problem"]} for p in summary.problems]
    return rows


@app.command("summary")
def summary_command(ctx: typer.Context, year: YearOpt, fmt: FormatOpt = "table",
                    show_pii: ShowPiiOpt = False) -> None:
    """Scores of the surveys answered in a year: per customer, averages per tier and
    for the year, and the items with the lowest scores.

    A level scores 100/80/60/30/0 (very satisfied ... very dissatisfied); a survey
    scores the sum of item weight x level score / 100 (weights in policies/kpi.yaml).
    """
    fmt = check_format(fmt)
    records = records_from(ctx, announce_left_out=False)
    result = survey_summary(records.surveys.values(), records.customers, year, kpi_policy_of(records))
    problems = left_out(ctx, ["surveys"])
    if fmt == "json":
        document = result.to_dict()
        typer.echo(render.to_json(document if show_pii else render.mask(document)), nl=False)
    elif fmt == "csv":
        emit(long_rows(result), fmt, show_pii=show_pii)
    else:
        typer.echo(f"# Satisfaction surveys {headline(result)}" if fmt == "md" else headline(result))
        for title, rows, empty in sections(result):
            if title == "Problems" and not rows:
                continue
            typer.echo(f"\n## {title}\n" if fmt == "md" else f"\n{title}")
            emit(rows, fmt, show_pii=show_pii, empty=empty)
    warn_left_out(problems)
    if problems:
        raise typer.Exit(EXIT_FINDINGS)
