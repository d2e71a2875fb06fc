from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Headquarters")
    REGION = "region", _("Regional sales company")
    OFFICE = "office", _("Sales office")
    TEAM = "team", _("Team")


# A unit may only sit under a unit of the kind before it (company → region → office → team).
UNIT_PARENT_KIND = {
    UnitKind.COMPANY: None,
    UnitKind.REGION: UnitKind.COMPANY,
    UnitKind.OFFICE: UnitKind.REGION,
    UnitKind.TEAM: UnitKind.OFFICE,
}


class OperatedBy(models.TextChoices):
    # 002: a provincial office may be run by the company itself, an agent or a distributor.
    SELF = "self", _("Company-run")
    AGENT = "agent", _("Agent")
    DISTRIBUTOR = "distributor", _("Distributor")


class OrgUnit(models.Model):
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of ids ("000001/000004/"), so a subtree is one indexed prefix read.
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False, default="")
    province = models.CharField(_("province"), max_length=32, blank=True)
    operated_by = models.CharField(_("operated by"), max_length=16, choices=OperatedBy.choices, default=OperatedBy.SELF)
    partner_name = models.CharField(_("agent / distributor"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A group robot (WeCom / DingTalk / Feishu) as an apprise URL, e.g. "dingtalk://<token>/". It holds the
    # robot's secret token: only administrators see or edit it; everyone else sees only whether one is set.
    robot_url = models.CharField(_("group robot"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="company", parent__isnull=True) | ~models.Q(kind="company"),
                name="org_company_is_root",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 1, 0)

    @property
    def has_robot(self) -> bool:
        return bool(self.robot_url)

    @property
    def ancestor_ids(self) -> list[int]:
        """This unit and those above it, nearest first, read from the materialised path (no query)."""
        return [int(part) for part in reversed(self.path.split("/")) if part]


class UserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def holding(self, *roles: str):
        """People who hold any of ``roles``, as their primary role or an additional one (one query: the
        additional roles are a subquery, so no row comes twice and callers may order and slice freely)."""
        return self.filter(models.Q(role__in=roles)
                           | models.Q(pk__in=UserRole.objects.filter(role__in=roles).values("user_id")))

    def with_roles(self):
        """Load every row's additional roles with the list (one more query for the whole page, not one per row)."""
        return self.prefetch_related("extra_roles")


class SalesflowUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    name = models.CharField(_("full name"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.REP, db_index=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    objects = SalesflowUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def additional_roles(self) -> frozenset[str]:
        """The roles held beside the primary one (``UserRole`` rows). Read once per instance: from the list's
        ``with_roles()`` prefetch when there is one, else with one query; the services refresh it after a write."""
        cached = self.__dict__.get("_additional_roles")
        if cached is None:
            cached = frozenset(r.role for r in self.extra_roles.all()) if self.pk is not None else frozenset()
            self.__dict__["_additional_roles"] = cached
        return cached - {self.role}

    @property
    def roles(self) -> frozenset[str]:
        """Every role this person holds (the primary role and any additional ones): capabilities and data scope
        are their union."""
        return frozenset({self.role}) | self.additional_roles

    def holds(self, role: str) -> bool:
        # The primary role answers without a query; the additional ones are read only when it does not.
        return role == self.role or role in self.additional_roles

    def holds_any(self, roles) -> bool:
        return self.role in roles or not self.additional_roles.isdisjoint(roles)

    @property
    def role_list(self) -> list[str]:
        """Every role held as a list: the primary one first, then the others in the order of ``Role``."""
        return [self.role, *(value for value in Role.values if value in self.additional_roles)]

    @property
    def roles_display(self) -> list[str]:
        """The labels of ``role_list`` (pages show every role a person holds)."""
        labels = dict(Role.choices)
        return [str(labels.get(value, value)) for value in self.role_list]

    def forget_roles(self) -> None:
        """Drop the cached additional roles and data scope (after the roles were changed)."""
        self.__dict__.pop("_additional_roles", None)
        self.__dict__.pop("_salesflow_scope", None)

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            # A row just inserted has no additional roles yet (they reference it): answering that without a query
            # keeps a fresh user as cheap as before; org.services sets the roles it writes.
            self.__dict__.setdefault("_additional_roles", frozenset())

    def refresh_from_db(self, *args, **kwargs):
        self.forget_roles()
        super().refresh_from_db(*args, **kwargs)

    def has_capability(self, capability: str) -> bool:
        """Whether this user's role grants ``capability`` (``org.roles.CAPABILITIES``): what lower layers such as
        the audit trail ask without importing the organisation."""
        from .roles import has_capability

        return has_capability(self, capability)


class UserRole(models.Model):
    """A role a person holds beside their primary one (``User.role``, which names them on pages and is the
    default): a supervisor who also sells, an accountant who is also the cashier, an assistant who also keeps the
    contract seal. Only ``org.services`` writes these rows."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="extra_roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)

    class Meta:
        verbose_name = _("additional role")
        verbose_name_plural = _("additional roles")
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="org_userrole_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the clear token is shown once at creation."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Issue #15: every token ends (settings.API_TOKEN_TTL_DAYS after it was issued); one unused for
    # API_TOKEN_IDLE_DAYS stops working too (services.api_token_authenticate).
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def idle_until(self):
        return (self.last_used_at or self.created_at) + dt.timedelta(days=settings.API_TOKEN_IDLE_DAYS)

    @property
    def is_expired(self) -> bool:
        now = timezone.now()
        return self.expires_at <= now or self.idle_until <= now
