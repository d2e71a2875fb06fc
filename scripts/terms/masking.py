"""Issue #15: numbers that stay masked in edit forms, duplicate warnings that name no customer outside one's scope."""

ZH_HANS = {
    "Shown masked. Leave it as it is to keep the number, or type a new one.":
        "号码已隐藏显示。保持不变即保留原号码，或输入新号码替换。",
    "Type the whole new number, or leave the masked one as it is.": "请输入完整的新号码，或保持隐藏的号码不变。",
    "A customer outside your scope already exists ({reason}): ask {whom}.":
        "已有一个不在您权限范围内的客户（{reason}）：请咨询{whom}。",
    "A {kind} outside your scope already exists ({reason}): ask {whom}.":
        "已有一个不在您权限范围内的{kind}（{reason}）：请咨询{whom}。",
    "A prospect outside your scope is already registered: ask {whom}.": "已有一个不在您权限范围内的准客户登记：请咨询{whom}。",
    "{name} of {unit}": "{unit}的{name}",
    "the system administrator": "系统管理员",
    "outside your scope: ask %(whom)s": "不在您的权限范围内：请咨询%(whom)s",
}
