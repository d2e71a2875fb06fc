"""A discount request through real browsers: the rep drafts and submits it, the supervisor finds it in the inbox
(badge and bell), tries to reject without an opinion, then approves in place (htmx), and the policy chart renders.
Screenshots go to test-results/browser/."""

import pytest

from salesflow.approvals.models import ApprovalTask, TaskStatus
from salesflow.approvals.policies import policy_load_file
from salesflow.org import services as org
from tests.browser.conftest import OUTPUT
from tests.pages.conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, user):
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user-menu]")


def test_discount_request_is_submitted_and_approved_in_the_inbox(live_server, page):
    world = build_world()
    org.user_create(by=world.admin, username="vp_p", password=PASSWORD, role="marketing_vp", unit=world.hq,
                    name="营销副总")
    org.user_create(by=world.admin, username="gm_p", password=PASSWORD, role="gm", unit=world.hq, name="总经理")
    policy_load_file(by=None, system=True)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, live_server.url, world.rep)
    page.goto(f"{live_server.url}/customers/{world.c_rep.pk}/")
    page.click("[data-testid=request-discount]")
    page.fill("#id_amount", "200000")
    page.fill("#id_discount_percent", "8")
    page.fill("#id_reason", "老客户续单，竞品报价更低")
    page.click("[data-testid=save]")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=flowchart] svg")
    page.screenshot(path=str(OUTPUT / "10_discount_submitted.png"), full_page=True)

    sign_in(page, live_server.url, world.supervisor)
    assert page.inner_text("[data-testid=approvals-pending]").strip() == "1"
    page.click("[data-testid=notification-bell] button")
    page.wait_for_selector("[data-testid=notification-item]")
    assert "上海宏达机械有限公司" in page.inner_text("#sf-notification-items")
    page.screenshot(path=str(OUTPUT / "11_bell.png"))

    page.click("[data-testid=approvals-badge]")
    row = page.locator("[data-testid=task-row]")
    row.locator("button[value=reject]").click()
    page.wait_for_selector("[data-testid=decide-error]")
    assert ApprovalTask.objects.get(approver=world.supervisor).status == TaskStatus.PENDING
    page.screenshot(path=str(OUTPUT / "12_reject_needs_opinion.png"), full_page=True)

    page.locator("[data-testid=task-row] textarea[name=opinion]").fill("同意，请经理和副总审核")
    page.locator("[data-testid=task-row] button[value=approve]").click()
    page.wait_for_selector("[data-testid=task-row][data-status=approved]")
    assert ApprovalTask.objects.get(approver=world.supervisor).status == TaskStatus.APPROVED
    page.screenshot(path=str(OUTPUT / "13_approved_in_place.png"), full_page=True)

    page.goto(live_server.url + "/approvals/policies/discount/")
    page.wait_for_selector("[data-testid=flowchart] svg")
    page.locator("[data-testid=flowchart]").screenshot(path=str(OUTPUT / "14_policy_flowchart.png"))
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
