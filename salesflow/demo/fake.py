"""Realistic Chinese fake data for the demo builders: people, mobiles, landlines, addresses, credit codes."""

from __future__ import annotations

import random

from stdnum.cn import uscc

from salesflow.core.chinese import InvalidValue, clean_phone

# Provinces each region sells to, with cities and their landline area codes.
REGION_GEO: dict[str, dict[str, list[tuple[str, str]]]] = {
    "EAST": {
        "上海市": [("上海市", "021")],
        "江苏省": [("南京市", "025"), ("苏州市", "0512"), ("无锡市", "0510"), ("常州市", "0519")],
        "浙江省": [("杭州市", "0571"), ("宁波市", "0574"), ("温州市", "0577")],
        "山东省": [("济南市", "0531"), ("青岛市", "0532")],
        "安徽省": [("合肥市", "0551")],
    },
    "NORTH": {
        "北京市": [("北京市", "010")],
        "天津市": [("天津市", "022")],
        "河北省": [("石家庄市", "0311"), ("唐山市", "0315"), ("保定市", "0312")],
        "山西省": [("太原市", "0351")],
    },
    "SOUTH": {
        "广东省": [("广州市", "020"), ("深圳市", "0755"), ("东莞市", "0769"), ("佛山市", "0757")],
        "福建省": [("福州市", "0591"), ("厦门市", "0592")],
        "广西壮族自治区": [("南宁市", "0771")],
        "海南省": [("海口市", "0898")],
    },
    "SOUTHWEST": {
        "四川省": [("成都市", "028"), ("绵阳市", "0816")],
        "重庆市": [("重庆市", "023")],
        "云南省": [("昆明市", "0871")],
        "贵州省": [("贵阳市", "0851")],
    },
}

# Administrative division codes (行政区划代码) of the cities above, for the credit codes.
DIVISION_CODES = {
    "上海市": "310115", "南京市": "320100", "苏州市": "320500", "无锡市": "320200", "常州市": "320400",
    "杭州市": "330100", "宁波市": "330200", "温州市": "330300", "济南市": "370100", "青岛市": "370200",
    "合肥市": "340100", "北京市": "110108", "天津市": "120116", "石家庄市": "130100", "唐山市": "130200",
    "保定市": "130600", "太原市": "140100", "广州市": "440106", "深圳市": "440305", "东莞市": "441900",
    "佛山市": "440600", "福州市": "350100", "厦门市": "350200", "南宁市": "450100", "海口市": "460100",
    "成都市": "510107", "绵阳市": "510700", "重庆市": "500112", "昆明市": "530100", "贵阳市": "520100",
}

DISTRICTS = {
    "上海市": ["浦东新区", "闵行区", "徐汇区", "嘉定区", "松江区"], "北京市": ["海淀区", "朝阳区", "丰台区", "大兴区"],
    "天津市": ["滨海新区", "西青区"], "重庆市": ["渝北区", "江北区", "九龙坡区"],
}
STREETS = ["人民路", "解放路", "建设路", "中山路", "长江路", "黄河路", "科技路", "创业路", "工业大道", "新华路",
           "和平路", "振兴路", "高新大道", "金融街", "滨江大道"]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
         "霞", "平", "刚", "桂英", "建华", "晓东", "志强", "海燕", "文博", "雪梅", "国庆", "玉兰", "俊杰", "子涵"]
POSITIONS = ["采购经理", "总经理", "财务总监", "采购主管", "副总经理", "技术总监", "办公室主任", "采购专员", "董事长",
             "项目经理", "设备科长", "运营总监"]


def mobile(rng: random.Random) -> str:
    while True:
        number = rng.choice(["13", "15", "18"]) + str(rng.choice([0, 1, 2, 3, 5, 6, 7, 8, 9])) + \
            f"{rng.randrange(10**8):08d}"
        try:
            return clean_phone(number)[0]
        except InvalidValue:
            continue


def org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, city: str, public: bool) -> str:
    # 12 = public institution (事业单位, registered by the establishment office), 91 = enterprise (SAMR).
    prefix = ("12" if public else "91") + DIVISION_CODES[city]
    first17 = prefix + org_code(rng)
    return first17 + uscc.calc_check_digit(first17)


def landline(rng: random.Random, area: str) -> str:
    digits = 8 if len(area) == 3 or area in {"0512", "0571", "0755", "0769", "0757", "0574", "0531", "0532"} else 7
    while True:
        number = f"{area}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
        try:
            return clean_phone(number)[0]
        except InvalidValue:
            digits = 8 if digits == 7 else 7


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def address(rng: random.Random, province: str, city: str) -> str:
    district = rng.choice(DISTRICTS[city]) if city in DISTRICTS else rng.choice(["高新区", "经济开发区", "新区", ""])
    head = city if province == city else province + city
    return f"{head}{district}{rng.choice(STREETS)}{rng.randint(1, 999)}号"

