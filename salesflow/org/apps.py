from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "salesflow.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from .auth import record_failed_login

        # A failed sign-in is not a service call, so Django's signal is the only place to see it.
        user_login_failed.connect(record_failed_login, dispatch_uid="salesflow_failed_login")
