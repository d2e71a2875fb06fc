"""People with more than one role (issue #13): capabilities and data scope are the union of every role held, the
approval engine finds approvers through any role (``users_holding``), and only the administrator changes the roles
(service, pages, API), validated, audited, all or nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import PermissionRefused, ValidationFailed
from salesflow.org import services
from salesflow.org.models import User, UserRole
from salesflow.org.roles import Role, has_capability, widest_scope
from salesflow.org.scope import data_scope, is_above
from salesflow.org.selectors import users_holding

from ..conftest import fresh
from ..factories import PASSWORD, UserFactory


def give(org, user, *roles):
    """The roles given the way an administrator gives them; returns the user as a new request loads it."""
    services.user_update(by=org.admin, user=user, additional_roles=list(roles))
    return fresh(user)


# --- the model: roles, holds -----------------------------------------------------------------------------

def test_roles_are_the_primary_role_and_the_additional_ones(org):
    supervisor = give(org, org.supervisor, Role.REP)
    assert supervisor.role == Role.SUPERVISOR  # the primary role stays: it names them and is the default
    assert supervisor.roles == {Role.SUPERVISOR, Role.REP}
    assert supervisor.additional_roles == {Role.REP}
    assert supervisor.role_list == [Role.SUPERVISOR, Role.REP]
    assert supervisor.holds(Role.REP) and supervisor.holds(Role.SUPERVISOR) and not supervisor.holds(Role.MANAGER)
    assert supervisor.holds_any({Role.MANAGER, Role.REP})
    assert fresh(org.rep).roles == {Role.REP}


def test_roles_are_read_once_per_instance(org, django_assert_num_queries):
    give(org, org.supervisor, Role.REP)
    supervisor = fresh(org.supervisor)
    with django_assert_num_queries(0):
        assert supervisor.holds(Role.SUPERVISOR)  # the primary role answers without a query
    with django_assert_num_queries(1):
        assert supervisor.holds(Role.REP)
        assert supervisor.roles == {Role.SUPERVISOR, Role.REP}
        assert has_capability(supervisor, "visit.plan") and not has_capability(supervisor, "org.manage")


# --- capabilities and data scope: the union --------------------------------------------------------------

def test_capabilities_are_the_union_of_every_role(org):
    planner = fresh(org.planner)
    assert not has_capability(planner, "customer.view")
    planner = give(org, org.planner, Role.ACCOUNTANT)
    assert has_capability(planner, "customer.view")  # the accountant's
    assert not has_capability(planner, "customer.edit")  # neither role's
    rep = give(org, org.rep, Role.SUPERVISOR)
    assert has_capability(rep, "customer.reassign") and has_capability(rep, "prospect.register")  # supervisor's
    assert has_capability(rep, "customer.claim")  # both
    assert not has_capability(rep, "org.manage")


def test_an_inactive_person_has_no_capability_whatever_their_roles(org):
    rep = give(org, org.rep, Role.DIRECTOR)
    User.objects.filter(pk=rep.pk).update(is_active=False)
    assert not has_capability(fresh(rep), "customer.view")


@pytest.mark.parametrize("roles, widest", [
    ([Role.REP], "own"),
    ([Role.REP, Role.SUPERVISOR], "unit"),
    ([Role.PLANNER, Role.REP], "own"),
    ([Role.SUPERVISOR, Role.ACCOUNTANT], "all"),
    ([Role.PLANNER, Role.CASHIER], "none"),
    ([], "none"),
])
def test_widest_scope_ranks_all_over_unit_over_own_over_none(roles, widest):
    assert widest_scope(roles) == widest


def test_a_supervisor_who_also_sells_sees_their_unit(org):
    supervisor = give(org, org.supervisor, Role.REP)
    scope = data_scope(supervisor)
    assert scope.kind == "unit" and org.east_team.pk in scope.unit_ids


def test_a_rep_who_also_supervises_sees_the_unit_not_only_their_own(org):
    from salesflow.crm.models import Customer

    rep = give(org, org.rep, Role.SUPERVISOR)
    assert data_scope(rep).kind == "unit"
    visible = set(Customer.objects.visible_to(rep).values_list("pk", flat=True))
    assert {org.cust_rep.pk, org.cust_rep_b.pk} <= visible  # their own and their teammate's
    assert org.cust_rep2.pk not in visible  # not the other region's
    assert set(Customer.objects.visible_to(fresh(org.rep_b)).values_list("pk", flat=True)) == {org.cust_rep_b.pk}


def test_leadership_and_unit_heads_are_recognised_through_any_role(org):
    rep = fresh(org.rep)
    assert not is_above(rep, owner_id=org.rep_b.pk, unit_id=org.east_team.pk)
    rep = give(org, org.rep, Role.SUPERVISOR)
    assert is_above(rep, owner_id=org.rep_b.pk, unit_id=org.east_team.pk)
    assert not is_above(rep, owner_id=org.rep2.pk, unit_id=org.north_team.pk)
    planner = give(org, org.planner, Role.DIRECTOR)
    assert is_above(planner, owner_id=org.rep2.pk, unit_id=org.north_team.pk)


def test_the_service_supervisor_reach_follows_an_additional_role(org):
    from salesflow.crm.models import Customer

    org.cust_rep2.service_owner = org.rep
    org.cust_rep2.save(update_fields=["service_owner"])
    assert org.cust_rep2.pk not in set(Customer.objects.visible_to(fresh(org.rep)).values_list("pk", flat=True))
    rep = give(org, org.rep, Role.SERVICE)
    assert org.cust_rep2.pk in set(Customer.objects.visible_to(rep).values_list("pk", flat=True))


# --- users_holding: primary or additional, active ---------------------------------------------------------

def test_users_holding_finds_an_additional_role(org):
    give(org, org.rep, Role.SUPERVISOR)
    supervisors = list(users_holding(Role.SUPERVISOR).order_by("pk"))
    assert org.rep in supervisors and org.supervisor in supervisors
    assert org.rep in users_holding(Role.REP)


def test_a_person_with_two_roles_is_resolved_through_either_and_only_once(org):
    accountant = give(org, org.finance, Role.CASHIER)
    assert list(users_holding(Role.CASHIER)) == [accountant]
    assert list(users_holding(Role.ACCOUNTANT)) == [accountant]
    assert list(users_holding(Role.ACCOUNTANT, Role.CASHIER)) == [accountant]  # no duplicate row
    assert users_holding(Role.REP, Role.CASHIER).filter(pk=accountant.pk).count() == 1


def test_users_holding_leaves_out_the_inactive(org):
    give(org, org.rep3, Role.MANAGER)
    services.user_deactivate(by=org.admin, user=org.rep3, reassign_to=org.manager)
    assert org.rep3 not in users_holding(Role.MANAGER)
    assert set(users_holding(Role.MANAGER)) == {org.manager, org.manager2}


# --- the service: admin only, validated, audited, all or nothing ------------------------------------------

def test_create_with_additional_roles_is_audited(org):
    user = services.user_create(by=org.admin, username="zhangsan", password=PASSWORD, role=Role.ACCOUNTANT,
                                unit=org.hq, additional_roles=[Role.CASHIER])
    assert fresh(user).roles == {Role.ACCOUNTANT, Role.CASHIER}
    event = AuditEvent.objects.get(action="user.created", object_id=str(user.pk))
    assert event.after["role"] == Role.ACCOUNTANT and event.after["additional_roles"] == [Role.CASHIER]


def test_update_replaces_the_additional_roles_and_audits_before_and_after(org):
    give(org, org.rep_b, Role.SALES_SECTION)
    services.user_update(by=org.admin, user=org.rep_b, additional_roles=[Role.SUPERVISOR, Role.SALES_SECTION])
    assert fresh(org.rep_b).additional_roles == {Role.SUPERVISOR, Role.SALES_SECTION}
    services.user_update(by=org.admin, user=org.rep_b, additional_roles=[])
    assert fresh(org.rep_b).roles == {Role.REP}
    assert not UserRole.objects.filter(user=org.rep_b).exists()
    events = list(AuditEvent.objects.filter(action="user.updated", object_id=str(org.rep_b.pk)).order_by("pk"))
    assert [(e.before["additional_roles"], e.after["additional_roles"]) for e in events] == [
        ([], ["sales_section"]),
        (["sales_section"], ["sales_section", "supervisor"]),
        (["sales_section", "supervisor"], []),
    ]


def test_other_changes_keep_the_additional_roles(org):
    give(org, org.supervisor, Role.REP)
    services.user_update(by=org.admin, user=org.supervisor, name="钱伟")
    assert fresh(org.supervisor).roles == {Role.SUPERVISOR, Role.REP}


def test_the_primary_role_is_never_also_an_additional_one(org):
    supervisor = give(org, org.supervisor, Role.SUPERVISOR, Role.REP, Role.REP)
    assert list(UserRole.objects.filter(user=supervisor).values_list("role", flat=True)) == [Role.REP]
    # Making an additional role the primary one drops it from the others; the old primary is simply replaced.
    services.user_update(by=org.admin, user=org.supervisor, role=Role.REP)
    rep = fresh(org.supervisor)
    assert rep.role == Role.REP and rep.roles == {Role.REP}
    assert not UserRole.objects.filter(user=rep).exists()


def test_administrator_as_an_additional_role_opens_the_admin_site(org):
    director = give(org, org.director, Role.ADMIN)
    assert director.is_staff and director.is_superuser and has_capability(director, "org.manage")
    director = give(org, org.director)
    assert not director.is_staff and not director.is_superuser


@pytest.mark.parametrize("who", ["manager", "supervisor", "rep", "gm"])
def test_only_the_administrator_changes_roles(org, who):
    with pytest.raises(PermissionRefused):
        services.user_update(by=fresh(getattr(org, who)), user=org.rep, additional_roles=[Role.SUPERVISOR])
    assert not UserRole.objects.exists()


def test_a_manager_with_an_additional_role_is_still_no_administrator(org):
    manager = give(org, org.manager, Role.SERVICE)
    with pytest.raises(PermissionRefused):
        services.user_update(by=manager, user=org.rep, additional_roles=[Role.SUPERVISOR])


@pytest.mark.parametrize("bad", [["no_such_role"], [Role.REP, "chief"], "supervisor", [1]])
def test_bad_roles_leave_nothing_changed(org, bad):
    give(org, org.rep, Role.SERVICE)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.user_update(by=org.admin, user=org.rep, name="改名", additional_roles=bad)
    assert exc.value.code == "user_bad_roles" and "additional_roles" in exc.value.fields
    rep = fresh(org.rep)
    assert rep.name == org.rep.name and rep.roles == {Role.REP, Role.SERVICE}
    assert AuditEvent.objects.count() == before


def test_a_bad_role_on_create_creates_nobody(org):
    with pytest.raises(ValidationFailed):
        services.user_create(by=org.admin, username="lisi", password=PASSWORD, role=Role.REP,
                             additional_roles=["cashier", "teller"])
    assert not User.objects.filter(username="lisi").exists() and not UserRole.objects.exists()


def test_the_database_refuses_a_role_twice(org):
    from django.db import IntegrityError, transaction

    UserRole.objects.create(user=org.rep, role=Role.SERVICE)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserRole.objects.create(user=org.rep, role=Role.SERVICE)


# --- the API -----------------------------------------------------------------------------------------------

def _api(client, method, path, body=None):
    return getattr(client, method)(path, json.dumps(body or {}), content_type="application/json")


def test_api_creates_reads_and_replaces_additional_roles(org, client_for):
    admin = client_for(org.admin)
    resp = _api(admin, "post", "/api/v1/users", {"username": "wangwu", "password": PASSWORD, "role": "assistant",
                                                  "unit_id": org.east_team.pk, "additional_roles": ["sales_section"]})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["role"] == "assistant" and body["additional_roles"] == ["sales_section"]
    assert body["roles"] == ["assistant", "sales_section"]
    resp = _api(admin, "patch", f"/api/v1/users/{body['id']}", {"additional_roles": ["rep", "sales_section"]})
    assert resp.status_code == 200 and resp.json()["roles"] == ["assistant", "rep", "sales_section"]
    got = admin.get(f"/api/v1/users/{body['id']}").json()
    assert got["additional_roles"] == ["rep", "sales_section"]
    listed = admin.get("/api/v1/users", {"role": "sales_section"}).json()["items"]
    assert [u["username"] for u in listed] == ["wangwu"]  # the role filter finds additional roles too
    assert _api(admin, "patch", f"/api/v1/users/{body['id']}", {"name": "王五"}).json()["additional_roles"] == [
        "rep", "sales_section"]


def test_api_me_names_every_role(org, client_for):
    give(org, org.supervisor, Role.REP)
    me = client_for(org.supervisor).get("/api/v1/me").json()
    assert me["role"] == "supervisor" and me["roles"] == ["supervisor", "rep"]


@pytest.mark.parametrize("who", ["manager", "supervisor", "rep", "director"])
def test_api_refuses_non_administrators(org, client_for, who):
    client = client_for(getattr(org, who))
    resp = _api(client, "patch", f"/api/v1/users/{org.rep.pk}", {"additional_roles": ["supervisor"]})
    assert resp.status_code == 403
    resp = _api(client, "post", "/api/v1/users", {"username": "x1", "password": PASSWORD, "role": "rep",
                                                   "additional_roles": ["admin"]})
    assert resp.status_code == 403
    assert not UserRole.objects.exists() and not User.objects.filter(username="x1").exists()


@pytest.mark.parametrize("body", [
    {"name": "改名", "additional_roles": ["teller"]},
    {"name": "改名", "additional_roles": "supervisor"},
    {"name": "改名", "additional_roles": [{"role": "supervisor"}]},
])
def test_api_bad_roles_leave_nothing_changed(org, client_for, body):
    give(org, org.rep, Role.SERVICE)
    resp = _api(client_for(org.admin), "patch", f"/api/v1/users/{org.rep.pk}", body)
    assert 400 <= resp.status_code < 500
    assert resp.json()["code"]
    rep = fresh(org.rep)
    assert rep.name == org.rep.name and rep.roles == {Role.REP, Role.SERVICE}


def test_api_error_is_translated(org, client_for, settings):
    client = client_for(org.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    resp = _api(client, "patch", f"/api/v1/users/{org.rep.pk}", {"additional_roles": ["teller"]})
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "user_bad_roles"
    assert "teller" in body["fields"]["additional_roles"][0]
    assert "未知角色" in body["fields"]["additional_roles"][0]


def test_api_user_list_costs_the_same_for_many_multi_role_people(org, client_for, django_assert_max_num_queries):
    admin = client_for(org.admin)
    admin.get("/api/v1/users")
    with django_assert_max_num_queries(20) as few:
        assert admin.get("/api/v1/users").status_code == 200
    for i in range(8):
        user = UserFactory(username=f"multi{i}", unit=org.east_team)
        give(org, user, Role.SUPERVISOR, Role.SERVICE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        items = admin.get("/api/v1/users").json()["items"]
    assert [u["roles"] for u in items if u["username"] == "multi0"] == [["rep", "supervisor", "service"]]


# --- the pages -----------------------------------------------------------------------------------------------

def _form(user, **changes):
    data = {"username": user.username, "name": user.name, "email": user.email, "phone": user.phone,
            "role": user.role, "unit": user.unit_id or "", "manager": user.manager_id or "", "password": ""}
    data.update(changes)
    return data


def test_page_sets_the_additional_roles(org, client_for):
    client = client_for(org.admin)
    page = client.get(reverse("org:user_edit", args=[org.supervisor.pk])).content.decode()
    assert 'data-testid="additional-roles"' in page and 'value="rep"' in page
    resp = client.post(reverse("org:user_edit", args=[org.supervisor.pk]),
                       _form(org.supervisor, additional_roles=["rep"]))
    assert resp.status_code == 302
    assert fresh(org.supervisor).roles == {Role.SUPERVISOR, Role.REP}
    page = client.get(reverse("org:user_edit", args=[org.supervisor.pk])).content.decode()
    assert re.search(r'<input type="checkbox" name="additional_roles" value="rep"[^>]* checked', page)
    listing = client.get(reverse("org:user_list")).content.decode()
    assert "Sales supervisor" in listing and "Sales rep</span>" in listing


def test_page_creates_a_person_with_two_roles(org, client_for):
    client = client_for(org.admin)
    resp = client.post(reverse("org:user_create"), {
        "username": "zhaoliu", "name": "赵六", "password": PASSWORD, "role": "accountant", "unit": org.hq.pk,
        "additional_roles": ["cashier"]})
    assert resp.status_code == 302
    assert User.objects.get(username="zhaoliu").roles == {Role.ACCOUNTANT, Role.CASHIER}


def test_page_bad_role_or_refused_password_writes_nothing(org, client_for):
    give(org, org.rep, Role.SERVICE)
    client = client_for(org.admin)
    resp = client.post(reverse("org:user_edit", args=[org.rep.pk]), _form(org.rep, additional_roles=["teller"]))
    assert resp.status_code == 200 and "teller" in resp.content.decode()
    # A valid role change with a password the validators refuse: neither is saved (one transaction).
    resp = client.post(reverse("org:user_edit", args=[org.rep.pk]),
                       _form(org.rep, name="改名", additional_roles=["supervisor"], password="123"))
    assert resp.status_code == 200
    rep = fresh(org.rep)
    assert rep.name == org.rep.name and rep.roles == {Role.REP, Role.SERVICE}


@pytest.mark.parametrize("who", ["manager", "supervisor", "rep"])
def test_pages_refuse_non_administrators(org, client_for, who):
    client = client_for(getattr(org, who))
    resp = client.post(reverse("org:user_edit", args=[org.rep.pk]), _form(org.rep, additional_roles=["supervisor"]))
    assert resp.status_code == 403
    assert client.get(reverse("org:user_list")).status_code == 403
    assert not UserRole.objects.exists()


def test_user_list_page_costs_the_same_for_many_multi_role_people(org, client_for, django_assert_max_num_queries):
    client = client_for(org.admin)
    client.get(reverse("org:user_list"))
    with django_assert_max_num_queries(25) as few:
        assert client.get(reverse("org:user_list")).status_code == 200
    for i in range(8):
        user = UserFactory(username=f"multi{i}", unit=org.east_team)
        give(org, user, Role.SUPERVISOR, Role.SERVICE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("org:user_list")).content.decode()
    assert page.count("Customer-service supervisor</span>") == 8


def test_home_page_names_every_role(org, client_for):
    give(org, org.supervisor, Role.REP)
    page = client_for(org.supervisor).get(reverse("home")).content.decode()
    assert "Sales supervisor · Sales rep" in page


# --- the demo ------------------------------------------------------------------------------------------------

def test_demo_has_people_with_more_than_one_role(db):
    from salesflow.demo.context import DemoContext
    from salesflow.org.demo import build_org, build_users

    ctx = DemoContext()
    build_org(ctx)
    build_users(ctx)
    people = {u.username: u for u in User.objects.filter(username__in=["supervisor", "accountant", "assistant"])}
    assert people["supervisor"].role == Role.SUPERVISOR and people["supervisor"].roles == {Role.SUPERVISOR, Role.REP}
    assert people["accountant"].roles == {Role.ACCOUNTANT, Role.CASHIER}
    assert people["assistant"].roles == {Role.ASSISTANT, Role.SALES_SECTION}
    assert people["supervisor"] in users_holding(Role.REP)
    # Run again (and on a demo loaded before the roles existed): nothing doubles, missing roles are added.
    UserRole.objects.filter(user=people["accountant"]).delete()
    again = DemoContext()
    build_org(again)
    build_users(again)
    assert again.created == {"additional roles": 1}
    assert fresh(people["accountant"]).roles == {Role.ACCOUNTANT, Role.CASHIER}
    assert UserRole.objects.count() == 3


def test_reception_rep_filter_reads_the_roles_with_the_list(org, client_for, django_assert_max_num_queries):
    client = client_for(org.director)
    client.get(reverse("reception:record_list"))
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse("reception:record_list")).status_code == 200
    for i in range(6):  # people whose main role does not receive customers: their other roles are read too
        give(org, UserFactory(username=f"qc{i}", name=f"质检兼销售{i}", role=Role.QC, unit=org.east_team), Role.REP)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("reception:record_list")).content.decode()
    assert all(f"质检兼销售{i}" in page for i in range(6))  # they receive customers through their other role
