"""Discount requests (优惠申请): a rep drafts, submits to R13, and the engine decides."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.events import record_many, snapshot
from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.parsers import (
    parse_date,
    parse_field,
    parse_money,
)
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm.models import Customer
from salesflow.org.roles import has_capability

from . import events
from .hooks import OPPORTUNITY_WON

CUSTOMER_IN_POOL = "customer_in_pool"

# --- opportunities (商机) -------------------------------------------------------------------------------

OPPORTUNITY_FIELDS = ["name", "customer", "owner", "unit", "stage", "amount", "probability", "expected_close",
                      "value_type", "selling_model", "products", "lost_reason", "won_by"]


def _clean_opportunity(data: dict, *, partial: bool = False) -> dict:
    from .pipeline import SellingModel

    errors, cleaned = {}, {}
    if not partial or "name" in data:
        cleaned["name"] = str(data.get("name", "")).strip()[:200]
        if not cleaned["name"]:
            errors["name"] = [_("This field is required.")]
    if not partial or "amount" in data:
        cleaned["amount"] = parse_field(errors, "amount", parse_money, data.get("amount"))
    if "probability" in data and data["probability"] not in (None, ""):
        try:
            cleaned["probability"] = int(data["probability"])
            if not 0 <= cleaned["probability"] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["probability"] = [_("Enter a whole number from 0 to 100.")]
    if "expected_close" in data:
        cleaned["expected_close"] = parse_field(errors, "expected_close", parse_date, data.get("expected_close"))
    if "selling_model" in data:
        cleaned["selling_model"] = str(data.get("selling_model") or "")
        if cleaned["selling_model"] and cleaned["selling_model"] not in SellingModel.values:
            errors["selling_model"] = [_("Unknown selling model.")]
    for key in ("value_type", "products"):
        if key in data:
            cleaned[key] = str(data.get(key) or "").strip()[:4000]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def opportunity_create(*, by, customer_id: int, data: dict, owner=None, source_lead_id: int | None = None):
    """A new opportunity on a customer the actor can see; starts at 接触潜在客户 with its default probability."""
    from salesflow.org.selectors import region_of

    from .models import Opportunity, OpportunityStageChange
    from .pipeline import DEFAULT_PROBABILITY, Stage

    if not has_capability(by, "customer.edit"):
        raise PermissionRefused()
    customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed({"customer": [_("Choose one of your customers.")]})
    cleaned = _clean_opportunity(data)
    owner = owner or customer.owner
    if owner is None:
        raise ValidationFailed({"customer": [_("This customer waits in the public pool: claim or assign it first.")]})
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        customer=customer, owner=owner, unit_id=owner.unit_id, region=region_of(owner.unit),
        stage=Stage.CONTACT, probability=cleaned.pop("probability", DEFAULT_PROBABILITY[Stage.CONTACT]),
        value_type=cleaned.pop("value_type", customer.value_type), source_lead_id=source_lead_id,
        first_contact_at=now, stage_entered_at=now, **cleaned)
    OpportunityStageChange.objects.create(opportunity=opportunity, from_stage="", to_stage=Stage.CONTACT, at=now,
                                          by=by)
    events.OPPORTUNITY_CREATED.record(by=by, obj=opportunity, customer_id=customer.pk,
                                      after=snapshot(opportunity, OPPORTUNITY_FIELDS))
    return opportunity


def _locked_opportunity(by, opportunity_id: int, action: str = "edit"):
    """The deal, locked, once the actor's role may take ``action`` (checked first: a wrong role is refused
    whether or not the deal exists) and the deal's stage allows it (Opportunity.permits).

    Lock order of every writer (issue #15): the customer's row first, then the deal. A reassignment holds the
    customer while its open deals follow the new owner, so a move or a win racing it waits and then finds the
    deal as the reassignment left it (another's: not found), never the other way round. A closed deal read only
    through its customer (the new owner's view of a predecessor's deal) may be reopened, nothing else."""
    from .models import Opportunity

    Opportunity.role_require(action, by=by)
    customer_id = Opportunity.objects.filter(pk=opportunity_id).values_list("customer_id", flat=True).first()
    if customer_id is not None:
        Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).values_list("pk").first()
    opportunity = (Opportunity.objects.visible_to(by).select_for_update(of=("self",))
                   .filter(pk=opportunity_id).first())
    if opportunity is None:
        raise NotFound(_("Opportunity not found."))
    if action != "reopen" and not (Opportunity.objects.visible_to(by, extra_scope=_no_history)
                                   .filter(pk=opportunity.pk).exists()):
        raise PermissionRefused(_("This deal closed with its previous owner: you may read it or reopen it."))
    opportunity.require(action, by=by)
    return opportunity


def _no_history(user, scope):
    """The deals' data scope without the customer's history (``OpportunityQuerySet.extra_scope``)."""
    return None


def _enter_stage(opportunity, *, to_stage, by, now) -> None:
    """Record the stay in the stage being left (for the funnel's time-in-stage) and enter the new one."""
    from .models import OpportunityStageChange
    from .pipeline import DEFAULT_PROBABILITY, FUNNEL_RANK, Stage

    since = opportunity.stage_entered_at or opportunity.created_at or now
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage=opportunity.stage, to_stage=to_stage, at=now, by=by,
        seconds_in_stage=max(0, int((now - since).total_seconds())))
    # The model keeps no "overridden" flag: a probability that differs from the stage default was set by
    # the user and survives the move; closing always sets 100 / 0.
    if to_stage in (Stage.WON, Stage.LOST) or opportunity.probability == DEFAULT_PROBABILITY[Stage(opportunity.stage)]:
        opportunity.probability = DEFAULT_PROBABILITY[to_stage]
    opportunity.stage = to_stage
    opportunity.stage_entered_at = now
    opportunity.furthest_rank = max(opportunity.furthest_rank or 1, FUNNEL_RANK.get(to_stage, 0))


_OPPORTUNITY_UPDATE_FIELDS = ["name", "amount", "probability", "expected_close", "value_type", "selling_model",
                              "products"]


@transaction.atomic
def opportunity_update(*, by, opportunity_id: int, data: dict):
    """Change the plain fields (and the competitors met, given as ids); the stage only moves through
    opportunity_move / win / lose / reopen."""
    from .models import Competitor

    opportunity = _locked_opportunity(by, opportunity_id)
    before = snapshot(opportunity, OPPORTUNITY_FIELDS)
    cleaned = _clean_opportunity({k: v for k, v in data.items() if k in _OPPORTUNITY_UPDATE_FIELDS}, partial=True)
    competitor_ids = None
    if data.get("competitor_ids") is not None:
        competitor_ids = sorted({int(pk) for pk in data["competitor_ids"]})
        if Competitor.objects.filter(pk__in=competitor_ids).count() != len(competitor_ids):
            raise ValidationFailed({"competitor_ids": [_("Choose competitors from the list.")]})
    for key, value in cleaned.items():
        setattr(opportunity, key, value)
    opportunity.save(update_fields=[*cleaned, "updated_at"])
    if competitor_ids is not None:
        opportunity.competitors.set(competitor_ids)
    events.OPPORTUNITY_UPDATED.record(by=by, obj=opportunity, customer_id=opportunity.customer_id,
                                      before=before, after=snapshot(opportunity, OPPORTUNITY_FIELDS))
    return opportunity


@transaction.atomic
def opportunity_move(*, by, opportunity_id: int, to_stage: str):
    """Drag on the kanban: to another open stage (forward or back). Closing goes through win / lose."""
    from .pipeline import OPEN_STAGES, PIPELINE_FLOW, Stage

    opportunity = _locked_opportunity(by, opportunity_id)
    if to_stage not in {str(s) for s in OPEN_STAGES}:
        raise InvalidTransition(Stage(opportunity.stage), _("move to {stage}").format(
            stage=Stage(to_stage).label if to_stage in Stage.values else to_stage))
    opportunity.require(f"to_{to_stage}", by=by)
    target = PIPELINE_FLOW.next(opportunity.stage, f"to_{to_stage}")
    before = snapshot(opportunity, OPPORTUNITY_FIELDS)
    _enter_stage(opportunity, to_stage=target, by=by, now=timezone.now())
    opportunity.save(update_fields=["stage", "probability", "stage_entered_at", "furthest_rank", "updated_at"])
    events.OPPORTUNITY_MOVED.record(by=by, obj=opportunity, customer_id=opportunity.customer_id,
                                    before=before, after=snapshot(opportunity, OPPORTUNITY_FIELDS))
    return opportunity


@transaction.atomic
def opportunity_set_checklist(*, by, opportunity_id: int, item: str, done: bool):
    """Tick or untick one item of the current stage's checklist (seed 004)."""
    from .pipeline import CHECKLISTS, Stage

    opportunity = _locked_opportunity(by, opportunity_id)
    keys = [key for key, _label in CHECKLISTS.get(Stage(opportunity.stage), [])]
    if item not in keys:
        raise ValidationFailed({"item": [_("This item is not on the checklist of the current stage.")]})
    checklist = dict(opportunity.checklist or {})
    checklist[item] = bool(done)
    opportunity.checklist = checklist
    opportunity.save(update_fields=["checklist", "updated_at"])
    events.OPPORTUNITY_CHECKLIST_SET.record(by=by, obj=opportunity, customer_id=opportunity.customer_id,
                                            after={"item": item, "done": bool(done)})
    return opportunity


@transaction.atomic
def opportunity_win(*, by, opportunity_id: int):
    """The deal is made: the contract is signed (002 E7 成交). After-sales is no pipeline stage but the customer's
    service phase, which starts here (R15)."""
    from .pipeline import PIPELINE_FLOW

    opportunity = _locked_opportunity(by, opportunity_id, "win")
    target = PIPELINE_FLOW.next(opportunity.stage, "win")
    before = snapshot(opportunity, OPPORTUNITY_FIELDS)
    now = timezone.now()
    _enter_stage(opportunity, to_stage=target, by=by, now=now)
    opportunity.closed_at = now
    opportunity.save(update_fields=["stage", "probability", "stage_entered_at", "furthest_rank", "closed_at", "updated_at"])
    from salesflow.crm.services import customer_record_deal, customer_start_service

    customer_record_deal(customer_id=opportunity.customer_id, at=now)  # restarts the pool's "no deal" clock
    events.OPPORTUNITY_WON.record(by=by, obj=opportunity, customer_id=opportunity.customer_id,
                                  before=before, after=snapshot(opportunity, OPPORTUNITY_FIELDS))
    # R15: the contract is signed (002 E7 成交), so the customer's service phase starts — for every won customer,
    # whether or not it came through a prospect (reception's hook below hands the prospect files over too).
    customer_start_service(by=by, customer_id=opportunity.customer_id, at=now)
    OPPORTUNITY_WON.call(opportunity=opportunity, by=by)
    return opportunity


@transaction.atomic
def opportunity_lose(*, by, opportunity_id: int, reason_id: int | None, competitor_id: int | None = None):
    """Close as lost: a reason from the managed list is required (also a check constraint), the competitor
    who took the deal is optional."""
    from .models import Competitor, LostReason
    from .pipeline import PIPELINE_FLOW

    opportunity = _locked_opportunity(by, opportunity_id, "lose")
    target = PIPELINE_FLOW.next(opportunity.stage, "lose")
    reason = LostReason.objects.filter(pk=reason_id, is_active=True).first() if reason_id else None
    errors = {}
    if reason is None:
        errors["reason"] = [_("Choose why the deal was lost.")]
    competitor = None
    if competitor_id:
        competitor = Competitor.objects.filter(pk=competitor_id).first()
        if competitor is None:
            errors["competitor"] = [_("Choose a competitor from the list.")]
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(opportunity, OPPORTUNITY_FIELDS)
    now = timezone.now()
    _enter_stage(opportunity, to_stage=target, by=by, now=now)
    opportunity.closed_at, opportunity.lost_reason, opportunity.won_by = now, reason, competitor
    opportunity.save(update_fields=["stage", "probability", "stage_entered_at", "furthest_rank", "closed_at", "lost_reason",
                                    "won_by", "updated_at"])
    if competitor is not None:
        opportunity.competitors.add(competitor)
    events.OPPORTUNITY_LOST.record(by=by, obj=opportunity, customer_id=opportunity.customer_id,
                                   before=before, after=snapshot(opportunity, OPPORTUNITY_FIELDS))
    return opportunity


@transaction.atomic
def opportunity_reopen(*, by, opportunity_id: int):
    """A lost deal comes back at the first stage; the loss stays in the stage history."""
    from .pipeline import PIPELINE_FLOW

    opportunity = _locked_opportunity(by, opportunity_id, "reopen")
    target = PIPELINE_FLOW.next(opportunity.stage, "reopen")
    # Issue #15: an open deal belongs to the customer's relationship, so it reopens with the customer's owner —
    # only for someone who may act on the customer now (its historical owner may no longer), and not while the
    # customer waits in the pool (claim it first).
    customer = Customer.objects.visible_to(by).filter(pk=opportunity.customer_id).first()
    if customer is None:
        raise PermissionRefused(_("This customer is no longer yours: its new owner may reopen the deal."))
    if customer.owner_id is None:
        raise Conflict(CUSTOMER_IN_POOL, _("This customer waits in the public pool: claim or assign it first."))
    before = snapshot(opportunity, OPPORTUNITY_FIELDS)
    _enter_stage(opportunity, to_stage=target, by=by, now=timezone.now())
    opportunity.closed_at, opportunity.lost_reason, opportunity.won_by = None, None, None
    fields = ["stage", "probability", "stage_entered_at", "furthest_rank", "closed_at", "lost_reason", "won_by",
              "updated_at"]
    if opportunity.owner_id != customer.owner_id:
        from salesflow.org.selectors import region_of

        opportunity.owner, opportunity.unit = customer.owner, customer.owner.unit
        opportunity.region = region_of(customer.owner.unit)
        fields += ["owner", "unit", "region"]
    opportunity.save(update_fields=fields)
    events.OPPORTUNITY_REOPENED.record(by=by, obj=opportunity, customer_id=opportunity.customer_id,
                                       before=before, after=snapshot(opportunity, OPPORTUNITY_FIELDS))
    return opportunity


# --- managed lists: lost reasons and competitors ---------------------------------------------------------

def _master_name(name: str, limit: int) -> str:
    name = (name or "").strip()[:limit]
    if not name:
        raise ValidationFailed({"name": [_("This field is required.")]})
    return name


@transaction.atomic
def lost_reason_create(*, by, name: str):
    from .models import LostReason

    if not has_capability(by, "customer.master_data"):
        raise PermissionRefused()
    name = _master_name(name, 64)
    if LostReason.objects.filter(name=name).exists():
        raise ValidationFailed({"name": [_("This name is already on the list.")]})
    reason = LostReason.objects.create(name=name)
    events.LOST_REASON_CREATED.record(by=by, obj=reason)
    return reason


@transaction.atomic
def competitor_create(*, by, name: str, notes: str = ""):
    from .models import Competitor

    if not has_capability(by, "customer.master_data"):
        raise PermissionRefused()
    name = _master_name(name, 100)
    if Competitor.objects.filter(name=name).exists():
        raise ValidationFailed({"name": [_("This name is already on the list.")]})
    competitor = Competitor.objects.create(name=name, notes=(notes or "").strip()[:4000])
    events.COMPETITOR_CREATED.record(by=by, obj=competitor)
    return competitor


# --- hooks for the organisation (registered in apps.py) ---------------------------------------------------

def opportunities_transfer_all(*, from_user, to_user, by) -> int:
    """Deactivation: the leaving user's open opportunities go to their successor (closed ones keep history)."""
    from .models import Opportunity
    from .pipeline import OPEN_STAGES

    rows = list(Opportunity.objects.select_for_update().filter(owner=from_user, stage__in=OPEN_STAGES)
                .order_by("pk").values_list("pk", "customer_id"))
    if not rows:
        return 0
    Opportunity.objects.filter(pk__in=[pk for pk, _c in rows]).update(owner=to_user, unit=to_user.unit)
    record_many(events.OPPORTUNITY_REASSIGNED.row(by=by, object_type="deals.opportunity", object_id=pk,
                                                  customer_id=customer_id, before={"owner": from_user.pk},
                                                  after={"owner": to_user.pk})
                for pk, customer_id in rows)
    return len(rows)


def opportunities_follow_owner_unit(*, user, by) -> int:
    """A rep moved to another team: their open opportunities move into that team's scope."""
    from .models import Opportunity
    from .pipeline import OPEN_STAGES

    return (Opportunity.objects.filter(owner=user, stage__in=OPEN_STAGES).exclude(unit_id=user.unit_id)
            .update(unit=user.unit_id))


# --- issue #15: the deals follow their customer ----------------------------------------------------------

# The lost reason of the deals a customer's return to the pool closes: stored data like the managed list's (the
# list is Chinese), inactive so that nobody picks it by hand.
POOL_LOST_REASON = "退回公海"


def opportunities_follow_customer(*, changes: dict, new_owner, by, at, note: str = "") -> int:
    """``crm.hooks.CUSTOMER_OWNER_CHANGED``: the customers' open deals follow them.

    - To a new owner (reassigned, claimed, assigned from the pool, deactivation): every open deal of the customer
      moves to them, with their unit and region (Salesforce's "transfer open opportunities" on an account owner
      change; Odoo's salesperson of the partner). Closed deals keep their historical owner — the figures of who
      won or lost them stay true — and the new owner reads them through ``OpportunityQuerySet.extra_scope``.
    - To the pool: the owner gave the customer up, so its open deals are closed as lost, reason 退回公海 — an
      owner is required, a deal left with the old rep would go on counting in their pipeline and forecast while
      they may no longer work it, and a frozen deal with nobody would be invisible to everyone. Whoever takes the
      customer from the pool reads them and may reopen one (it reopens with the customer's owner).

    One locked read, one update, one stage-change insert and one audit insert, whatever the number of deals."""
    from .models import LostReason, Opportunity, OpportunityStageChange
    from .pipeline import DEFAULT_PROBABILITY, OPEN_STAGES, Stage

    rows = list(Opportunity.objects.select_for_update(of=("self",))
                .filter(customer_id__in=list(changes), stage__in=OPEN_STAGES).order_by("pk")
                .values_list("pk", "customer_id", "owner_id", "stage", "stage_entered_at", "created_at"))
    if not rows:
        return 0
    ids = [row[0] for row in rows]
    if new_owner is not None:
        from salesflow.org.selectors import region_of

        unit = new_owner.unit
        Opportunity.objects.filter(pk__in=ids).update(owner=new_owner, unit=unit, region=region_of(unit),
                                                      updated_at=at)
        record_many(events.OPPORTUNITY_REASSIGNED.row(
            by=by, object_type="deals.opportunity", object_id=pk, customer_id=customer_id,
            before={"owner": owner_id}, after={"owner": new_owner.pk, "unit": new_owner.unit_id}, note=note)
            for pk, customer_id, owner_id, *_rest in rows)
        return len(rows)
    reason, _created = LostReason.objects.get_or_create(name=POOL_LOST_REASON, defaults={"is_active": False})
    Opportunity.objects.filter(pk__in=ids).update(
        stage=Stage.LOST, probability=DEFAULT_PROBABILITY[Stage.LOST], stage_entered_at=at, closed_at=at,
        lost_reason=reason, won_by=None, updated_at=at)
    OpportunityStageChange.objects.bulk_create(
        OpportunityStageChange(opportunity_id=pk, from_stage=stage, to_stage=Stage.LOST, at=at, by=by,
                               seconds_in_stage=max(0, int((at - (entered or created or at)).total_seconds())))
        for pk, _customer_id, _owner_id, stage, entered, created in rows)
    record_many(events.OPPORTUNITY_LOST.row(
        by=by, object_type="deals.opportunity", object_id=pk, customer_id=customer_id,
        before={"stage": stage, "owner": owner_id}, after={"stage": str(Stage.LOST), "lost_reason": reason.name},
        note=_("Customer returned to the public pool: {note}").format(note=note) if note else
        _("Customer returned to the public pool"))
        for pk, customer_id, owner_id, stage, *_rest in rows)
    return len(rows)
