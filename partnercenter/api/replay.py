"""A write operation's signature works once (partner-api.md §1.2 step 11).

Reads are never tracked: many are POSTs, and X-Sdk-Date has one-second resolution, so two
identical reads in one second legitimately carry the same signature.

For a write, the signature is recorded under a unique constraint **in the transaction that makes
the change**, so it is used up exactly when the change commits: a request refused by a business
rule, or whose worker dies half-way, can be sent again.

Where that transaction is: every write service opens its own, most of them
`transaction.atomic(durable=True)` (billing and resellers funds, customer registration, order
cancel), so the API cannot wrap them in an outer one — a durable block refuses to be nested. What
every one of them does inside its transaction is write its audit row (design.md: every state
change writes an AuditEvent in the same transaction). So the API hands the claim to the service
on the actor (`Actor.signed_request`), and `audit.record` claims it. No service needs to know.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import UsedSignature
from .errors import unauthorized

REPLAYED = "signed request already used, sign it again"
BATCH = 1000


def replayed():
    return unauthorized(REPLAYED)


class SignatureClaim:
    """One signed write request's right to use its signature."""

    def __init__(self, access_key_id, signature, signed_at):
        self.access_key_id = access_key_id
        self.signature = signature
        self.signed_at = signed_at
        self.token = uuid.uuid4().hex

    def _rows(self):
        return UsedSignature.objects.filter(
            access_key_id=self.access_key_id, signature=self.signature
        )

    def already_used(self):
        """Whether a committed change already used this signature (checked before the
        operation runs, so a plain replay is refused whatever the operation would answer)."""
        return self._rows().exists()

    def claim(self):
        """Record the signature as used, in the caller's transaction; raise 401 when another
        request's change has used it.

        ON CONFLICT DO NOTHING: a concurrent twin's uncommitted row makes this wait for that
        transaction; if it commits, the row read back is the twin's and this change is refused
        (and rolled back with its transaction); if it rolls back, this insert wins."""
        UsedSignature.objects.bulk_create(
            [
                UsedSignature(
                    access_key_id=self.access_key_id,
                    signature=self.signature,
                    signed_at=self.signed_at,
                    claim=self.token,
                )
            ],
            ignore_conflicts=True,
        )
        if self._rows().values_list("claim", flat=True).first() != self.token:
            raise replayed()


def purge_expired(*, limit=BATCH, now=None):
    """Delete up to `limit` used signatures whose X-Sdk-Date has left the window: the date check
    refuses those requests now, so the rows guard nothing. Returns how many went. Set-based and
    idempotent: a second run, or two at once, deletes nothing twice."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.PC_API_SIGNATURE_WINDOW)
    expired = UsedSignature.objects.filter(signed_at__lt=cutoff).order_by("pk")
    deleted, _by_model = UsedSignature.objects.filter(pk__in=expired.values("pk")[:limit]).delete()
    return deleted
