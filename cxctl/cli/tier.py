"""`cxctl tier run` and `cxctl tier apply` (SPEC 3.1): tiering proposals and
writing them into the customer files as one reviewable diff."""
from __future__ import annotations

from typing import Annotated

import typer
from ruamel.yaml.comments import CommentedMap

from cxctl.cli.common import (
    EXIT_FINDINGS, AsOfOpt, FormatOpt, ShowPiiOpt, as_of_from, check_format, emit, fail,
    load_from, records_from, refused, report_findings, root_from, timezone_of,
)
from cxctl.findings import Finding, error, warning
from cxctl.integrity import owner_rank_problem
from cxctl.model import Records
from cxctl.store.writer import LockBusy, WriteRefused, locked, update_record
from cxctl.tiering import Proposal, TierChange, apply_plan, propose
from cxctl.tiering_policy import (
    Problem, TieringError, TieringPolicy, decimal_text, policy_from_dict,
)

app = typer.Typer(help="Tier customers: compute a proposal (run), write it into the "
                       "customer files (apply).", no_args_is_help=True)

PeriodOpt = Annotated[str, typer.Option(
    "--period", metavar="YYYY-MM",
    help="The run: YYYY-01 (January), YYYY-07 (July), or a month within 6 months of the "
         "policy's site_opened.")]
POLICY_PATH = "policies/tiering.yaml"
# Where `tier apply` puts a new `tier` block and the order of its keys (SPEC 1.1).
TIER_KEYS = ("level", "class", "period", "score")
BEFORE_TIER = ("id", "name", "kind", "status", "owner", "since", "contacts",
               "over_acceptance_ratio", "rating")


def _finding(problem: Problem, records: Records) -> Finding:
    if problem.subject == "policy":
        return error(POLICY_PATH, "tier-policy", problem.message, field=problem.field)
    customer = records.customers.get(problem.subject)
    path = customer.path if customer and customer.path else problem.subject
    code = "tier-override" if (problem.field or "").startswith("tier.override") else "tier-rating"
    return error(path, code, problem.message, field=problem.field)


def _policy(records: Records) -> TieringPolicy:
    try:
        return policy_from_dict(records.policies.get("tiering") or {})
    except TieringError as exc:
        report_findings([_finding(p, records) for p in exc.problems])
        fail(f"{POLICY_PATH} is not usable for tiering; nothing was computed or written")


def _unloaded_customers(ctx: typer.Context, records: Records) -> list[Finding]:
    """Errors in customer files that could not be loaded: a run without those
    customers would split a different N, so they are reported and block
    `apply`.  Errors in loaded files (an owner who left) do not concern tiering."""
    loaded = {c.path for c in records.customers.values()}
    return [f for f in load_from(ctx).findings
            if f.level == "error" and f.path.startswith("customers/") and f.path not in loaded]


def _proposal(ctx: typer.Context, period: str, as_of: str | None
              ) -> tuple[Records, TieringPolicy, Proposal]:
    records = records_from(ctx)
    policy = _policy(records)
    tz = timezone_of(records)
    # The day it is in the records' time zone, whatever offset --as-of was written with.
    today = as_of_from(as_of, tz).astimezone(tz).date()
    try:
        proposal = propose(records.customers.values(), policy, period,
                           staff_ids=set(records.staff), as_of=today)
    except TieringError as exc:
        fail(str(exc))
    return records, policy, proposal


def _table_rows(proposal: Proposal, records: Records, criteria: tuple[str, ...],
                fmt: str) -> list[dict]:
    out = []
    for row in proposal.rows:
        flat = {"customer": row.customer, "name": records.customers[row.customer].name,
                "score": decimal_text(row.score) if row.score is not None else None}
        for name in criteria:
            c = row.breakdown.get(name)
            if fmt == "csv":
                flat[name] = c.input if c else None
                flat[f"{name}_points"] = decimal_text(c.points) if c else None
            else:
                flat[name] = f"{c.input} ({decimal_text(c.points)})" if c else None
        flat.update({"computed": row.computed_level, "level": row.level, "class": row.class_,
                     "previous_level": row.previous_level, "movement": row.movement,
                     "reason": row.reason})
        out.append(flat)
    return out


def _summary(proposal: Proposal) -> str:
    tiered = proposal.tiered
    moves = {m: sum(1 for r in tiered if r.movement == m) for m in ("up", "down", "new", "same")}
    levels = [sum(1 for r in tiered if r.level == k) for k in (1, 2, 3)]
    vip = sum(1 for r in tiered if r.class_ == "vip")
    head = f"{proposal.period} ({proposal.cycle.kind} run): {len(tiered)} tiered"
    if proposal.counts is not None:
        head += " — by count n1={} n2={} n3={}".format(*proposal.counts)
    if proposal.boundaries is not None:
        b = proposal.boundaries
        head += (f" — placed by the {b.period} boundaries: tier 1 from "
                 f"{decimal_text(b.tier1_min) if b.tier1_min is not None else '(none)'}, tier 2 from "
                 f"{decimal_text(b.tier2_min) if b.tier2_min is not None else '(none)'}"
                 + ("" if b.has_tier3 else ", no tier 3"))
    lines = [head,
             f"final: tier 1 {levels[0]} ({vip} vip), tier 2 {levels[1]}, tier 3 {levels[2]}; "
             + ", ".join(f"{v} {k}" for k, v in moves.items())
             + f"; {len(proposal.left_out)} left out"]
    lines += [f"tie: {t.message}" for t in proposal.ties]
    overrides = [r for r in proposal.rows if r.override is not None]
    lines += [f"override: {r.customer} tier {r.override.level} by {r.override.by} "
              f"({r.override.reason})"
              + ("" if r.override_applied else " — customer not in this run" if r.level is None
                 else " — not applied (see its reason)")
              for r in overrides]
    return "\n".join(lines) + "\n"


@app.command("run")
def run_command(
    ctx: typer.Context,
    period: PeriodOpt,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Compute the tiering proposal for a period and show it against the current tiers.

    Nothing is written; `cxctl tier apply` writes the same proposal.  Exit 1 if
    an override or a rating input must be fixed before it can be applied.
    """
    fmt = check_format(fmt)
    records, policy, proposal = _proposal(ctx, period, as_of)
    criteria = policy.criteria
    unloaded = _unloaded_customers(ctx, records)
    if fmt == "json":
        emit([r.to_dict() for r in proposal.rows], fmt, show_pii=show_pii)
    elif fmt in ("csv", "md"):
        emit(_table_rows(proposal, records, criteria, fmt), fmt, show_pii=show_pii)
    else:
        rows = _table_rows(proposal, records, criteria, fmt)
        tiered = [r for r in rows if r["level"] is not None]
        left = [{"customer": r["customer"], "name": r["name"], "previous_level": r["previous_level"],
                 "reason": r["reason"]} for r in rows if r["level"] is None]
        emit(tiered, fmt, show_pii=show_pii, empty="(no customer is tiered in this run)")
        if left:
            typer.echo("\nleft out:")
            emit(left, fmt, show_pii=show_pii)
        typer.echo("\n" + _summary(proposal), nl=False)
    if unloaded:
        typer.echo(f"cxctl: {len(unloaded)} error(s) in customer files: those customers are not "
                   f"part of this run (`cxctl validate customers` lists them)", err=True)
    if proposal.problems:
        report_findings([_finding(p, records) for p in proposal.problems])
        raise typer.Exit(EXIT_FINDINGS)


def _mutation(change: TierChange):
    after = change.after

    def mutate(doc: CommentedMap) -> None:
        tier = doc.get("tier")
        if not isinstance(tier, CommentedMap):
            tier = CommentedMap()
            before = [k for k in doc if k in BEFORE_TIER]
            doc.insert(list(doc).index(before[-1]) + 1 if before else len(doc), "tier", tier)
        for key in TIER_KEYS:
            value = after[key]
            if key == "score":
                value = float(value)
            if value is None:
                tier.pop(key, None)
            elif key in tier:
                tier[key] = value
            else:
                earlier = [k for k in TIER_KEYS[:TIER_KEYS.index(key)] if k in tier]
                tier.insert(list(tier).index(earlier[-1]) + 1 if earlier else 0, key, value)
    return mutate


def _describe(fields: dict | None) -> str:
    if fields is None:
        return "-"
    text = f"tier {fields['level']}"
    if fields.get("class"):
        text += f" {fields['class']}"
    score = fields.get("score")
    return text + f" · {fields['period']}" + (f" · {decimal_text(score)}" if score is not None else "")


@app.command("apply")
def apply_command(
    ctx: typer.Context,
    period: PeriodOpt,
    as_of: AsOfOpt = None,
) -> None:
    """Write the period's proposal into the customer files (tier: level, class,
    period, score; overrides kept) for review with `git diff`.  Applying the
    same period again changes nothing."""
    records, _, proposal = _proposal(ctx, period, as_of)
    unloaded = _unloaded_customers(ctx, records)
    blocking = [_finding(p, records) for p in proposal.problems] + unloaded
    if blocking:
        report_findings(blocking)
        fail("nothing was written: fix these first (a run without those customers would "
             "split a different set)" if unloaded else "nothing was written: fix these first",
             EXIT_FINDINGS)
    changes = apply_plan(proposal, records.customers)
    root = root_from(ctx)
    written: list[TierChange] = []
    try:
        with locked(root):
            for change in changes:
                if update_record(root, change.path, _mutation(change)):
                    written.append(change)
    except (WriteRefused, LockBusy) as exc:
        if written:
            typer.echo(f"cxctl: {len(written)} file(s) were already updated: "
                       + ", ".join(c.path for c in written), err=True)
        refused(exc)
    if written:
        emit([{"customer": c.customer, "path": c.path, "before": _describe(c.before),
               "after": _describe(c.after)} for c in written], "table")
    typer.echo(f"{period}: {len(written)} customer file(s) updated, "
               f"{len(proposal.tiered) - len(written)} already up to date"
               + ("; review with `git diff`" if written else ""))
    _rank_warnings(records, written)


def _rank_warnings(records: Records, written: list[TierChange]) -> None:
    """The owner-rank rule (004 5.3.1) for the customers just re-tiered: a
    cross-record rule, so it warns and never blocks the write."""
    out = []
    for change in written:
        customer = records.customers[change.customer]
        owner = records.staff.get(customer.owner or "")
        problem = owner_rank_problem(change.after["level"], owner) if owner else None
        if problem:
            out.append(warning(customer.path, "owner-rank", problem, field="owner",
                               hint="reassign the customer (cxctl customer edit … --set owner=S-…)"))
    report_findings(out)

