"""A lead's guards (Lead.permits): ``lead.can(action, by=user)`` answers exactly what the services do, and the lead's
page and API offer only what the caller may do — an assistant, an accountant or a rep of another team is not shown
buttons the services would refuse; the owner, the supervisor and the manager still are."""

from __future__ import annotations

import pytest
from django.db import transaction

from salesflow.core.errors import AppError, PermissionRefused
from salesflow.leads import services
from salesflow.leads.models import LEAD_ACTIONS, Lead, LeadStatus
from salesflow.org.roles import Role
from salesflow.visits.services import visit_log_create

from ..conftest import fresh
from ..factories import UserFactory

# The answers that mean "you may not do this to this lead (now)"; any other error is about the input or a count
# (a target out of scope, the claim cap), asked only once the action itself is allowed.
REFUSALS = {"permission_denied", "invalid_transition", "not_found", "lead_not_in_pool", "lead_already_claimed",
            "lead_not_qualified"}
CALLERS = ["rep", "rep_b", "rep3", "rep2", "assistant", "supervisor", "manager", "manager2", "director", "finance",
           "planner"]


class _Undo(Exception):
    pass


def _attempt(call) -> AppError | None:
    """Run a service in a savepoint that is always rolled back: None when it succeeded, else its error."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return None
    except AppError as exc:
        return exc


def _refused(action: str, error: AppError | None) -> bool:
    if error is None:
        return False
    if action == "log_visit" and error.code == "validation_error":
        return "lead" in error.fields  # the lead chosen is in the pool or converted
    return error.code in REFUSALS


SERVICES = {
    "claim": lambda by, lead, org: services.lead_claim(by=by, lead=lead),
    "contact": lambda by, lead, org: services.lead_mark_contacted(by=by, lead=lead),
    "screen": lambda by, lead, org: services.lead_screen(by=by, lead=lead, need="high", purchasing_power="high",
                                                         credit="high"),
    "assign": lambda by, lead, org: services.lead_assign(by=by, lead=lead, owner=fresh(org.rep_b)),
    "convert": lambda by, lead, org: services.lead_convert(by=by, lead=lead, confirm_duplicates=True),
    "release": lambda by, lead, org: services.lead_release(by=by, lead=lead),
    "log_visit": lambda by, lead, org: visit_log_create(by=by, data={"lead_id": lead.pk, "outcome": "谈了需求"}),
}


@pytest.fixture
def assistant(org):
    return UserFactory(username="assistant", name="一组助理", role=Role.ASSISTANT, unit=org.east_team,
                       manager=org.supervisor)


def _unowned(lead):
    """A qualified lead waiting in the pool (rows from before issue #15, when a pool lead could be screened)."""
    Lead.objects.filter(pk=lead.pk).update(owner=None)
    lead.refresh_from_db()
    return lead


@pytest.fixture
def leads(org, make_lead, assistant):
    """One lead in each situation a page can show: rep's leads through their life, pool leads, a converted one."""
    def screened(lead, level, by=org.rep):
        return services.lead_screen(by=fresh(by), lead=lead, need=level, purchasing_power=level, credit=level)

    contacted = services.lead_mark_contacted(by=fresh(org.rep), lead=make_lead(name="已联系线索有限公司"))
    converted = screened(make_lead(name="已转化线索有限公司"), "high")
    converted = services.lead_convert(by=fresh(org.rep), lead=converted, confirm_duplicates=True)
    built = {
        "assigned": make_lead(name="新分配线索有限公司"),
        "contacted": contacted,
        "qualified": screened(make_lead(name="合格线索有限公司"), "high"),
        "parked": screened(make_lead(name="搁置线索有限公司"), "low"),
        "converted": converted,
        "team_pool": make_lead(by=org.supervisor, owner=None, name="一组公海线索有限公司"),
        "pool_qualified": _unowned(screened(make_lead(by=org.supervisor, name="公海合格线索有限公司"), "high",
                                            by=org.supervisor)),
        "region_pool": make_lead(by=org.manager, owner=None, name="大区公海线索有限公司"),
    }
    S = LeadStatus
    assert {name: (lead.status, lead.owner_id is None) for name, lead in built.items()} == {
        "assigned": (S.ASSIGNED, False), "contacted": (S.CONTACTED, False), "qualified": (S.QUALIFIED, False),
        "parked": (S.PARKED, False), "converted": (S.CONVERTED, False), "team_pool": (S.NEW, True),
        "pool_qualified": (S.QUALIFIED, True), "region_pool": (S.NEW, True)}
    return built


def _caller(org, assistant, name):
    return fresh(assistant if name == "assistant" else getattr(org, name))


@pytest.mark.parametrize("action", LEAD_ACTIONS)
def test_can_answers_what_the_service_does(org, assistant, leads, action):
    """For every caller, every situation of a lead and every action: the page's question and the service agree."""
    assert set(SERVICES) == set(LEAD_ACTIONS)
    disagree = []
    for situation, lead in leads.items():
        for name in CALLERS:
            user = _caller(org, assistant, name)
            error = _attempt(lambda user=user, lead=lead: SERVICES[action](user, lead, org))
            seen = Lead.objects.visible_to(user).filter(pk=lead.pk).first()
            if seen is None:  # the page answers 404: there is nothing to ask
                if not _refused(action, error):
                    disagree.append((situation, name, "service accepts a lead the caller cannot see"))
                continue
            if seen.can(action, by=user) == _refused(action, error):
                disagree.append((situation, name, f"can={seen.can(action, by=user)}, service: {error and error.code}"))
    assert disagree == []


def test_a_refused_worker_gets_the_same_answer_as_before(org, assistant, leads):
    """Working somebody's lead is for them and those above them: the refusal keeps its code and message."""
    for call in (SERVICES["screen"], SERVICES["contact"], SERVICES["release"]):
        with pytest.raises(PermissionRefused) as refused:
            call(fresh(assistant), leads["assigned"], org)
        assert refused.value.code == "permission_denied"
        assert str(refused.value.message) == "Only the lead's owner and those above them may work this lead."
    with pytest.raises(PermissionRefused) as refused:
        SERVICES["convert"](fresh(assistant), leads["qualified"], org)
    assert str(refused.value.message) == "Only the lead's owner and those above them may work this lead."


# --- the lead's page ------------------------------------------------------------------------------------

BUTTONS = {
    "claim": 'data-testid="claim"', "contact": 'data-testid="contacted"', "screen": 'data-testid="screen-form"',
    "assign": 'data-testid="assign-form"', "convert": 'data-testid="convert-form"',
    "release": 'data-testid="release"', "log_visit": 'data-testid="log-visit"',
}


def _buttons(client, lead) -> set[str]:
    resp = client.get(f"/leads/{lead.pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    return {action for action, marker in BUTTONS.items() if marker in html}


def test_owner_supervisor_and_manager_keep_their_buttons(org, leads, client_for):
    worked = {"contact", "screen", "release", "log_visit"}
    assert _buttons(client_for(org.rep), leads["assigned"]) == worked
    assert _buttons(client_for(org.supervisor), leads["assigned"]) == worked | {"assign"}
    assert _buttons(client_for(org.manager), leads["assigned"]) == worked | {"assign"}
    for user in (org.rep, org.supervisor, org.manager):
        assert "convert" in _buttons(client_for(user), leads["qualified"])
    assert _buttons(client_for(org.rep), leads["converted"]) == set()
    # Issue #15: a pool lead is claimed before it is worked, so it offers no screening.
    assert _buttons(client_for(org.supervisor), leads["team_pool"]) == {"claim", "assign"}


def test_assistant_and_accountant_are_not_offered_what_they_would_be_refused(org, assistant, leads, client_for):
    # The assistant sees the team's leads (unit scope) but works none of a rep's: before, they were offered
    # screening, "mark contacted", "return to the pool" and conversion, which the services refuse.
    helper = client_for(assistant)
    assert _buttons(helper, leads["assigned"]) == set()
    assert _buttons(helper, leads["qualified"]) == set()
    assert _buttons(helper, leads["team_pool"]) == {"claim"}  # anybody who sees a pool lead may claim it
    # Once the lead has been contacted, a visit is no longer its first contact: the service takes the assistant's.
    assert _buttons(helper, leads["contacted"]) == {"log_visit"}
    accountant = client_for(org.finance)  # sees every lead, changes none
    for lead in leads.values():
        assert _buttons(accountant, lead) == set()


def test_a_rep_of_another_team_gets_only_the_pool_actions(org, leads, client_for):
    other = client_for(org.rep3)  # 上海二组: the region's pool is theirs too, 上海一组's leads are not
    assert other.get(f"/leads/{leads['assigned'].pk}/").status_code == 404
    assert other.get(f"/leads/{leads['team_pool'].pk}/").status_code == 404
    assert _buttons(other, leads["region_pool"]) == {"claim"}
    assert _buttons(client_for(org.rep_b), leads["pool_qualified"]) == {"claim"}


def test_pool_and_list_pages_offer_claim_and_create_by_role(org, assistant, leads, client_for):
    assert 'data-testid="claim"' in client_for(assistant).get("/leads/pool/").content.decode()
    assert 'data-testid="claim"' not in client_for(org.finance).get("/leads/pool/").content.decode()
    assert "/leads/new/" in client_for(assistant).get("/leads/").content.decode()
    assert "/leads/new/" not in client_for(org.finance).get("/leads/").content.decode()


# --- the API --------------------------------------------------------------------------------------------

def test_api_lists_the_callers_actions(org, assistant, leads, client_for):
    lead = leads["assigned"]
    actions = {name: client_for(user).get(f"/api/v1/leads/{lead.pk}").json()["actions"]
               for name, user in (("rep", org.rep), ("supervisor", org.supervisor), ("assistant", assistant),
                                  ("finance", org.finance))}
    assert actions == {"rep": ["contact", "screen", "release", "log_visit"],
                       "supervisor": ["contact", "screen", "assign", "release", "log_visit"],
                       "assistant": [], "finance": []}
    rows = client_for(org.rep3).get("/api/v1/leads?pool=true").json()["items"]
    assert [(row["id"], row["actions"]) for row in rows] == [(leads["region_pool"].pk, ["claim"])]
