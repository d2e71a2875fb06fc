"""R13 as seed 002 writes it (D8 → C9 ∥ B9 → A9), each test failing on the chain as it was before issue #13.

002 D8: "销售主管根据客户资料及客户预定书内容,确定是否给予客户优惠条件"; C9/B9: "销售部经理及营销副总分别对上报的优惠
客户资料及优惠条件进行审核,签署自己的意见并将资料及时上报…(时限为:审核后当日上报总经理)"; A9: "总经理对上报的资料及
意见进行审批…审批合格后签署意见并下发销售主管,以便销售顾问与客户签订预定书".
"""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from salesflow.approvals import services as engine
from salesflow.approvals.models import ApprovalRequest, ApprovalTask, RequestStatus, StepStatus, TaskStatus
from salesflow.approvals.policies import policy_as_dict, policy_save
from salesflow.core.errors import AppError, ValidationFailed
from salesflow.deals.discounts import services as deals
from salesflow.deals.models import DiscountStatus
from salesflow.notifications.models import Notification

from ..conftest import fresh
from .helpers import at, decide, pending

pytestmark = pytest.mark.django_db

TUESDAY_10 = at(2025, 11, 25, 10)


def submit(by, doc):
    return deals.discount_submit(by=fresh(by), discount_id=doc.pk)


def told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_R13_a_managers_own_request_is_never_stuck(r13, discount):
    # Before: D8 went to the director, C9 to the GM, and A9 then found nobody (the GM had decided already).
    doc = discount(by=r13.manager, customer=r13.cust_rep3)
    request = submit(r13.manager, doc)
    assert list(request.steps.order_by("step", "id").values_list("status", flat=True)) == [
        StepStatus.APPROVED, StepStatus.OPINED, StepStatus.ACTIVE, StepStatus.WAITING]  # D8 and C9 by submitting
    assert pending() == {"marketing_vp"}
    decide(r13.marketing_vp, doc, opinion="同意")
    assert pending() == {"gm"}
    decide(r13.gm, doc, opinion="批准")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_R13_an_overdue_b9_escalated_to_the_gm_leaves_a9_to_the_gm(r13, discount):
    # Before: the GM answered B9 by escalation and was then excluded from A9, where nobody was left.
    doc = discount()
    with time_machine.travel(TUESDAY_10, tick=False):
        request = submit(r13.rep, doc)
        decide(r13.supervisor, doc)
        decide(r13.manager, doc, opinion="同意")
    with time_machine.travel(at(2025, 11, 25, 20, 30), tick=False):  # B9 was due 18:00; 2 hours' grace
        assert engine.approvals_sweep() == {"flagged": 1, "escalated": 1}
        assert pending() == {"marketing_vp", "gm"}
        decide(r13.gm, doc, opinion="营销副总出差，我先签署意见：同意")
    assert pending() == {"gm"}
    assert request.steps.get(step=3).status == StepStatus.ACTIVE
    decide(r13.gm, doc, opinion="批准")
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_R13_a_disagreeing_review_still_goes_up_to_the_gm(r13, discount):
    # Before: the manager's "no" sent the request back to the rep; the GM never saw it.
    doc = discount()
    request = submit(r13.rep, doc)
    decide(r13.supervisor, doc)
    decide(r13.manager, doc, approve=False, opinion="低于区域底价，不同意")
    decide(r13.marketing_vp, doc, opinion="战略客户，同意")
    assert pending() == {"gm"}
    c9 = ApprovalTask.objects.get(request=request, approver=r13.manager)
    assert c9.status == TaskStatus.DISAGREED and c9.step.status == StepStatus.OPINED
    assert ApprovalTask.objects.get(request=request, approver=r13.marketing_vp).status == TaskStatus.AGREED
    decide(r13.gm, doc, opinion="批准，按战略客户处理")
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.APPROVED


def test_R13_an_opinion_is_written_whether_agreeing_or_not(r13, discount):
    doc = discount()
    submit(r13.rep, doc)
    decide(r13.supervisor, doc, opinion="")  # a gate's approval may go without words
    for approve in (True, False):
        with pytest.raises(ValidationFailed) as exc:
            decide(r13.manager, doc, approve=approve, opinion="  ")
        assert exc.value.code == "approval_opinion_required"
    assert pending() == {"manager", "marketing_vp"}


def test_R13_a9_answer_goes_down_to_the_supervisor_and_the_rep_with_the_terms(r13, discount):
    # Before: only the requester heard the answer.
    doc = discount(by=r13.supervisor, customer=r13.cust_rep, amount="200000", percent="8")
    submit(r13.supervisor, doc)
    decide(r13.manager, doc, opinion="同意")
    decide(r13.marketing_vp, doc, opinion="同意")
    decide(r13.gm, doc, opinion="批准")
    assert told("approval.approved") == {"supervisor", "rep"}
    body = Notification.objects.filter(kind="approval.approved", user=r13.rep).get().body
    assert "8" in body and "200000" in body.replace(",", "")


def test_R13_a_rep_request_is_answered_to_the_d8_supervisor_too(r13, discount):
    doc = discount()
    submit(r13.rep, doc)
    decide(r13.supervisor, doc)
    decide(r13.manager, doc, opinion="同意")
    decide(r13.marketing_vp, doc, opinion="同意")
    decide(r13.gm, doc, approve=False, opinion="本季度不再给予优惠")
    assert told("approval.rejected") == {"rep", "supervisor"}


def test_R13_shipped_chain_puts_no_deadline_on_d8_or_the_gm(r13, discount):
    # Before: every decision, the GM's included, was due the same day and escalated two hours later.
    doc = discount()
    with time_machine.travel(TUESDAY_10, tick=False):
        request = submit(r13.rep, doc)
        decide(r13.supervisor, doc)
        decide(r13.manager, doc, opinion="同意")
        decide(r13.marketing_vp, doc, opinion="同意")
    assert request.steps.get(step=1).due_at is None
    gm_task = ApprovalTask.objects.get(request=request, approver=r13.gm)
    assert gm_task.due_at is None
    with time_machine.travel(at(2025, 12, 5, 20), tick=False):
        assert engine.approvals_sweep() == {"flagged": 0, "escalated": 0}
    assert pending() == {"gm"}


@pytest.mark.parametrize("started, due", [
    (at(2025, 11, 25, 15, 59), at(2025, 11, 25, 18)),  # before the 16:00 cut-off: the same working day
    (at(2025, 11, 25, 17, 25), at(2025, 11, 26, 18)),  # after it: the next working day
    (at(2025, 11, 28, 17, 25), at(2025, 12, 1, 18)),   # Friday after the cut-off: Monday
])
def test_R13_same_day_reviews_have_a_cut_off(r13, discount, started, due):
    doc = discount()
    with time_machine.travel(started, tick=False):
        request = submit(r13.rep, doc)
        decide(r13.supervisor, doc)
    assert {s.due_at for s in request.steps.filter(step=2)} == {due}


def test_R13_the_cut_off_is_policy_data(r13, discount):
    shipped = policy_as_dict(r13_policy())
    policy_save(by=fresh(r13.admin), data={**shipped, "same_day_cutoff": "17:30"})
    doc = discount()
    with time_machine.travel(at(2025, 11, 25, 17, 25), tick=False):
        request = submit(r13.rep, doc)
        decide(r13.supervisor, doc)
    assert {s.due_at for s in request.steps.filter(step=2)} == {at(2025, 11, 25, 18)}


def r13_policy():
    from salesflow.approvals.models import ApprovalPolicy

    return ApprovalPolicy.objects.get(code="discount")


def test_R13_a_submission_no_stage_can_be_decided_in_is_refused_naming_the_stage(r13, discount):
    # Before: the request was accepted and stuck at A9.
    type(r13.gm).objects.filter(pk=r13.gm.pk).update(is_active=False)
    doc = discount()
    with pytest.raises(AppError) as exc:
        submit(r13.rep, doc)
    assert exc.value.code == "approval_no_approver" and "总经理批准 (A9)" in str(exc.value.message)
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.DRAFT and not ApprovalRequest.objects.exists()


def test_R13_an_admin_can_make_a_review_a_gate(r13, discount):
    data = policy_as_dict(r13_policy())
    data["stages"] = [{**s, "kind": "gate"} if s["step"] == 2 else s for s in data["stages"]]
    policy_save(by=fresh(r13.admin), data=data)
    doc = discount()
    request = submit(r13.rep, doc)
    decide(r13.supervisor, doc)
    decide(r13.manager, doc, approve=False, opinion="不同意")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED


def test_R13_policy_stage_kinds_are_validated(r13):
    data = policy_as_dict(r13_policy())
    data["stages"][1]["kind"] = "veto"
    with pytest.raises(ValidationFailed) as exc:
        policy_save(by=fresh(r13.admin), data=data)
    assert "stages" in exc.value.fields
    assert r13_policy().stages.filter(kind="opinion").count() == 2


def test_R13_the_gm_page_shows_both_opinions_side_by_side(r13, discount, client_for):
    doc = discount()
    submit(r13.rep, doc)
    decide(r13.supervisor, doc)
    decide(r13.manager, doc, approve=False, opinion="低于区域底价，不同意")
    decide(r13.marketing_vp, doc, opinion="战略客户，同意")
    html = client_for(r13.gm).get(reverse("deals:discount_detail", args=[doc.pk])).content.decode()
    block = html[html.index('data-testid="opinions"'):html.index('data-testid="my-task"')]
    assert block.count('data-testid="opinion"') == 2
    assert "低于区域底价，不同意" in block and "战略客户，同意" in block
    assert "Disagrees" in block and "Agrees" in block
    assert 'value="approve"' in html and "Approve" in html  # A9 is a gate


def test_R13_a_reviewer_is_asked_to_agree_or_disagree(r13, discount, client_for):
    doc = discount()
    submit(r13.rep, doc)
    decide(r13.supervisor, doc)
    html = client_for(r13.manager).get(reverse("deals:discount_detail", args=[doc.pk])).content.decode()
    form = html[html.index('data-testid="my-task"'):]
    assert "Agree" in form and "Disagree" in form and "required" in form


def test_R13_api_reports_the_stage_kind_and_the_decision_by_submission(r13, discount, client_for):
    doc = discount(by=r13.supervisor, customer=r13.cust_rep)
    submit(r13.supervisor, doc)
    api = client_for(r13.manager)
    rows = api.get("/api/v1/approvals").json()["items"]
    assert [(r["stage_kind"], r["by_submission"]) for r in rows] == [("opinion", False)]
    refused = api.post(f"/api/v1/approvals/{rows[0]['id']}/reject", {"opinion": ""}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "approval_opinion_required"
    done = api.post(f"/api/v1/approvals/{rows[0]['id']}/reject", {"opinion": "不同意"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "disagreed"
    assert pending() == {"marketing_vp"}
    history = client_for(r13.supervisor).get("/api/v1/approvals?box=history").json()["items"]
    assert [(r["stage"], r["by_submission"], r["status"]) for r in history] == [("销售主管决定 (D8)", True, "approved")]


def test_R13_flowchart_sends_rejections_back_only_from_the_gates(r13):
    from salesflow.approvals.flowchart import flowchart_svg

    svg = str(flowchart_svg(list(r13_policy().stages.order_by("step", "id"))))
    # D8 and A9 drop a rejection line; C9/B9 (opinions) do not; plus the one line back to the requester.
    assert svg.count('class="sf-fc-reject"') == 3


def test_R13_policy_page_shows_stage_kinds_deadlines_and_the_cut_off(r13, client_for):
    html = client_for(r13.rep).get(reverse("approvals:policy_detail", args=["discount"])).content.decode()
    kinds = [k.strip() for k in __import__("re").findall(r'data-testid="stage-kind">([^<]*)<', html)]
    assert kinds == ["Approve or reject", "Opinion (always forwarded)", "Opinion (always forwarded)",
                     "Approve or reject"]
    assert html.count("No deadline") == 2 and "started after 16:00" in html


def test_R13_an_approver_is_found_through_an_additional_role(r13, discount):
    from salesflow.org.models import UserRole

    UserRole.objects.create(user=r13.manager2, role="marketing_vp")  # 华北经理 is also a marketing VP
    doc = discount()
    request = submit(r13.rep, doc)
    decide(r13.supervisor, doc)
    b9 = request.steps.get(name="营销副总审核 (B9)")
    assert set(b9.tasks.values_list("approver__username", flat=True)) == {"marketing_vp", "manager2"}
    decide(r13.manager2, doc, opinion="同意（兼营销副总）")
    assert pending() == {"manager"}


def test_R13_a_person_with_two_roles_never_decides_their_own_request(r13, discount):
    from salesflow.org.models import UserRole

    UserRole.objects.create(user=r13.supervisor, role="rep")  # a supervisor who also sells
    UserRole.objects.create(user=r13.supervisor, role="gm")  # and, for this test, a general manager too
    own = discount(by=r13.supervisor, customer=r13.cust_rep)
    request = submit(r13.supervisor, own)
    decide(r13.manager, own, opinion="同意")
    decide(r13.marketing_vp, own, opinion="同意")
    # A9 is the GM's judgement of the request: holding the GM's role too, the requester is not asked; the other GM is.
    assert set(request.steps.get(step=3).tasks.values_list("approver__username", flat=True)) == {"gm"}
    mine = ApprovalTask.objects.filter(request=request, approver=r13.supervisor)
    assert list(mine.values_list("step__step", "by_submission")) == [(1, True)]  # only D8, by submitting
    type(r13.gm).objects.filter(pk=r13.gm.pk).update(is_active=False)
    other = discount(by=r13.supervisor, customer=r13.cust_rep, amount="5000")
    with pytest.raises(AppError) as exc:  # with no other GM, the request is refused, not self-approved
        submit(r13.supervisor, other)
    assert exc.value.code == "approval_no_approver"


def test_R13_the_gms_inbox_row_carries_both_opinions(r13, discount, client_for, django_assert_max_num_queries):
    doc = discount()
    submit(r13.rep, doc)
    decide(r13.supervisor, doc)
    decide(r13.manager, doc, approve=False, opinion="低于区域底价，不同意")
    decide(r13.marketing_vp, doc, opinion="战略客户，同意")
    client = client_for(r13.gm)
    html = client.get(reverse("approvals:inbox")).content.decode()
    row = html[html.index('data-testid="row-opinions"'):]
    assert "低于区域底价，不同意" in row[:2000] and "战略客户，同意" in row[:2000]
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("approvals:inbox"))
    for _n in range(5):
        more = discount()
        submit(r13.rep, more)
        decide(r13.supervisor, more)
        decide(r13.manager, more, opinion="同意")
        decide(r13.marketing_vp, more, opinion="同意")
    with django_assert_max_num_queries(50) as many:
        client.get(reverse("approvals:inbox"))
    assert len(many.captured_queries) == len(few.captured_queries)  # the opinions cost one query per page


def test_R13_the_request_form_describes_the_chain_as_the_seed_does(r13, client_for):
    from django.utils import translation

    client = client_for(r13.rep)
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get(reverse("deals:discount_create"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # Not "all on the same working day": only the reviews go up the same day (002 "审核后当日上报总经理").
    assert "当日上报" in html and "当个工作日" not in html
