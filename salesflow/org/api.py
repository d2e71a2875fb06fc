
from datetime import datetime

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from salesflow.core.errors import AppError, PermissionRefused
from salesflow.core.pagination import PageNumberPagination

from . import selectors, services
from .roles import has_capability

auth_router = Router(tags=["auth"])
org_router = Router(tags=["organisation"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenCreated(Schema):
    token: str
    id: int
    name: str
    prefix: str
    expires_at: datetime


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    username: str = Field(alias="user.username")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    is_active: bool


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


@auth_router.post("/token", auth=None, response={201: TokenCreated, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut})
def create_token(request, payload: TokenIn):
    """Exchange a username and password for an API token (send it as `Authorization: Bearer <token>`)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise AppError("invalid_credentials", _("The user name or password is not correct."), status=401)
    # No session login happens here, so announce the sign-in ourselves: django-axes resets the failure
    # counter on it (AXES_RESET_ON_SUCCESS) and records the access, as for the login page.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    # A script that signs in on every run replaces its token of that name rather than piling them up (issue #15).
    token, raw = services.api_token_create(by=user, name=payload.name or _("API token"), replace=True)
    return Status(201, {"token": raw, "id": token.id, "name": token.name, "prefix": token.prefix,
                        "expires_at": token.expires_at})


@auth_router.get("/tokens", response=list[TokenOut])
def list_tokens(request, all_users: bool = False):
    return list(selectors.api_token_list(user=request.user, all_users=all_users)[:500])


@auth_router.post("/tokens/{token_id}/revoke", response={200: TokenOut, 404: ErrorOut})
def revoke_token(request, token_id: int):
    return services.api_token_revoke(by=request.user, token_id=token_id)


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    # Every role the caller holds, the primary one (``role``) first: capabilities and data scope are their union.
    roles: list[str]
    unit_id: int | None
    language: str


@org_router.get("/me", response=MeOut, tags=["organisation"])
def me(request):
    u = request.user
    return {"id": u.id, "username": u.username, "name": u.name, "role": u.role, "role_label": u.get_role_display(),
            "roles": u.role_list, "unit_id": u.unit_id, "language": u.language}


class OrgUnitOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    parent_id: int | None
    path: str
    province: str
    operated_by: str
    partner_name: str
    is_active: bool
    # The robot URL is a secret (its token posts to the group): the API says only whether one is set.
    has_robot: bool


class OrgUnitIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    code: str = Field(min_length=1, max_length=32)
    kind: str
    parent_id: int | None = None
    province: str = ""
    operated_by: str = "self"
    partner_name: str = ""
    robot_url: str = Field("", max_length=500)


class OrgUnitPatch(Schema):
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=32)
    parent_id: int | None = None
    province: str | None = None
    operated_by: str | None = None
    partner_name: str | None = None
    is_active: bool | None = None
    robot_url: str | None = Field(None, max_length=500)


def _unit(pk):
    return selectors.unit_named(pk) if pk else None


@org_router.get("/org-units", response=list[OrgUnitOut])
def list_units(request):
    return list(selectors.org_unit_list(user=request.user))


@org_router.post("/org-units", response={201: OrgUnitOut, 400: ErrorOut, 403: ErrorOut})
def create_unit(request, payload: OrgUnitIn):
    if not has_capability(request.user, "org.manage"):
        raise PermissionRefused()
    data = payload.dict()
    parent = _unit(data.pop("parent_id"))
    return Status(201, services.org_unit_create(by=request.user, parent=parent, **data))


@org_router.patch("/org-units/{unit_id}", response={200: OrgUnitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_unit(request, unit_id: int, payload: OrgUnitPatch):
    if not has_capability(request.user, "org.manage"):
        raise PermissionRefused()
    unit = selectors.unit_named(unit_id)
    changes = payload.dict(exclude_unset=True)
    if "parent_id" in changes:
        changes["parent"] = _unit(changes.pop("parent_id"))
    return services.org_unit_update(by=request.user, unit=unit, **changes)


class UserOut(Schema):
    id: int
    username: str
    name: str
    email: str
    # The primary role (names the person, the default); ``additional_roles`` the others they hold; ``roles`` all.
    role: str
    additional_roles: list[str]
    roles: list[str]
    unit_id: int | None
    manager_id: int | None
    is_active: bool

    @staticmethod
    def resolve_additional_roles(obj) -> list[str]:
        return obj.role_list[1:]

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return obj.role_list


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str
    name: str = ""
    role: str
    additional_roles: list[str] = Field(default_factory=list, max_length=32)
    unit_id: int | None = None
    manager_id: int | None = None
    email: str = ""
    phone: str = ""


class UserPatch(Schema):
    name: str | None = None
    role: str | None = None
    # The whole set of additional roles (replaces the current one; [] removes them all).
    additional_roles: list[str] | None = Field(None, max_length=32)
    unit_id: int | None = None
    manager_id: int | None = None
    email: str | None = None
    phone: str | None = None


class DeactivateIn(Schema):
    reassign_to: int | None = None


def _user(pk):
    return selectors.user_named(pk) if pk else None


@org_router.get("/users", response=list[UserOut])
@paginate(PageNumberPagination, page_size=50)
def list_users(request, q: str = "", role: str = "", unit_id: int | None = None, active: bool | None = None):
    return selectors.user_list(user=request.user, q=q, role=role, unit_id=unit_id, active=active)


@org_router.post("/users", response={201: UserOut, 400: ErrorOut, 403: ErrorOut})
def create_user(request, payload: UserIn):
    if not has_capability(request.user, "org.manage"):
        raise PermissionRefused()
    data = payload.dict()
    unit, manager = _unit(data.pop("unit_id")), _user(data.pop("manager_id"))
    return Status(201, services.user_create(by=request.user, unit=unit, manager=manager, **data))


@org_router.get("/users/{user_id}", response={200: UserOut, 403: ErrorOut, 404: ErrorOut})
def get_user(request, user_id: int):
    return selectors.user_get(user=request.user, user_id=user_id)


@org_router.patch("/users/{user_id}", response={200: UserOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_user(request, user_id: int, payload: UserPatch):
    target = selectors.user_get(user=request.user, user_id=user_id)
    changes = payload.dict(exclude_unset=True)
    if "unit_id" in changes:
        changes["unit"] = _unit(changes.pop("unit_id"))
    if "manager_id" in changes:
        changes["manager"] = _user(changes.pop("manager_id"))
    return services.user_update(by=request.user, user=target, **changes)


@org_router.post("/users/{user_id}/deactivate", response={200: UserOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def deactivate_user(request, user_id: int, payload: DeactivateIn):
    target = selectors.user_get(user=request.user, user_id=user_id)
    services.user_deactivate(by=request.user, user=target, reassign_to=_user(payload.reassign_to))
    target.refresh_from_db()
    return target


class LanguageIn(Schema):
    language: str


@org_router.post("/me/language", response={200: MeOut, 400: ErrorOut})
def set_language(request, payload: LanguageIn):
    services.user_set_language(by=request.user, language=payload.language)
    return me(request)
