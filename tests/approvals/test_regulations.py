"""The shipped policies as data. Only R13 runs through the engine today; the policies for R2, R6, R8–R11 and R16
wait for their documents (the next issues), so their tests are named after the policy, not the rule: a rule's name
returns when its gate exists."""

import pytest

from salesflow.approvals.models import ApprovalPolicy
from salesflow.approvals.policies import policy_load_file
from salesflow.approvals.services import policy_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(db):
    policy_load_file(by=None, system=True)


def stages(code):
    return [(s.step, s.rule, s.role) for s in ApprovalPolicy.objects.get(code=code).stages.order_by("step", "id")]


def test_R13_discount_d8_gate_then_c9_b9_opinions_side_by_side_then_a9_gate(shipped):
    policy = ApprovalPolicy.objects.get(code="discount")
    assert [(s.step, s.rule, s.role, s.kind) for s in policy.stages.order_by("step", "id")] == [
        (1, "requester_supervisor", "", "gate"), (2, "region_manager", "", "opinion"),
        (2, "role", "marketing_vp", "opinion"), (3, "role", "gm", "gate")]


def test_R13_shipped_deadlines_are_the_seeds_only(shipped):
    # 002: "(时限为:审核后当日上报总经理)" — the reviews go up the same working day; D8 and A9 have no deadline.
    policy = ApprovalPolicy.objects.get(code="discount")
    assert [s.deadline_days for s in policy.stages.order_by("step", "id")] == [None, 0, 0, None]
    assert policy.same_day_cutoff.strftime("%H:%M") == "16:00"
    others = ApprovalPolicy.objects.exclude(code="discount")
    assert others.exists() and not any(s.deadline_days is not None for p in others for s in p.stages.all())


def test_policy_contract_application_manager_signs_then_gm_approves(shipped):
    assert stages("contract-application") == [(1, "region_manager", ""), (2, "role", "gm")]


def test_policy_major_quotes_go_to_the_leadership_and_others_to_the_manager(shipped):
    assert policy_for("deals.quotation", {"is_major": "true"}).code == "quote-major"
    assert stages("quote-major")[-1] == (2, "role", "gm")
    assert policy_for("deals.quotation", {"is_major": "false"}).code == "quote"
    assert stages("quote") == [(1, "region_manager", "")]


def test_policy_production_notice_signed_by_the_sales_vp(shipped):
    assert stages("production-notice") == [(1, "role", "sales_vp")]


def test_policy_delivery_note_and_dispatch_order_approved_by_the_sales_manager(shipped):
    assert stages("delivery-note") == [(1, "region_manager", "")]
    assert stages("dispatch-order") == [(1, "region_manager", "")]


def test_policy_invoice_approved_by_the_finance_vp(shipped):
    assert stages("invoice") == [(1, "role", "finance_vp")]


def test_policy_commission_finance_then_finance_vp_then_gm(shipped):
    assert stages("commission-payout") == [(1, "role", "accountant"), (2, "role", "finance_vp"), (3, "role", "gm")]
