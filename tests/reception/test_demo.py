"""The demo's reception records and prospects: three months of receptions, every prospect state, and the demo
customer-service supervisor sees the files handed to them (R15); a second run adds nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from salesflow.crm.models import Customer
from salesflow.org.models import User
from salesflow.reception import selectors
from salesflow.reception.models import Prospect, ProspectStatus, ReceptionRecord

pytestmark = pytest.mark.django_db


def test_demo_reception_and_prospects():
    from salesflow.demo import build_demo

    build_demo()
    records = ReceptionRecord.objects.count()
    assert records >= 60
    oldest = ReceptionRecord.objects.order_by("received_at").first().received_at
    assert timezone.now() - dt.timedelta(days=92) < oldest < timezone.now() - dt.timedelta(days=60)
    assert set(ReceptionRecord.objects.values_list("intent", flat=True)) == {"yes", "no", "undecided"}
    assert ReceptionRecord.objects.filter(opportunity__isnull=False).exists()
    # Every state but "deal done", which lasts only while nobody serves the customer: in the demo every won
    # customer has a customer-service supervisor (R15), so the file passes on at the win.
    assert set(Prospect.objects.values_list("status", flat=True)) == set(ProspectStatus.values) - {
        ProspectStatus.DEAL_DONE}
    service = User.objects.get(username="service")
    handed = Prospect.objects.filter(status=ProspectStatus.HANDED_OVER)
    assert handed.count() >= 2 and all(p.service_owner == service for p in handed)
    for p in handed:
        assert Customer.objects.visible_to(service).filter(pk=p.customer_id, service_owner=service).exists()
    assert selectors.prospect_list(user=service).filter(status=ProspectStatus.HANDED_OVER).count() == handed.count()
    # 002 D2.4/E4/D5 at every stage: confirmations by the offices' 营销主管 (a supervisor, or the regional manager
    # 北京销售处 named), never the marketing VP; files built and sent by the consultants, registered by supervisors.
    from salesflow.audit.models import AuditEvent
    from salesflow.reception.models import OfficeMarketingLead

    confirmers = set(AuditEvent.objects.filter(action="prospect.confirmed").values_list("actor__role", flat=True))
    assert confirmers == {"supervisor", "manager"}
    assert OfficeMarketingLead.objects.filter(user__username="manager2", office__name="北京销售处").exists()
    senders = set(AuditEvent.objects.filter(action="prospect.file_submitted").values_list("actor__role", flat=True))
    registrars = set(AuditEvent.objects.filter(action="prospect.customer_filed").values_list("actor__role", flat=True))
    assert senders == {"rep"} and registrars == {"supervisor"}
    waiting = Prospect.objects.filter(status=ProspectStatus.FILE_SUBMITTED)
    assert waiting.count() >= 2 and all(p.customer_submitted_note for p in waiting)
    assert Prospect.objects.filter(status=ProspectStatus.FILE_SUBMITTED, confirmed_at__isnull=True).exists()
    assert Prospect.objects.filter(status=ProspectStatus.REGISTERED, confirmed_at__isnull=False).exists()
    rep = User.objects.get(username="rep")
    assert selectors.reception_list(user=rep).count() >= 10
    build_demo()
    assert ReceptionRecord.objects.count() == records
