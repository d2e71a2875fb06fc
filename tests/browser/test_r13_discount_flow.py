# ruff: noqa: F811
"""R13 in real browsers: a rep drafts a discount request on their customer and submits it; the supervisor, the
sales manager and the marketing VP (side by side), then the GM each sign in in their own browser context and
approve from 我的审批 with an opinion; the rep sees it approved. The flowchart is captured into
test-results/browser/."""

import pytest

from salesflow.approvals.models import ApprovalTask, TaskStatus
from salesflow.deals.models import DiscountRequest, DiscountStatus
from tests.approvals.conftest import r13  # noqa: F401 — the R13 organisation and policies
from tests.browser.conftest import OUTPUT
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, user):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user-menu]")
    return context, page


def approve_from_inbox(browser, live_server, user, doc, opinion, shot):
    context, page = signed_in(browser, live_server, user)
    try:
        page.goto(live_server.url + "/approvals/inbox/")
        row = page.locator("[data-testid=task-row]", has_text=doc.number)
        row.wait_for()
        task_id = row.get_attribute("data-task")
        row.locator("textarea[name=opinion]").fill(opinion)
        page.screenshot(path=str(OUTPUT / shot), full_page=True)
        row.locator("button[value=approve]").click()
        page.locator(f"#task-{task_id} [data-testid=decided]").wait_for()
        assert page.locator(f"#task-{task_id}").get_attribute("data-status") == "approved"
    finally:
        context.close()
    task = ApprovalTask.objects.get(pk=task_id)
    assert task.approver_id == user.pk and task.status == TaskStatus.APPROVED and task.opinion == opinion


def test_r13_discount_request_through_four_approvers_in_the_browser(live_server, browser, r13):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    rep_context, rep = signed_in(browser, live_server, r13.rep)
    try:
        rep.goto(f"{live_server.url}/deals/discounts/new/?customer={r13.cust_rep.pk}")
        rep.select_option("#id_customer", str(r13.cust_rep.pk))
        rep.fill("#id_amount", "200000")
        rep.fill("#id_discount_percent", "8")
        rep.fill("#id_reason", "老客户续单，竞品报价低 6%")
        rep.click("[data-testid=save]")
        rep.wait_for_selector("[data-testid=discount-title]")
        doc = DiscountRequest.objects.get(requester=r13.rep)
        assert doc.status == DiscountStatus.DRAFT
        rep.click("[data-testid=submit]")
        rep.wait_for_selector("[data-testid=flowchart]")
        doc.refresh_from_db()
        assert doc.status == DiscountStatus.PENDING
        rep.screenshot(path=str(OUTPUT / "r13_01_submitted.png"), full_page=True)

        approve_from_inbox(browser, live_server, r13.supervisor, doc, "同意，客户续约意向明确", "r13_02_supervisor_inbox.png")
        # Stage 2 runs side by side: the manager and the marketing VP each see it in their inbox.
        approve_from_inbox(browser, live_server, r13.manager, doc, "价格在区域政策内", "r13_03_manager_inbox.png")
        approve_from_inbox(browser, live_server, r13.marketing_vp, doc, "符合市场策略", "r13_04_vp_inbox.png")
        approve_from_inbox(browser, live_server, r13.gm, doc, "批准", "r13_05_gm_inbox.png")

        doc.refresh_from_db()
        assert doc.status == DiscountStatus.APPROVED and doc.terms_version == 1
        rep.goto(f"{live_server.url}/deals/discounts/{doc.pk}/")
        status = rep.locator("[data-testid=discount-status]")
        assert status.inner_text().strip() in {"已批准", "Approved"}
        chart = rep.locator("[data-testid=flowchart]")
        chart.wait_for()
        chart.screenshot(path=str(OUTPUT / "r13_06_flowchart_approved.png"))
        rep.screenshot(path=str(OUTPUT / "r13_07_rep_sees_approved.png"), full_page=True)
        assert (OUTPUT / "r13_06_flowchart_approved.png").stat().st_size > 5_000
        # Every opinion is on the record the rep sees.
        body = rep.inner_text("body")
        for opinion in ("同意，客户续约意向明确", "价格在区域政策内", "符合市场策略", "批准"):
            assert opinion in body
    finally:
        rep_context.close()
