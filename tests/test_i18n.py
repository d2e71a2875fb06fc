"""Translations: every msgid translated in all three catalogues, the committed .mo files in step with the .po
files, the .po files in step with the source, and the pages actually shown in each language.

To fix a failure here, run scripts/i18n.sh (add any msgid it lists to scripts/zh_hans_terms.py first).
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGS = ["zh_Hans", "zh_Hant", "en"]
PLURAL_FORMS = {
    "zh_Hans": "nplurals=1; plural=0;",
    "zh_Hant": "nplurals=1; plural=0;",
    "en": "nplurals=2; plural=(n != 1);",
}
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdifr]|%[sdifr]|%%")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


def translations(entry) -> list[str]:
    """The msgstr(s) of an entry, in plural-index order."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def catalogue(entries) -> dict:
    return {(e.msgctxt, e.msgid, e.msgid_plural): tuple(translations(e)) for e in entries if e.msgid}


# ── (a) every msgid translated, nothing fuzzy ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", LANGS)
def test_every_msgid_has_a_translation_and_none_is_fuzzy(lang):
    po = polib.pofile(str(po_path(lang)))
    assert len(po) > 100, f"{po_path(lang)} looks truncated: {len(po)} entries"
    untranslated = [e.msgid for e in po if not e.obsolete and not all(t.strip() for t in translations(e))]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert not untranslated, f"{lang}: {len(untranslated)} msgids without a translation: {untranslated[:20]}"
    assert not fuzzy, f"{lang}: fuzzy entries (Django ignores them): {fuzzy[:20]}"
    assert not po.metadata_is_fuzzy, f"{lang}: the header is marked fuzzy"
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS[lang]
    for e in po:
        if e.msgid_plural:
            expected = 1 if lang.startswith("zh") else 2
            assert len(e.msgstr_plural) == expected, f"{lang}: {e.msgid!r} has {len(e.msgstr_plural)} plural forms"


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang):
    po = polib.pofile(str(po_path(lang)))
    wrong = []
    for e in po:
        for i, text in enumerate(translations(e)):
            source = e.msgid if (i == 0 and lang == "en") or not e.msgid_plural else e.msgid_plural
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append((e.msgid, text))
    assert not wrong, f"{lang}: placeholders lost or added: {wrong[:10]}"


def test_chinese_catalogues_are_chinese_and_english_is_the_msgid():
    hans = {e.msgid: translations(e)[0] for e in polib.pofile(str(po_path("zh_Hans")))}
    hant = {e.msgid: translations(e)[0] for e in polib.pofile(str(po_path("zh_Hant")))}
    han = re.compile(r"[\u4e00-\u9fff]")
    # A Chinese catalogue that merely copied the English would pass the "non-empty" test above.
    not_chinese = [m for m, t in hans.items() if not han.search(t)]
    assert not not_chinese, f"zh_Hans msgstrs with no Chinese character: {not_chinese[:20]}"
    assert hans.keys() == hant.keys()
    # zh_Hant is derived, not copied: the two differ wherever a simplified character was converted.
    assert sum(hans[m] != hant[m] for m in hans) > len(hans) // 2
    for e in polib.pofile(str(po_path("en"))):
        assert translations(e) == ([e.msgid, e.msgid_plural] if e.msgid_plural else [e.msgid])


# ── (b) the committed .mo files match the .po files ───────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", LANGS)
def test_committed_mo_matches_po(lang):
    assert mo_path(lang).exists(), f"{mo_path(lang)} is missing: run scripts/i18n.sh and commit the .mo files"
    po = catalogue(polib.pofile(str(po_path(lang))))
    mo = catalogue(polib.mofile(str(mo_path(lang))))
    missing = sorted(k[1] for k in po.keys() - mo.keys())
    extra = sorted(k[1] for k in mo.keys() - po.keys())
    changed = sorted(k[1] for k in po.keys() & mo.keys() if po[k] != mo[k])
    assert not (missing or extra or changed), (
        f"{lang}: the .mo is stale (run scripts/i18n.sh): missing {missing[:10]}, extra {extra[:10]}, "
        f"changed {changed[:10]}"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_mo_loads_with_gettext(lang):
    # What Python's gettext (and so Django) reads from the committed file, plural rule included.
    with mo_path(lang).open("rb") as fh:
        t = gettext.GNUTranslations(fh)
    for e in polib.pofile(str(po_path(lang))):
        if e.msgctxt:
            continue
        if e.msgid_plural:
            for n in (1, 2, 5):
                index = 0 if lang.startswith("zh") or n == 1 else 1
                assert t.ngettext(e.msgid, e.msgid_plural, n) == translations(e)[index]
        else:
            assert t.gettext(e.msgid) == e.msgstr


# ── (c) the key terms, through Django, and the pages ─────────────────────────────────────────────────────

KEY_TERMS = {
    # msgid: (zh-hans, zh-hant)
    "Customer files": ("客户档案", "客戶檔案"),
    "Unified social credit code": ("统一社会信用代码", "統一社會信用代碼"),
    "Sign in": ("登录", "登入"),
    "Sales rep": ("销售代表", "銷售代表"),
    "Regional sales company": ("大区销售公司", "大區銷售公司"),
    "Sales office": ("销售处", "銷售處"),
    "Headquarters": ("总部", "總部"),
    "Owner": ("负责人", "負責人"),
    "Tier": ("客户等级", "客戶等級"),
    "Credit limit": ("信用额度", "信用額度"),
    "Audit trail": ("审计日志", "審計日誌"),
    "Import": ("导入", "匯入"),
    "Export to Excel": ("导出 Excel", "匯出 Excel"),
    "Opportunities": ("商机", "商機"),
}


@pytest.mark.parametrize("msgid", sorted(KEY_TERMS))
def test_key_terms_through_django(msgid):
    hans, hant = KEY_TERMS[msgid]
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == hans
    with translation.override("zh-hant"):
        assert translation.gettext(msgid) == hant
    with translation.override("en"):
        assert translation.gettext(msgid) == msgid


def test_plural_and_placeholder_through_django():
    with translation.override("zh-hans"):
        assert translation.ngettext("%(counter)s record", "%(counter)s records", 5) % {"counter": 5} == "共 5 条记录"
        assert translation.gettext("Page %(n)s of %(total)s") % {"n": 2, "total": 9} == "第 2 页，共 9 页"
    with translation.override("en"):
        assert translation.ngettext("%(counter)s record", "%(counter)s records", 1) % {"counter": 1} == "1 record"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [
        ("zh-hans", ["登录", "用户名", "密码", "销售流程管理"], ["Sign in", "登入", "Password"]),
        ("zh-hant", ["登入", "使用者名稱", "密碼", "銷售流程管理"], ["Sign in", "登录", "Password"]),
        ("en", ["Sign in", "User name", "Password", "Salesflow"], ["登录", "登入"]),
    ],
)
def test_login_page_in_each_language(client, language, shown, absent):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for text in shown:
        assert text in html, f"{language}: {text!r} not on the sign-in page"
    for text in absent:
        assert text not in html, f"{language}: {text!r} should not be on the sign-in page"


# ── the .po files are in step with the source ─────────────────────────────────────────────────────────────


@pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
                    reason="needs gettext (apt-get install gettext)")
def test_po_has_every_msgid_in_the_source(tmp_path):
    """makemessages over a copy of the source finds no msgid that the committed catalogue lacks."""
    base = Path(settings.BASE_DIR)
    shutil.copytree(base / "salesflow", tmp_path / "salesflow",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "vendor"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "salesflow.settings",
             "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path("zh_Hans")))}
    new = sorted(m for _, m in fresh - committed)
    assert not new, f"{len(new)} msgids in the source are not in the catalogues (run scripts/i18n.sh): {new[:20]}"
