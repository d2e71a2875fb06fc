"""A rep in a real browser: sign in, create a customer with a bad credit code, see the error, fix it,
then find the customer by pinyin initials. Screenshots go to test-results/browser/."""

import pytest
from stdnum.cn import uscc

from tests.browser.conftest import OUTPUT
from tests.pages.conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_creates_a_customer_fixes_the_credit_code_and_finds_it_by_pinyin(live_server, page):
    world = build_world()
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", world.rep.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user-menu]")

    page.goto(live_server.url + "/customers/new/")
    page.fill("#id_name", "杭州新星贸易有限公司")
    page.fill("#id_credit_code", "91330100MA27XXXX1X")
    page.fill("#id_contact_name", "周先生")
    page.fill("#id_contact_phone", "13700001234")
    page.click("[data-testid=save]")
    error = page.locator("#id_credit_code-feedback .invalid-feedback")
    error.wait_for()
    assert error.inner_text().strip()
    page.screenshot(path=str(OUTPUT / "01_bad_credit_code.png"), full_page=True)

    good = "91330100MA27XXXX1"
    good += uscc.calc_check_digit(good)
    page.fill("#id_credit_code", good)
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=customer-name]")
    assert page.inner_text("[data-testid=customer-name]") == "杭州新星贸易有限公司"
    assert "13700001234" in page.inner_text("#contacts")  # the owner sees the full number

    page.goto(live_server.url + "/customers/")
    page.fill("input[name=q]", "hzxx")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=customer-table]').innerText.includes('杭州新星贸易有限公司')"
        " && !document.querySelector('[data-testid=customer-table]').innerText.includes('上海宏达机械')")
    assert "q=hzxx" in page.url  # the search is in the address bar, so it survives a reload or a shared link
    page.screenshot(path=str(OUTPUT / "02_found_by_pinyin.png"), full_page=True)
    assert (OUTPUT / "02_found_by_pinyin.png").stat().st_size > 10_000
