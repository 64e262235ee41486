"""Hand-made tickets: SLA boundaries, returns, stuck and long-running cases, clocks live at AS_OF.

Each one is there so a documented rule has a case in the sample; ``notable``
maps a short label to the ticket id so the documentation can point at them.
"""
from __future__ import annotations

from datetime import date, datetime

from .clock import TZ
from .factory import Registry, new_ticket
from .flows import complaint
from .ticket import Tk


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _customer(rng, customers, kinds=("tenant",), cond=lambda c: True):
    pool = [c for c in customers if c.kind in kinds and c.status == "active" and c.since < date(2026, 1, 1)
            and cond(c)]
    return rng.choice(pool)


def make(reg: Registry, customers, kind, opened, summary, category, provider, owner, *, channel="hotline",
         impact=None, severity=None, kinds=("tenant",), customer=None, quality_class=None, desk=None) -> Tk:
    cust = customer or _customer(reg.rng, customers, kinds)
    if kind == "complaint" and impact is None:
        impact = {"households": 1, "compensation": "0", "legal_or_media": False}
    return new_ticket(reg, customers, kind=kind, opened_at=ts(opened), entry=(summary, category, [provider]),
                      channel=channel, impact=impact, severity=severity, owner=owner, provider=provider,
                      customer=cust, quality_class=quality_class, desk=desk)


def boundaries(reg, customers, notable) -> None:
    t = make(reg, customers, "complaint", "2026-09-29T10:00", "卫生间保洁不及时，异味明显", "service_process",
             "P-03", "S-022", severity="general", kinds=("end_customer",))
    t.ev(ts("2026-09-29T10:40"), "contact", by="S-022", outcome="reached")
    t.ev(ts("2026-09-29T11:00"), "dispatch", by="S-022")
    t.ev(ts("2026-09-29T17:20"), "reply", by="P-03")
    t.ev(ts("2026-10-09T16:30"), "resolve", by="S-022")
    t.ev(ts("2026-10-10T10:15"), "revisit", by="S-023", outcome="satisfied")
    t.ev(ts("2026-10-10T10:20"), "close", by="S-023")
    notable["resolve met exactly at the cut-off across National Day (general, SPEC example)"] = t.id

    t = make(reg, customers, "complaint", "2026-10-03T11:00", "扶梯频繁停运影响客流", "technical", "P-06",
             "S-006", channel="visit", impact={"households": 12, "compensation": "0", "legal_or_media": False})
    t.ev(ts("2026-10-03T11:20"), "contact", by="S-006", outcome="reached")
    t.ev(ts("2026-10-03T11:30"), "dispatch", by="S-006")
    t.ev(ts("2026-10-03T15:00"), "reply", by="P-06")
    t.ev(ts("2026-10-27T16:30"), "resolve", by="S-006")
    t.ev(ts("2026-10-28T10:00"), "revisit", by="S-024", outcome="satisfied")
    t.ev(ts("2026-10-28T10:05"), "close", by="S-024")
    notable["major complaint accepted Sat 3 Oct, resolved at its due Tue 27 Oct 16:30 (SPEC example)"] = t.id

    t = make(reg, customers, "complaint", "2026-09-29T11:00", "保安阻拦顾客进入且态度恶劣", "service_process",
             "P-04", "S-024", kinds=("end_customer",))
    t.ev(ts("2026-09-29T11:30"), "contact", by="S-024", outcome="reached")
    t.ev(ts("2026-09-29T11:45"), "dispatch", by="S-024")
    t.ev(ts("2026-09-30T09:10"), "reply", by="P-04")
    t.ev(ts("2026-10-09T16:31"), "resolve", by="S-024")
    t.ev(ts("2026-10-12T10:00"), "revisit", by="S-025", outcome="satisfied")
    t.ev(ts("2026-10-12T10:10"), "close", by="S-025")
    notable["resolve breached by one minute (16:31)"] = t.id

    t = make(reg, customers, "request", "2026-11-05T10:00", "申请临时用电", "technical", "P-02", "S-026")
    t.ev(ts("2026-11-05T11:00"), "dispatch", by="S-026")
    t.ev(ts("2026-11-05T13:00"), "resolve", by="S-026")
    t.ev(ts("2026-11-06T16:30"), "revisit", by="S-023", outcome="satisfied")
    t.ev(ts("2026-11-06T16:35"), "close", by="S-023")
    notable["request: dispatch at 1 h, resolve at 3 h, revisit at next-day 16:30, all exactly at due"] = t.id

    t = make(reg, customers, "complaint", "2026-10-14T09:30", "会员礼品邮寄未送达", "delivery", "P-01", "S-025",
             kinds=("end_customer",))
    t.ev(ts("2026-10-14T12:20"), "contact", by="S-025", outcome="unreachable")
    t.ev(ts("2026-10-14T12:29"), "sms", by="S-025")
    t.ev(ts("2026-10-14T15:00"), "contact", by="S-025", outcome="reached")
    t.ev(ts("2026-10-14T15:10"), "dispatch", by="S-025")
    t.ev(ts("2026-10-15T10:00"), "reply", by="P-01")
    t.ev(ts("2026-10-15T14:00"), "resolve", by="S-025")
    t.ev(ts("2026-10-16T10:00"), "revisit", by="S-022", outcome="satisfied")
    t.ev(ts("2026-10-16T10:02"), "close", by="S-022")
    notable["first_contact met by an unreachable call plus SMS inside 3 h"] = t.id

    t = make(reg, customers, "complaint", "2026-10-15T10:00", "停车收费标准不透明，多收停车费", "price", "P-05",
             "S-023", kinds=("end_customer",))
    t.ev(ts("2026-10-15T12:00"), "contact", by="S-023", outcome="unreachable")
    t.ev(ts("2026-10-15T13:10"), "sms", by="S-023")
    t.ev(ts("2026-10-16T09:30"), "contact", by="S-023", outcome="reached")
    t.ev(ts("2026-10-16T09:40"), "dispatch", by="S-023")
    t.ev(ts("2026-10-16T15:00"), "reply", by="P-05")
    t.ev(ts("2026-10-19T11:00"), "resolve", by="S-023")
    t.ev(ts("2026-10-19T16:00"), "revisit", by="S-024", outcome="unreachable")
    t.ev(ts("2026-10-20T10:00"), "revisit", by="S-024", outcome="unreachable")
    t.ev(ts("2026-10-20T10:30"), "force_close", by="S-002", reason="连续多次回访均无法联系客户，经理批准强制闭环")
    notable["first_contact breached: SMS 10 min after the 3 h; all revisits unreachable; forced closure"] = t.id

    t = make(reg, customers, "complaint", "2026-10-20T09:00", "商铺频繁跳闸影响营业", "technical", "P-02",
             "S-026")
    t.ev(ts("2026-10-20T09:30"), "contact", by="S-026", outcome="reached")
    t.ev(ts("2026-10-20T10:00"), "dispatch", by="S-026")
    t.ev(ts("2026-10-21T10:00"), "reply", by="P-02")
    t.ev(ts("2026-10-22T15:00"), "resolve", by="S-026")
    t.ev(ts("2026-10-23T10:00"), "revisit", by="S-022", outcome="satisfied")
    t.ev(ts("2026-10-23T10:05"), "close", by="S-022")
    notable["provider_reply exactly 24 h after dispatch (met)"] = t.id

    t = make(reg, customers, "complaint", "2026-10-31T21:40", "广场促销活动噪音扰民", "other", "P-07", "S-024",
             channel="forum", kinds=("owner",))
    t.ev(ts("2026-11-01T09:10"), "contact", by="S-024", outcome="reached")
    t.ev(ts("2026-11-01T09:30"), "dispatch", by="S-024")
    t.ev(ts("2026-11-01T15:00"), "reply", by="P-07")
    t.ev(ts("2026-11-03T11:00"), "resolve", by="S-024")
    t.ev(ts("2026-11-03T16:00"), "revisit", by="S-025", outcome="satisfied")
    t.ev(ts("2026-11-03T16:05"), "close", by="S-025")
    notable["forum complaint accepted on the last evening of October, closed in November"] = t.id

    severities = [
        ("5000", 1, False, None, "compensation 5000 exactly: general"),
        ("5000.01", 1, False, None, "compensation 5000.01: important"),
        ("50000", 1, False, None, "compensation 50000: major"),
        ("0", 5, False, None, "5 households: important"),
        ("0", 10, False, None, "10 households: major"),
        ("0", 9, False, "major", "9 households written major (above the derived important)"),
        ("0", 1, True, None, "legal or media exposure: important"),
    ]
    for k, (comp, households, legal, sev, label) in enumerate(severities):
        opened = f"2026-09-{8 + 2 * k:02d}T{10 + k}:15"
        t = make(reg, customers, "complaint", opened, "商户货物配送延误，卸货区被占用" if k % 2 else
                 "中央空调制冷不足，店内温度过高", "delivery" if k % 2 else "technical", "P-04" if k % 2 else "P-02",
                 "S-006" if households >= 10 or comp == "50000" or sev == "major" else "S-022",
                 impact={"households": households, "compensation": comp, "legal_or_media": legal}, severity=sev)
        complaint(reg.rng, t, ["P-01"])
        notable[f"severity: {label}"] = t.id


def returns(reg, customers, notable) -> None:
    ratio3 = next(c for c in customers if c.ratio == "0.03")
    ratio2 = next(c for c in customers if c.ratio == "0.02")
    cases = [
        ({"approved_qty": 100, "returned_qty": 103}, None, "within the default 5% tolerance"),
        ({"approved_qty": 200, "returned_qty": 206}, ratio3, "exactly at the customer's 3% tolerance"),
        ({"approved_qty": 20, "returned_qty": 21}, None, "exactly at the default 5% tolerance"),
        ({"approved_qty": 40, "returned_qty": 43}, None, "over tolerance (limit 42): error"),
        ({"approved_qty": 60, "returned_qty": 55}, None, "shortfall: booked with a warning"),
        ({"approved_qty": 150, "returned_qty": 151}, ratio2, "within the customer's 2% tolerance"),
    ]
    entries = [("珠宝商户售出饰品成色不符", "product_quality"), ("更换的灯具配件批次不良", "parts"),
               ("线上订单配送超时", "delivery"), ("儿童玩具商户产品存在安全隐患", "product_quality"),
               ("批次购物袋承重不达标", "product_quality"), ("更换的水龙头配件再次漏水", "parts")]
    plain_dealers = [c for c in customers if c.kind in ("dealer", "tenant") and c.status == "active"
                     and c.ratio is None and c.since < date(2026, 1, 1)]
    opened = ["2026-06-10T14:20", "2026-07-11T14:20", "2026-08-12T14:20", "2026-09-14T14:20",
              "2026-10-14T14:20", "2026-10-22T14:20"]
    for k, ((ret, cust, label), (summary, category)) in enumerate(zip(cases, entries)):
        cust = cust or plain_dealers[(3 + 5 * k) % len(plain_dealers)]
        t = make(reg, customers, "complaint", opened[k], summary, category, "P-07", "S-011", channel="email",
                 customer=cust)
        t.ret = ret
        complaint(reg.rng, t, ["P-01"])
        notable[f"return {ret['approved_qty']}->{ret['returned_qty']}: {label}"] = t.id


def stuck(reg, customers, notable) -> None:
    t = make(reg, customers, "complaint", "2026-06-12T15:30", "商铺漏水致货品受损，商户索赔并起诉", "technical",
             "P-02", "S-006", channel="letter", severity="major",
             impact={"households": 1, "compensation": "86000", "legal_or_media": True})
    t.ev(ts("2026-06-12T16:10"), "contact", by="S-006", outcome="reached")
    t.ev(ts("2026-06-12T16:30"), "dispatch", by="S-006")
    t.ev(ts("2026-06-13T11:00"), "reply", by="P-02")
    t.ev(ts("2026-07-06T09:30"), "reminder", by="S-002", note="催办：重大投诉已超处理时限")
    t.ev(ts("2026-08-03T10:00"), "note", by="S-006", note="商户已向法院起诉，等待开庭")
    t.ev(ts("2026-09-14T09:00"), "escalate", by="S-002", note="超过3个月未闭环，升级为专项处理")
    t.ev(ts("2026-11-10T15:00"), "note", by="S-006", note="法院调解中")
    notable["open major complaint with legal exposure, older than 3 months, escalated"] = t.id

    t = make(reg, customers, "complaint", "2026-07-20T19:05", "电梯噪音影响多户业主休息", "technical", "P-06",
             "S-004", kinds=("owner",), impact={"households": 6, "compensation": "0", "legal_or_media": False})
    t.ev(ts("2026-07-20T19:40"), "contact", by="S-004", outcome="reached")
    t.ev(ts("2026-07-21T09:00"), "dispatch", by="S-004")
    t.ev(ts("2026-07-22T16:00"), "reply", by="P-06")
    t.ev(ts("2026-07-28T15:00"), "resolve", by="S-004")
    t.ev(ts("2026-07-29T10:00"), "revisit", by="S-022", outcome="unsatisfied")
    t.ev(ts("2026-07-29T10:20"), "reopen", by="S-004")
    t.ev(ts("2026-09-01T10:00"), "reminder", by="S-006", note="催办：重开后仍未处理完毕")
    t.ev(ts("2026-10-22T09:30"), "escalate", by="S-006", note="超过3个月未闭环，升级为专项处理")
    notable["reopened complaint still open after 3 months (second resolve cycle breached)"] = t.id

    t = make(reg, customers, "repair", "2026-05-18T10:40", "地下车库顶板渗水", "technical", "P-02", "S-030",
             kinds=("owner",))
    t.ev(ts("2026-05-18T11:00"), "dispatch", by="S-030")
    t.ev(ts("2026-05-19T15:00"), "reply", by="P-02")
    t.ev(ts("2026-06-01T10:00"), "hold", by="S-030", note="等待业主大会表决维修资金")
    t.ev(ts("2026-07-15T10:00"), "resume", by="S-030")
    t.ev(ts("2026-08-20T09:00"), "escalate", by="S-007", note="超过3个月未闭环，升级为专项处理")
    t.ev(ts("2026-10-12T14:00"), "note", by="S-030", note="防水施工方案已报审")
    notable["open repair since May: hold/resume, escalated at 3 months"] = t.id

    t = make(reg, customers, "request", "2026-08-05T14:00", "申请更换商铺外立面招牌", "other", "P-07", "S-026")
    t.ev(ts("2026-08-05T14:30"), "dispatch", by="S-026")
    t.ev(ts("2026-08-05T15:00"), "hold", by="S-026", note="等待商户提交招牌设计图")
    t.ev(ts("2026-11-06T10:00"), "escalate", by="S-012", note="超过3个月未闭环，升级处理")
    notable["request on hold since August (paused resolve), older than 3 months"] = t.id

    t = make(reg, customers, "complaint", "2026-05-08T16:00", "物业管理费计费有误", "price", "P-07", "S-008",
             kinds=("owner",))
    t.ev(ts("2026-05-08T16:30"), "contact", by="S-008", outcome="reached")
    t.ev(ts("2026-05-08T17:00"), "dispatch", by="S-008")
    t.ev(ts("2026-05-11T10:00"), "reply", by="P-07")
    t.ev(ts("2026-06-15T10:00"), "reminder", by="S-002", note="催办：已超过处理时限，请尽快处理")
    t.ev(ts("2026-08-12T15:00"), "resolve", by="S-006")
    t.ev(ts("2026-08-13T10:00"), "revisit", by="S-022", outcome="satisfied")
    t.ev(ts("2026-08-13T10:05"), "close", by="S-022")
    notable["complaint closed after more than 3 months (age breached), by the successor of a leaver"] = t.id


def desk_long(reg, customers, notable) -> None:
    t = make(reg, customers, "complaint", "2026-11-03T10:20", "顾客遗失手机，调取监控未果", "service_process",
             "P-04", "S-014", channel="walk_in", kinds=("end_customer",), desk="main")
    t.ev(ts("2026-11-03T10:25"), "contact", by="S-014", outcome="reached")
    t.ev(ts("2026-11-03T10:40"), "dispatch", by="S-014")
    t.ev(ts("2026-11-03T17:00"), "reply", by="P-04")
    t.ev(ts("2026-11-10T11:00"), "note", by="S-014", note="已协助顾客报警，等待派出所回复")
    t.ev(ts("2026-11-16T10:00"), "reminder", by="S-009", note="催办：已超过处理时限，请尽快处理")
    notable["desk-owned open complaint carried over in every handover of its owner"] = t.id

    t = make(reg, customers, "request", "2026-11-09T15:00", "申请调取停车场监控", "service_process", "P-05",
             "S-020", channel="walk_in", kinds=("end_customer",), desk="north")
    t.ev(ts("2026-11-09T15:20"), "dispatch", by="S-020")
    t.ev(ts("2026-11-09T16:00"), "hold", by="S-020", note="等待顾客提供车辆信息及身份证明")
    t.ev(ts("2026-11-17T11:00"), "resume", by="S-020")
    notable["north-desk request on hold a week"] = t.id

    t = make(reg, customers, "inquiry", "2026-11-12T18:10", "咨询会员卡补办进度", "other", "P-01", "S-016",
             channel="walk_in", kinds=("end_customer",), desk="main")
    t.ev(ts("2026-11-12T18:20"), "contact", by="S-016", outcome="reached")
    t.ev(ts("2026-11-13T16:00"), "resolve", by="S-016")
    t.ev(ts("2026-11-17T19:00"), "close", by="S-016")
    notable["desk inquiry resolved (still open) for four days"] = t.id


def live(reg, customers, notable) -> None:
    """Clocks at AS_OF (2026-11-20 15:00): at risk, running, paused, breached while running."""
    everyday = iter([("卫生间保洁不及时，异味明显", "service_process", "P-03"),
                     ("会员积分兑换流程繁琐，等待过久", "service_process", "P-01"),
                     ("停车场道闸无法识别车牌", "technical", "P-05"),
                     ("保洁拖地未放警示牌致顾客滑倒", "service_process", "P-03"),
                     ("促销活动标价与结算价格不符", "price", "P-07")])

    def c(opened, owner="S-022", **kw):
        summary, category, provider = next(everyday) if "summary" not in kw else \
            (kw.pop("summary"), kw.pop("category"), kw.pop("provider"))
        return make(reg, customers, "complaint", opened, summary, category, provider, owner,
                    kinds=("end_customer", "tenant"), **kw)

    t = c("2026-11-20T12:20")
    notable["first_contact at risk at AS_OF"] = t.id
    t = c("2026-11-20T13:50", owner="S-023")
    notable["first_contact running at AS_OF"] = t.id
    t = c("2026-11-20T10:00", owner="S-024")
    t.ev(ts("2026-11-20T10:30"), "contact", by="S-024", outcome="unreachable")
    notable["first_contact breached while running (unreachable, no SMS)"] = t.id

    t = make(reg, customers, "request", "2026-11-20T14:08", "申请夜间卸货通行", "delivery", "P-04", "S-027")
    notable["request dispatch at risk at AS_OF"] = t.id
    t = make(reg, customers, "request", "2026-11-20T12:25", "申请增加保洁频次", "service_process", "P-03", "S-026")
    t.ev(ts("2026-11-20T12:40"), "dispatch", by="S-026")
    notable["request resolve at risk at AS_OF"] = t.id
    t = make(reg, customers, "request", "2026-11-19T14:00", "申请调整店招灯箱亮灯时间", "technical", "P-02", "S-027")
    t.ev(ts("2026-11-19T14:20"), "dispatch", by="S-027")
    t.ev(ts("2026-11-19T16:00"), "resolve", by="S-027")
    notable["request revisit at risk at AS_OF"] = t.id

    t = c("2026-11-19T15:10", owner="S-025", summary="扶梯频繁停运影响客流", category="technical", provider="P-06")
    t.ev(ts("2026-11-19T15:40"), "contact", by="S-025", outcome="reached")
    t.ev(ts("2026-11-19T16:20"), "dispatch", by="S-025")
    notable["complaint provider_reply at risk at AS_OF"] = t.id
    t = c("2026-11-17T10:15", owner="S-022", severity="general")
    t.ev(ts("2026-11-17T10:40"), "contact", by="S-022", outcome="reached")
    t.ev(ts("2026-11-17T11:00"), "dispatch", by="S-022")
    t.ev(ts("2026-11-18T09:30"), "reply", by="P-03")
    notable["general complaint resolve at risk at AS_OF (due 20 Nov 16:30)"] = t.id
    t = c("2026-11-16T11:00", owner="S-023", summary="物业管理费计费有误", category="price", provider="P-07")
    t.ev(ts("2026-11-16T11:20"), "contact", by="S-023", outcome="reached")
    t.ev(ts("2026-11-16T11:30"), "dispatch", by="S-023")
    t.ev(ts("2026-11-17T10:00"), "reply", by="P-07")
    t.ev(ts("2026-11-18T10:00"), "hold", by="S-023", note="等待客户提供缴费凭证")
    notable["complaint on hold at AS_OF (paused)"] = t.id

    t = make(reg, customers, "quality", "2026-11-20T11:40", "餐饮商户食品抽检不合格", "product_quality", "P-07",
             "S-012", quality_class="A")
    t.ev(ts("2026-11-20T11:50"), "dispatch", by="S-012")
    notable["quality A feedback at risk at AS_OF"] = t.id
    t = make(reg, customers, "quality", "2026-11-20T09:30", "监控摄像头画面模糊", "technical", "P-04",
             "S-030", quality_class="B")
    t.ev(ts("2026-11-20T09:45"), "dispatch", by="S-030")
    notable["quality B feedback running at AS_OF"] = t.id
    t = make(reg, customers, "repair", "2026-11-17T09:40", "卷帘门无法正常关闭", "technical", "P-02", "S-030")
    t.ev(ts("2026-11-17T10:00"), "dispatch", by="S-030")
    notable["repair provider_reply at risk at AS_OF (3 working days)"] = t.id


def all_scenarios(reg: Registry, customers) -> dict[str, str]:
    notable: dict[str, str] = {}
    for part in (boundaries, returns, stuck, desk_long, live):
        part(reg, customers, notable)
    return notable

