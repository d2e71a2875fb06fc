"""Every state change of the organisation: units, users, roles, languages and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.events import snapshot
from salesflow.core.errors import AppError, NotFound, PermissionRefused, ValidationFailed

from . import error_codes as codes
from . import events
from .hooks import OWNER_UNIT_CHANGED, OWNERSHIP_TRANSFER
from .models import UNIT_PARENT_KIND, ApiToken, OrgUnit, UnitKind, User, UserRole
from .robots import robot_url_is_valid, robot_url_masked
from .roles import Role, has_capability

UNIT_FIELDS = ["name", "code", "kind", "parent", "province", "operated_by", "partner_name", "is_active", "robot_url"]
USER_FIELDS = ["username", "name", "email", "role", "unit", "manager", "phone", "is_active"]


def _require(by, capability: str) -> None:
    if not has_capability(by, capability):
        raise PermissionRefused()


def _check_parent(kind: str, parent: OrgUnit | None) -> None:
    if kind not in UnitKind.values:
        raise ValidationFailed({"kind": [_("Unknown unit kind.")]})
    expected = UNIT_PARENT_KIND[UnitKind(kind)]
    if expected is None and parent is not None:
        raise ValidationFailed({"parent": [_("Headquarters has no parent unit.")]}, code=codes.ORG_UNIT_BAD_PARENT)
    if expected is not None and (parent is None or parent.kind != expected):
        raise ValidationFailed(
            {"parent": [_("A {kind} must sit under a {parent}.").format(
                kind=UnitKind(kind).label, parent=UnitKind(expected).label)]},
            code=codes.ORG_UNIT_BAD_PARENT,
        )


def _check_robot_url(url: str) -> None:
    if url and not robot_url_is_valid(url):
        raise ValidationFailed(
            {"robot_url": [_("Not a valid group robot address. Use dingtalk://<token>/, wecombot://<key> "
                             "or feishu://<token>.")]},
            code=codes.ORG_UNIT_BAD_ROBOT,
        )


def _unit_snapshot(unit: OrgUnit) -> dict:
    # The robot URL carries the robot's secret token: the audit trail shows only which service is set.
    data = snapshot(unit, UNIT_FIELDS)
    data["robot_url"] = robot_url_masked(unit.robot_url)
    return data


def _set_path(unit: OrgUnit) -> None:
    prefix = unit.parent.path if unit.parent_id else ""
    unit.path = f"{prefix}{unit.pk:06d}/"


@transaction.atomic
def org_unit_create(*, by, name: str, code: str, kind: str, parent: OrgUnit | None = None, province: str = "",
                    operated_by: str = "self", partner_name: str = "", robot_url: str = "") -> OrgUnit:
    _require(by, "org.manage")
    if not name.strip():
        raise ValidationFailed({"name": [_("This field is required.")]})
    _check_parent(kind, parent)
    robot_url = (robot_url or "").strip()
    _check_robot_url(robot_url)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationFailed({"code": [_("This code is already used by another unit.")]}, code=codes.ORG_UNIT_CODE_TAKEN)
    unit = OrgUnit.objects.create(name=name.strip(), code=code, kind=kind, parent=parent, province=province,
                                  operated_by=operated_by, partner_name=partner_name, robot_url=robot_url)
    _set_path(unit)
    unit.save(update_fields=["path"])
    events.ORG_UNIT_CREATED.record(by=by, obj=unit, after=_unit_snapshot(unit))
    return unit


@transaction.atomic
def org_unit_update(*, by, unit: OrgUnit, **changes) -> OrgUnit:
    _require(by, "org.manage")
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = _unit_snapshot(unit)
    old_path = unit.path
    for field, value in changes.items():
        if field not in UNIT_FIELDS:
            raise ValidationFailed({field: [_("This field cannot be changed.")]})
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    if not unit.name:
        raise ValidationFailed({"name": [_("This field is required.")]})
    if "code" in changes and OrgUnit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists():
        raise ValidationFailed({"code": [_("This code is already used by another unit.")]}, code=codes.ORG_UNIT_CODE_TAKEN)
    _check_parent(unit.kind, unit.parent)
    if "robot_url" in changes:
        unit.robot_url = unit.robot_url or ""
        _check_robot_url(unit.robot_url)
    if unit.parent_id and unit.parent.path.startswith(old_path):
        raise ValidationFailed({"parent": [_("A unit cannot be moved under itself.")]}, code=codes.ORG_UNIT_CYCLE)
    _set_path(unit)
    unit.save()
    if unit.path != old_path:
        # Move the whole subtree: rewrite every descendant's path prefix.
        for child in OrgUnit.objects.select_for_update().filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path):]
            child.save(update_fields=["path"])
    events.ORG_UNIT_UPDATED.record(by=by, obj=unit, before=before, after=_unit_snapshot(unit))
    return unit


def _clean_additional_roles(additional_roles, *, primary: str) -> list[str]:
    """The additional roles as stored: known roles, each once, without the primary role (which a person holds
    anyway), in the order of ``Role``. Anything else is refused as a whole: nothing is written."""
    if isinstance(additional_roles, str) or not all(isinstance(r, str) for r in additional_roles):
        raise ValidationFailed({"additional_roles": [_("Give the additional roles as a list of role codes.")]},
                               code=codes.USER_BAD_ROLES)
    unknown = sorted({r for r in additional_roles if r not in Role.values})
    if unknown:
        raise ValidationFailed(
            {"additional_roles": [_("Unknown role: {roles}.").format(roles=", ".join(unknown))]},
            code=codes.USER_BAD_ROLES,
        )
    wanted = set(additional_roles) - {primary}
    return [r for r in Role.values if r in wanted]


def _set_additional_roles(user: User, roles: list[str], *, current) -> None:
    """Make the user's ``UserRole`` rows exactly ``roles``, given the ``current`` ones (the caller holds the
    user's row lock, or has just created the user)."""
    if set(current) - set(roles):
        UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    if set(roles) - set(current):
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles if r not in current])
    user.forget_roles()
    user.__dict__["_additional_roles"] = frozenset(roles)


def _user_snapshot(user: User) -> dict:
    data = snapshot(user, USER_FIELDS)
    data["additional_roles"] = sorted(user.additional_roles)
    return data


def _sync_staff(user: User) -> None:
    # The Django admin site is the system administrator's, whichever of their roles that is.
    user.is_staff = user.is_superuser = user.holds(Role.ADMIN)


def _validate_user_links(*, role: str, unit: OrgUnit | None, manager: User | None, user: User | None = None) -> None:
    errors = {}
    if role not in Role.values:
        errors["role"] = [_("Unknown role.")]
    if manager is not None:
        if user is not None and manager.pk == user.pk:
            errors["manager"] = [_("A user cannot be their own manager.")]
        elif not manager.is_active:
            errors["manager"] = [_("The manager must be an active user.")]
        elif user is not None:
            seen, cursor = set(), manager
            while cursor is not None and cursor.pk not in seen:
                if cursor.pk == user.pk:
                    errors["manager"] = [_("This would make a circular reporting line.")]
                    break
                seen.add(cursor.pk)
                cursor = cursor.manager
    if errors:
        raise ValidationFailed(errors, code=codes.USER_BAD_MANAGER if "manager" in errors else "validation_error")


@transaction.atomic
def user_create(*, by, username: str, password: str, role: str, name: str = "", unit: OrgUnit | None = None,
                manager: User | None = None, email: str = "", phone: str = "",
                additional_roles: list[str] | tuple[str, ...] = ()) -> User:
    _require(by, "org.manage")
    username = (username or "").strip()
    errors = {}
    if not username:
        errors["username"] = [_("This field is required.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is already taken.")]
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(errors, code=codes.USER_USERNAME_TAKEN if "username" in errors else "validation_error")
    _validate_user_links(role=role, unit=unit, manager=manager)
    additional = _clean_additional_roles(additional_roles, primary=role)
    user = User(username=username, name=name.strip(), role=role, unit=unit, manager=manager, email=email,
                phone=phone)
    user.__dict__["_additional_roles"] = frozenset(additional)
    _sync_staff(user)
    user.set_password(password)
    user.save()
    _set_additional_roles(user, additional, current=())
    events.USER_CREATED.record(by=by, obj=user, after=_user_snapshot(user))
    return user


@transaction.atomic
def user_update(*, by, user: User, **changes) -> User:
    _require(by, "org.manage")
    given, user = user, User.objects.select_for_update().get(pk=user.pk)
    given.forget_roles()  # the caller's copy reads the roles again when next asked
    # The rows as stored (a new primary role that was an additional one stays a row until it is cleaned below).
    stored = frozenset(user.extra_roles.values_list("role", flat=True))
    user.__dict__["_additional_roles"] = stored
    before = _user_snapshot(user)
    additional = changes.pop("additional_roles", None)
    for field, value in changes.items():
        if field not in USER_FIELDS or field in {"username", "is_active"}:
            raise ValidationFailed({field: [_("This field cannot be changed here.")]})
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    _validate_user_links(role=user.role, unit=user.unit, manager=user.manager, user=user)
    # Not given: the additional roles stay, less the new primary role if it was one of them.
    wanted = _clean_additional_roles(before["additional_roles"] if additional is None else additional,
                                     primary=user.role)
    _set_additional_roles(user, wanted, current=stored)
    _sync_staff(user)
    user.save()
    if before["unit"] != user.unit_id:
        OWNER_UNIT_CHANGED.call(user=user, by=by)
    events.USER_UPDATED.record(by=by, obj=user, before=before, after=_user_snapshot(user))
    return user


@transaction.atomic
def user_deactivate(*, by, user: User, reassign_to: User | None = None) -> dict:
    """Deactivate a user without losing their records: what they own moves to ``reassign_to``
    (default: their manager), their API tokens are revoked, and they can no longer sign in."""
    _require(by, "org.manage")
    if by.pk == user.pk:
        raise AppError(codes.USER_SELF_DEACTIVATE, _("You cannot deactivate your own account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    target = reassign_to or user.manager
    if target is None or not target.is_active or target.pk == user.pk:
        raise ValidationFailed(
            {"reassign_to": [_("Choose an active user to take over this user's customers.")]},
            code=codes.USER_REASSIGN_TARGET,
        )
    moved = OWNERSHIP_TRANSFER.call(from_user=user, to_user=target, by=by)  # {handler: records moved}
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _end_sessions(user)
    User.objects.filter(manager=user).update(manager=target)
    events.USER_DEACTIVATED.record(by=by, obj=user, before={"is_active": True},
                                   after={"is_active": False, "reassigned_to": target.pk, "moved": moved})
    return moved


def _end_sessions(user: User) -> None:
    """Issue #15: sign the user out everywhere, or a reactivation would revive their old browser sessions.
    Sessions are stored encoded, so the unexpired ones are read (a working day's worth: SESSION_COOKIE_AGE)."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    mine = [s.pk for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
            if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    Session.objects.filter(pk__in=mine).delete()


@transaction.atomic
def user_reactivate(*, by, user: User) -> User:
    _require(by, "org.manage")
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.refresh_from_db()
    events.USER_REACTIVATED.record(by=by, obj=user, before={"is_active": False}, after={"is_active": True})
    return user


@transaction.atomic
def user_set_password(*, by, user: User, password: str) -> None:
    if by.pk != user.pk:
        _require(by, "org.manage")
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    events.USER_PASSWORD_CHANGED.record(by=by, obj=user)


@transaction.atomic
def user_set_language(*, by, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed({"language": [_("Unknown language.")]}, code=codes.LANGUAGE_UNKNOWN)
    before = by.language
    User.objects.filter(pk=by.pk).update(language=language)
    by.language = language
    events.USER_LANGUAGE_CHANGED.record(by=by, obj=by, before={"language": before},
                                        after={"language": language})


# --- API tokens -----------------------------------------------------------------------------------------

def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _live_tokens(user):
    """Tokens that still open the API: neither revoked, nor past their term, nor idle too long."""
    now = timezone.now()
    idle_since = now - dt.timedelta(days=settings.API_TOKEN_IDLE_DAYS)
    return (ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
            .filter(Q(last_used_at__gt=idle_since) | Q(last_used_at__isnull=True, created_at__gt=idle_since)))


@transaction.atomic
def api_token_create(*, by, name: str = "", replace: bool = False) -> tuple[ApiToken, str]:
    """A new token that ends ``API_TOKEN_TTL_DAYS`` from now. ``replace`` (the password exchange): the user's live
    tokens of the same name are revoked first, so a script that signs in on every run keeps one token, not
    hundreds (issue #15). Nobody holds more than ``API_TOKEN_MAX_PER_USER`` live tokens."""
    User.objects.select_for_update().filter(pk=by.pk).first()  # one exchange at a time per person: the count holds
    name = (name or "").strip()[:100] or _("API token")
    now = timezone.now()
    if replace:
        for old in _live_tokens(by).filter(name=name).select_for_update(of=("self",)).order_by("pk"):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            events.API_TOKEN_REVOKED.record(by=by, obj=old, note=_("Replaced by a new token of the same name"))
    live = _live_tokens(by).count()
    if live >= settings.API_TOKEN_MAX_PER_USER:
        raise AppError(codes.TOKEN_LIMIT_REACHED,
                       _("You already hold {count} live API tokens, the most allowed; revoke one first.")
                       .format(count=live), status=400)
    raw = "sf_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=by, name=name, prefix=raw[:10], key_hash=hash_token(raw),
                                    expires_at=now + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS))
    events.API_TOKEN_CREATED.record(by=by, obj=token, after={"name": token.name, "prefix": token.prefix,
                                                            "expires": token.expires_at.isoformat()})
    return token, raw


@transaction.atomic
def api_token_revoke(*, by, token_id: int) -> ApiToken:
    qs = ApiToken.objects.select_for_update()
    if not has_capability(by, "token.manage_all"):
        qs = qs.filter(user=by)
    token = qs.filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Token not found."), code=codes.TOKEN_NOT_FOUND)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        events.API_TOKEN_REVOKED.record(by=by, obj=token, note=token.user.username)
    return token


def api_token_authenticate(raw: str) -> User | None:
    if not raw or not raw.startswith("sf_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active or token.is_expired:
        return None  # issue #15: past its term or idle too long, a token answers like an unknown one
    now = timezone.now()
    # Touch last_used at most once a minute so reads stay reads.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
