#!/usr/bin/env python
"""Fill the three Django catalogues after `makemessages` has merged the current msgids into them.

  zh_Hans  msgstr from scripts/zh_hans_terms.py (the one place where wording is decided)
  zh_Hant  derived from zh_Hans with OpenCC 's2tw' plus a short, reviewed table of Taiwan UI words
           (ZH_HANT_OVERRIDES in zh_hans_terms.py replaces the derivation for the few msgids that need it)
  en       msgstr = msgid (msgstr[0]/[1] = msgid/msgid_plural for plurals)

It also sets each catalogue's header (Language, Plural-Forms), clears every fuzzy flag, drops obsolete (#~)
entries, and checks that each translation keeps the msgid's placeholders ({name}, %(n)s…) exactly.

Exit status 1, with the offending msgids listed on stderr, when a msgid has no zh_Hans translation or a
translation loses or adds a placeholder. The .po files are written either way, so a partial run is visible;
scripts/i18n.sh stops before compilemessages on a failure.

Usage: .venv/bin/python scripts/translate.py [--locale-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import opencc
import polib

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# Each business area may keep its wording in scripts/terms/<area>.py (ZH_HANS and, optionally,
# ZH_HANT_OVERRIDES dicts); they are merged here, and a msgid defined twice is an error.
import importlib.util  # noqa: E402

from zh_hans_terms import ZH_HANS, ZH_HANT_OVERRIDES  # noqa: E402

for _path in sorted((HERE / "terms").glob("*.py")):
    _spec = importlib.util.spec_from_file_location(f"terms_{_path.stem}", _path)
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    for _name, _target in (("ZH_HANS", ZH_HANS), ("ZH_HANT_OVERRIDES", ZH_HANT_OVERRIDES)):
        for _key, _text in getattr(_module, _name, {}).items():
            if _key in _target and _target[_key] != _text:
                sys.exit(f"translate.py: {_key!r} is translated twice ({_path.name}): "
                         f"{_target[_key]!r} / {_text!r}")
            _target[_key] = _text

BASE_DIR = HERE.parent
LOCALE_DIR = BASE_DIR / "locale"

# Chinese has a single plural form; English has two.
HEADERS = {
    "zh_Hans": {"Language": "zh_Hans", "Plural-Forms": "nplurals=1; plural=0;"},
    "zh_Hant": {"Language": "zh_Hant", "Plural-Forms": "nplurals=1; plural=0;"},
    "en": {"Language": "en", "Plural-Forms": "nplurals=2; plural=(n != 1);"},
}
COMMON_HEADERS = {
    "Project-Id-Version": "Salesflow",
    "Last-Translator": "scripts/translate.py",
    "Language-Team": "Salesflow",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}

# Traditional Chinese: why 's2tw' and not 's2t' or 's2twp'.
# - 's2twp' also rewrites *phrases* into Taiwan idiom, and some of its rewrites break domain terms:
#   统一社会信用代码 (a term of law, printed on every business licence) becomes 統一社會信用程式碼 (代码 → 程式碼,
#   "program code"), 项目 → 專案, 信息 → 資訊 everywhere. Term stability matters more than idiom here.
# - 's2tw' converts character by character to Taiwan-standard glyphs (群組 not 羣組, 線 not 綫…) and never
#   rewords, so 客户档案 → 客戶檔案, 合同台帐 → 合同臺帳, 统一社会信用代码 → 統一社會信用代碼 stay the same terms.
# - A handful of everyday UI words do differ in Taiwan (登录 reads as "register a record" there; people sign
#   in with 登入). TW_UI_WORDS applies just those, after s2tw, as whole-word replacements reviewed one by one:
#   nothing in it touches a domain term. Add to it only words whose s2tw form a Taiwan user would misread.
# - Where a word cannot be swapped blindly (行/列: mainland row/column, Taiwan column/row — and 行 is also in
#   行业), the msgid gets hand-written Traditional text in ZH_HANT_OVERRIDES (scripts/zh_hans_terms.py).
HANT_CONVERTER = "s2tw"
TW_UI_WORDS: list[tuple[str, str]] = [
    # Applied in order, to s2tw output, as plain substring replacements: longer words first where one contains
    # another, and no word that can straddle two words (在線 would turn 存在線索 into 存線上索; 新建 would turn
    # 重新建立 into 重新增立; 調用 would hit 協調用車). DOMAIN_TERMS below is checked after every run.
    ("退出登錄", "登出"),
    ("登錄", "登入"),
    ("導出", "匯出"),
    ("導入", "匯入"),
    ("用戶名", "使用者名稱"),
    ("用戶", "使用者"),
    ("聯繫人", "聯絡人"),
    ("默認", "預設"),
    ("賬號", "帳號"),
    ("賬戶", "帳戶"),
    ("信息技術", "資訊科技"),
    ("信息", "資訊"),
    ("數據", "資料"),
    ("文件", "檔案"),
    ("文檔", "文件"),
    ("搜索", "搜尋"),
    ("創建", "建立"),
    ("添加", "新增"),
    ("保存", "儲存"),
    ("存儲", "儲存"),
    ("字段", "欄位"),
    ("字符", "字元"),
    ("菜單", "選單"),
    ("設置", "設定"),
    ("當前", "目前"),
    ("打開", "開啟"),
    ("消息", "訊息"),
    ("請求頭", "請求標頭"),
    ("密鑰", "金鑰"),
    ("哈希", "雜湊"),
    ("網絡", "網路"),
    ("鏈接", "連結"),
    ("支持", "支援"),
    ("打印", "列印"),
    ("短信", "簡訊"),
    ("郵箱", "信箱"),
    ("屏幕", "螢幕"),
    ("視頻", "影片"),
    ("軟件", "軟體"),
    ("質量", "品質"),
    ("令牌", "權杖"),
    ("“", "「"),
    ("”", "」"),
    ("‘", "『"),
    ("’", "』"),
]

# The seeds' vocabulary (shared/domain.md §4, plus the org and customer-file terms): whenever a zh_Hans text
# holds one of these, its zh_Hant text must hold the term's plain s2tw conversion, unchanged by TW_UI_WORDS.
DOMAIN_TERMS = [
    "线索", "客户档案", "接待记录", "购买意向", "洽谈", "商机", "报价单", "投标", "预定书", "定金", "优惠申请",
    "合同申报单", "合同台帐", "销售订单", "生产通知单", "入库单", "发货单", "出库单", "派工单", "验收报告", "发票",
    "收款单", "应收账款", "业务提成", "销退", "售后工单", "满意度调查", "拜访计划", "工作日志", "周例会", "销售目标",
    "绩效考核", "统一社会信用代码", "大区销售公司", "大区", "销售处", "总部", "负责人", "客户等级", "信用额度",
    "审计日志", "代理商", "经销商", "销售政策", "合同",
]

# {name} (python-brace-format) and %(name)s / %s / %d (python-format); %% is a literal percent sign.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdifr]|%[sdifr]|%%")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def key_of(entry: polib.POEntry) -> str | tuple[str, str]:
    return (entry.msgctxt, entry.msgid) if entry.msgctxt else entry.msgid


def label_of(entry: polib.POEntry) -> str:
    return f"[{entry.msgctxt}] {entry.msgid!r}" if entry.msgctxt else repr(entry.msgid)


_converter = opencc.OpenCC(HANT_CONVERTER)


def to_hant(text: str) -> str:
    # Convert only the text between placeholders, so a placeholder can never be altered.
    parts = PLACEHOLDER.split(text)
    marks = PLACEHOLDER.findall(text)
    out = []
    for i, part in enumerate(parts):
        converted = _converter.convert(part)
        for simplified_tw, taiwan in TW_UI_WORDS:
            converted = converted.replace(simplified_tw, taiwan)
        out.append(converted)
        if i < len(marks):
            out.append(marks[i])
    return "".join(out)


def load(locale_dir: Path, lang: str) -> tuple[polib.POFile, Path]:
    path = locale_dir / lang / "LC_MESSAGES" / "django.po"
    if not path.exists():
        sys.exit(f"translate.py: {path} does not exist; run makemessages first (scripts/i18n.sh).")
    return polib.pofile(str(path), wrapwidth=79), path


def prepare(po: polib.POFile, lang: str) -> None:
    po.header = (f"Salesflow ({lang}). Written by scripts/i18n.sh: edit scripts/zh_hans_terms.py, not this file.")
    po.metadata.update(COMMON_HEADERS)
    po.metadata.update(HEADERS[lang])
    po.metadata_is_fuzzy = False
    for entry in po.obsolete_entries():
        po.remove(entry)


def set_translation(entry: polib.POEntry, text: str, plural_count: int) -> None:
    if entry.msgid_plural:
        entry.msgstr = ""
        entry.msgstr_plural = {i: text for i in range(plural_count)}
    else:
        entry.msgstr = text
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)

    hans, hans_path = load(args.locale_dir, "zh_Hans")
    hant, hant_path = load(args.locale_dir, "zh_Hant")
    en, en_path = load(args.locale_dir, "en")
    for po, lang in ((hans, "zh_Hans"), (hant, "zh_Hant"), (en, "en")):
        prepare(po, lang)

    missing: list[str] = []
    bad_placeholders: list[str] = []
    broken_terms: list[str] = []
    hans_text: dict[str | tuple[str, str], str] = {}
    for entry in hans:
        key = key_of(entry)
        text = ZH_HANS.get(key, "").strip()
        if not text:
            missing.append(label_of(entry))
            set_translation(entry, "", 1)
            continue
        expected = placeholders(entry.msgid_plural or entry.msgid)
        if placeholders(text) != expected:
            bad_placeholders.append(f"{label_of(entry)} → {text!r} (expected {sorted(expected.elements())})")
        set_translation(entry, text, 1)
        hans_text[key] = text

    for entry in hant:
        key = key_of(entry)
        text = hans_text.get(key, "")
        hant_text = ZH_HANT_OVERRIDES.get(key) or (to_hant(text) if text else "")
        set_translation(entry, hant_text if text else "", 1)
        if text and placeholders(hant_text) != placeholders(text):
            bad_placeholders.append(f"zh_Hant {label_of(entry)} → {hant_text!r}")
        for term in DOMAIN_TERMS:
            if term in text and _converter.convert(term) not in hant_text:
                broken_terms.append(f"{label_of(entry)}: {term} → {_converter.convert(term)} missing from {hant_text!r}")

    for entry in en:
        if entry.msgid_plural:
            set_translation(entry, entry.msgid, 2)
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            set_translation(entry, entry.msgid, 1)

    for po, path in ((hans, hans_path), (hant, hant_path), (en, en_path)):
        po.save(str(path))

    used = {key_of(e) for e in hans}
    unused = sorted(str(k) for k in ZH_HANS if k not in used)
    unused += sorted(f"ZH_HANT_OVERRIDES[{k!r}]" for k in ZH_HANT_OVERRIDES if k not in used)
    total = len(hans)
    plurals = sum(1 for e in hans if e.msgid_plural)
    print(f"translate.py: {total} msgids ({plurals} with plural forms) in zh_Hans, zh_Hant and en.")
    if unused:
        print(f"translate.py: note: {len(unused)} entries in zh_hans_terms.py match no msgid (stale?):")
        for k in unused:
            print(f"  {k!r}")
    if missing or bad_placeholders or broken_terms:
        if missing:
            print(f"translate.py: {len(missing)} msgid(s) have no zh_Hans translation in "
                  f"scripts/zh_hans_terms.py:", file=sys.stderr)
            for m in missing:
                print(f"  {m}", file=sys.stderr)
        if bad_placeholders:
            print(f"translate.py: {len(bad_placeholders)} translation(s) do not keep the msgid's placeholders:",
                  file=sys.stderr)
            for b in bad_placeholders:
                print(f"  {b}", file=sys.stderr)
        if broken_terms:
            print(f"translate.py: {len(broken_terms)} zh_Hant text(s) reword a domain term (check TW_UI_WORDS "
                  f"and ZH_HANT_OVERRIDES):", file=sys.stderr)
            for b in broken_terms:
                print(f"  {b}", file=sys.stderr)
        return 1
    print("translate.py: every msgid is translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
