"""The organisation's audit events: units, users, sign-in, API tokens."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

ORG_UNIT_CREATED = declare("org_unit.created", _("Unit created"))
ORG_UNIT_UPDATED = declare("org_unit.updated", _("Unit updated"))
USER_CREATED = declare("user.created", _("User created"))
USER_UPDATED = declare("user.updated", _("User updated"))
USER_DEACTIVATED = declare("user.deactivated", _("User deactivated"))
USER_REACTIVATED = declare("user.reactivated", _("User reactivated"))
USER_PASSWORD_CHANGED = declare("user.password_changed", _("Password changed"))
USER_LANGUAGE_CHANGED = declare("user.language_changed", _("Language changed"))
USER_LOGIN_FAILED = declare("user.login_failed", _("Failed sign-in"), nobody="-")
API_TOKEN_CREATED = declare("api_token.created", _("API token created"))
API_TOKEN_REVOKED = declare("api_token.revoked", _("API token revoked"))
