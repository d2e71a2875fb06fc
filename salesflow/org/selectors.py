from django.db.models import Q, QuerySet

from salesflow.core.errors import NotFound, PermissionRefused

from .models import ApiToken, OrgUnit, User
from .roles import has_capability


def region_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The regional company (大区) a unit belongs to: the region among the ids of its materialised path."""
    if unit is None:
        return None
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return OrgUnit.objects.filter(pk__in=ids, kind="region").first()


def users_holding(*roles: str) -> QuerySet[User]:
    """Active users who hold ``role`` (or any of several), as their primary role or an additional one."""
    return User.objects.active().holding(*roles)


def org_unit_list(*, user) -> QuerySet[OrgUnit]:
    # The tree itself is not secret to signed-in staff (it names regions and offices, not customers).
    return OrgUnit.objects.select_related("parent").order_by("path")


def user_list(*, user, q: str = "", role: str = "", unit_id: int | None = None, active: bool | None = None) -> QuerySet[User]:
    if not has_capability(user, "org.manage"):
        raise PermissionRefused()
    qs = User.objects.select_related("unit", "manager").with_roles().order_by("username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q))
    if role:
        qs = qs.holding(role)
    if unit_id:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def user_get(*, user, user_id: int) -> User:
    obj = user_list(user=user).filter(pk=user_id).first()
    if obj is None:
        raise NotFound()
    return obj


def assignable_users(*, user) -> QuerySet[User]:
    """Who a customer can be given to: active users in the actor's own data scope."""
    from .scope import data_scope

    scope = data_scope(user)
    qs = User.objects.active().select_related("unit").order_by("username")
    if scope.sees_all:
        return qs
    if scope.kind == "unit":
        return qs.filter(unit_id__in=scope.unit_ids)
    return qs.filter(pk=user.pk)


def api_token_list(*, user, all_users: bool = False) -> QuerySet[ApiToken]:
    qs = ApiToken.objects.select_related("user")
    if all_users and has_capability(user, "token.manage_all"):
        return qs
    return qs.filter(user=user)


# --- pickers: the units and people that pages and forms offer --------------------------------------------
# The org tree and the staff list are not secret to signed-in staff; who may actually be *chosen* for an
# action (an owner, a delegate, a service supervisor…) is checked again by the service that takes the choice.

def unit_choices(*, kind: str | None = None, active_only: bool = False) -> QuerySet[OrgUnit]:
    """Units in tree order, optionally of one kind (``"region"``, ``"team"``…) and only the active ones."""
    qs = OrgUnit.objects.order_by("path")
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def region_list() -> QuerySet[OrgUnit]:
    """The regional companies (大区), for region filters."""
    return unit_choices(kind="region")


def team_choices(*, user) -> QuerySet[OrgUnit]:
    """Units a user may pick as "team" on the kanban and the funnel: their own subtree (all for leadership)."""
    from .scope import data_scope

    scope = data_scope(user)
    qs = OrgUnit.objects.exclude(kind="company").order_by("path")
    if scope.sees_all:
        return qs
    return qs.filter(pk__in=scope.unit_ids)


def unit_find(unit_id: int | None, *, kind: str | None = None) -> OrgUnit | None:
    """The unit a form or request names (None when missing or of another kind)."""
    if not unit_id:
        return None
    qs = OrgUnit.objects.filter(pk=unit_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.first()


def unit_named(unit_id: int) -> OrgUnit:
    """The unit a request names (a parent, a team, the unit being edited): NotFound when there is none, the
    answer any missing record gets."""
    unit = unit_find(unit_id)
    if unit is None:
        raise NotFound()
    return unit


def active_users() -> QuerySet[User]:
    return User.objects.active()


def user_find(user_id: int | None, *, active_only: bool = False) -> User | None:
    """The user a form or request names (None when missing, or inactive with ``active_only``)."""
    if not user_id:
        return None
    qs = User.objects.filter(pk=user_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.first()


def user_named(user_id: int, *, active_only: bool = False) -> User:
    """The user a request names (an owner, a manager, a successor): NotFound when there is none, or it is
    inactive with ``active_only``, the answer any missing record gets."""
    found = user_find(user_id, active_only=active_only)
    if found is None:
        raise NotFound()
    return found


def service_supervisors() -> QuerySet[User]:
    """The customer-service supervisors a prospect file can be handed to (R15)."""
    from .roles import Role

    return users_holding(Role.SERVICE).select_related("unit").order_by("username")
