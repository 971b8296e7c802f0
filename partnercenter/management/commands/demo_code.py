from django.core.management.base import BaseCommand, CommandError

from partnercenter.demo import current_code, refuse_in_production
from partnercenter.models import User


class Command(BaseCommand):
    help = (
        "Print the current authenticator code of a demo user (staff@demo.test signs in to the "
        "admin with it). Refuses to run with DJANGO_ENV=production."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="staff@demo.test")

    def execute(self, *args, **options):
        refuse_in_production("demo_code")  # before anything else, the system checks included
        return super().execute(*args, **options)

    def handle(self, *args, email, **options):
        refuse_in_production("demo_code")
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user {email}. Run `manage.py seed_demo` first.")
        found = current_code(user)
        if found is None:
            raise CommandError(f"{email} has no authenticator app.")
        code, seconds = found
        self.stdout.write(code)
        self.stderr.write(f"valid for {seconds} more seconds; run again for the next one")
