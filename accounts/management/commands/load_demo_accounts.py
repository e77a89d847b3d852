from django.core.management.base import BaseCommand

from accounts.demo import load_demo_accounts


class Command(BaseCommand):
    help = "Create the demo staff account and the approved demo family (idempotent)."

    def handle(self, *args, **options):
        for role, email, password in load_demo_accounts():
            self.stdout.write(f"{role}: {email} / {password}")
