"""Chinese names, companies and contact details (fake but well-formed)."""
from __future__ import annotations

from datetime import date, timedelta

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
            ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
            ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
            ("郭", "guo"), ("何", "he"), ("罗", "luo"), ("高", "gao"), ("林", "lin"),
            ("谢", "xie"), ("唐", "tang"), ("冉", "ran"), ("邓", "deng"), ("蒋", "jiang")]
GIVEN = [("敏", "min"), ("静", "jing"), ("伟", "wei"), ("芳", "fang"), ("磊", "lei"),
         ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("军", "jun"), ("杰", "jie"),
         ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"),
         ("婷", "ting"), ("雪", "xue"), ("浩", "hao"), ("丽", "li"), ("强", "qiang"),
         ("建华", "jianhua"), ("晓燕", "xiaoyan"), ("志强", "zhiqiang"), ("海燕", "haiyan"),
         ("玉兰", "yulan"), ("国庆", "guoqing"), ("文博", "wenbo"), ("欣怡", "xinyi"),
         ("梓涵", "zihan"), ("宇航", "yuhang"), ("佳琪", "jiaqi"), ("子豪", "zihao")]

BRANDS = ["味之源", "悦享", "锦程", "华美", "蓝湾", "知味", "优品", "星辰", "嘉禾", "晨曦",
          "鼎盛", "银河", "金色童年", "好时光", "悦动", "书香", "绿野", "鲜果时光", "丽人",
          "山城", "渝味", "巴蜀", "川江", "云端", "新视界", "喜来", "初见", "拾光", "木兰",
          "百川", "长江", "朝天门", "解放碑", "南山", "缙云", "嘉陵", "两江", "九宫格", "火锅先生",
          "小面工坊", "茶语", "甜蜜蜜", "米兰", "亿家", "万象", "宏达", "瑞丰"]
TENANT_TRADES = ["餐饮管理有限公司", "服饰有限公司", "商贸有限公司", "电器销售有限公司",
                 "文化传播有限公司", "健身服务有限公司", "影城管理有限公司", "母婴用品有限公司",
                 "珠宝首饰有限公司", "眼镜有限公司", "化妆品有限公司", "教育咨询有限公司"]
DEALER_TRADES = ["贸易有限公司", "供应链管理有限公司", "商贸有限公司", "食品经销有限公司",
                 "电子科技有限公司"]
CITIES = ["重庆", "重庆", "重庆", "成都", "四川", "贵州"]
AREA_CODES = ["500103", "500104", "500105", "500106", "500107", "500108", "500112", "510104"]
DOMAINS = ["example.com", "example.cn", "example.net", "example.org"]
ROLES_COMPANY = ["店长", "财务", "法人代表", "总经理", "行政主管", "区域经理"]


class NameBook:
    """Hands out unique person and company names from one seeded stream."""

    def __init__(self, rng):
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> tuple[str, str]:
        """(Chinese name, e-mail local part)."""
        while True:
            s, sp = self.rng.choice(SURNAMES)
            g, gp = self.rng.choice(GIVEN)
            if s + g not in self.used:
                self.used.add(s + g)
                return s + g, f"{gp}.{sp}"

    def company(self, trades) -> str:
        while True:
            name = self.rng.choice(CITIES) + self.rng.choice(BRANDS) + self.rng.choice(trades)
            if name not in self.used:
                self.used.add(name)
                return name


def phone(rng) -> str:
    return rng.choice(["13", "15", "18"]) + "".join(str(rng.randrange(10)) for _ in range(9))


def id_number(rng, born_from=1960, born_to=2002) -> str:
    """18-character resident ID with a valid GB 11643 check digit."""
    born = date(born_from, 1, 1) + timedelta(days=rng.randrange((born_to - born_from) * 365))
    body = rng.choice(AREA_CODES) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def borrower(rng) -> str:
    return rng.choice(SURNAMES)[0] + rng.choice(["先生", "女士"])
