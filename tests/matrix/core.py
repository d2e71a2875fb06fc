"""The ground floor's pages: home, sign-in and -out, language, the caller's API tokens, the API's own docs."""

from __future__ import annotations

from .base import ROLES, SIGNED_IN, row

EVERYONE = frozenset(ROLES)
TOKEN_OWNER = {"rep", "admin"}  # a token is revoked by its owner or the administrator (token.manage_all)


def build(world, ids):
    from salesflow.org.services import api_token_create

    token, _raw = api_token_create(by=world.rep, name="矩阵令牌")
    return {"token": token.pk}


ROWS = [
    row("home", "get", "/", SIGNED_IN),
    # Signed in already: the sign-in page sends the caller home.
    row("login", "get", "/login/", SIGNED_IN, 302, overrides={"anonymous": 200}),
    row("logout", "post", "/logout/", EVERYONE, 302, overrides={"anonymous": 302}),
    row("set_language", "post", "/language/", EVERYONE, 302, {"language": "en"}, overrides={"anonymous": 302}),
    row("token_list", "get", "/account/tokens/", SIGNED_IN),
    row("token_create_page", "post", "/account/tokens/", SIGNED_IN, 200, {"name": "矩阵"}),
    # Another user's token answers like a missing one.
    row("token_revoke_page", "post", "/account/tokens/{token}/revoke/", TOKEN_OWNER, 302,
        sees=TOKEN_OWNER, overrides={"planner": 404}),
    # The API's own documentation: open to everyone; the API's root is nothing (404).
    row("api_root", "get", "/api/v1/", EVERYONE, 404, overrides={"anonymous": 404}, page=True),  # ninja's root
    row("api_docs", "get", "/api/v1/docs", EVERYONE, overrides={"anonymous": 200}, page=True),
    row("openapi", "get", "/api/v1/openapi.json", EVERYONE, overrides={"anonymous": 200}, page=True),
]
