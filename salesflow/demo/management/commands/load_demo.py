"""manage.py load_demo [--reset]: build the demo company (development only; see salesflow/demo/)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from salesflow.core.errors import AppError


class Command(BaseCommand):
    help = "Create the demo company: org tree, one login per role (password demo12345) and ~300 customers."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="Delete all business data, users and the org tree first, then rebuild.")

    def handle(self, *args, reset=False, **options):
        if not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError(
                "Refusing to load demo data: settings.ALLOW_DEMO_DATA is False (SALESFLOW_ENV=production). "
                "The demo creates logins with a published password and must never run on a production database."
            )
        from salesflow import demo

        try:
            if reset:
                counts = demo.reset_business_data()
                self.stdout.write("Deleted: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
            ctx = demo.build_demo()
        except demo.DemoRefused as exc:
            raise CommandError(str(exc)) from None
        except AppError as exc:
            raise CommandError(f"Demo data could not be built: {exc.code}: {exc.as_dict()}") from None
        if ctx.created:
            self.stdout.write(self.style.SUCCESS(
                "Demo data created: " + ", ".join(f"{n} {k}" for k, n in ctx.created.items())))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already present; nothing to do."))
        self.stdout.write(f"Sign in as admin, gm, manager, rep, … with the password {demo.DEMO_PASSWORD}.")
