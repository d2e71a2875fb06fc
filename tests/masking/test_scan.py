"""Issue #15 / #14: the site-wide masking scan.

A company with many customers, contacts (mobiles and landlines, edited so the history has phone changes), reception
records, prospects and leads (assigned and in the pool), all made through the services. Then, as users who may see
those numbers only masked — the sales assistant and a rep of the same team, the region's customer-service
supervisor, a rep of another region — crawl every page reachable by links from the home page and the main lists,
plus every list and detail API, the exports and the print views, and assert that no full number of a record the
user does not own appears anywhere.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.utils import timezone

from salesflow.crm import services as crm
from salesflow.leads import services as leads
from salesflow.org.roles import Role
from salesflow.reception import services as reception

from ..conftest import fresh
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
PAGE_CAP = 250
SKIP = ("/logout/", "/language/", "/django-admin/", "/revoke/", "/static/", "/claim/", "/release/")


def _mobile(n: int) -> str:
    return f"1371234{n:04d}"


@pytest.fixture
def company(org, people):
    """Numbers and who may read each in full: {number: {user ids}}."""
    allowed: dict[str, set[int]] = {}
    n = iter(range(1, 10_000))
    for owner in (org.rep, org.rep_b, org.rep3, org.rep2):
        for i in range(3):
            mobile, landline = _mobile(next(n)), f"021-6234{next(n):04d}"
            customer = crm.customer_create(by=fresh(owner), data={"name": f"扫描测试{owner.username}{i}号有限公司"},
                                           contacts=[{"name": "甲", "phone": mobile},
                                                     {"name": "乙", "phone": landline}],
                                           confirm_duplicates=True)
            contact = customer.contacts.get(phone=mobile)
            newer = _mobile(next(n))
            crm.contact_update(by=fresh(owner), customer=customer, contact_id=contact.pk, data={"phone": newer})
            allowed.update({mobile: {owner.pk}, landline: {owner.pk}, newer: {owner.pk}})
    for i in range(4):
        phone = _mobile(next(n))
        record = reception.reception_create(by=fresh(org.rep), data={
            "received_at": timezone.now(), "visitor_names": f"访客{i}", "company": f"扫描接待{i}号有限公司",
            "phone": phone, "intent": "yes"})
        newer = _mobile(next(n))
        reception.reception_update(by=fresh(org.rep), record_id=record.pk, data={"phone": newer})
        allowed.update({phone: {org.rep.pk}, newer: {org.rep.pk}})
        prospect_phone = _mobile(next(n))
        reception.prospect_register(by=fresh(org.supervisor), data={
            "name": f"扫描准客户{i}号有限公司", "phone": prospect_phone, "intent": "yes"},
            consultant=fresh(org.rep), reception_ids=[record.pk], confirm_duplicates=True)
        allowed[prospect_phone] = {org.rep.pk, org.supervisor.pk}
    for i in range(4):
        phone, pool_phone = _mobile(next(n)), _mobile(next(n))
        leads.lead_create(by=fresh(org.supervisor), data={"name": f"扫描线索{i}号有限公司", "channel": "exhibition",
                                                          "phone": phone}, owner=fresh(org.rep),
                          confirm_duplicates=True)
        leads.lead_create(by=fresh(org.supervisor), data={"name": f"扫描公海线索{i}号有限公司",
                                                          "channel": "exhibition", "phone": pool_phone}, owner=None,
                          confirm_duplicates=True)
        allowed.update({phone: {org.rep.pk}, pool_phone: set()})
    return allowed


def _seeds(ids) -> list[str]:
    urls = ["/", "/customers/", "/customers/export/", "/leads/", "/leads/pool/", "/leads/customer-pool/",
            "/reception/", "/reception/prospects/", "/reception/export/", "/reception/print/", "/audit/",
            "/api/v1/customers?page_size=100", "/api/v1/leads?page_size=100", "/api/v1/leads?pool=true",
            "/api/v1/customer-pool", "/api/v1/reception-records?page_size=100", "/api/v1/prospects?page_size=100",
            "/api/v1/audit-events"]
    for kind, pks in ids.items():
        for pk in pks:
            urls += {"customer": [f"/customers/{pk}/", f"/api/v1/customers/{pk}", f"/customers/{pk}/edit/"],
                     "lead": [f"/leads/{pk}/", f"/api/v1/leads/{pk}"],
                     "record": [f"/reception/{pk}/", f"/reception/{pk}/edit/", f"/reception/{pk}/print/",
                                f"/api/v1/reception-records/{pk}"],
                     "prospect": [f"/reception/prospects/{pk}/", f"/api/v1/prospects/{pk}"]}[kind]
    return urls


def _crawl(client, seeds: list[str]) -> dict[str, str]:
    seen, bodies, queue = set(seeds), {}, deque(seeds)
    while queue and len(bodies) < PAGE_CAP:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        content = response.content
        if response["Content-Type"].startswith(("text/", "application/json")):
            body = content.decode("utf-8", "replace")
        else:  # an export workbook: its cells are in the zip's XML parts
            import io
            import zipfile

            try:
                with zipfile.ZipFile(io.BytesIO(content)) as z:
                    body = " ".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
            except zipfile.BadZipFile:
                body = content.decode("utf-8", "replace")
        bodies[url] = body
        for link in re.findall(r'href="(/[^"#]*)"', body):
            link = link.replace("&amp;", "&")
            if link not in seen and not any(s in link for s in SKIP):
                seen.add(link)
                queue.append(link)
    return bodies


def test_no_masked_user_reads_a_full_number_they_do_not_own(org, people, company, client_for):
    from salesflow.crm.models import Customer
    from salesflow.leads.models import Lead
    from salesflow.reception.models import Prospect, ReceptionRecord

    assistant = UserFactory(username="assistant", name="吴助理", role=Role.ASSISTANT, unit=org.east_team,
                            manager=org.supervisor)
    ids = {"customer": Customer.objects.values_list("pk", flat=True), "lead": Lead.objects.values_list("pk", flat=True),
           "record": ReceptionRecord.objects.values_list("pk", flat=True),
           "prospect": Prospect.objects.values_list("pk", flat=True)}
    seeds = _seeds(ids)
    digits = {number: re.sub(r"\D", "", number) for number in company}
    leaks, crawled = [], 0
    for user in (assistant, people.service, org.rep_b, org.rep2):
        bodies = _crawl(client_for(fresh(user)), seeds)
        crawled += len(bodies)
        for url, body in bodies.items():
            flat = body.replace("-", "")
            for number, allowed in company.items():
                if user.pk not in allowed and (number in body or digits[number] in flat):
                    leaks.append((user.username, url, number))
            for mobile in MOBILE.findall(body):
                if mobile in company and user.pk not in company[mobile]:
                    leaks.append((user.username, url, mobile))
    assert crawled > 100, crawled  # the scan really walked the site
    assert not leaks, sorted(set(leaks))[:30]
