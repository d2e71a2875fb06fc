from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "salesflow.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # Every app's events.py declares its events with their labels; import them all now, so the trail can
        # label any stored action whatever code ran first (a page, the worker, a command).
        from importlib import import_module

        from django.utils.module_loading import module_has_submodule

        for config in apps.get_app_configs():
            if config.name.startswith("salesflow.") and module_has_submodule(config.module, "events"):
                import_module(f"{config.name}.events")

        # Signing in and out are not service calls: Django's signals are the only place to see them (the API's
        # token exchange sends user_logged_in too).
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .security import record_sign_in, record_sign_out

        user_logged_in.connect(record_sign_in, dispatch_uid="salesflow_audit_sign_in")
        user_logged_out.connect(record_sign_out, dispatch_uid="salesflow_audit_sign_out")
