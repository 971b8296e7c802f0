from django.core.management.base import BaseCommand

from .seed_demo import DEMO_LOGINS, EXTRA_LOGIN_LINES


class Command(BaseCommand):
    help = "Print the demo logins (and demo API keys) for bin/demo."

    def handle(self, *args, **options):
        width = max(len(email) for email, _ in DEMO_LOGINS)
        for email, what in DEMO_LOGINS:
            self.stdout.write(f"    {email.ljust(width)}  {what}")
        for line in EXTRA_LOGIN_LINES:
            self.stdout.write(f"    {line}")
