"""Reception records (接待记录) and prospects (准客户) — seed 002, nodes E2, D2, E3, E4, D5 and R15.

E2  the consultant (销售顾问, a rep) receives the customer and explains the company and its products;
E3  they write up a reception record of each visit or call, noting which visitors show purchase intent;
E4  a visitor with purchase intent gets a customer file (客户档案), sent to the supervisor for registration;
D2  the sales supervisor collects and registers prospects, keeps the prospect file until the deal and then hands
    it to the customer-service supervisor (R15); D2.4 "营销主管的准客户的确认" — the office's 营销主管 (by default the
    sales supervisor, ``OfficeMarketingLead`` names someone else) confirms the prospect, beside the flow, not a gate;
E4  "对有购买意向的客户建立客户档案。及时送交销售主管进行登记" — the consultant builds the customer file and sends it on;
D5  "销售主管将准客户资料和销售顾问送交的客户资料进行登记" — the supervisor registers the consultant's file together
    with the prospect's and tells the consultant to prepare the negotiation (E6).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine
from salesflow.crm.choices import PROVINCE_CHOICES, Industry, SourceChannel
from salesflow.org.guards import Guarded, Permit
from salesflow.org.roles import Role
from salesflow.org.scope import ScopedQuerySet


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in visit")
    PHONE = "phone", _("Phone call")
    ONLINE = "online", _("Online enquiry")
    EXHIBITION = "exhibition", _("Exhibition")
    VISIT = "visit", _("Visit at the customer")
    OTHER = "other", _("Other")


class Intent(models.TextChoices):
    # E4: the consultant decides from the reception whether the customer intends to buy.
    YES = "yes", _("Has purchase intent")
    NO = "no", _("No purchase intent")
    UNDECIDED = "undecided", _("Undecided")


class ReceptionQuerySet(ScopedQuerySet):
    """The customers' data scope on the consultant: a rep their own records, a unit head their subtree,
    leadership all."""


class ReceptionRecord(Guarded, models.Model):
    """接待记录: one visit or call received by a consultant (E2/E3)."""

    permits = {
        # Correcting or completing a record: its consultant, or those above them.
        "edit": Permit("reception.edit", who="above",
                       refusal=_("Only the consultant who received the visitors and those above them may edit it.")),
    }

    received_at = models.DateTimeField(_("received"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WALK_IN)
    visitor_names = models.CharField(_("visitors"), max_length=200)
    visitor_count = models.PositiveSmallIntegerField(_("number of people"), default=1,
                                                     validators=[MinValueValidator(1)])
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_digits = models.CharField(_("phone digits"), max_length=20, blank=True, editable=False)
    questions = models.TextField(_("what they asked"), blank=True)
    explained = models.TextField(_("what was explained"), blank=True)
    intent = models.CharField(_("purchase intent"), max_length=16, choices=Intent.choices, default=Intent.UNDECIDED)
    next_step = models.CharField(_("next step"), max_length=500, blank=True)
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reception_records", db_index=False)
    opportunity = models.ForeignKey("deals.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reception_records", db_index=False)
    prospect = models.ForeignKey("reception.Prospect", verbose_name=_("prospect"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reception_records", db_index=False)
    # The consultant who received the visitors, and their unit (kept by the services; the data scope filters on it).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("consultant"), on_delete=models.PROTECT,
                              related_name="reception_records", db_index=False)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception record")
        verbose_name_plural = _("reception records")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(visitor_count__gte=1), name="reception_record_visitors_gte_1"),
            models.CheckConstraint(condition=Q(intent__in=Intent.values), name="reception_record_intent_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="reception_record_channel_valid"),
        ]
        indexes = [
            models.Index(fields=["owner", "-received_at"], name="reception_owner_at_idx"),
            models.Index(fields=["unit", "-received_at"], name="reception_unit_at_idx"),
            models.Index(fields=["-received_at"], name="reception_at_idx"),
            models.Index(fields=["customer", "-received_at"], name="reception_customer_idx"),
            models.Index(fields=["opportunity", "-received_at"], name="reception_opp_idx"),
            models.Index(fields=["prospect", "-received_at"], name="reception_prospect_idx"),
        ]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d} {self.company or self.visitor_names}"


class ProspectStatus(models.TextChoices):
    # D2: registered by the supervisor; the consultant works it. The 营销主管's confirmation (D2.4) is recorded on
    # the file (confirmed_by/confirmed_at) whatever the state: it is a duty in the supervisor's lane, not a gate.
    REGISTERED = "registered", _("Registered")
    # E4: the consultant built the customer file and sent it to the supervisor for registration.
    FILE_SUBMITTED = "file_submitted", _("Customer file sent to the supervisor")
    CUSTOMER_FILED = "customer_filed", _("Customer file registered")  # D5: registered, consultant told to negotiate
    DEAL_DONE = "deal_done", _("Deal done")  # an opportunity was won; the file waits to go to customer service
    HANDED_OVER = "handed_over", _("Handed to customer service")  # R15: the service supervisor has it (terminal)
    DROPPED = "dropped", _("Dropped")  # given up, with a reason (terminal)


P = ProspectStatus
PROSPECT_FLOW = StateMachine(
    ProspectStatus,
    {
        P.REGISTERED: {"submit_file": P.FILE_SUBMITTED, "drop": P.DROPPED},
        P.FILE_SUBMITTED: {"register_file": P.CUSTOMER_FILED, "drop": P.DROPPED},
        P.CUSTOMER_FILED: {"deal_done": P.DEAL_DONE, "drop": P.DROPPED},
        # R15: the hand-over happens only after the deal, never before.
        P.DEAL_DONE: {"hand_over": P.HANDED_OVER},
    },
)
OPEN_PROSPECT_STATUSES = [P.REGISTERED, P.FILE_SUBMITTED, P.CUSTOMER_FILED, P.DEAL_DONE]
# Before the deal: the prospect is still being worked (records may be added, the 营销主管 may confirm it).
WORKED_PROSPECT_STATUSES = [P.REGISTERED, P.FILE_SUBMITTED, P.CUSTOMER_FILED]


class ProspectQuerySet(ScopedQuerySet):
    """The consultant's data scope (own / unit subtree / all); the customer-service supervisor who received a
    prospect file also sees it (R15)."""

    scope_owner = "consultant_id"

    def extra_scope(self, user, scope):
        return Q(service_owner_id=scope.user_id) if user.holds(Role.SERVICE) else None


class Prospect(Guarded, models.Model):
    """准客户: a prospect file kept by the supervisor from registration until the deal, then passed on (R15)."""

    # The supervisor registers the prospect (D2), registers the consultant's customer file (D5), hands over and may
    # drop; the consultant builds the customer file and sends it (E4); the office's 营销主管 confirms (D2.4).
    # "deal_done" is the won deal's hook (reception.services.prospects_on_opportunity_won), nobody's button.
    flow = PROSPECT_FLOW
    permits = {
        # D2.4 "营销主管的准客户的确认": once, by whoever holds the function in the prospect's office, while the
        # prospect is worked; it does not gate E4/D5.
        "confirm": Permit("prospect.confirm", who="marketing_lead", states=set(WORKED_PROSPECT_STATUSES),
                          when="awaiting_confirmation",
                          refusal=_("Only the marketing supervisor of the prospect's office confirms it.")),
        # E4: the consultant in charge, nobody for them.
        "submit_file": Permit("prospect.submit_file", who="owner",
                              refusal=_("Only the consultant in charge builds the prospect's customer file.")),
        "register_file": Permit("prospect.register"),
        "hand_over": Permit("prospect.register"),
        "drop": Permit("prospect.register"),
        # More reception records may be linked to the prospect while it is still being worked.
        "add_record": Permit("reception.edit", states=set(WORKED_PROSPECT_STATUSES)),
    }

    name = models.CharField(_("company / name"), max_length=200)
    name_key = models.CharField(_("normalised name"), max_length=200, editable=False, default="")
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_digits = models.CharField(_("phone digits"), max_length=20, blank=True, editable=False)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    province = models.CharField(_("province"), max_length=16, choices=PROVINCE_CHOICES, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    source = models.CharField(_("source channel"), max_length=32, choices=SourceChannel.choices, blank=True)
    needs = models.TextField(_("what they need"), blank=True)
    intent = models.CharField(_("purchase intent"), max_length=16, choices=Intent.choices, default=Intent.UNDECIDED)
    status = models.CharField(_("status"), max_length=16, choices=ProspectStatus.choices,
                              default=ProspectStatus.REGISTERED)
    # The consultant in charge, and their unit (kept by the services; the data scope filters on it).
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("consultant"), on_delete=models.PROTECT,
                                   related_name="prospects", db_index=False)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", db_index=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(_("registered"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer file"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="prospects", db_index=False)
    # E4: the consultant who built the customer file and sent it to the supervisor, when, and what they wrote.
    customer_submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("customer file sent by"),
                                              null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer_submitted_at = models.DateTimeField(_("customer file sent"), null=True, blank=True)
    customer_submitted_note = models.CharField(_("note to the supervisor"), max_length=500, blank=True, default="")
    # D5: the supervisor who registered it with the prospect's file.
    customer_filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("customer file registered by"),
                                          null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer_filed_at = models.DateTimeField(_("customer file registered"), null=True, blank=True)
    won_opportunity = models.ForeignKey("deals.Opportunity", verbose_name=_("won opportunity"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    deal_done_at = models.DateTimeField(_("deal done"), null=True, blank=True)
    # R15: who received the file, when, and who handed it over.
    service_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("customer-service supervisor"),
                                      null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handed over by"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+")
    handed_over_at = models.DateTimeField(_("handed to customer service"), null=True, blank=True)
    dropped_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dropped by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    dropped_at = models.DateTimeField(_("dropped"), null=True, blank=True)
    drop_reason = models.CharField(_("reason for dropping"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProspectQuerySet.as_manager()

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProspectStatus.values), name="reception_prospect_status_valid"),
            models.CheckConstraint(condition=Q(intent__in=Intent.values), name="reception_prospect_intent_valid"),
            # From E4 on the prospect has its customer file; a handed-over one has its service supervisor (R15);
            # a dropped one says why.
            models.CheckConstraint(
                condition=~Q(status__in=["file_submitted", "customer_filed", "deal_done", "handed_over"])
                | Q(customer__isnull=False),
                name="reception_prospect_filed_has_customer"),
            models.CheckConstraint(
                condition=~Q(status="handed_over") | Q(service_owner__isnull=False, handed_over_at__isnull=False),
                name="reception_prospect_handed_over_has_owner"),
            models.CheckConstraint(condition=~Q(status="dropped") | ~Q(drop_reason=""),
                                   name="reception_prospect_dropped_has_reason"),
        ]
        indexes = [
            models.Index(fields=["consultant", "status", "-id"], name="reception_pr_consultant_idx"),
            models.Index(fields=["unit", "status", "-id"], name="reception_pr_unit_idx"),
            models.Index(fields=["status", "-id"], name="reception_pr_status_idx"),
            models.Index(fields=["customer", "status"], name="reception_pr_customer_idx"),
            models.Index(fields=["service_owner", "-id"], name="reception_pr_service_idx"),
            models.Index(fields=["phone_digits"], name="reception_pr_phone_idx"),
            models.Index(fields=["name_key"], name="reception_pr_namekey_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def awaiting_confirmation(self) -> bool:
        return self.confirmed_at is None

    def is_marketing_lead(self, user) -> bool:
        from .selectors import marketing_leads_for

        if user is None or user.pk is None:
            return False
        cached = self.__dict__.get("_marketing_leads")
        if cached is None or cached[0] != self.unit_id:
            cached = self.__dict__["_marketing_leads"] = (self.unit_id, marketing_leads_for(unit_id=self.unit_id))
        return any(lead.pk == user.pk for lead in cached[1])


class OfficeMarketingLead(models.Model):
    """The 营销主管 an office names for D2.4 ("营销主管的准客户的确认") when it is not the sales supervisor.

    Without a row (or with the user cleared) the function falls to the sales supervisor nearest above the prospect
    within its office (reception.selectors.marketing_leads_for). Kept in the reception app, keyed by the office
    unit, so the organisation's own tables and migrations stay as they are.
    """

    office = models.OneToOneField("org.OrgUnit", verbose_name=_("sales office"), on_delete=models.CASCADE,
                                  related_name="+", limit_choices_to={"kind": "office"})
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marketing supervisor"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("named by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("office marketing supervisor")
        verbose_name_plural = _("office marketing supervisors")

    def __str__(self):
        return f"{self.office_id}: {self.user_id or '-'}"
