from django.core.management.base import BaseCommand
from django.db import transaction

from partnercenter import secretbox
from partnercenter.models import AccessKey


class Command(BaseCommand):
    help = (
        "Re-encrypt every access-key secret under the newest ACCESS_KEY_ENCRYPTION_KEYS entry; "
        "run after prepending a new key, then the old key can be dropped."
    )

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for key in AccessKey.objects.select_for_update().only("pk", "secret_encrypted"):
                AccessKey.objects.filter(pk=key.pk).update(
                    secret_encrypted=secretbox.rotate(key.secret_encrypted)
                )
                count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} access-key secrets re-encrypted."))
