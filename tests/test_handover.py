"""Desk shift handover (SPEC 1.3, 3.5): the six checks, record problems, pre-fill."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from cxctl.handover import (
    HandoverPolicy, expected_path, owner_at, previous_handover, record_problems, seal_problems,
    sign_problems,
)
from cxctl.handover_prefill import prefill, usual_handover_at
from cxctl.findings import error
from cxctl.handover_reconcile import (
    UnreadableHandover, check_agreement, check_balance, check_carry_over, check_continuity,
    check_loans, check_sign_off, has_errors, reconcile, select,
)
from cxctl.model import (
    Event, Handover, ItemCount, Loan, Movement, Signature, Ticket,
)

CST = timezone(timedelta(hours=8))
POLICY = HandoverPolicy(items={"umbrella": False, "radio": False, "cash": True},
                        authorised_cash_difference=Decimal("0.50"))


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=CST)


def ho(day: int, shift: str, counts: dict, *, movements=(), loans=(), open_matters=(),
       signed=True, closing=True, outgoing=("S-031",), incoming=("S-032",), desk="main") -> Handover:
    """A handover whose counts agree and that is fully signed unless told otherwise."""
    when = at(day, 14 if shift == "early" else 22)
    h = Handover(
        desk=desk, date=date(2026, 11, day), shift=shift, handed_over_at=when,
        outgoing=list(outgoing), incoming=list(incoming),
        counts={k: (v if isinstance(v, ItemCount) else ItemCount(v, v)) for k, v in counts.items()},
        movements=list(movements), loans=list(loans),
        open_matters=[{"ticket": t} for t in open_matters],
    )
    if signed:
        h.signatures = {"outgoing": Signature(outgoing[0], when + timedelta(minutes=5)),
                        "incoming": Signature(incoming[0], when + timedelta(minutes=6))}
    if shift == "late" and closing:
        h.closing = {"sealed_to_control_room": {"by": incoming[0], "received_by": "S-090",
                                                "at": (when + timedelta(minutes=10)).isoformat()}}
    return h


def ticket(tid: str, owner: str, opened: datetime, *events: Event) -> Ticket:
    status = "open"
    for e in events:
        status = {"close": "closed", "force_close": "force_closed", "resolve": "resolved",
                  "reopen": "open"}.get(e.type, status)
    return Ticket(id=tid, customer="C-01", kind="complaint", channel="walk_in",
                  opened_at=opened, status=status, owner=owner, events=list(events))


def checks(findings):
    return [(f.check, f.item, f.level) for f in findings]


# --- balance ----------------------------------------------------------------

def test_balance_with_several_movements_that_add_up_is_not_flagged():
    prev = ho(23, "late", {"umbrella": 18, "cash": Decimal("1320.50")})
    h = ho(24, "early", {"umbrella": 17, "cash": Decimal("1521.00")}, movements=[
        Movement("umbrella", -2, at(24, 10, 12)),
        Movement("umbrella", 1, at(24, 11, 30)),
        Movement("cash", Decimal("200.00"), at(24, 11)),
        Movement("cash", Decimal("0.50"), at(24, 12)),
    ])
    assert check_balance(prev, h, POLICY) == []


def test_balance_piece_difference_is_an_error_with_expected_and_actual():
    prev = ho(23, "late", {"umbrella": 18})
    h = ho(24, "early", {"umbrella": 15}, movements=[Movement("umbrella", -2, at(24, 10))])
    [f] = check_balance(prev, h, POLICY)
    assert (f.handover, f.check, f.item, f.expected, f.actual, f.level) == \
        ("2026-11-24-main-early", "balance", "umbrella", 16, 15, "error")


def test_balance_cash_within_authorised_difference_is_a_warning_at_the_exact_limit():
    prev = ho(23, "late", {"cash": Decimal("100.00")})
    short = ho(24, "early", {"cash": Decimal("99.50")})
    [f] = check_balance(prev, short, POLICY)
    assert f.level == "warning"
    assert f.to_dict()["expected"] == "100.00" and f.to_dict()["actual"] == "99.50"


def test_balance_cash_beyond_authorised_difference_is_an_error():
    prev = ho(23, "late", {"cash": Decimal("100.00")})
    h = ho(24, "early", {"cash": Decimal("99.49")})
    [f] = check_balance(prev, h, POLICY)
    assert f.level == "error"


def test_balance_item_not_counted_is_reported():
    prev = ho(23, "late", {"umbrella": 3, "radio": 6})
    h = ho(24, "early", {"umbrella": 3})
    [f] = check_balance(prev, h, POLICY)
    assert (f.item, f.expected, f.actual) == ("radio", 6, None)


def test_first_handover_of_a_desk_is_not_balance_checked_and_desks_chain_apart():
    main = ho(24, "early", {"umbrella": 18})
    east_first = ho(24, "late", {"umbrella": 2}, desk="east")   # would not balance against main
    main_late = ho(24, "late", {"umbrella": 17})
    found = reconcile([main_late, east_first, main], {}, POLICY)
    balance = [(f.handover, f.expected, f.actual) for f in found if f.check == "balance"]
    assert balance == [("2026-11-24-main-late", 18, 17)]


def test_chain_runs_early_then_late_then_next_early_whatever_the_input_order():
    e24 = ho(24, "early", {"umbrella": 10})
    l24 = ho(24, "late", {"umbrella": 10})
    e25 = ho(25, "early", {"umbrella": 9}, movements=[Movement("umbrella", -1, at(25, 9))])
    assert [f for f in reconcile([e25, l24, e24], {}, POLICY) if f.check == "balance"] == []
    assert previous_handover([e25, l24, e24], "main", date(2026, 11, 25), "early") is l24


def test_range_reconcile_balances_against_the_handover_before_the_range():
    l23 = ho(23, "late", {"umbrella": 10})
    e24 = ho(24, "early", {"umbrella": 8})
    found = reconcile([l23, e24], {}, POLICY, start=date(2026, 11, 24), end=date(2026, 11, 24))
    assert ("balance", "umbrella", "error") in checks(found)
    assert all(f.handover.startswith("2026-11-24") for f in found)


# --- agreement --------------------------------------------------------------

def test_agreement_item_difference_is_an_error_cash_within_limit_a_warning():
    h = ho(24, "early", {"gift": ItemCount(40, 39), "cash": ItemCount(Decimal("10.00"), Decimal("10.20"))},
           )
    found = {f.item: f for f in check_agreement(h, HandoverPolicy({"gift": False, "cash": True}))}
    assert (found["gift"].expected, found["gift"].actual, found["gift"].level) == (40, 39, "error")
    assert found["cash"].level == "warning"


def test_agreement_equal_counts_pass():
    assert check_agreement(ho(24, "early", {"gift": 40, "cash": Decimal("1.00")}), POLICY) == []


# --- carry-over -------------------------------------------------------------

def test_carry_over_open_ticket_of_outgoing_staff_must_be_listed():
    t = ticket("T-01", "S-031", at(24, 9))
    other = ticket("T-02", "S-099", at(24, 9))            # someone else's
    closed = ticket("T-03", "S-031", at(20, 9), Event(at(21, 9), "close"))
    h = ho(24, "early", {})
    tickets = {x.id: x for x in (t, other, closed)}
    assert checks(check_carry_over(h, tickets)) == [("carry_over", "T-01", "error")]
    assert check_carry_over(ho(24, "early", {}, open_matters=["T-01"]), tickets) == []


def test_carry_over_listed_ticket_closed_or_unknown_is_an_error():
    closed = ticket("T-03", "S-031", at(20, 9), Event(at(24, 13, 59), "close"))
    h = ho(24, "early", {}, open_matters=["T-03", "T-NOPE"])
    found = {f.item: f for f in check_carry_over(h, {"T-03": closed})}
    assert found["T-03"].actual == "closed"
    assert found["T-NOPE"].expected == "an existing ticket"


def test_carry_over_judges_status_at_the_handover_not_now():
    # Closed after the handover: it was open then, so it must be carried over.
    t = ticket("T-04", "S-031", at(24, 9), Event(at(24, 15), "close"))
    assert checks(check_carry_over(ho(24, "early", {}), {"T-04": t})) == \
        [("carry_over", "T-04", "error")]


def test_carry_over_uses_the_owner_of_that_time_after_a_later_transfer():
    t = ticket("T-05", "S-050", at(24, 9),
               Event(at(25, 9), "transfer", from_="S-031", to="S-050"))
    assert owner_at(t, at(24, 14)) == "S-031"
    assert checks(check_carry_over(ho(24, "early", {}), {"T-05": t})) == \
        [("carry_over", "T-05", "error")]


# --- loans ------------------------------------------------------------------

def test_loans_due_before_the_handover_date_are_warnings_due_that_day_is_not():
    overdue = Loan("umbrella", 1, "王先生", date(2026, 11, 23), phone="13900001111")
    today = Loan("umbrella", 1, "李女士", date(2026, 11, 24))
    [f] = check_loans(ho(24, "early", {}, loans=[overdue, today]))
    assert (f.check, f.item, f.level) == ("loans", "umbrella", "warning")
    assert f.to_dict()["phone"] == "13900001111" and f.to_dict()["expected"] == "2026-11-23"


# --- sign-off ---------------------------------------------------------------

def test_sign_off_complete_passes():
    assert check_sign_off(ho(24, "early", {})) == []
    assert check_sign_off(ho(24, "late", {})) == []


def test_sign_off_missing_signature_is_an_error():
    h = ho(24, "early", {}, signed=False)
    assert [f.expected for f in check_sign_off(h)] == \
        ["outgoing signature by S-031", "incoming signature by S-032"]


def test_sign_off_by_someone_not_on_that_side_or_before_the_handover():
    h = ho(24, "early", {})
    h.signatures["incoming"] = Signature("S-031", at(24, 14, 10))    # outgoing signing as incoming
    h.signatures["outgoing"] = Signature("S-031", at(24, 13, 59))    # a minute early
    found = check_sign_off(h)
    assert [f.actual for f in found] == [at(24, 13, 59), "S-031"]


def test_sign_off_at_exactly_the_handover_moment_is_fine():
    h = ho(24, "early", {})
    h.signatures["outgoing"] = Signature("S-031", at(24, 14))
    assert check_sign_off(h) == []


def test_late_shift_without_closing_to_the_control_room_is_an_error():
    [f] = check_sign_off(ho(24, "late", {}, closing=False))
    assert (f.check, f.expected, f.level) == ("sign_off", "closing.sealed_to_control_room", "error")
    assert check_sign_off(ho(24, "early", {}, closing=False)) == []


def test_sign_problems_signer_on_that_side_not_before_the_handover_and_not_twice():
    h = ho(24, "early", {}, signed=False)
    assert sign_problems(h, "outgoing", "S-031", at(24, 14)) == []          # exactly at the handover
    assert [p.rule for p in sign_problems(h, "incoming", "S-031", at(24, 13, 59))] == \
        ["not_on_side", "before_handover"]
    h.signatures["outgoing"] = Signature("S-031", at(24, 14, 5))
    [twice] = sign_problems(h, "outgoing", "S-031", at(24, 14, 7))
    assert (twice.rule, twice.already) == ("already_signed", True)
    assert [p.rule for p in sign_problems(h, "witness", "S-031", at(24, 15))] == ["role"]


def test_seal_problems_late_shift_staff_on_shift_after_the_count_and_once():
    late = ho(24, "late", {}, closing=False)
    assert seal_problems(late, "S-032", at(24, 22)) == []
    assert [p.rule for p in seal_problems(late, "S-090", at(24, 21, 59))] == \
        ["not_on_shift", "before_handover"]
    assert [p.rule for p in seal_problems(ho(24, "early", {}), "S-031", at(24, 15))] == ["not_late"]
    sealed = ho(24, "late", {})
    assert [(p.rule, p.already) for p in seal_problems(sealed, "S-032", at(24, 23))] == \
        [("already_sealed", True)]


def test_reconcile_sign_off_uses_the_same_rules_as_signing():
    h = ho(24, "late", {})
    h.closing["sealed_to_control_room"]["by"] = "S-090"
    [f] = check_sign_off(h)
    assert f.actual == "S-090" and "not on shift" in f.message


# --- continuity -------------------------------------------------------------

def test_continuity_day_with_only_an_early_handover_misses_its_late_one():
    found = check_continuity([ho(24, "early", {}), ho(25, "early", {}), ho(25, "late", {}),
                              ho(24, "late", {}, desk="east")])
    assert [(f.handover, f.actual) for f in found] == [
        ("2026-11-24-east-early", "late"), ("2026-11-24-main-late", "early")]


# --- the whole reconcile ----------------------------------------------------

def test_a_clean_two_day_chain_has_no_findings():
    days = [ho(d, s, {"umbrella": 18, "cash": Decimal("1520.50")})
            for d in (24, 25) for s in ("early", "late")]
    found = reconcile(days, {}, POLICY)
    assert found == [] and not has_errors(found)


def test_findings_carry_exactly_the_spec_keys_plus_level():
    h = ho(24, "early", {"umbrella": ItemCount(1, 2)})
    [f] = reconcile([h, ho(24, "late", {"umbrella": 2})], {}, POLICY)
    assert list(f.to_dict()) == ["handover", "check", "item", "expected", "actual", "message", "level"]


# --- problems of one record -------------------------------------------------

def test_record_problems_unknown_item_negative_count_and_wrong_types():
    h = ho(24, "early", {"umbrella": ItemCount(-1, 0), "cash": ItemCount(1520, Decimal("1.00")),
                         "radio": ItemCount(Decimal("6"), 6)},
           movements=[Movement("kite", 1, at(24, 9))])
    h.path = expected_path("main", date(2026, 11, 24), "early")
    codes = {(p.field, p.code) for p in record_problems(h, POLICY)}
    assert codes == {
        ("counts.umbrella.outgoing", "handover-negative-count"),
        ("counts.cash.outgoing", "handover-cash-not-decimal"),
        ("counts.radio.outgoing", "handover-count-not-whole"),
        ("movements.0.item", "handover-unknown-item"),
    }


def test_record_problems_file_name_must_match_date_desk_and_shift():
    h = ho(24, "early", {"umbrella": 1})
    h.path = "handovers/2026/11/2026-11-24-main-early.yaml"
    assert record_problems(h, POLICY) == []
    h.path = "handovers/2026/11/2026-11-25-main-early.yaml"
    assert [p.code for p in record_problems(h, POLICY)] == ["handover-file-name"]


# --- pre-fill ---------------------------------------------------------------

def test_prefill_starts_from_previous_incoming_carries_loans_and_open_tickets():
    prev = ho(24, "early", {"umbrella": ItemCount(18, 17), "cash": Decimal("1520.50")},
              loans=[Loan("umbrella", 1, "王先生", date(2026, 11, 25), "13900001111")])
    prev.open_matters = [{"ticket": "T-01", "note": "calls back at 15:00"}]
    tickets = [ticket("T-01", "S-032", at(24, 9)),
               ticket("T-02", "S-032", at(24, 10), Event(at(24, 12), "close")),
               ticket("T-03", "S-077", at(24, 10)),
               ticket("T-04", "S-032", at(24, 23))]                  # opened after the handover
    when = usual_handover_at(date(2026, 11, 24), "late", POLICY, CST)
    rec = prefill(desk="main", day=date(2026, 11, 24), shift="late", handed_over_at=when,
                  outgoing=["S-032"], incoming=["S-040"], previous=prev, tickets=tickets,
                  policy=POLICY)
    assert when == at(24, 22)
    assert rec["counts"] == {"umbrella": {"outgoing": 17, "incoming": 17},
                             "radio": {"outgoing": 0, "incoming": 0},
                             "cash": {"outgoing": "1520.50", "incoming": "1520.50"}}
    assert rec["open_matters"] == [{"ticket": "T-01", "note": "calls back at 15:00"}]
    assert rec["loans"] == [{"item": "umbrella", "qty": 1, "borrower": "王先生",
                             "phone": "13900001111", "due": date(2026, 11, 25)}]


def test_prefilled_handover_balances_against_its_previous_one():
    prev = ho(24, "early", {"umbrella": 18, "cash": Decimal("1520.50")})
    rec = prefill(desk="main", day=date(2026, 11, 24), shift="late", handed_over_at=at(24, 22),
                  outgoing=["S-032"], incoming=["S-040"], previous=prev, tickets=[], policy=POLICY)
    counts = {k: ItemCount(*(Decimal(x) if isinstance(x, str) else x for x in v.values()))
              for k, v in rec["counts"].items()}
    new = ho(24, "late", counts, outgoing=("S-032",), incoming=("S-040",))
    assert check_balance(prev, new, POLICY) == []


def test_prefill_first_handover_of_a_desk_starts_every_known_item_at_zero():
    rec = prefill(desk="east", day=date(2026, 11, 24), shift="early", handed_over_at=at(24, 14),
                  outgoing=["S-031"], incoming=["S-032"], previous=None, tickets=[], policy=POLICY)
    assert rec["counts"]["cash"] == {"outgoing": "0.00", "incoming": "0.00"}
    assert rec["loans"] == [] and rec["open_matters"] == []


# --- balance as a property ----------------------------------------------------

cents = st.integers(min_value=-50_000, max_value=50_000).map(lambda c: Decimal(c).scaleb(-2))


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 50), moves=st.lists(st.integers(-5, 5), max_size=6),
       cash_moves=st.lists(cents, max_size=6), off=st.integers(-3, 3))
def test_balance_flags_exactly_the_counts_that_do_not_add_up(start, moves, cash_moves, off):
    prev = ho(23, "late", {"umbrella": start, "cash": Decimal("1000.00")})
    movements = [Movement("umbrella", q, at(24, 9)) for q in moves] + \
                [Movement("cash", q, at(24, 10)) for q in cash_moves]
    umbrellas = start + sum(moves)
    cash = Decimal("1000.00") + sum(cash_moves, Decimal("0"))
    h = ho(24, "early", {"umbrella": umbrellas + off, "cash": cash}, movements=movements)
    found = check_balance(prev, h, POLICY)
    assert [(f.item, f.expected, f.actual) for f in found] == \
        ([] if off == 0 else [("umbrella", umbrellas, umbrellas + off)])


# --- files that failed to load -------------------------------------------------

def test_unreadable_handover_is_placed_by_its_file_name():
    u = UnreadableHandover.from_findings(
        "handovers/2026/11/2026-11-24-side-desk-late.yaml",
        [error("handovers/2026/11/2026-11-24-side-desk-late.yaml", "unknown-field", "no 'weather'",
               line=4)])
    assert (u.desk, u.date, u.shift, u.stem) == ("side-desk", date(2026, 11, 24), "late",
                                                 "2026-11-24-side-desk-late")
    assert u.reason == "line 4: no 'weather'"
    odd = UnreadableHandover.from_findings("handovers/2026/11/notes.yaml", [])
    assert not odd.placed and odd.date is None


def test_reconcile_reports_unreadable_files_in_range_and_skips_the_broken_baseline():
    counts = {"umbrella": 18}
    early24, early25 = ho(24, "early", counts), ho(25, "early", {"umbrella": 5})
    late24 = UnreadableHandover("handovers/2026/11/2026-11-24-main-late.yaml", "bad",
                                "main", date(2026, 11, 24), "late")
    found = reconcile([early24, early25], {}, POLICY, unreadable=[late24])
    # no balance of the 25th against the 24th's early shift, no "missing late" on the 24th
    assert [(f.handover, f.check) for f in found] == [
        ("2026-11-24-main-late", "record"), ("2026-11-25-main-late", "continuity")]
    assert has_errors(found)
    # a reconcile of the 25th alone still names the broken baseline
    only25 = reconcile([early24, early25], {}, POLICY, start=date(2026, 11, 25), unreadable=[late24])
    assert ("2026-11-24-main-late", "record") in [(f.handover, f.check) for f in only25]
    assert reconcile([early24], {}, POLICY, start=date(2026, 11, 25), end=date(2026, 11, 25),
                     unreadable=[late24]) == []
    assert select([early24, early25], start=date(2026, 11, 25)) == [early25]
