"""`cxctl handover …`: write, sign and reconcile desk shift handovers; returns;
hand a leaver's work to a successor."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cxctl.cli.common import (
    EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, AtOpt, FormatOpt, ShowPiiOpt, check_format, emit, fail, load_from,
    records_from, refused, require_usable, root_from, timezone_of,
)
from cxctl.cli.context import handover_policy_of
from cxctl.handover import (
    SHIFTS, SignProblem, expected_path, previous_handover, seal_problems,
    sign_problems,
)
from cxctl.handover_prefill import prefill, usual_handover_at
from cxctl.handover_reconcile import UnreadableHandover, has_errors, reconcile, select
from cxctl.model import Handover, Records
from cxctl.returns import reconcile_returns
from cxctl.store.writer import (
    LockBusy, WriteRefused, atomic_write, create_record, locked, new_entry, to_commented,
    update_record,
)
from cxctl.ticket_ops import EventRefused, event_updates
from cxctl.transfer import TransferPlan, plan_transfer

app = typer.Typer(help="Desk shift handovers: write the next one pre-filled, sign, reconcile; "
                       "returns; hand a leaving staff member's work to a successor.",
                  no_args_is_help=True)

FINDING_COLUMNS = ["handover", "check", "level", "item", "expected", "actual", "message"]
RETURN_COLUMNS = ["ticket", "customer", "approved_qty", "returned_qty", "tolerance",
                  "tolerance_source", "limit", "outcome", "booked_qty"]

HandoverAtOpt = Annotated[str | None, typer.Option(
    "--at", metavar="TIMESTAMP",
    help="When the handover takes place (no offset means the records' time zone). "
         "Default: the shift's usual time from policies/handover.yaml.")]
StaffOpt = Annotated[list[str], typer.Option(
    metavar="S-ID", help="Staff id; repeat the option or separate ids with commas.")]


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} '{value}' is not a date; write YYYY-MM-DD")


def _moment(value: str, tz: ZoneInfo, option: str = "--at") -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option} '{value}' is not a timestamp; write e.g. 2026-11-24T14:00:00+08:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _now(at: str | None, tz: ZoneInfo) -> datetime:
    moment = _moment(at, tz) if at else datetime.now(tz)
    return moment.replace(microsecond=0)


def _staff_ids(values: list[str], records: Records, option: str) -> list[str]:
    ids = [v.strip() for value in values for v in value.split(",") if v.strip()]
    if not ids:
        fail(f"{option} needs at least one staff id")
    for staff_id in ids:
        require_usable(records, staff_id, option, kinds="S")
    return list(dict.fromkeys(ids))


@app.command("new")
def new(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", metavar="YYYY-MM-DD", help="Date of the shift.")],
    shift: Annotated[str, typer.Option(help="early or late.")],
    outgoing: StaffOpt,
    incoming: StaffOpt,
    desk: Annotated[str, typer.Option(help="Which service desk.")] = "main",
    at: HandoverAtOpt = None,
) -> None:
    """Write the next handover of a desk, pre-filled.

    Counts start from the previous handover's incoming count, the loans still
    out come along, and every ticket open at the handover and owned by an
    outgoing staff member is listed under open_matters.  Default --at: the
    policy's usual handover time for the shift.  Never overwrites a file.
    """
    records = records_from(ctx)
    tz = timezone_of(records)
    if shift not in SHIFTS:
        fail(f"--shift must be early or late, not '{shift}'")
    the_day = _day(day, "--date")
    out_ids = _staff_ids(outgoing, records, "--outgoing")
    in_ids = _staff_ids(incoming, records, "--incoming")
    both = sorted(set(out_ids) & set(in_ids))
    if both:
        fail(f"{', '.join(both)} cannot be both outgoing and incoming")
    policy = handover_policy_of(records)
    when = _moment(at, tz) if at else usual_handover_at(the_day, shift, policy, tz)
    relpath = expected_path(desk, the_day, shift)
    if (root_from(ctx) / relpath).exists():
        fail(f"{relpath} already exists; nothing was written", EXIT_FINDINGS)
    previous = previous_handover(records.handovers, desk, the_day, shift)
    data = prefill(desk=desk, day=the_day, shift=shift, handed_over_at=when, outgoing=out_ids,
                   incoming=in_ids, previous=previous, tickets=records.tickets.values(),
                   policy=policy)
    try:
        create_record(root_from(ctx), relpath, data)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    baseline = f"counts from {previous.stem}" if previous else "first handover of this desk: counts at 0"
    typer.echo(f"{relpath}\n  {baseline}; {len(data['open_matters'])} open matter(s), "
               f"{len(data['loans'])} loan(s) carried over\n"
               f"  next: correct the counts, add movements, then "
               f"`cxctl handover sign --as outgoing --by {out_ids[0]} {Path(relpath).stem}`")


def _find(records: Records, root: Path, ref: str) -> Handover:
    """A handover by file stem (2026-11-24-main-early) or path."""
    if ref.endswith(".yaml"):
        given = Path(ref)
        candidates = [given, root / given]
        for c in candidates:
            try:
                rel = c.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue
            match = [h for h in records.handovers if h.path == rel]
            if match:
                return match[0]
    else:
        match = [h for h in records.handovers if h.path and Path(h.path).stem == ref]
        if match:
            return match[0]
    fail(f"no valid handover '{ref}' (give its file or its name, e.g. 2026-11-24-main-early; "
         f"`cxctl validate` shows files that do not load)", EXIT_FINDINGS)


def _refuse(problems: list[SignProblem]) -> None:
    """Exit 2 for a signature that breaks a rule, 1 when the file already has it."""
    if problems:
        fail("; ".join(p.message for p in problems),
             EXIT_FINDINGS if all(p.already for p in problems) else EXIT_USAGE)


def _set_mapping_entry(doc: CommentedMap, key: str, before: str | None, value) -> None:
    if key in doc:
        doc[key] = value
    elif before is not None and before in doc:
        doc.insert(list(doc).index(before), key, value)
    else:
        doc[key] = value


@app.command("sign")
def sign(
    ctx: typer.Context,
    handover: Annotated[str, typer.Argument(metavar="FILE_OR_NAME",
                                            help="The handover file, or its name (2026-11-24-main-early).")],
    role: Annotated[str, typer.Option("--as", metavar="outgoing|incoming",
                                      help="Which side signs.")],
    by: Annotated[str, typer.Option(metavar="S-ID", help="Who signs; must be on that side.")],
    at: AtOpt = None,
) -> None:
    """Record a signature: the outgoing staff hand over, the incoming staff check."""
    records = records_from(ctx)
    root = root_from(ctx)
    tz = timezone_of(records)
    h = _find(records, root, handover)
    moment = _now(at, tz)
    _refuse(sign_problems(h, role, by, moment))

    def mutate(doc: CommentedMap) -> None:
        if not isinstance(doc.get("signatures"), dict):
            _set_mapping_entry(doc, "signatures", "closing", CommentedMap())
        doc["signatures"][role] = to_commented({"by": by, "at": moment}, role)

    try:
        update_record(root, h.path, mutate)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    typer.echo(f"{h.stem}: signed {role} by {by} at {moment.isoformat()}")


@app.command("seal")
def seal(
    ctx: typer.Context,
    handover: Annotated[str, typer.Argument(metavar="FILE_OR_NAME",
                                            help="The late handover, or its name.")],
    by: Annotated[str, typer.Option(metavar="S-ID", help="Who hands the sealed cash and keys over.")],
    received_by: Annotated[str, typer.Option(
        "--received-by", metavar="S-ID", help="Who receives them in the control room.")],
    at: AtOpt = None,
) -> None:
    """Record a late shift's closing: cash and keys sealed to the control room."""
    records = records_from(ctx)
    root = root_from(ctx)
    h = _find(records, root, handover)
    require_usable(records, received_by, "--received-by", kinds="S")
    moment = _now(at, timezone_of(records))
    _refuse(seal_problems(h, by, moment))
    entry = {"sealed_to_control_room": {"by": by, "received_by": received_by, "at": moment}}

    def mutate(doc: CommentedMap) -> None:
        doc["closing"] = to_commented(entry)

    try:
        update_record(root, h.path, mutate)
    except (WriteRefused, LockBusy) as exc:
        refused(exc)
    typer.echo(f"{h.stem}: sealed to the control room by {by}, received by {received_by}")


def _range(day: str | None, start: str | None, end: str | None) -> tuple[date | None, date | None]:
    if day and (start or end):
        fail("give either --date or --from/--to, not both")
    if day:
        the_day = _day(day, "--date")
        return the_day, the_day
    first = _day(start, "--from") if start else None
    last = _day(end, "--to") if end else None
    if first and last and last < first:
        fail(f"--to {last} is before --from {first}")
    return first, last


@app.command("reconcile")
def reconcile_command(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD",
                                            help="Only this day's handovers.")] = None,
    start: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD",
                                              help="From this day (inclusive).")] = None,
    end: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD",
                                            help="Up to this day (inclusive).")] = None,
    desk: Annotated[str | None, typer.Option(help="Only this desk.")] = None,
    returns: Annotated[bool, typer.Option(
        "--returns", help="Also reconcile returns on complaint tickets (all of them).")] = False,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Run the six handover checks: balance, agreement, carry_over, loans,
    sign_off, continuity.  A handover file in range that cannot be read is an
    error too (check `record`).  Exit 1 when any finding is an error."""
    fmt = check_format(fmt)
    first, last = _range(day, start, end)
    records = records_from(ctx)
    unreadable = [UnreadableHandover.from_findings(path, entry.findings)
                  for path, entry in sorted(load_from(ctx).entries.items())
                  if entry.kind == "handover" and not entry.loaded]
    findings = reconcile(records.handovers, records.tickets, handover_policy_of(records),
                         start=first, end=last, desk=desk, unreadable=unreadable)
    if returns:
        results = reconcile_returns(records.tickets.values(), records.customers,
                                    records.policies.get("kpi"))
        findings += [f for f in (r.finding() for r in results) if f is not None]
    rows = [f.to_dict() for f in findings]
    columns = FINDING_COLUMNS + (["borrower", "phone"] if any("phone" in r for r in rows) else [])
    emit(rows, fmt, columns=columns if fmt != "json" else None, show_pii=show_pii,
         empty="no findings")
    if fmt == "table":
        count = len(select(records.handovers, start=first, end=last, desk=desk))
        errors = sum(f.level == "error" for f in findings)
        typer.echo(f"{count} handover(s) reconciled: {errors} error(s), "
                   f"{len(findings) - errors} warning(s)")
    raise typer.Exit(EXIT_FINDINGS if has_errors(findings) else EXIT_OK)


@app.command("returns")
def returns_command(ctx: typer.Context, fmt: FormatOpt = "table",
                    show_pii: ShowPiiOpt = False) -> None:
    """List every return on a complaint with its tolerance, limit and booked quantity.
    Exit 1 when a return exceeds its tolerance."""
    fmt = check_format(fmt)
    records = records_from(ctx)
    results = reconcile_returns(records.tickets.values(), records.customers,
                                records.policies.get("kpi"))
    emit([r.to_dict() for r in results], fmt, columns=RETURN_COLUMNS if fmt != "json" else None,
         show_pii=show_pii, empty="no returns")
    raise typer.Exit(EXIT_FINDINGS if any(r.level == "error" for r in results) else EXIT_OK)


@app.command("transfer")
def transfer(
    ctx: typer.Context,
    from_staff: Annotated[str, typer.Option("--from", metavar="S-ID", help="Who is leaving.")],
    to_staff: Annotated[str, typer.Option("--to", metavar="S-ID", help="The successor.")],
    by: Annotated[str | None, typer.Option(metavar="S-ID", help="Who arranges the transfer.")] = None,
    note: Annotated[str | None, typer.Option(help="Written on every transfer event.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes, write nothing.")] = False,
    at: AtOpt = None,
    fmt: FormatOpt = "table",
    show_pii: ShowPiiOpt = False,
) -> None:
    """Move a leaving staff member's open tickets (transfer events) and customers
    to a successor, as one change.  Refuses (exit 2) if the successor is unknown
    or inactive; an owner-rank mismatch is a warning."""
    fmt = check_format(fmt)
    records = records_from(ctx)
    require_usable(records, by, "--by", kinds="S")
    plan = plan_transfer(from_staff, to_staff, staff=records.staff,
                         tickets=records.tickets.values(), customers=records.customers.values(),
                         at=_now(at, timezone_of(records)), by=by, note=note)
    if plan.refused:
        fail("transfer refused, nothing was written:\n  " + "\n  ".join(plan.refusals))
    for warning in plan.warnings:
        typer.echo(f"cxctl: warning: {warning}", err=True)
    if not dry_run and (plan.tickets or plan.customers):
        _apply(root_from(ctx), plan, records)
    emit(plan.rows(), fmt, show_pii=show_pii,
         empty=f"{from_staff} has no open tickets or customers to hand over")


def _apply(root: Path, plan: TransferPlan, records: Records) -> None:
    """Write every file of the plan under one lock; on any failure put back
    the files already written before the lock is released, so the transfer
    is all or nothing and no other writer sees half of it."""
    written: dict[str, str] = {}
    try:
        with locked(root):
            try:
                for move in plan.tickets:
                    ticket = records.tickets[move.ticket]
                    event = dict(move.event)
                    updates = event_updates(ticket, event)
                    _update(root, move.path, written, _ticket_mutation(event, updates))
                for move in plan.customers:
                    _update(root, move.path, written, _owner_mutation(plan.to_staff))
            except (EventRefused, WriteRefused, _WriteFailed) as exc:
                _give_up(exc, _restore(root, written))
    except LockBusy as exc:
        refused(exc)


class _WriteFailed(Exception):
    """A file of the transfer could not be read or written (disk full, permissions)."""

    def __init__(self, relpath: str, exc: Exception):
        super().__init__(f"could not write {relpath}: {getattr(exc, 'strerror', None) or exc}")


def _update(root: Path, relpath: str, written: dict[str, str], mutate) -> None:
    try:
        before = (root / relpath).read_text("utf-8")
        if update_record(root, relpath, mutate):
            written[relpath] = before
    except (OSError, UnicodeDecodeError) as exc:
        raise _WriteFailed(relpath, exc) from exc


def _restore(root: Path, written: dict[str, str]) -> list[str]:
    """Put back the files already written; the ones that could not be."""
    failed = []
    for relpath, text in written.items():
        try:
            atomic_write(root / relpath, text)
        except OSError:
            failed.append(relpath)
    return failed


def _give_up(exc: Exception, unrestored: list[str]) -> None:
    if unrestored:
        fail(f"transfer failed part-way ({exc}) and these files could not be put back: "
             f"{', '.join(unrestored)}; restore them with `git checkout -- {' '.join(unrestored)}`",
             EXIT_FINDINGS)
    if isinstance(exc, WriteRefused):
        refused(exc)
    verb = "failed" if isinstance(exc, _WriteFailed) else "refused"
    fail(f"transfer {verb}, nothing was written: {exc}", EXIT_FINDINGS)


def _ticket_mutation(event: dict, updates: dict):
    def mutate(doc: CommentedMap) -> None:
        if doc.get("events") is None:
            doc["events"] = CommentedSeq()
        doc["events"].append(new_entry(event, "events"))
        for key, value in updates.items():
            doc[key] = value
    return mutate


def _owner_mutation(owner: str):
    def mutate(doc: CommentedMap) -> None:
        doc["owner"] = owner
    return mutate
