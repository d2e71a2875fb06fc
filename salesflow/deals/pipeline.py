"""The opportunity pipeline of seed 004: four open stages, then won or lost; per-stage checklists and default
probabilities. Declared once; models, services, pages and the funnel all read it from here.

Seed 004's fifth stage, 售后服务 (after-sales), is not a pipeline stage: a deal is won when the contract is signed
(002 E7 成交) and after-sales service follows the win as a phase of the customer (R15: the customer's
service owner, ``crm.Customer.service_owner`` / ``service_since``), not as an open stage before "won". Deals that
sat in the old after-sales stage were moved to won by ``deals`` migration 0006."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine


class Stage(models.TextChoices):
    CONTACT = "contact", _("Contact the prospect")  # 1 接触潜在客户: find, first contact, raise interest
    NEEDS = "needs", _("Needs analysis")  # 2 需求分析: key needs, time limit, budget, tailored solution
    QUOTE = "quote", _("Quote and negotiation")  # 3 报价与谈判: price, terms, objections
    SIGN = "sign", _("Sign and deliver")  # 4 签约与交付: contract review, signing, delivery, acceptance
    WON = "won", _("Won")  # closed: the contract is signed (002 E7 成交); after-sales follows as the customer's phase
    LOST = "lost", _("Lost")  # closed: with a reason from the managed list and the competitor who won


OPEN_STAGES = [Stage.CONTACT, Stage.NEEDS, Stage.QUOTE, Stage.SIGN]
CLOSED_STAGES = [Stage.WON, Stage.LOST]
# How far along the funnel a stage is: won is beyond 签约与交付; lost is no step (a lost deal keeps the furthest
# open stage it entered). Opportunity.furthest_rank keeps the maximum over the deal's history.
FUNNEL_RANK = {stage: n for n, stage in enumerate([*OPEN_STAGES, Stage.WON], start=1)}

# Any open stage may move to any other open stage (a deal can step back), or close won / lost;
# a lost deal can be reopened at the first stage.
PIPELINE_FLOW = StateMachine(
    Stage,
    {
        **{s: {**{f"to_{t}": t for t in OPEN_STAGES if t != s}, "win": Stage.WON, "lose": Stage.LOST}
           for s in OPEN_STAGES},
        Stage.LOST: {"reopen": Stage.CONTACT},
    },
)

DEFAULT_PROBABILITY = {
    Stage.CONTACT: 10, Stage.NEEDS: 25, Stage.QUOTE: 50, Stage.SIGN: 80,
    Stage.WON: 100, Stage.LOST: 0,
}

# Seed 004's checklist per stage: (key, label).
CHECKLISTS = {
    Stage.CONTACT: [
        ("target_profile", _("Industry, size and needs of the target analysed")),
        ("first_contact", _("First contact made (phone, e-mail, visit)")),
        ("interest", _("Customer interest raised: value shown, case shared")),
    ],
    Stage.NEEDS: [
        ("key_needs", _("Key needs identified")),
        ("time_limit", _("Time limit of the project known")),
        ("budget", _("Budget range known")),
        ("solution", _("Tailored solution proposed")),
    ],
    Stage.QUOTE: [
        ("price", _("Price set (value, cost, competition)")),
        ("quotation_sent", _("Quotation sent with payment terms and delivery time")),
        ("objections", _("Objections answered")),
        ("terms_agreed", _("Payment, delivery and service terms agreed")),
    ],
    Stage.SIGN: [
        ("contract_reviewed", _("Contract clauses reviewed (price, delivery, payment, liability)")),
        ("contract_signed", _("Contract signed")),
        ("delivery_planned", _("Delivery planned with owners per task")),
        ("customer_confirmed", _("Customer confirmed receipt")),
    ],
}


class SellingModel(models.TextChoices):
    # 002 第2讲: matched to the customer's value type.
    TRANSACTIONAL = "transactional", _("Transactional selling")
    CONSULTATIVE = "consultative", _("Consultative selling")
    ENTERPRISE = "enterprise", _("Enterprise selling")
