"""The public pool's (公海) policy: per unit, for leads and customers alike."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PoolPolicy(models.Model):
    """Pool rules of a unit and everything below it; the row without a unit is the company default.

    The nearest unit (itself, then upwards) with a row decides, as a whole row: a team's override replaces every
    value, for leads and for customers alike (``policies.policy_for``).
    """

    unit = models.OneToOneField("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    # The leads' pool: claim cap, contact limit, and the score a screened lead must reach.
    claim_cap = models.PositiveIntegerField(_("leads a rep may hold"), default=50)
    contact_limit_hours = models.PositiveIntegerField(_("contact within (working hours)"), default=18)
    qualify_threshold = models.PositiveSmallIntegerField(_("qualifying score"), default=60)
    # The customers' public pool (公海客户): an owned customer without follow-up for N days, or without a deal
    # for M days, goes back to the pool; the owner is warned a few days before.
    customer_pool_enabled = models.BooleanField(_("customers return to the pool automatically"), default=True)
    customer_followup_days = models.PositiveIntegerField(_("no follow-up for (days)"), default=30)
    customer_deal_days = models.PositiveIntegerField(_("no deal for (days)"), default=90)
    customer_warning_days = models.PositiveIntegerField(_("warn the owner (days before)"), default=3)
    customer_claim_cap = models.PositiveIntegerField(_("customers a rep may hold"), default=100)
    # Exemptions: key accounts (tier A, R25) and customers with a deal at 报价与谈判 or later stay with their owner.
    customer_exempt_key_accounts = models.BooleanField(_("key accounts (tier A) never return"), default=True)
    customer_exempt_late_deals = models.BooleanField(
        _("customers with an open opportunity at quote and negotiation or later never return"), default=True)

    class Meta:
        # Moved from the leads app (LeadPolicy) with its table and constraint names: existing databases keep
        # their rows (migrations leads 0005 / pool 0001, state only).
        db_table = "leads_leadpolicy"
        verbose_name = _("lead pool policy")
        verbose_name_plural = _("lead pool policies")
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(unit__isnull=True), name="leads_policy_one_default"),
            # The warning comes before the return, and a rule of 0 days would empty every rep's book at once.
            models.CheckConstraint(condition=Q(customer_followup_days__gt=models.F("customer_warning_days")),
                                   name="leads_policy_warning_before_followup"),
            models.CheckConstraint(condition=Q(customer_deal_days__gt=models.F("customer_warning_days")),
                                   name="leads_policy_warning_before_deal"),
        ]

    def __str__(self):
        return str(self.unit) if self.unit_id else str(_("Company default"))
