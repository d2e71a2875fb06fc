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


def org_unit_list(*, user) -> QuerySet[OrgUnit]:
    # The tree itself is not secret to signed-in staff (it names regions and offices, not customers).
    return OrgUnit.objects.select_related("parent").order_by("path")


def user_list(*, user, q: str = "", role: str = "", unit_id: int | None = None, active: bool | None = None) -> QuerySet[User]:
    if not has_capability(user, "org.manage"):
        raise PermissionRefused()
    qs = User.objects.select_related("unit", "manager").order_by("username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q))
    if role:
        qs = qs.filter(role=role)
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
