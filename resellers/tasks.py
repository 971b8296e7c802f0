import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction

from partnercenter.emails import send_templated

from .models import ResellerInvitation

log = logging.getLogger(__name__)
BATCH = 500


@shared_task(autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=5)
def send_reseller_invitation(invitation_id):
    from .services.invitations import invitation_link

    invitation = (
        ResellerInvitation.objects.select_related("distributor", "created_by__user")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    inviter = invitation.created_by.user if invitation.created_by else None
    send_templated(
        "resellers/email/invitation",
        invitation.email,
        {
            "invitation": invitation,
            "distributor": invitation.distributor,
            "link": invitation_link(invitation),
        },
        language=(inviter.language if inviter else "") or settings.LANGUAGE_CODE,
    )
    log.info("reseller invitation e-mailed id=%s", invitation_id)
    return True


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def expire_reseller_invitations():
    from .services.invitations import expire_invitations

    total = 0
    while True:
        with transaction.atomic():
            n = expire_invitations(limit=BATCH)
        total += n
        if n < BATCH:
            break
    if total:
        log.info("expired %s reseller invitations", total)
    return total
