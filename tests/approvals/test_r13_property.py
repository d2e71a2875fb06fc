"""R13: no discount request can reach a state where nobody can act.

A property test, run exhaustively over requesters of every role that may ask for a discount (rep, assistant,
supervisor, manager, director; in teams with and without a supervisor, in a region without a sales manager,
people holding more than one role), over delegations (the GM, the VP, the supervisor and the manager away, a
delegate who is the requester), and over seeded random walks of decisions (approve, agree, disagree, reject,
resubmit) interleaved with the deadline sweep's escalations. After every move, a pending request has an active
stage, and every active stage has a pending task held by an active person other than the requester.
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction

from salesflow.approvals import services as engine
from salesflow.approvals.models import (
    ApprovalRequest,
    ApprovalStep,
    ApprovalTask,
    Delegation,
    RequestStatus,
    StageKind,
    StepStatus,
    TaskStatus,
)
from salesflow.approvals.policies import policy_load_file
from salesflow.deals.discounts import services as deals
from salesflow.org.models import UnitKind
from salesflow.org.roles import Role
from tests.factories import CustomerFactory, OrgUnitFactory, UserFactory

from ..conftest import fresh
from .helpers import at

pytestmark = pytest.mark.django_db

START = at(2025, 11, 25, 10)  # a Tuesday
SEEDS = range(2)


@pytest.fixture
def company(db):
    """HQ (GM, marketing VPs, director) → EAST (manager) → office → team with a supervisor, team without one;
    WEST has no sales manager at all; a supervisor who also sells; a manager who is also a marketing VP."""
    hq = OrgUnitFactory(name="总部", code="HQ", kind=UnitKind.COMPANY)
    east = OrgUnitFactory(name="华东大区", code="EAST", kind=UnitKind.REGION, parent=hq)
    west = OrgUnitFactory(name="西部大区", code="WEST", kind=UnitKind.REGION, parent=hq)
    office = OrgUnitFactory(name="上海销售处", code="SH", kind=UnitKind.OFFICE, parent=east)
    team = OrgUnitFactory(name="上海一组", code="SH1", kind=UnitKind.TEAM, parent=office)
    bare_team = OrgUnitFactory(name="上海二组", code="SH2", kind=UnitKind.TEAM, parent=office)
    west_office = OrgUnitFactory(name="成都销售处", code="CD", kind=UnitKind.OFFICE, parent=west)
    west_team = OrgUnitFactory(name="成都一组", code="CD1", kind=UnitKind.TEAM, parent=west_office)

    def person(username, role, unit, manager=None):
        return UserFactory(username=username, name=username, role=role, unit=unit, manager=manager)

    p = SimpleNamespace()
    p.admin = person("admin", Role.ADMIN, hq)
    p.gm = person("gm", Role.GM, hq)
    p.vp = person("vp", Role.MARKETING_VP, hq, p.gm)
    p.vp2 = person("vp2", Role.MARKETING_VP, hq, p.gm)
    p.director = person("director", Role.DIRECTOR, hq, p.gm)
    p.manager = person("manager", Role.MANAGER, east, p.director)
    p.supervisor = person("supervisor", Role.SUPERVISOR, team, p.manager)
    p.rep = person("rep", Role.REP, team, p.supervisor)
    p.assistant = person("assistant", Role.ASSISTANT, team, p.supervisor)
    p.bare_rep = person("bare_rep", Role.REP, bare_team, p.manager)
    p.office_rep = person("office_rep", Role.REP, office, p.manager)
    p.west_supervisor = person("west_supervisor", Role.SUPERVISOR, west_team, p.director)
    p.west_rep = person("west_rep", Role.REP, west_team, p.west_supervisor)
    # People with more than one role (org: additional roles), when the organisation supports them.
    p.selling_supervisor = person("selling_supervisor", Role.SUPERVISOR, bare_team, p.manager)
    p.vp_manager = person("vp_manager", Role.MANAGER, west, p.director)
    for user, extra in ((p.selling_supervisor, Role.REP), (p.vp_manager, Role.MARKETING_VP)):
        _add_role(user, extra)
    policy_load_file(by=None, system=True)
    return p


def _add_role(user, role) -> None:
    try:
        from salesflow.org.models import UserRole
    except ImportError:  # pragma: no cover - before people could hold several roles
        return
    UserRole.objects.get_or_create(user=user, role=role)


REQUESTERS = ["rep", "assistant", "bare_rep", "office_rep", "supervisor", "west_rep", "west_supervisor",
              "manager", "director", "selling_supervisor", "vp_manager"]
# (away, delegate): whose approvals go to whom for the walk; "requester" = the requester themselves.
DELEGATIONS = [None, ("gm", "vp"), ("vp", "gm"), ("supervisor", "requester"), ("manager", "director"),
               ("gm", "requester")]


def _stuck(request: ApprovalRequest) -> str:
    """Why nobody can act on a pending request, or "" when somebody can."""
    request.refresh_from_db()
    if request.status != RequestStatus.PENDING:
        return ""
    active = list(ApprovalStep.objects.filter(request=request, round=request.round, status=StepStatus.ACTIVE))
    if not active:
        return f"no active stage (current step {request.current_step})"
    for step in active:
        able = ApprovalTask.objects.filter(step=step, status=TaskStatus.PENDING, approver__is_active=True).exclude(
            approver_id=request.requester_id)
        if not able.exists():
            return f"stage {step.name} has nobody who can decide"
    return ""


def _walk(p, requester, seed: int, delegation) -> list[str]:
    rng = random.Random(seed)
    now = START
    trail: list[str] = []
    if delegation is not None:
        away, delegate = delegation
        away_user = getattr(p, away)
        delegate_user = requester if delegate == "requester" else getattr(p, delegate)
        if away_user.pk != delegate_user.pk:
            Delegation.objects.create(user=away_user, delegate=delegate_user, starts_on=START.date(),
                                      ends_on=START.date() + dt.timedelta(days=30))
    customer = CustomerFactory(owner=requester)
    doc = deals.discount_create(by=fresh(requester), customer_id=customer.pk,
                                data={"amount": "300000", "discount_percent": "6", "reason": "属性测试"})
    with time_machine.travel(now, tick=False):
        request = deals.discount_submit(by=fresh(requester), discount_id=doc.pk)
    trail.append(f"submit by {requester.username}")
    for _move in range(40):
        why = _stuck(request)
        assert not why, f"stuck: {why} after {trail}"
        if request.status == RequestStatus.APPROVED:
            return trail
        if request.status == RequestStatus.REJECTED:
            if rng.random() < 0.5:
                return trail
            with time_machine.travel(now, tick=False):
                deals.discount_submit(by=fresh(requester), discount_id=doc.pk)
            trail.append("resubmit")
            continue
        if rng.random() < 0.3:
            now += dt.timedelta(hours=rng.choice([3, 8, 26, 50]))
            with time_machine.travel(now, tick=False):
                engine.approvals_sweep()
            trail.append(f"sweep at {now:%m-%d %H:%M}")
            continue
        tasks = list(ApprovalTask.objects.filter(request=request, status=TaskStatus.PENDING)
                     .select_related("step", "approver").order_by("id"))
        task = rng.choice(tasks)
        approve = rng.random() < (0.9 if task.step.kind == StageKind.GATE else 0.6)
        with time_machine.travel(now, tick=False):
            engine.approval_decide(by=fresh(task.approver), task_id=task.pk, approve=approve,
                                   opinion="" if approve and task.step.kind == StageKind.GATE else "意见")
        trail.append(f"{task.approver.username} {'yes' if approve else 'no'} on {task.step.name}")
    raise AssertionError(f"no end after 40 moves: {trail}")


@pytest.mark.parametrize("who", REQUESTERS)
def test_R13_no_requester_can_get_a_discount_request_stuck(company, who):
    requester = getattr(company, who)
    ends = set()
    for delegation in DELEGATIONS:
        for seed in SEEDS:
            with transaction.atomic():
                _walk(company, requester, seed, delegation)
                ends.add(ApprovalRequest.objects.get().status)
                # Nobody decides their own request: the requester's only tasks are the stages they decided by
                # submitting (their lane), even when they are someone's delegate.
                own = ApprovalTask.objects.filter(approver=requester, by_submission=False)
                assert not own.exists(), list(own.values_list("step__name", "status"))
                transaction.set_rollback(True)  # the next walk starts from the same company
    assert RequestStatus.APPROVED in ends  # the walks do reach the end, not only refusals
