"""The organisation: the caller, API tokens, units, users."""

from __future__ import annotations

from ..factories import PASSWORD
from .base import ROLES, SIGNED_IN, row

ADMIN = {"admin"}
EVERYONE = frozenset(ROLES)

ROWS = [
    # API: the caller and their tokens.
    row("me", "get", "/api/v1/me", SIGNED_IN),
    row("language", "post", "/api/v1/me/language", SIGNED_IN, 200, {"language": "en"}),
    # Exchanging a username and password for a token needs no session or token (auth=None).
    row("token_create", "post", "/api/v1/auth/token", EVERYONE, 201,
        {"username": "{rep_username}", "password": PASSWORD}, overrides={"anonymous": 201}),
    row("tokens", "get", "/api/v1/auth/tokens", SIGNED_IN),
    row("token_revoke", "post", "/api/v1/auth/tokens/{token}/revoke", {"rep", "admin"}, sees={"rep", "admin"},
        overrides={"planner": 404}),
    # API: units and users (the administrator).
    row("units", "get", "/api/v1/org-units", SIGNED_IN),
    row("unit_create", "post", "/api/v1/org-units", ADMIN, 201,
        {"name": "上海三组", "code": "SH3", "kind": "team", "parent_id": "{east_office}"}),
    row("unit_update", "patch", "/api/v1/org-units/{east_team}", ADMIN, 200, {"name": "上海一组（新）"}),
    row("users", "get", "/api/v1/users", ADMIN),
    row("user_get", "get", "/api/v1/users/{rep}", ADMIN),
    row("user_create", "post", "/api/v1/users", ADMIN, 201,
        {"username": "newbie", "password": PASSWORD, "role": "rep", "unit_id": "{east_team}"}),
    row("user_update", "patch", "/api/v1/users/{rep}", ADMIN, 200, {"name": "张三"}),
    row("user_deactivate", "post", "/api/v1/users/{rep3}/deactivate", ADMIN, 200, {"reassign_to": "{manager}"}),
    # Pages.
    row("unit_list_page", "get", "/org/units/", ADMIN),
    row("unit_create_page", "get", "/org/units/new/", ADMIN),
    row("unit_edit_page", "get", "/org/units/{east_team}/", ADMIN),
    row("user_list_page", "get", "/org/users/", ADMIN),
    row("user_create_page", "get", "/org/users/new/", ADMIN),
    row("user_edit_page", "get", "/org/users/{rep}/", ADMIN),
    row("user_deactivate_page", "post", "/org/users/{rep3}/deactivate/", ADMIN, 302, {"reassign_to": "{manager}"}),
    row("user_reactivate_page", "post", "/org/users/{rep3}/reactivate/", ADMIN, 302),
]
