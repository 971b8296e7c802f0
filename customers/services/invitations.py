"""Invitations (客户拓展) and accepting them (关联合作伙伴).

Refusals carry the exact messages customers see (domain §2.2) and change nothing; refusals that
come from the customer's situation are recorded on an online invitation as 关联失败 with the reason.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter import audit
from partnercenter.errors import DomainError
from partnercenter.models import Membership, NotificationCategory, Role
from partnercenter.notifications import notify
from partnercenter.permissions import P

from .. import content, rules
from ..models import (
    Association,
    AssociationEvent,
    AssociationType,
    Customer,
    CustomerKind,
    CustomerUser,
    EventStatus,
    EventType,
    Initiator,
    Invitation,
    InvitationBatch,
    InvitationKind,
    InvitationStatus,
    NoticeSignature,
    online_expiry,
)
from .common import partner_admins, require

log = logging.getLogger(__name__)

# Messages from Huawei's association failure list (domain §2.2); zh-hans holds the exact wording.
MSG_NOT_EXIST = gettext_lazy("This invitation link does not exist.")
MSG_EXPIRED = gettext_lazy("This invitation link has expired.")
MSG_USED = gettext_lazy("This invitation link has already been used.")
MSG_REVOKED = gettext_lazy("This invitation has been revoked.")
MSG_OTHER_PARTNER = gettext_lazy(
    "The customer is already associated with another partner and cannot associate."
)
MSG_SAME_PARTNER = gettext_lazy("This account is already associated with this partner.")
MSG_IS_PARTNER = gettext_lazy(
    "The account is itself a Huawei Cloud partner and cannot associate with a partner."
)
MSG_TOO_OLD = gettext_lazy(
    "Association is not possible. Ask your Huawei Cloud partner to register you again "
    "(an account associating with a partner must have been created within the last 7 days)."
)
MSG_ARREARS = gettext_lazy("The customer has arrears and cannot associate with a partner.")
MSG_NOTICE = gettext_lazy(
    "Read and agree to the Notice on Associating with a Huawei Cloud Partner first."
)

OFFLINE_MAX_ACCOUNT_AGE = timedelta(days=7)
BATCH_MAX_LINES = 500


class InvitationRefused(DomainError):
    code = "CBC.99007004"

    def __init__(self, message, *, invitation=None, record=False):
        super().__init__(message)
        self.invitation = invitation
        self.record = record


def _validate_type(association_type):
    try:
        return AssociationType(int(association_type))
    except (TypeError, ValueError):
        raise DomainError(_("Choose an association type."), field="association_type") from None


def _send_email(invitation):
    from ..tasks import send_customer_invitation

    transaction.on_commit(lambda: send_customer_invitation.delay(invitation.pk))


def invitation_link(invitation):
    return settings.SITE_URL + reverse("customers:accept", args=[invitation.token])


def email_context(invitation):
    return {
        "invitation": invitation,
        "partner": invitation.partner,
        "link": invitation_link(invitation),
        "type_label": AssociationType(invitation.association_type).label,
    }


def _create_online(actor, association_type, email, mobile, batch=None):
    email = (email or "").strip().lower()
    if not email:
        raise DomainError(_("Enter the customer's e-mail address."), field="email")
    existing = (
        Association.objects.current()
        .filter(customer__email__iexact=email)
        .select_related("partner")
        .first()
    )
    if existing is not None and existing.partner_id == actor.partner.pk:
        raise DomainError(
            _("%(email)s is already your customer.") % {"email": email}, field="email"
        )
    invitation = Invitation.objects.create(
        partner=actor.partner,
        kind=InvitationKind.ONLINE,
        association_type=association_type,
        email=email,
        mobile=(mobile or "").strip(),
        created_by=actor.membership,
        expires_at=online_expiry(),
        batch=batch,
    )
    audit.record(
        "customer.invite",
        actor=actor,
        target=invitation,
        after={"email": email, "association_type": int(association_type), "kind": "online"},
    )
    _send_email(invitation)
    return invitation


@transaction.atomic(durable=True)
def send_online_invitation(*, actor, association_type, email, mobile=""):
    require(actor, P.CUSTOMER_INVITE)
    return _create_online(actor, _validate_type(association_type), email, mobile)


def _invitation_for_update(actor, invitation_id):
    from ..selectors import visible_invitations

    invitation = (
        visible_invitations(actor.membership).select_for_update().filter(pk=invitation_id).first()
    )
    if invitation is None:
        raise DomainError(_("Invitation not found."))
    return invitation


@transaction.atomic(durable=True)
def resend_invitation(*, actor, invitation_id):
    """A fresh link and a fresh 7-day window on the same record; the old link stops working."""
    require(actor, P.CUSTOMER_INVITE)
    invitation = _invitation_for_update(actor, invitation_id)
    if invitation.kind != InvitationKind.ONLINE:
        raise DomainError(_("Only e-mail invitations can be re-sent."))
    if invitation.status in (InvitationStatus.ASSOCIATED, InvitationStatus.REVOKED):
        raise DomainError(_("This invitation can no longer be re-sent."))
    before = {
        "status": invitation.effective_status,
        "expires_at": invitation.expires_at.isoformat(),
    }
    invitation.token = Invitation._meta.get_field("token").default()
    invitation.expires_at = online_expiry()
    invitation.status = InvitationStatus.SENT
    invitation.failure_reason = ""
    invitation.save(update_fields=["token", "expires_at", "status", "failure_reason"])
    audit.record(
        "customer.invite.resend",
        actor=actor,
        target=invitation,
        before=before,
        after={"expires_at": invitation.expires_at.isoformat()},
    )
    _send_email(invitation)
    return invitation


@transaction.atomic(durable=True)
def revoke_invitation(*, actor, invitation_id):
    require(actor, P.CUSTOMER_INVITE)
    invitation = _invitation_for_update(actor, invitation_id)
    if invitation.effective_status not in (InvitationStatus.SENT, InvitationStatus.FAILED):
        raise DomainError(_("Only invitations that are still open can be revoked."))
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    audit.record("customer.invite.revoke", actor=actor, target=invitation)
    return invitation


@transaction.atomic(durable=True)
def offline_link(*, actor, association_type, tag=""):
    """The generic link (通用邀请链接) for a tag; by default the member's own account name."""
    require(actor, P.CUSTOMER_INVITE)
    association_type = _validate_type(association_type)
    tag = (tag or "").strip()[:64] or actor.user.account_name
    link = (
        Invitation.objects.select_for_update()
        .filter(
            partner=actor.partner,
            kind=InvitationKind.OFFLINE,
            association_type=association_type,
            tag=tag,
            status=InvitationStatus.SENT,
        )
        .first()
    )
    if link is not None:
        return link
    link = Invitation.objects.create(
        partner=actor.partner,
        kind=InvitationKind.OFFLINE,
        association_type=association_type,
        tag=tag,
        created_by=actor.membership,
    )
    audit.record(
        "customer.link.create",
        actor=actor,
        target=link,
        after={"tag": tag, "association_type": int(association_type)},
    )
    return link


def parse_batch_lines(text):
    """One customer per line: e-mail, optionally followed by a comma/tab/space and a mobile."""
    lines = []
    for raw in (text or "").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        parts = [
            p for p in raw.replace("\t", ",").replace(";", ",").replace(" ", ",").split(",") if p
        ]
        lines.append({"email": parts[0], "mobile": parts[1] if len(parts) > 1 else ""})
    return lines


@transaction.atomic(durable=True)
def start_batch(*, actor, association_type, lines):
    require(actor, P.CUSTOMER_INVITE)
    association_type = _validate_type(association_type)
    if not lines:
        raise DomainError(_("Enter at least one e-mail address."), field="lines")
    if len(lines) > BATCH_MAX_LINES:
        raise DomainError(
            _("At most %(n)s customers per batch.") % {"n": BATCH_MAX_LINES}, field="lines"
        )
    batch = InvitationBatch.objects.create(
        partner=actor.partner,
        created_by=actor.membership,
        association_type=association_type,
        lines=lines,
        total=len(lines),
    )
    audit.record("customer.invite.batch", actor=actor, target=batch, after={"total": len(lines)})
    from ..tasks import run_invitation_batch

    transaction.on_commit(lambda: run_invitation_batch.delay(batch.pk))
    return batch


def run_batch(batch_id):
    """Send each line as its own invitation; one line's failure never stops the others."""
    from django import forms

    from partnercenter.actor import Actor

    claimed = InvitationBatch.objects.filter(
        pk=batch_id, status=InvitationBatch.Status.PENDING
    ).update(status=InvitationBatch.Status.RUNNING)
    if not claimed:
        return None
    batch = InvitationBatch.objects.select_related("partner", "created_by__user").get(pk=batch_id)
    member = batch.created_by
    actor = Actor(
        user=member.user if member else None, partner=batch.partner, membership=member, via="task"
    )
    results = []
    language = (member.user.language if member else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        for i, line in enumerate(batch.lines, start=1):
            email = (line.get("email") or "").strip().lower()
            try:
                forms.EmailField().clean(email)
                with transaction.atomic():
                    _create_online(
                        actor, batch.association_type, email, line.get("mobile", ""), batch=batch
                    )
                results.append({"email": email, "ok": True, "message": str(_("Sent"))})
            except forms.ValidationError:
                results.append(
                    {"email": email, "ok": False, "message": str(_("Not a valid e-mail address."))}
                )
            except DomainError as e:
                results.append({"email": email, "ok": False, "message": str(e.message)})
            InvitationBatch.objects.filter(pk=batch.pk).update(processed=i, results=results)
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status=InvitationBatch.Status.DONE,
        finished_at=timezone.now(),
        results=results,
        processed=len(batch.lines),
    )
    return len(results)


def check_link(token):
    """The invitation behind a link, or InvitationRefused with the message the visitor sees."""
    invitation = (
        Invitation.objects.select_related("partner", "created_by__user").filter(token=token).first()
    )
    if invitation is None:
        raise InvitationRefused(MSG_NOT_EXIST)
    status = invitation.effective_status
    if status == InvitationStatus.EXPIRED:
        raise InvitationRefused(MSG_EXPIRED, invitation=invitation)
    if status == InvitationStatus.REVOKED:
        raise InvitationRefused(MSG_REVOKED, invitation=invitation)
    if status == InvitationStatus.ASSOCIATED:
        raise InvitationRefused(MSG_USED, invitation=invitation)
    return invitation


def _customer_for_user(user, details, invitation):
    login = CustomerUser.objects.select_related("customer").filter(user=user).first()
    if login is not None:
        return Customer.objects.select_for_update().get(pk=login.customer_id), False
    details = details or {}
    name = (details.get("name") or "").strip()
    if not name:
        raise DomainError(_("Enter the customer name (company or person)."), field="name")
    account_name = user.account_name
    if Customer.objects.filter(account_name=account_name).exists():
        account_name = f"{account_name}-{user.pk}"
    customer = Customer.objects.create(
        name=name,
        kind=details.get("kind") or CustomerKind.ENTERPRISE,
        account_name=account_name,
        email=user.email,
        mobile=(details.get("mobile") or invitation.mobile or "").strip(),
        country_region=details.get("country_region") or invitation.partner.country_region,
        created_at=user.date_joined,
    )
    CustomerUser.objects.create(user=user, customer=customer)
    return customer, True


def _refuse(message, invitation):
    raise InvitationRefused(message, invitation=invitation, record=True)


def _accept(actor, token, details, agreed, language):
    user = actor.user
    invitation = check_link(token)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("partner", "created_by")
        .get(pk=invitation.pk)
    )
    check_link(
        invitation.token
    )  # re-check under the lock: a concurrent acceptance may have used it
    if Membership.objects.active().filter(user=user).exists():
        _refuse(MSG_IS_PARTNER, invitation)
    customer, created = _customer_for_user(user, details, invitation)
    current = customer.associations.filter(ended_at__isnull=True).first()
    if current is not None:
        _refuse(
            MSG_SAME_PARTNER if current.partner_id == invitation.partner_id else MSG_OTHER_PARTNER,
            invitation,
        )
    if (
        invitation.kind == InvitationKind.OFFLINE
        and timezone.now() - customer.created_at > OFFLINE_MAX_ACCOUNT_AGE
    ):
        _refuse(MSG_TOO_OLD, invitation)
    if rules.customer_in_arrears(customer):
        _refuse(MSG_ARREARS, invitation)
    if invitation.association_type == AssociationType.RESALE and not agreed:
        raise InvitationRefused(MSG_NOTICE, invitation=invitation)

    inviter = invitation.created_by
    is_am = (
        inviter is not None and inviter.removed_at is None and inviter.role == Role.ACCOUNT_MANAGER
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            association = Association.objects.create(
                customer=customer,
                partner=invitation.partner,
                association_type=invitation.association_type,
                associated_at=now,
                # Customers who come through an account manager's link belong to that manager.
                account_manager=inviter if is_am else None,
                account_manager_since=now if is_am else None,
                tag=invitation.tag,
                invitation=invitation,
            )
    except IntegrityError:
        _refuse(MSG_OTHER_PARTNER, invitation)
    if is_am:
        association.am_history.create(account_manager=inviter, assigned_by=None, assigned_at=now)
    if invitation.association_type == AssociationType.RESALE:
        NoticeSignature.objects.create(
            customer=customer,
            association=association,
            user=user,
            association_type=invitation.association_type,
            version=content.CURRENT_NOTICE[AssociationType.RESALE],
            language=language,
            ip=actor.ip,
        )
    AssociationEvent.objects.create(
        partner=invitation.partner,
        customer=customer,
        association=association,
        event_type=EventType.ASSOCIATE,
        initiator=Initiator.CUSTOMER,
        to_type=invitation.association_type,
        status=EventStatus.COMPLETED,
        requested_by=user,
        handled_at=now,
    )
    if invitation.kind == InvitationKind.ONLINE:
        invitation.status = InvitationStatus.ASSOCIATED
        invitation.failure_reason = ""
    invitation.associated_customer = customer
    invitation.associated_at = now
    invitation.uses += 1
    invitation.save(
        update_fields=["status", "failure_reason", "associated_customer", "associated_at", "uses"]
    )
    audit.record(
        "customer.associate",
        actor=actor,
        partner=invitation.partner,
        target=association,
        after={
            "customer": customer.customer_id,
            "association_type": int(invitation.association_type),
            "invitation": invitation.pk,
            "new_customer": created,
        },
    )
    recipients = partner_admins(invitation.partner)
    if inviter is not None and inviter.user not in recipients:
        recipients.append(inviter.user)
    notify(
        recipients,
        category=NotificationCategory.CUSTOMERS,
        title=lambda: (
            _("%(customer)s associated with you (%(type)s)")
            % {
                "customer": customer.name,
                "type": AssociationType(invitation.association_type).label,
            }
        ),
        url=reverse("customers:detail", args=[customer.pk]),
    )
    return association


def accept_invitation(*, actor, token, details=None, agreed=False, language="zh-hans"):
    try:
        with transaction.atomic(durable=True):
            return _accept(actor, token, details, agreed, language)
    except InvitationRefused as refusal:
        if refusal.record and refusal.invitation is not None:
            _record_failure(refusal.invitation, refusal.message, actor)
        raise


def _record_failure(invitation, message, actor):
    with transaction.atomic(durable=True):
        if invitation.kind == InvitationKind.ONLINE:
            Invitation.objects.filter(
                pk=invitation.pk, status__in=[InvitationStatus.SENT, InvitationStatus.FAILED]
            ).update(status=InvitationStatus.FAILED, failure_reason=str(message)[:255])
        audit.record(
            "customer.associate.failed",
            actor=actor,
            partner=invitation.partner,
            target=invitation,
            after={"reason": str(message)},
        )


def expire_invitations(*, limit=500, now=None):
    """Materialise 已失效 for online invitations past expiry, record it and tell the inviter.

    Set-based and idempotent: the UPDATE only matches rows not yet materialised."""
    from partnercenter.sweeps import expire_invitations as sweep

    def notice(emails):
        return {
            "category": NotificationCategory.CUSTOMERS,
            "title": lambda: _("%(n)s customer invitation(s) expired") % {"n": len(emails)},
            "body": ", ".join(emails[:20]),
            "url": reverse("customers:invitations") + "?status=expired",
        }

    return sweep(
        Invitation.objects.filter(
            kind=InvitationKind.ONLINE,
            status__in=[InvitationStatus.SENT, InvitationStatus.FAILED],
            expires_at__lte=now or timezone.now(),
        ),
        expired_status=InvitationStatus.EXPIRED,
        partner_field="partner_id",
        action="customer.invite.expire",
        notice=notice,
        limit=limit,
    )
