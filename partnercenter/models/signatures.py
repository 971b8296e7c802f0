from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UsedSignature(models.Model):
    """A write operation's signature that has done its work (partner-api.md §1.2 step 11).

    Inserted in the same transaction as the change it authorised, so it exists exactly when the
    change committed. A row is needed only while its X-Sdk-Date is inside the signature window:
    after that the date check refuses the request anyway, and a sweep deletes it.
    """

    access_key_id = models.CharField(_("access key ID"), max_length=40)
    signature = models.CharField(_("signature"), max_length=64)
    signed_at = models.DateTimeField(_("request time (X-Sdk-Date)"), db_index=True)
    used_at = models.DateTimeField(_("used at"), default=timezone.now)
    # Which request claimed it: several audit rows of one request claim once, another
    # request carrying the same signature is a replay.
    claim = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("used request signature")
        verbose_name_plural = _("used request signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["access_key_id", "signature"], name="used_signature_once_per_key"
            )
        ]

    def __str__(self):
        return f"{self.access_key_id} {self.signature[:12]}…"
