"""Issue #15: numbers that stay masked in edit forms, duplicate warnings that name no customer outside one's scope."""

ZH_HANS = {
    "Shown masked. Leave it as it is to keep the number, or type a new one.":
        "号码已隐藏显示。保持不变即保留原号码，或输入新号码替换。",
    "Type the whole new number, or leave the masked one as it is.": "请输入完整的新号码，或保持隐藏的号码不变。",
}
