"""The shipped policies enforce the regulations they are named after (domain.md §3)."""

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


def test_R13_discount_supervisor_then_manager_and_marketing_vp_then_gm_same_day(shipped):
    assert stages("discount") == [(1, "requester_supervisor", ""), (2, "region_manager", ""),
                                  (2, "role", "marketing_vp"), (3, "role", "gm")]
    assert {s.deadline_days for s in ApprovalPolicy.objects.get(code="discount").stages.all()} == {0}


def test_R2_contract_application_manager_signs_then_gm_approves(shipped):
    assert stages("contract-application") == [(1, "region_manager", ""), (2, "role", "gm")]


def test_R16_major_quotes_go_to_the_leadership_and_others_to_the_manager(shipped):
    assert policy_for("deals.quotation", {"is_major": "true"}).code == "quote-major"
    assert stages("quote-major")[-1] == (2, "role", "gm")
    assert policy_for("deals.quotation", {"is_major": "false"}).code == "quote"
    assert stages("quote") == [(1, "region_manager", "")]


def test_R6_production_notice_signed_by_the_sales_vp(shipped):
    assert stages("production-notice") == [(1, "role", "sales_vp")]


def test_R8_and_R10_delivery_note_and_dispatch_order_approved_by_the_sales_manager(shipped):
    assert stages("delivery-note") == [(1, "region_manager", "")]
    assert stages("dispatch-order") == [(1, "region_manager", "")]


def test_R11_invoice_approved_by_the_finance_vp(shipped):
    assert stages("invoice") == [(1, "role", "finance_vp")]


def test_R9_commission_finance_then_finance_vp_then_gm(shipped):
    assert stages("commission-payout") == [(1, "role", "accountant"), (2, "role", "finance_vp"), (3, "role", "gm")]
