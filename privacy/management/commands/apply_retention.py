"""Apply the retention periods now, or (--dry-run) list what they would remove."""

from django.core.management.base import BaseCommand

from privacy.services import apply_retention


class Command(BaseCommand):
    help = "Destroy or de-identify what has outlived its retention period (--dry-run: list)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, remove nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        plan = apply_retention(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for kind, ids in plan.ids.items():
            shown = ", ".join(str(pk) for pk in ids[:50]) + (" …" if len(ids) > 50 else "")
            self.stdout.write(f"{kind}: {verb} {len(ids)}" + (f" ({shown})" if ids else ""))
        self.stdout.write(f"total: {verb} {plan.total}")
