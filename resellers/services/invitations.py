"""A distributor invites a cloud reseller by e-mail (7 days; same country/region only; never a
reseller already bound to another distributor). Accepting leads into the ordinary application,
with the inviting distributor filled in."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import audit
from partnercenter.errors import DomainError
from partnercenter.models import Membership, NotificationCategory, PartnerKind
from partnercenter.permissions import P
from partnercenter.sweeps import expire_invitations as sweep

from ..models import InvitationStatus, ResellerApplication, ResellerInvitation
from .common import require_distributor


def invitation_link(invitation):
    return settings.SITE_URL + reverse("resellers:join", args=[invitation.token])


def _invitee_refusal(distributor, email):
    membership = (
        Membership.objects.active()
        .filter(user__email__iexact=email)
        .select_related("partner")
        .first()
    )
    if membership is not None:
        partner = membership.partner
        if partner.kind != PartnerKind.RESELLER:
            return _("%(email)s already belongs to a partner organisation.") % {"email": email}
        if partner.distributor_id == distributor.pk:
            return _("%(email)s is already your cloud reseller.") % {"email": email}
        if partner.distributor_id is not None:
            return _(
                "%(email)s is a cloud reseller of another distributor and cannot be invited."
            ) % {"email": email}
        if partner.country_region != distributor.country_region:
            return _("You can invite cloud resellers in your own country/region only.")
    application = ResellerApplication.objects.live().filter(applicant__email__iexact=email).first()
    if application is not None and membership is None:
        return _("%(email)s has already applied to the cloud reseller program.") % {"email": email}
    return None


@transaction.atomic(durable=True)
def invite_reseller(*, actor, email, country_region):
    """邀请云经销商: an e-mail with a link valid for 7 days. A new invitation to the same
    address replaces the distributor's earlier open one."""
    require_distributor(actor, P.RESELLER_REVIEW)
    distributor = actor.partner
    email = (email or "").strip().lower()
    if not email:
        raise DomainError(_("Enter the e-mail address to invite."), field="email")
    if country_region != distributor.country_region:
        raise DomainError(
            _("You can invite cloud resellers in your own country/region only."),
            field="country_region",
        )
    message = _invitee_refusal(distributor, email)
    if message:
        raise DomainError(message, field="email")
    replaced = ResellerInvitation.objects.filter(
        distributor=distributor, email__iexact=email, status=InvitationStatus.SENT
    ).update(status=InvitationStatus.REVOKED)
    invitation = ResellerInvitation.objects.create(
        distributor=distributor, email=email, created_by=actor.membership
    )
    audit.record(
        "reseller.invite",
        actor=actor,
        target=invitation,
        after={"email": email, "replaced": replaced},
    )
    transaction.on_commit(lambda: _send(invitation.pk))
    return invitation


def _send(invitation_id):
    from ..tasks import send_reseller_invitation

    send_reseller_invitation.delay(invitation_id)


@transaction.atomic(durable=True)
def revoke_invitation(*, actor, invitation_id):
    require_distributor(actor, P.RESELLER_REVIEW)
    invitation = (
        ResellerInvitation.objects.select_for_update()
        .filter(pk=invitation_id, distributor=actor.partner)
        .first()
    )
    if invitation is None:
        raise DomainError(_("Invitation not found."))
    if invitation.effective_status != InvitationStatus.SENT:
        raise DomainError(_("Only invitations that are still open can be revoked."))
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    audit.record("reseller.invite.revoke", actor=actor, target=invitation)
    return invitation


def check_invitation(token):
    """The open invitation behind a link, or DomainError with the message the visitor reads."""
    invitation = (
        ResellerInvitation.objects.select_related("distributor").filter(token=token).first()
        if token
        else None
    )
    if invitation is None:
        raise DomainError(_("This invitation link does not exist."))
    status = invitation.effective_status
    if status == InvitationStatus.EXPIRED:
        raise DomainError(_("This invitation link has expired."))
    if status == InvitationStatus.REVOKED:
        raise DomainError(_("This invitation has been revoked."))
    if status == InvitationStatus.APPLIED:
        raise DomainError(_("This invitation link has already been used."))
    return invitation


def expire_invitations(*, limit=500, now=None):
    """Materialise 已失效 for invitations past their 7 days, record it and tell the inviter.

    Set-based and idempotent: the UPDATE only matches rows not yet materialised."""

    def notice(emails):
        return {
            "category": NotificationCategory.RESELLERS,
            "title": lambda: _("%(n)s cloud reseller invitation(s) expired") % {"n": len(emails)},
            "body": ", ".join(emails[:20]),
            "url": reverse("resellers:invite"),
        }

    return sweep(
        ResellerInvitation.objects.filter(
            status=InvitationStatus.SENT, expires_at__lte=now or timezone.now()
        ),
        expired_status=InvitationStatus.EXPIRED,
        partner_field="distributor_id",
        action="reseller.invite.expire",
        notice=notice,
        limit=limit,
    )
