import time

from django.core.management.base import BaseCommand

from salesflow.approvals.services import approvals_sweep


class Command(BaseCommand):
    help = "Flag overdue approval stages, remind their approvers and escalate past the grace period."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds (0 = once)")

    def handle(self, *args, every: int = 0, **options):
        while True:
            result = approvals_sweep()
            self.stdout.write(f"overdue flagged: {result['flagged']}, escalated: {result['escalated']}")
            if not every:
                return
            time.sleep(every)
