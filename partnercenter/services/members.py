"""Colleagues (组织成员): invite by e-mail, join, change role, remove.

Every function here is one business action in one transaction, with an audit row.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..errors import DomainError, PermissionRefused
from ..models import (
    AuditEvent,
    MemberInvitation,
    MemberInvitationStatus,
    Membership,
    NotificationCategory,
    Partner,
    Role,
)
from ..notifications import notify
from ..permissions import P, has_perm
from ..timeutil import start_of_local_day


def _require_admin(actor):
    if not has_perm(actor.membership, P.MEMBERS_MANAGE):
        raise PermissionRefused(_("Only the partner admin may manage colleagues."))


def invitations_sent_today(partner):
    return MemberInvitation.objects.filter(
        partner=partner, created_at__gte=start_of_local_day()
    ).count()


def _send_invitation_email(invitation):
    from ..emails import send_member_invitation

    transaction.on_commit(lambda: send_member_invitation.delay(invitation.pk))


@transaction.atomic(durable=True)
def invite_member(*, actor, email, role):
    _require_admin(actor)
    partner = Partner.objects.select_for_update().get(
        pk=actor.partner.pk
    )  # serialises the daily count
    email = email.strip().lower()
    if role not in Role.values:
        raise DomainError(_("Choose a valid role."), field="role")
    if invitations_sent_today(partner) >= settings.PC_MEMBER_INVITATIONS_PER_DAY:
        raise DomainError(
            _("At most %(n)s invitations can be sent per day. Try again tomorrow.")
            % {"n": settings.PC_MEMBER_INVITATIONS_PER_DAY}
        )
    existing = (
        Membership.objects.active().filter(user__email=email).select_related("partner").first()
    )
    if existing is not None:
        if existing.partner_id == partner.pk:
            raise DomainError(
                _("%(email)s is already a colleague.") % {"email": email}, field="email"
            )
        raise DomainError(
            _("%(email)s already belongs to another partner organisation.") % {"email": email},
            field="email",
        )
    pending = MemberInvitation.objects.filter(
        partner=partner,
        email=email,
        status=MemberInvitationStatus.INVITED,
        expires_at__gt=timezone.now(),
    ).exists()
    if pending:
        raise DomainError(
            _("An invitation to %(email)s is still valid; resend it instead.") % {"email": email},
            field="email",
        )
    invitation = MemberInvitation.objects.create(
        partner=partner, email=email, role=role, invited_by=actor.user
    )
    audit.record(
        "member.invite", actor=actor, target=invitation, after={"email": email, "role": role}
    )
    _send_invitation_email(invitation)
    return invitation


def _invitation_for_update(actor, invitation_id):
    try:
        return MemberInvitation.objects.select_for_update().get(
            pk=invitation_id, partner=actor.partner
        )
    except MemberInvitation.DoesNotExist:
        raise DomainError(_("Invitation not found.")) from None


@transaction.atomic(durable=True)
def resend_invitation(*, actor, invitation_id):
    """A resend starts a fresh 7-day window with a new link; the old link stops working."""
    _require_admin(actor)
    Partner.objects.select_for_update().get(pk=actor.partner.pk)
    invitation = _invitation_for_update(actor, invitation_id)
    if invitation.status not in (MemberInvitationStatus.INVITED, MemberInvitationStatus.EXPIRED):
        raise DomainError(_("Only open or expired invitations can be re-sent."))
    if invitations_sent_today(actor.partner) >= settings.PC_MEMBER_INVITATIONS_PER_DAY:
        raise DomainError(
            _("At most %(n)s invitations can be sent per day. Try again tomorrow.")
            % {"n": settings.PC_MEMBER_INVITATIONS_PER_DAY}
        )
    fresh = MemberInvitation.objects.create(
        partner=invitation.partner,
        email=invitation.email,
        role=invitation.role,
        invited_by=actor.user,
    )
    if invitation.status == MemberInvitationStatus.INVITED:
        invitation.status = MemberInvitationStatus.REVOKED
        invitation.save(update_fields=["status"])
    audit.record(
        "member.invite.resend", actor=actor, target=fresh, before={"invitation": invitation.pk}
    )
    _send_invitation_email(fresh)
    return fresh


@transaction.atomic(durable=True)
def revoke_invitation(*, actor, invitation_id):
    _require_admin(actor)
    invitation = _invitation_for_update(actor, invitation_id)
    if invitation.effective_status != MemberInvitationStatus.INVITED:
        raise DomainError(_("Only invitations that are still open can be revoked."))
    invitation.status = MemberInvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    audit.record("member.invite.revoke", actor=actor, target=invitation)
    return invitation


def check_invitation(token):
    """Return the open invitation for a link, or raise with the message the visitor sees."""
    invitation = MemberInvitation.objects.select_related("partner").filter(token=token).first()
    if invitation is None:
        raise DomainError(_("This invitation link does not exist."))
    status = invitation.effective_status
    if status == MemberInvitationStatus.EXPIRED:
        raise DomainError(
            _("This invitation link has expired. Ask your partner admin to invite you again.")
        )
    if status == MemberInvitationStatus.REVOKED:
        raise DomainError(_("This invitation has been revoked."))
    if status != MemberInvitationStatus.INVITED:
        raise DomainError(_("This invitation link has already been used."))
    return invitation


@transaction.atomic(durable=True)
def accept_invitation(*, actor, token):
    """The signed-in user (whose e-mail must be the invited one) joins the partner."""
    user = actor.user
    invitation = check_invitation(token)
    invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.effective_status != MemberInvitationStatus.INVITED:
        raise DomainError(_("This invitation link has already been used."))
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    if Membership.objects.active().filter(user=user).exists():
        raise DomainError(_("Your account already belongs to a partner organisation."))
    if _is_customer_user(user):
        raise DomainError(_("A customer account cannot join a partner organisation."))
    membership = Membership.objects.create(
        user=user, partner=invitation.partner, role=invitation.role
    )
    invitation.status = MemberInvitationStatus.BOUND
    invitation.membership = membership
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "membership", "accepted_at"])
    audit.record(
        "member.join",
        actor=actor,
        partner=invitation.partner,
        target=membership,
        after={"email": user.email, "role": membership.role},
    )
    admins = [
        m.user
        for m in Membership.objects.active()
        .filter(partner=invitation.partner, role=Role.ADMIN)
        .select_related("user")
    ]
    notify(
        admins,
        category=NotificationCategory.ORGANISATION,
        title=lambda: _("%(email)s joined your organisation") % {"email": user.email},
        url=reverse("members"),
    )
    return membership


def _is_customer_user(user):
    # Customer logins live in the customers app; ask it without importing it at module load.
    checker = getattr(user, "is_customer_user", None)
    return bool(checker() if callable(checker) else checker)


def _member_for_update(actor, membership_id):
    try:
        return (
            Membership.objects.active()
            .select_for_update()
            .select_related("user")
            .get(pk=membership_id, partner=actor.partner)
        )
    except Membership.DoesNotExist:
        raise DomainError(_("Colleague not found.")) from None


def _ensure_an_admin_remains(member, new_role=None):
    if member.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    other_admins = (
        Membership.objects.active()
        .select_for_update()
        .filter(partner=member.partner_id, role=Role.ADMIN)
        .exclude(pk=member.pk)
    )
    if not other_admins.exists():
        raise DomainError(_("The organisation needs at least one partner admin."))


@transaction.atomic(durable=True)
def change_role(*, actor, membership_id, role):
    _require_admin(actor)
    if role not in Role.values:
        raise DomainError(_("Choose a valid role."), field="role")
    member = _member_for_update(actor, membership_id)
    if member.role == role:
        return member
    _ensure_an_admin_remains(member, new_role=role)
    before = member.role
    member.role = role
    member.save(update_fields=["role"])
    audit.record(
        "member.role", actor=actor, target=member, before={"role": before}, after={"role": role}
    )
    notify(
        [member.user],
        category=NotificationCategory.ORGANISATION,
        title=lambda: _("Your role is now %(role)s") % {"role": Role(role).label},
    )
    return member


@transaction.atomic(durable=True)
def remove_member(*, actor, membership_id):
    _require_admin(actor)
    member = _member_for_update(actor, membership_id)
    _ensure_an_admin_remains(member)
    member.removed_at = timezone.now()
    member.save(update_fields=["removed_at"])
    MemberInvitation.objects.filter(membership=member).update(status=MemberInvitationStatus.UNBOUND)
    audit.record(
        "member.remove",
        actor=actor,
        target=member,
        before={"email": member.user.email, "role": member.role},
    )
    return member


def expire_invitations(*, limit=500, now=None):
    """Set-based sweep; safe to run twice (the WHERE no longer matches materialised rows)."""
    now = now or timezone.now()
    ids = list(
        MemberInvitation.objects.filter(status=MemberInvitationStatus.INVITED, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    changed = MemberInvitation.objects.filter(
        pk__in=ids, status=MemberInvitationStatus.INVITED
    ).update(status=MemberInvitationStatus.EXPIRED)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            partner_id=inv.partner_id,
            actor_label="system",
            via="task",
            action="member.invite.expire",
            target_type="partnercenter.memberinvitation",
            target_id=str(inv.pk),
            target_label=str(inv.email),
        )
        for inv in MemberInvitation.objects.filter(
            pk__in=ids, status=MemberInvitationStatus.EXPIRED
        ).only("pk", "partner_id", "email")
    )
    return changed


def member_queryset(partner):
    return (
        Membership.objects.active()
        .filter(partner=partner)
        .select_related("user")
        .order_by("joined_at")
    )


def invitation_queryset(partner):
    return MemberInvitation.objects.filter(partner=partner).select_related("invited_by")
