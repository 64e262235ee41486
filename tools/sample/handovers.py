"""Two weeks of desk shift handovers (SPEC §1.3, §3.5), with a few deliberate discrepancies.

Counts follow from simulated movements (umbrella loans with a 50-yuan deposit,
radio loans to fitting-out crews, gift redemptions, fees), so every chain
balances except where a discrepancy is planted; open matters are computed from
the tickets owned by the outgoing staff.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from . import names
from .clock import at, minutes
from .people import PROVIDER_BY_ID
from .shifts import control_room, crew, duty_lead
from .ticket import Tk
from .yamlout import Flow, Quoted

FIRST = date(2026, 11, 6)
LAST = date(2026, 11, 19)
DESKS = ("main", "north")
ITEMS = ("umbrella", "radio", "gift", "cash")
DEPOSIT = Decimal("50.00")
START = {"main": {"umbrella": 20, "radio": 6, "gift": 60, "cash": Decimal("1500.00")},
         "north": {"umbrella": 12, "radio": 4, "gift": 40, "cash": Decimal("800.00")}}
RAINY = {date(2026, 11, 8), date(2026, 11, 9), date(2026, 11, 13), date(2026, 11, 17)}

# The planted discrepancies: (desk, date, shift).
GIFT_DISAGREES = ("main", date(2026, 11, 10), "late")
UMBRELLA_UNBALANCED = ("north", date(2026, 11, 11), "early")
CASH_SHORT_020 = ("main", date(2026, 11, 15), "early")
MISSING_SHIFT = ("north", date(2026, 11, 14), "late")
UNSIGNED_INCOMING = ("north", date(2026, 11, 16), "early")
DROP_MATTER_FROM = date(2026, 11, 12)
OVERDUE_LOAN = ("main", date(2026, 11, 10))      # lent on the late shift, due next day, back a day late


@dataclass
class Loan:
    item: str
    qty: int
    borrower: str
    phone: str
    due: date
    lent_at: datetime
    back_at: datetime
    deposit: bool


def _money(x: Decimal) -> Quoted:
    return Quoted(f"{x:.2f}")


def _amount(item, x):
    return _money(x) if item == "cash" else x


def _shift_window(d: date, shift: str, rng) -> datetime:
    return at(d, 14, 0) + minutes(rng.randint(-5, 8)) if shift == "early" else at(d, 22, 0) + minutes(rng.randint(-5, 6))


def _missing(desk: str, moment: datetime) -> bool:
    m_desk, m_day, _ = MISSING_SHIFT
    return desk == m_desk and moment.date() == m_day and moment >= at(m_day, 14, 0)


def _return_time(rng, desk: str, lent_at: datetime, due: date) -> datetime:
    latest = at(due, 21, 30)
    for _ in range(100):
        moment = lent_at + minutes(rng.uniform(180, max(200, (latest - lent_at).total_seconds() / 60)))
        if moment.hour < 9:
            continue
        if moment <= latest and not _missing(desk, moment) and moment.hour < 22:
            return moment.replace(second=0, microsecond=0)
    return at(due, 11, 0)


def _open_matter_note(t: Tk, moment: datetime) -> str:
    seen = [e for e in t.events if e["at"] <= moment]
    types = [e["type"] for e in seen]
    provider = PROVIDER_BY_ID[t.holder_at(moment, "P-")].name
    if t.status_at(moment) == "resolved":
        return "已处理，待回访确认后闭环"
    if types and types[-1] == "hold" or ("hold" in types and types.count("hold") > types.count("resume")):
        return "等待顾客回复，暂停处理"
    if "reply" in types:
        return f"{provider}已回复，跟进处理结果"
    if "dispatch" in types:
        return f"已派{provider}，待回复"
    if any(e["type"] == "contact" and e.get("outcome") == "reached" for e in seen):
        return "已联系顾客，待进一步处理"
    return "待联系顾客"


def make_handovers(rng, tickets: list[Tk]) -> tuple[list[dict], dict[str, str]]:
    records: list[dict] = []
    planted: dict[str, str] = {}
    dropped = False
    for desk in DESKS:
        counts = dict(START[desk])
        loans: list[Loan] = []
        if desk == "main":      # a radio still out with a fitting-out crew from before the record starts
            counts["radio"] -= 1
            lent = at(FIRST - timedelta(days=1), 16, 20)
            loans.append(Loan("radio", 1, "陈师傅（B1装修队）", names.phone(rng), FIRST + timedelta(days=1), lent,
                              _return_time(rng, desk, at(FIRST, 9, 0), FIRST + timedelta(days=1)), False))
        previous = at(FIRST, 9, 0)
        day = FIRST
        while day <= LAST:
            early, late = crew(desk, day)
            for shift in ("early", "late"):
                hat = _shift_window(day, shift, rng)
                moves = []
                # returns first: they were planned when the item went out
                for loan in [l for l in loans if previous < l.back_at <= hat]:
                    moves.append((loan.back_at, loan.item, loan.qty, f"{loan.borrower}归还"))
                    if loan.deposit:
                        moves.append((loan.back_at, "cash", -DEPOSIT, f"退还{loan.borrower}雨伞押金"))
                    loans.remove(loan)
                skip = (desk, day, shift) == MISSING_SHIFT
                if not skip:
                    moves += _new_activity(rng, desk, day, shift, previous, hat, loans, counts)
                moves.sort(key=lambda m: m[0])
                expected = dict(counts)
                for _, item, qty, _ in moves:
                    expected[item] += qty
                outgoing = dict(expected)
                incoming = dict(expected)
                key = (desk, day, shift)
                stem = f"{day.isoformat()}-{desk}-{shift}"
                if key == UMBRELLA_UNBALANCED:
                    outgoing["umbrella"] = incoming["umbrella"] = expected["umbrella"] - 1
                    planted["balance: one umbrella gone without a movement"] = stem
                if key == GIFT_DISAGREES:
                    incoming["gift"] = outgoing["gift"] - 1
                    planted["agreement: gift counted one less by the incoming shift"] = stem
                if key == CASH_SHORT_020:
                    incoming["cash"] = outgoing["cash"] - Decimal("0.20")
                    planted["agreement: cash 0.20 short (within the authorised difference)"] = stem
                counts = incoming
                previous = hat
                if skip:
                    planted["continuity: late shift missing"] = stem
                    continue
                out_staff = early if shift == "early" else late
                in_staff = late if shift == "early" else [duty_lead(day)]
                matters = [t for t in sorted(tickets, key=lambda t: t.id)
                           if t.is_open_at(hat) and t.holder_at(hat, "S-") in out_staff]
                open_matters = [Flow(ticket=t.id, note=_open_matter_note(t, hat)) for t in matters]
                if not dropped and day >= DROP_MATTER_FROM and open_matters:
                    planted[f"carry_over: {open_matters[0]['ticket']} not carried over"] = stem
                    open_matters = open_matters[1:]
                    dropped = True
                out_sig = hat + minutes(rng.randint(1, 5))
                sigs = {"outgoing": Flow(by=out_staff[0], at=out_sig)}
                if key == UNSIGNED_INCOMING:
                    planted["sign_off: incoming signature missing"] = stem
                else:
                    sigs["incoming"] = Flow(by=in_staff[0], at=out_sig + minutes(rng.randint(1, 4)))
                rec = {
                    "desk": desk, "date": day, "shift": shift, "handed_over_at": hat,
                    "outgoing": out_staff, "incoming": in_staff,
                    "counts": {item: Flow(outgoing=_amount(item, outgoing[item]),
                                          incoming=_amount(item, incoming[item])) for item in ITEMS},
                    "movements": [Flow(item=item, qty=_amount(item, qty), at=moment, note=note)
                                  for moment, item, qty, note in moves],
                    "loans": [Flow(item=l.item, qty=l.qty, borrower=l.borrower, phone=Quoted(l.phone), due=l.due)
                              for l in loans if l.lent_at <= hat],
                    "open_matters": open_matters,
                    "signatures": sigs,
                }
                if shift == "late":
                    rec["closing"] = {"sealed_to_control_room": Flow(
                        by=out_staff[0], received_by=control_room(day), at=hat + minutes(rng.randint(8, 18)))}
                records.append(rec)
                if desk == OVERDUE_LOAN[0] and day == OVERDUE_LOAN[1] + timedelta(days=2) and shift == "early":
                    overdue = [l for l in loans if l.due < day]
                    planted[f"loans: umbrella lent to {overdue[0].borrower} overdue"] = stem
            day += timedelta(days=1)
    return records, planted


def _new_activity(rng, desk, day, shift, start, end, loans, counts) -> list[tuple]:
    moves = []

    def moment():
        lo = max(start, at(day, 9, 0))
        return lo + minutes(rng.uniform(5, max(6, (end - lo).total_seconds() / 60 - 5)))

    umbrellas = rng.randint(2, 5) if day in RAINY else (1 if rng.random() < 0.3 else 0)
    if desk == OVERDUE_LOAN[0] and day == OVERDUE_LOAN[1] and shift == "late":
        umbrellas = max(umbrellas, 1)
    for k in range(umbrellas):
        m = moment().replace(second=0, microsecond=0)
        who = names.borrower(rng)
        due = day + timedelta(days=1)
        back = _return_time(rng, desk, m, due)
        if desk == OVERDUE_LOAN[0] and day == OVERDUE_LOAN[1] and shift == "late" and k == 0:
            back = at(due + timedelta(days=1), 18, 30)
        loans.append(Loan("umbrella", 1, who, names.phone(rng), due, m, back, True))
        moves += [(m, "umbrella", -1, f"借给{who}"), (m + minutes(1), "cash", DEPOSIT, f"{who}雨伞押金")]
    if rng.random() < 0.22:
        m = moment().replace(second=0, microsecond=0)
        who = f"{names.borrower(rng)[0]}师傅（装修施工队）"
        qty = rng.choice([1, 1, 2])
        due = day + timedelta(days=rng.randint(1, 3))
        loans.append(Loan("radio", qty, who, names.phone(rng), due, m, _return_time(rng, desk, m, due), False))
        moves.append((m, "radio", -qty, f"借给{who}"))
    for _ in range(rng.randint(1, 4)):
        moves.append((moment().replace(second=0, microsecond=0), "gift", -rng.randint(1, 3), "会员积分兑换礼品"))
    if shift == "early" and counts["gift"] < 30:
        moves.append((moment().replace(second=0, microsecond=0), "gift", 30, "仓库补货"))
    if rng.random() < 0.3:
        moves.append((moment().replace(second=0, microsecond=0), "cash", Decimal("20.00"), "补办会员卡工本费"))
    if rng.random() < 0.15:
        moves.append((moment().replace(second=0, microsecond=0), "cash", Decimal("-15.00"), "退还顾客多付停车费"))
    return moves
