"""A big, realistic, deterministic records tree for the benchmark.

Full size (``scale=1.0``) is 20 000 customers and 200 000 tickets, plus the
staff roster, providers, settings, policies, a calendar, handovers and
surveys.  Files are written from string templates (no YAML library, no
cxctl code): generating 220 000 files must take seconds, not minutes.  The
same seed and scale always give byte-identical files.

Distributions: most tickets closed (a few force-closed, resolved or still
open), about 30% complaints, 3-8 events each in time order; complaint
severity never below the one their impact implies; every reference resolves,
so `cxctl validate` on the tree is clean.
"""
from __future__ import annotations

import argparse
import random
import shutil
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

FULL_CUSTOMERS = 20_000
FULL_TICKETS = 200_000
CST = timezone(timedelta(hours=8))
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Tickets are accepted over the two years before this moment.
LAST_OPENED = datetime(2026, 11, 1, 18, 0, tzinfo=CST)
SPAN_DAYS = 700

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉晨阳宇"
TRADES = ["商贸", "餐饮", "服饰", "电器", "家居", "科技", "物流", "文化", "医药", "建材"]
CITIES = ["重庆", "成都", "上海", "北京", "杭州", "武汉", "西安", "南京"]
SUMMARIES = {
    "complaint": ["空调噪音投诉", "维修超时未处理", "服务态度差", "收费有异议", "送货延误", "漏水影响经营"],
    "request": ["申请加装插座", "更换门禁卡", "申请延长营业时间", "预约场地", "开具发票"],
    "repair": ["照明故障报修", "电梯异响", "卫生间堵塞", "空调不制冷", "门锁损坏"],
    "inquiry": ["咨询租金标准", "咨询停车政策", "咨询活动报名", "咨询物业费"],
    "quality": ["产品外观瑕疵", "配件批次不良", "包装破损"],
}
KINDS = ["complaint"] * 30 + ["request"] * 25 + ["repair"] * 25 + ["inquiry"] * 15 + ["quality"] * 5
CHANNELS = ["hotline"] * 5 + ["web", "forum", "visit", "phone", "phone", "email", "letter", "walk_in"]
CATEGORIES = ["product_quality", "technical", "service_process", "parts", "price", "delivery", "other"]
SENIOR = ("deputy_manager", "manager", "director")


def sizes(scale: float) -> dict[str, int]:
    return {
        "customers": max(20, round(FULL_CUSTOMERS * scale)),
        "tickets": max(100, round(FULL_TICKETS * scale)),
        "staff": max(20, round(400 * scale ** 0.5)),
        "providers": max(5, round(40 * scale ** 0.5)),
        "handover_days": max(5, round(365 * scale ** 0.5)),
        "surveys": max(10, round(4000 * scale)),
    }


class Ids:
    """Time-ordered-looking ids that never collide within a run."""

    def __init__(self, rng: random.Random):
        self.rng, self.seen = rng, set()

    def new(self, prefix: str) -> str:
        while True:
            ident = prefix + "".join(self.rng.choice(CROCKFORD) for _ in range(10))
            if ident not in self.seen:
                self.seen.add(ident)
                return ident


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate(out: Path, scale: float = 1.0, seed: int = 20261124) -> dict[str, int]:
    """Write the tree to ``out`` (replacing it) and return the file counts."""
    rng = random.Random(seed)
    ids = Ids(rng)
    n = sizes(scale)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    defaults = Path(__file__).resolve().parents[1] / "cxctl" / "defaults"
    for sub in ("policies", "calendars"):
        (out / sub).mkdir()
        for src in sorted((defaults / sub).glob("*.yaml")):
            shutil.copyfile(src, out / sub / src.name)
    (out / "cxctl.yaml").write_text(
        "organisation: 晨光商业广场\ntimezone: Asia/Shanghai\ncalendar: cn-mainland\n", "utf-8")
    staff = _write_staff(out, rng, n["staff"])
    providers = _write_providers(out, rng, ids, n["providers"])
    customers = _write_customers(out, rng, ids, n["customers"], staff)
    tickets = _write_tickets(out, rng, ids, n["tickets"], customers, staff, providers)
    _write_handovers(out, rng, n["handover_days"], staff)
    _write_surveys(out, rng, ids, n["surveys"], customers, staff)
    (out / ".gitignore").write_text(".cxctl-cache/\n.cxctl.lock\n", "utf-8")
    return {"customers": len(customers), "tickets": tickets, "staff": len(staff["all"]),
            "providers": len(providers)}


def _write_staff(out: Path, rng: random.Random, count: int) -> dict[str, list[str]]:
    lines, groups = [], {"all": [], "senior": [], "junior": [], "desk": []}
    for i in range(1, count + 1):
        sid = f"S-{i:03d}"
        rank = ("director" if i == 1 else "manager" if i <= 3 else
                "deputy_manager" if i % 12 == 0 else "supervisor" if i % 5 == 0 else "staff")
        team = "desk" if i % 4 == 0 else f"floor-{i % 6 + 1}"
        lines.append(f"- {{id: {sid}, name: {person(rng)}, rank: {rank}, team: {team}, active: true}}")
        groups["all"].append(sid)
        groups["senior" if rank in SENIOR else "junior"].append(sid)
        if team == "desk":
            groups["desk"].append(sid)
    (out / "staff.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    return groups


def _write_providers(out: Path, rng: random.Random, ids: Ids, count: int) -> list[str]:
    (out / "providers").mkdir()
    names = ["工程维修部", "保洁服务中心", "安保部", "招商部", "物业服务中心", "信息技术部", "客服中心", "设备外包商"]
    found = []
    for i in range(count):
        pid = f"P-{i + 1:02d}"
        visits = ", ".join(f"2026-{m:02d}: {rng.randint(200, 600)}" for m in range(1, 11))
        (out / "providers" / f"{pid}.yaml").write_text(
            f"id: {pid}\nname: {names[i % len(names)]}{i // len(names) or ''}\nstatus: active\n"
            f"visits: {{{visits}}}\n", "utf-8")
        found.append(pid)
    return found


CRITERIA = (("asset_scale", 30), ("business_scale", 30), ("brand_strength", 20), ("cooperation", 20))


def _write_customers(out: Path, rng: random.Random, ids: Ids, count: int,
                     staff: dict[str, list[str]]) -> list[str]:
    """Customers rated on the default rating table; active ones carry the
    January tiers that table gives (top 15% tier 1, bottom 20% tier 3)."""
    (out / "customers").mkdir()
    people = []
    for _ in range(count):
        status = rng.choices(("active", "prospect", "churned"), (90, 5, 5))[0]
        rating = {name: rng.randint(1, 5) for name, _ in CRITERIA}
        score = sum(weight * rating[name] for name, weight in CRITERIA) / 5
        people.append((ids.new("C-"), status, rating, score))
    ranked = sorted((p for p in people if p[1] == "active"), key=lambda p: (-p[3], p[0]))
    n1, n3 = int(0.15 * len(ranked) + 0.5), int(0.20 * len(ranked) + 0.5)
    level_of = {p[0]: 1 if i < n1 else 3 if i >= len(ranked) - n3 else 2 for i, p in enumerate(ranked)}
    found = []
    for cid, status, rating, score in people:
        level = level_of.get(cid, 2)
        owner = rng.choice(staff["senior"] if level == 1 else staff["junior"])
        since = date(2018, 1, 1) + timedelta(days=rng.randrange(2900))
        phone = f"13{rng.randrange(10 ** 9):09d}"
        text = (f"id: {cid}\nname: {rng.choice(CITIES)}{person(rng)}{rng.choice(TRADES)}有限公司\n"
                f"kind: {rng.choice(('tenant', 'tenant', 'owner', 'dealer', 'end_customer'))}\n"
                f"status: {status}\nowner: {owner}\nsince: {since.isoformat()}\ncontacts:\n"
                f"  - {{name: {person(rng)}, phone: \"{phone}\", email: c{len(found)}@example.com, role: 店长}}\n"
                "rating:\n" + "".join(f"  {k}: {v}\n" for k, v in rating.items()))
        if status == "active":
            text += f"tier:\n  level: {level}\n  period: 2026-01\n  score: {score:g}\n"
            if level == 1:
                text += f"  class: {rng.choice(('vip', 'ordinary'))}\n"
            logs = [LAST_OPENED - timedelta(days=rng.randrange(300), minutes=rng.randrange(600))
                    for _ in range(rng.randrange(4))]
            if logs:
                text += "contact_log:\n" + "".join(
                    f"  - {{at: {ts(at)}, by: {owner}, channel: {rng.choice(('visit', 'phone', 'wechat'))}, "
                    f"summary: 例行回访}}\n" for at in sorted(logs))
        (out / "customers" / f"{cid}.yaml").write_text(text, "utf-8")
        found.append(cid)
    return found


def _ticket_events(rng: random.Random, kind: str, opened: datetime, owner: str,
                   provider: str, supervisor: str) -> tuple[list[str], str]:
    """3-8 events in time order, and the status they lead to."""
    at = opened
    events: list[str] = []

    def add(minutes: tuple[int, int], text: str) -> None:
        nonlocal at
        at = at + timedelta(minutes=rng.randint(*minutes))
        events.append(f"  - {{at: {ts(at)}, {text}}}\n")

    add((5, 150), f"type: contact, by: {owner}, outcome: reached")
    add((10, 60), f"type: dispatch, by: {owner}")
    add((60, 1200), f"type: reply, by: {provider}")
    fate = rng.random()
    if fate < 0.04:                                   # still open
        for _ in range(rng.randrange(3)):
            add((30, 600), f"type: reminder, by: {owner}")
        return events, "open"
    if fate < 0.06:
        add((600, 4000), f"type: force_close, by: {supervisor}, reason: 客户长期无法联系")
        return events, "force_closed"
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        add((30, 600), f"type: note, by: {owner}, note: 跟进中")
    add((60, 2400), f"type: resolve, by: {owner}")
    if fate < 0.09:
        return events, "resolved"
    add((60, 1500), f"type: revisit, by: {supervisor}, outcome: satisfied")
    add((1, 30), f"type: close, by: {supervisor}")
    return events, "closed"


def _write_tickets(out: Path, rng: random.Random, ids: Ids, count: int, customers: list[str],
                   staff: dict[str, list[str]], providers: list[str]) -> int:
    made_dirs: set[Path] = set()
    start = LAST_OPENED - timedelta(days=SPAN_DAYS)
    for _ in range(count):
        tid = ids.new("T-")
        kind = rng.choice(KINDS)
        opened = start + timedelta(minutes=rng.randrange(SPAN_DAYS * 24 * 60))
        opened = opened.replace(hour=rng.randint(8, 17))
        owner = rng.choice(staff["junior"])
        provider = rng.choice(providers)
        events, status = _ticket_events(rng, kind, opened, owner, provider, rng.choice(staff["senior"]))
        head = [f"id: {tid}\n", f"customer: {rng.choice(customers)}\n", f"kind: {kind}\n",
                f"channel: {rng.choice(CHANNELS)}\n", f"category: {rng.choice(CATEGORIES)}\n"]
        if kind == "complaint":
            households = rng.choices((0, 1, 2, 6, 12), (50, 25, 15, 7, 3))[0]
            compensation = rng.choices(("0", "800", "5000", "5000.01", "12000", "60000"),
                                       (40, 30, 10, 5, 10, 5))[0]
            legal = rng.random() < 0.03
            severity = _severity(households, compensation, legal)
            head.append(f"severity: {severity}\n")
            head.append(f"impact: {{households: {households}, compensation: \"{compensation}\", "
                        f"legal_or_media: {'true' if legal else 'false'}}}\n")
        elif kind == "quality":
            head.append(f"quality_class: {rng.choice('ABC')}\n")
        head += [f"provider: {provider}\n", f"owner: {owner}\n",
                 f"summary: {rng.choice(SUMMARIES[kind])}\n", f"opened_at: {ts(opened)}\n",
                 f"status: {status}\n", "events:\n"]
        folder = out / "tickets" / f"{opened.year:04d}" / f"{opened.month:02d}"
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        (folder / f"{tid}.yaml").write_text("".join(head) + "".join(events), "utf-8")
    return count


def _severity(households: int, compensation: str, legal: bool) -> str:
    amount = float(compensation)
    if households >= 10 or amount >= 50000:
        return "major"
    if legal or households >= 5 or amount > 5000:
        return "important"
    return "general"


def _write_handovers(out: Path, rng: random.Random, days: int, staff: dict[str, list[str]]) -> None:
    """One desk, early and late shift each day; counts that balance."""
    desk = staff["desk"] or staff["all"]
    first = (LAST_OPENED - timedelta(days=days)).date()
    stock = {"umbrella": 20, "radio": 6, "gift": 40}
    cash = 1500
    for d in range(days):
        day = first + timedelta(days=d)
        folder = out / "handovers" / f"{day.year:04d}" / f"{day.month:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for shift, hour in (("early", 14), ("late", 22)):
            outgoing, incoming = rng.sample(desk, 2) if len(desk) > 1 else (desk[0], desk[0])
            handed = datetime(day.year, day.month, day.day, hour, tzinfo=CST)
            counts = "".join(f"  {k}: {{outgoing: {v}, incoming: {v}}}\n" for k, v in stock.items())
            counts += f"  cash: {{outgoing: \"{cash}.00\", incoming: \"{cash}.00\"}}\n"
            text = (f"desk: main\ndate: {day.isoformat()}\nshift: {shift}\nhanded_over_at: {ts(handed)}\n"
                    f"outgoing: [{outgoing}]\nincoming: [{incoming}]\ncounts:\n{counts}"
                    f"signatures:\n  outgoing: {{by: {outgoing}, at: {ts(handed + timedelta(minutes=5))}}}\n"
                    f"  incoming: {{by: {incoming}, at: {ts(handed + timedelta(minutes=6))}}}\n")
            if shift == "late":
                text += (f"closing:\n  sealed_to_control_room: {{by: {incoming}, received_by: {staff['all'][0]}, "
                         f"at: {ts(handed + timedelta(minutes=10))}}}\n")
            (folder / f"{day.isoformat()}-main-{shift}.yaml").write_text(text, "utf-8")


def _write_surveys(out: Path, rng: random.Random, ids: Ids, count: int, customers: list[str],
                   staff: dict[str, list[str]]) -> None:
    levels = ("very_satisfied", "satisfied", "satisfied", "basic", "dissatisfied")
    for _ in range(count):
        vid = ids.new("V-")
        day = (LAST_OPENED - timedelta(days=rng.randrange(600))).date()
        folder = out / "surveys" / f"{day.year:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        answers = ", ".join(f"{k}: {rng.choice(levels)}" for k in ("price", "quality", "delivery", "service"))
        (folder / f"{vid}.yaml").write_text(
            f"id: {vid}\ncustomer: {rng.choice(customers)}\ndate: {day.isoformat()}\n"
            f"by: {rng.choice(staff['all'])}\nanswers: {{{answers}}}\n", "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args()
    started = time.perf_counter()
    counts = generate(args.out, args.scale, args.seed)
    print(f"wrote {counts} to {args.out} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
