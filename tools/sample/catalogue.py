"""What the tickets are about: summaries per kind with their category and providers."""
from __future__ import annotations

# (summary, category, providers that handle it)
COMPLAINTS = [
    ("客服台工作人员服务态度生硬", "service_process", ["P-01"]),
    ("卫生间保洁不及时，异味明显", "service_process", ["P-03"]),
    ("保洁拖地未放警示牌致顾客滑倒", "service_process", ["P-03"]),
    ("保安阻拦顾客进入且态度恶劣", "service_process", ["P-04"]),
    ("停车场收费员找零错误且态度差", "service_process", ["P-05"]),
    ("会员积分兑换流程繁琐，等待过久", "service_process", ["P-01"]),
    ("投诉受理后长时间无人回复", "service_process", ["P-01"]),
    ("夜间闭店清场方式粗暴", "service_process", ["P-04"]),
    ("中央空调制冷不足，店内温度过高", "technical", ["P-08", "P-02"]),
    ("扶梯频繁停运影响客流", "technical", ["P-06"]),
    ("商铺频繁跳闸影响营业", "technical", ["P-02"]),
    ("停车场道闸无法识别车牌", "technical", ["P-05"]),
    ("消防报警系统误报，顾客恐慌", "technical", ["P-02"]),
    ("新风系统噪音过大", "technical", ["P-08"]),
    ("电梯困人近二十分钟", "technical", ["P-06"]),
    ("购买的羽绒服有质量问题，商户拒绝退换", "product_quality", ["P-07"]),
    ("餐饮商户出售的食品变质", "product_quality", ["P-07"]),
    ("珠宝商户售出饰品成色不符", "product_quality", ["P-07"]),
    ("儿童玩具商户产品存在安全隐患", "product_quality", ["P-07"]),
    ("商场统一配发的购物袋破损", "product_quality", ["P-01"]),
    ("更换的水龙头配件再次漏水", "parts", ["P-02"]),
    ("卷帘门电机更换配件后仍故障", "parts", ["P-02"]),
    ("空调滤网配件长期未更换", "parts", ["P-08"]),
    ("电梯按钮配件损坏未及时更换", "parts", ["P-06"]),
    ("停车收费标准不透明，多收停车费", "price", ["P-05"]),
    ("物业管理费计费有误", "price", ["P-07", "P-01"]),
    ("促销活动标价与结算价格不符", "price", ["P-07"]),
    ("公共能耗分摊费用多收", "price", ["P-07"]),
    ("商户货物配送延误，卸货区被占用", "delivery", ["P-04", "P-07"]),
    ("线上订单配送超时", "delivery", ["P-07"]),
    ("会员礼品邮寄未送达", "delivery", ["P-01"]),
    ("广场促销活动噪音扰民", "other", ["P-07", "P-04"]),
    ("公共区域宠物管理不到位", "other", ["P-04"]),
    ("中庭装饰物掉落险些砸伤顾客", "other", ["P-03", "P-02"]),
]
REQUESTS = [
    ("申请延长营业时间", "other", ["P-07"]),
    ("申请临时用电", "technical", ["P-02"]),
    ("申请装修施工许可", "service_process", ["P-07"]),
    ("申请开具停车费发票", "price", ["P-05"]),
    ("申请借用推车搬运货物", "delivery", ["P-04"]),
    ("申请夜间卸货通行", "delivery", ["P-04"]),
    ("申请增加保洁频次", "service_process", ["P-03"]),
    ("申请调整店招灯箱亮灯时间", "technical", ["P-02"]),
    ("申请补办门禁卡", "parts", ["P-01"]),
    ("申请使用中庭广告位", "other", ["P-07"]),
    ("申请补录会员积分", "service_process", ["P-01"]),
    ("申请调整空调开放时段", "technical", ["P-08"]),
]
REPAIRS = [
    ("卫生间水龙头漏水", "parts", ["P-02"]),
    ("商铺照明灯不亮", "technical", ["P-02"]),
    ("卷帘门无法正常关闭", "technical", ["P-02"]),
    ("空调出风口滴水", "technical", ["P-08"]),
    ("扶梯扶手带异响", "technical", ["P-06"]),
    ("地砖破损翘起", "parts", ["P-02"]),
    ("排水管堵塞", "technical", ["P-02"]),
    ("玻璃门闭门器损坏", "parts", ["P-02"]),
    ("停车场照明灯损坏", "technical", ["P-05"]),
    ("货梯按钮失灵", "parts", ["P-06"]),
    ("风机盘管异响", "technical", ["P-08"]),
]
INQUIRIES = [
    ("咨询会员积分规则", "other", ["P-01"]),
    ("咨询停车收费标准", "price", ["P-05"]),
    ("咨询商铺招商政策", "other", ["P-07"]),
    ("咨询节假日营业时间", "other", ["P-01"]),
    ("咨询失物招领", "service_process", ["P-04"]),
    ("咨询发票开具流程", "price", ["P-01"]),
    ("咨询装修管理规定", "service_process", ["P-07"]),
    ("咨询快递代收服务", "delivery", ["P-01"]),
]
QUALITY = [
    ("消防器材月检发现压力不足", "product_quality", ["P-04"]),
    ("电梯维保记录缺失", "service_process", ["P-06"]),
    ("餐饮商户食品抽检不合格", "product_quality", ["P-07"]),
    ("空调冷却塔水质检测超标", "technical", ["P-08"]),
    ("公共区域地面防滑检测不达标", "product_quality", ["P-03"]),
    ("批次购物袋承重不达标", "product_quality", ["P-01"]),
    ("监控摄像头画面模糊", "technical", ["P-04"]),
    ("更换的灯具配件批次不良", "parts", ["P-02"]),
]
BY_KIND = {"complaint": COMPLAINTS, "request": REQUESTS, "repair": REPAIRS,
           "inquiry": INQUIRIES, "quality": QUALITY}

NOTES = ["已与商户沟通，约定次日上门处理", "客户补充了现场照片", "已调取监控核实情况",
         "商户店长表示配合整改", "已电话安抚客户情绪", "等待厂家技术人员到场"]
EXTEND_REASONS = ["需等待厂家配件到货", "涉及多方责任认定，需进一步调查", "需商户配合停业施工",
                  "等待第三方检测报告"]
HOLD_NOTES = ["客户外出，约定返回后上门处理", "等待客户提供购物凭证", "客户要求暂缓处理"]
FORCE_REASONS = {
    "demand": "客户诉求超出合同约定，经协调无果，经理批准强制闭环",
    "unreachable": "连续多次回访均无法联系客户，经理批准强制闭环",
}
ESCALATE_NOTES = ["客户通过论坛再次投诉", "客户拨打400热线再次投诉", "客户来信再次反映"]
