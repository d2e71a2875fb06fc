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


def approve_from_inbox(browser, live_server, user, doc, opinion, shot, expect="approved"):
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
        assert page.locator(f"#task-{task_id}").get_attribute("data-status") == expect
    finally:
        context.close()
    task = ApprovalTask.objects.get(pk=task_id)
    assert task.approver_id == user.pk and task.status == expect and task.opinion == opinion


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
        # Stage 2 runs side by side: the manager and the marketing VP each see it in their inbox and sign an opinion.
        approve_from_inbox(browser, live_server, r13.manager, doc, "价格在区域政策内", "r13_03_manager_inbox.png",
                           expect=TaskStatus.AGREED)
        approve_from_inbox(browser, live_server, r13.marketing_vp, doc, "符合市场策略", "r13_04_vp_inbox.png",
                           expect=TaskStatus.AGREED)
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


def test_r13_the_supervisors_own_request_in_the_browser(live_server, browser, r13):
    """The supervisor's own request: D8 by submission → the manager disagrees and the VP agrees (opinions, both
    forwarded) → the GM approves with both opinions on screen → the supervisor and the rep are told."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    context, sup = signed_in(browser, live_server, r13.supervisor)
    try:
        sup.goto(f"{live_server.url}/deals/discounts/new/?customer={r13.cust_rep.pk}")
        sup.select_option("#id_customer", str(r13.cust_rep.pk))
        sup.fill("#id_amount", "380000")
        sup.fill("#id_discount_percent", "7")
        sup.fill("#id_reason", "三年框架协议，竞品报价低 7%")
        sup.click("[data-testid=save]")
        sup.wait_for_selector("[data-testid=discount-title]")
        sup.click("[data-testid=submit]")
        sup.wait_for_selector("[data-testid=by-submission]")  # D8 recorded as the supervisor's, by submitting
        sup.screenshot(path=str(OUTPUT / "r13_own_01_submitted.png"), full_page=True)
    finally:
        context.close()
    doc = DiscountRequest.objects.get(requester=r13.supervisor)

    # The manager disagrees from the document's own page: the papers still go up.
    context, manager = signed_in(browser, live_server, r13.manager)
    try:
        manager.goto(f"{live_server.url}/deals/discounts/{doc.pk}/")
        form = manager.locator("[data-testid=my-task]")
        form.locator("textarea[name=opinion]").fill("低于区域底价，不同意")
        form.locator("button[value=reject]").click()
        manager.wait_for_selector("[data-testid=opinions]")
    finally:
        context.close()
    approve_from_inbox(browser, live_server, r13.marketing_vp, doc, "战略客户，同意", "r13_own_02_vp_inbox.png",
                       expect=TaskStatus.AGREED)

    context, gm = signed_in(browser, live_server, r13.gm)
    try:
        gm.goto(f"{live_server.url}/deals/discounts/{doc.pk}/")
        opinions = gm.locator("[data-testid=opinions] [data-testid=opinion]")
        assert opinions.count() == 2
        boxes = [opinions.nth(i).bounding_box() for i in range(2)]
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 5 and boxes[0]["x"] != boxes[1]["x"]  # side by side
        text = gm.inner_text("[data-testid=opinions]")
        assert "低于区域底价，不同意" in text and "战略客户，同意" in text
        gm.screenshot(path=str(OUTPUT / "r13_own_03_gm_sees_both_opinions.png"), full_page=True)
        form = gm.locator("[data-testid=my-task]")
        form.locator("textarea[name=opinion]").fill("按战略客户批准")
        form.locator("button[value=approve]").click()
        gm.wait_for_selector("[data-testid=discount-status]")
    finally:
        context.close()
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.APPROVED

    for user in (r13.supervisor, r13.rep):
        context, page = signed_in(browser, live_server, user)
        try:
            page.goto(f"{live_server.url}/approvals/notifications/")
            row = page.locator("[data-testid=notification-row]", has_text=doc.number)
            row.first.wait_for()
            assert "7" in row.first.inner_text()
        finally:
            context.close()
