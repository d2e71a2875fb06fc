from django.core.management.base import BaseCommand, CommandError

from salesflow.approvals.policies import DEFAULT_FILE, policy_load_file
from salesflow.core.errors import AppError


class Command(BaseCommand):
    help = "Load (or update) the approval policies from a TOML file (default: the shipped policies.toml)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, path: str, **options):
        from pathlib import Path

        try:
            loaded = policy_load_file(by=None, path=Path(path), system=True)
        except AppError as exc:
            raise CommandError(f"{exc.message}: {exc.fields}") from None
        self.stdout.write(f"{len(loaded)} policies loaded: {', '.join(p.code for p in loaded)}")
