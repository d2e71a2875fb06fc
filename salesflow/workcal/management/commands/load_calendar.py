"""manage.py load_calendar [years…] [--reload]: load the working calendar from chinese-calendar.

Without years: every year chinese-calendar knows from 2020 to next year. Years already entered are left alone
unless --reload (a reload keeps the days an admin entered by hand). A year the package does not know yet is a
warning, not a failure, so setup scripts can run this every time.
"""

from django.core.management.base import BaseCommand, CommandError

from salesflow.core.errors import AppError


class Command(BaseCommand):
    help = "Load China's statutory holidays and adjusted working days from chinese-calendar into the working calendar."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="Years to load (default: 2020 to next year).")
        parser.add_argument("--reload", action="store_true", help="Reload years that are already entered.")

    def handle(self, *args, years=None, reload=False, **options):
        from salesflow.workcal.services import calendar_load_known_years

        try:
            outcome = calendar_load_known_years(by=None, years=years or None, reload=reload)
        except AppError as exc:
            raise CommandError(f"{exc.code}: {exc.as_dict()}") from None
        for year, result in outcome.items():
            if result == "loaded":
                self.stdout.write(self.style.SUCCESS(f"{year}: loaded from chinese-calendar"))
            elif result == "entered":
                self.stdout.write(f"{year}: already entered (use --reload to load it again)")
            else:
                self.stderr.write(self.style.WARNING(
                    f"{year}: chinese-calendar does not know this year yet; it counts Monday–Friday until an "
                    f"admin enters its holidays (Administration → Working calendar)."))
