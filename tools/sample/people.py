"""Staff roster and providers of 晨光商业广场's service desk."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .clock import TZ
from .yamlout import Flow


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    rank: str
    team: str
    active: bool = True
    left_at: datetime | None = None     # when an inactive person left
    successor: str | None = None        # who took over their open work
    desk: str | None = None             # main | north for desk staff


def _p(i, name, rank, team, **kw):
    return Person(f"S-{i:03d}", name, rank, team, **kw)


STAFF = [
    _p(1, "周建国", "director", "management"),
    _p(2, "陈静", "manager", "customer-care"),
    _p(3, "王磊", "manager", "operations"),
    _p(4, "李娜", "deputy_manager", "floor-2"),
    _p(5, "赵强", "deputy_manager", "floor-1"),
    _p(6, "孙丽", "deputy_manager", "customer-care"),
    _p(7, "钱峰", "deputy_manager", "engineering"),
    _p(8, "刘洋", "deputy_manager", "customer-care", active=False,
       left_at=datetime(2026, 7, 31, 17, 30, tzinfo=TZ), successor="S-006"),
    _p(9, "郑敏", "supervisor", "desk"),
    _p(10, "冯涛", "supervisor", "desk"),
    _p(11, "何静", "supervisor", "customer-care"),
    _p(12, "高翔", "supervisor", "floor-1"),
    _p(13, "林芳", "supervisor", "floor-2"),
    _p(14, "吴婷", "staff", "desk", desk="main"),
    _p(15, "徐雪", "staff", "desk", desk="main"),
    _p(16, "马超", "staff", "desk", desk="main"),
    _p(17, "朱晓燕", "staff", "desk", desk="main"),
    _p(18, "黄佳琪", "staff", "desk", desk="main", active=False,
       left_at=datetime(2026, 9, 30, 18, 0, tzinfo=TZ), successor="S-017"),
    _p(19, "杨欣怡", "staff", "desk", desk="north"),
    _p(20, "胡浩", "staff", "desk", desk="north"),
    _p(21, "郭梓涵", "staff", "desk", desk="north"),
    _p(22, "罗丽", "staff", "customer-care"),
    _p(23, "谢文博", "staff", "customer-care"),
    _p(24, "唐玉兰", "staff", "customer-care"),
    _p(25, "冉宇航", "staff", "customer-care"),
    _p(26, "邓志强", "staff", "floor-1"),
    _p(27, "蒋海燕", "staff", "floor-2"),
    _p(28, "张军", "staff", "control-room"),
    _p(29, "林勇", "staff", "control-room"),
    _p(30, "何杰", "staff", "engineering"),
]
BY_ID = {p.id: p for p in STAFF}
LEFT = [p for p in STAFF if not p.active]

SENIOR = ("deputy_manager", "manager", "director")
# Who does what in the ticket flows.
CARE = ["S-022", "S-023", "S-024", "S-025", "S-011"]          # complaint owners, revisits
FLOOR = ["S-026", "S-027", "S-012", "S-013"]                   # tenants' day-to-day contact
DESK = {"main": ["S-014", "S-015", "S-016", "S-017", "S-018"], "north": ["S-019", "S-020", "S-021"]}
DUTY_LEADS = ["S-009", "S-010"]                                # 代班, re-check the closing count
CONTROL_ROOM = ["S-028", "S-029"]
SUPERVISORS = ["S-011", "S-012", "S-013"]
APPROVERS = ["S-002", "S-006", "S-003"]                        # extensions, forced closures
MAJOR_OWNERS = ["S-006", "S-004", "S-005", "S-008"]
ACCOUNT_JUNIOR = ["S-022", "S-023", "S-024", "S-025", "S-026", "S-027", "S-011", "S-012", "S-013"]
ACCOUNT_SENIOR = ["S-004", "S-005", "S-006", "S-007", "S-002", "S-003"]


def available(sid: str, moment: datetime) -> bool:
    """Whether a person still worked here at ``moment``."""
    p = BY_ID[sid]
    return p.active or (p.left_at is not None and moment < p.left_at)


def staff_records() -> list[dict]:
    return [Flow(id=p.id, name=p.name, rank=p.rank, team=p.team, active=p.active) for p in STAFF]


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    status: str
    base_visits: int
    missing: tuple[str, ...] = ()


PROVIDERS = [
    Provider("P-01", "物业客服部", "active", 620),
    Provider("P-02", "工程维修部", "active", 410),
    Provider("P-03", "保洁服务部", "active", 380),
    Provider("P-04", "安保部", "active", 520),
    Provider("P-05", "停车场管理", "active", 160),          # few visits: a low complaint limit
    Provider("P-06", "电梯维保（迅达电梯服务）", "active", 240, missing=("2026-08",)),
    Provider("P-07", "招商运营部", "active", 300),
    Provider("P-08", "暖通空调维保", "transitional", 210),   # contract in hand-over since November
]
PROVIDER_BY_ID = {p.id: p for p in PROVIDERS}
# From this moment the transitional contractor takes no new work; its open tickets move.
TRANSITION_AT = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
TRANSITION_TO = "P-02"


def provider_record(p: Provider, rng) -> dict:
    visits = {}
    for m in range(1, 12):
        month = f"2026-{m:02d}"
        if month in p.missing:
            continue
        seasonal = 1.15 if m in (1, 2, 5, 10) else 1.0
        visits[month] = round(p.base_visits * seasonal * rng.uniform(0.9, 1.1))
    return {"id": p.id, "name": p.name, "status": p.status, "visits": visits}
