"""Issue #15 (High): the reception edit form pre-filled the visitor's full phone for a supervisor who may only see
it masked, and saving round-tripped it. Forms of records the user does not own show the masked value and keep the
stored one unless a new number is typed (``core.forms.show_masked``)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.reception.models import ReceptionRecord

pytestmark = pytest.mark.django_db

MOBILE = "13712340001"


def _post(record, **changes):
    data = {"received_at": timezone.localtime(record.received_at).strftime("%Y-%m-%dT%H:%M"),
            "channel": record.channel, "visitor_names": record.visitor_names, "visitor_count": record.visitor_count,
            "company": record.company, "phone": "137****0001", "questions": record.questions,
            "explained": record.explained, "intent": record.intent, "next_step": "", "next_step_on": "",
            "customer_id": "", "opportunity_id": "", "prospect_id": ""}
    return data | changes


def test_the_supervisor_edits_the_record_with_the_number_masked_and_it_is_kept(org, make_record, client_for):
    record = make_record(phone=MOBILE)
    supervisor = client_for(org.supervisor)
    url = reverse("reception:record_edit", args=[record.pk])
    page = supervisor.get(url).content.decode()
    assert MOBILE not in page and 'value="137****0001"' in page

    response = supervisor.post(url, _post(record, visitor_count="3"))
    assert response.status_code == 302, response.content.decode()[:2000]
    record = ReceptionRecord.objects.get(pk=record.pk)
    assert (record.phone, record.visitor_count) == (MOBILE, 3)

    half_typed = supervisor.post(url, _post(record, phone="137****0002"))
    assert half_typed.status_code == 200 and MOBILE not in half_typed.content.decode()
    assert ReceptionRecord.objects.get(pk=record.pk).phone == MOBILE

    assert supervisor.post(url, _post(record, phone="13899990002")).status_code == 302
    assert ReceptionRecord.objects.get(pk=record.pk).phone == "13899990002"


def test_the_consultant_still_edits_the_full_number(org, make_record, client_for):
    record = make_record(phone=MOBILE)
    rep = client_for(org.rep)
    url = reverse("reception:record_edit", args=[record.pk])
    assert f'value="{MOBILE}"' in rep.get(url).content.decode()
    assert rep.post(url, _post(record, phone="13811112222")).status_code == 302
    assert ReceptionRecord.objects.get(pk=record.pk).phone == "13811112222"
