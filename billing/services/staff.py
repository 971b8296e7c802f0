"""Staff operations (Django admin), through the same ledger: credit limits, remittances, corrections."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import staff
from partnercenter.errors import DomainError, InvalidTransition, PermissionRefused
from partnercenter.models import Membership, NotificationCategory, Role
from partnercenter.notifications import notify

from .. import ledger
from ..models import (
    AccountKind,
    CreditLimitChange,
    ManualAdjustment,
    RemittanceClaim,
    RemittanceStatus,
    TradeType,
)
from ..money import parse_amount, parse_correction, parse_limit
from .credit import check_credit_alerts


def _finance_people(partner):
    return [
        m.user
        for m in Membership.objects.active()
        .filter(partner=partner, role__in=[Role.ADMIN, Role.FINANCE])
        .select_related("user")
    ]


def _require_group(actor, group):
    if not staff.in_group(actor.user, group):
        raise PermissionRefused(
            _("Only platform staff in the %(group)s group may do this.") % {"group": group}
        )


@transaction.atomic(durable=True)
def set_credit_limit(*, actor, partner, new_limit, reason):
    """渠道经理 sets a partner's credit limit: a CREDIT transfer for the difference."""
    _require_group(actor, staff.CHANNEL_MANAGER)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the credit-limit change."), field="reason")
    target = parse_limit(new_limit)
    credit = ledger.partner_account(partner, AccountKind.PARTNER_CREDIT)
    line = ledger.platform_account(AccountKind.PLATFORM_CREDIT)
    locked = ledger.lock([credit])
    old = locked[credit.pk].balance
    delta = target - old
    transfer = None
    if delta != 0:
        transfer, _created = ledger.post_transfer(
            trade_type=TradeType.CREDIT,
            legs=[(line, -delta), (credit, delta)],
            actor=actor,
            amount=abs(delta),
            partner=partner,
            remark=reason,
            audit_action="money.credit_limit",
        )
    change = CreditLimitChange.objects.create(
        partner=partner,
        old_limit=old,
        new_limit=target,
        reason=reason,
        changed_by=actor.user,
        transfer=transfer,
    )
    notify(
        _finance_people(partner),
        category=NotificationCategory.FUNDS,
        title=lambda: _("Your credit limit is now %(limit)s yuan") % {"limit": target},
        body=reason,
        url=reverse("billing:funds") + "?tab=details&account=credit",
    )
    check_credit_alerts(partner)
    return change


@transaction.atomic(durable=True)
def claim_remittance(*, actor, amount, remitted_on, payer, reference):
    """汇款认领: the partner declares an offline transfer to the top-up account."""
    from partnercenter.permissions import P, has_perm

    if not has_perm(actor.membership, P.FUNDS_RECHARGE):
        raise PermissionRefused(_("Your role does not allow claiming remittances."))
    amount = parse_amount(amount)
    if remitted_on > timezone.localdate():
        raise DomainError(_("The remittance date cannot be in the future."), field="remitted_on")
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Enter the bank reference of the transfer."), field="reference")
    if (
        RemittanceClaim.objects.filter(reference=reference)
        .exclude(status=RemittanceStatus.REJECTED)
        .exists()
    ):
        raise DomainError(_("This bank reference has already been claimed."), field="reference")
    claim = RemittanceClaim.objects.create(
        partner=actor.partner,
        amount=amount,
        remitted_on=remitted_on,
        payer=payer.strip(),
        reference=reference,
        claimed_by=actor.user,
    )
    from partnercenter import audit

    audit.record(
        "money.remittance_claim",
        actor=actor,
        target=claim,
        after={"amount": str(amount), "reference": reference},
    )
    return claim


def _claim_for_update(claim_id):
    claim = (
        RemittanceClaim.objects.select_for_update(of=("self",))
        .select_related("partner")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise DomainError(_("Remittance claim not found."))
    if claim.status != RemittanceStatus.PENDING:
        raise InvalidTransition(_("This claim has already been decided."))
    return claim


@transaction.atomic(durable=True)
def confirm_remittance(*, actor, claim_id, note=""):
    """Staff confirm the money arrived: RECHARGE into the partner's 充值账户."""
    _require_group(actor, staff.CHANNEL_MANAGER)
    claim = _claim_for_update(claim_id)
    recharge = ledger.partner_account(claim.partner, AccountKind.PARTNER_RECHARGE)
    funding = ledger.platform_account(AccountKind.PLATFORM_FUNDING)
    transfer, _created = ledger.post_transfer(
        trade_type=TradeType.RECHARGE,
        legs=[(funding, -claim.amount), (recharge, claim.amount)],
        actor=actor,
        amount=claim.amount,
        partner=claim.partner,
        remark=_("Remittance %(ref)s from %(payer)s")
        % {"ref": claim.reference, "payer": claim.payer},
        request_key=f"remittance:{claim.pk}",
    )
    claim.status = RemittanceStatus.CONFIRMED
    claim.decided_by = actor.user
    claim.decided_at = timezone.now()
    claim.decision_note = note
    claim.transfer = transfer
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "transfer"])
    notify(
        _finance_people(claim.partner),
        category=NotificationCategory.FUNDS,
        title=lambda: (
            _("Your remittance of %(amount)s yuan has been credited") % {"amount": claim.amount}
        ),
        url=reverse("billing:funds") + "?tab=details",
    )
    check_credit_alerts(claim.partner)
    return claim


@transaction.atomic(durable=True)
def reject_remittance(*, actor, claim_id, note):
    _require_group(actor, staff.CHANNEL_MANAGER)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Give the reason for rejecting the claim."), field="note")
    claim = _claim_for_update(claim_id)
    claim.status = RemittanceStatus.REJECTED
    claim.decided_by = actor.user
    claim.decided_at = timezone.now()
    claim.decision_note = note
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    from partnercenter import audit

    audit.record(
        "money.remittance_reject",
        actor=actor,
        partner=claim.partner,
        target=claim,
        after={"note": note},
    )
    notify(
        _finance_people(claim.partner),
        category=NotificationCategory.FUNDS,
        title=lambda: _("Your remittance claim %(ref)s was rejected") % {"ref": claim.reference},
        body=note,
        url=reverse("billing:funds") + "?tab=recharge",
    )
    return claim


@transaction.atomic(durable=True)
def manual_adjustment(*, actor, partner, amount, reason):
    """ADJUST: a staff correction of the partner's 充值账户, positive or negative, with a reason."""
    _require_group(actor, staff.CHANNEL_MANAGER)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the correction."), field="reason")
    signed = parse_correction(amount)
    recharge = ledger.partner_account(partner, AccountKind.PARTNER_RECHARGE)
    corrections = ledger.platform_account(AccountKind.PLATFORM_ADJUSTMENT)

    def check(locked):
        if locked[recharge.pk].balance + signed < 0:
            raise DomainError(
                _(
                    "The recharge account holds %(balance)s yuan; the correction would make it negative."
                )
                % {"balance": locked[recharge.pk].balance},
                field="amount",
            )

    transfer, _created = ledger.post_transfer(
        trade_type=TradeType.ADJUST,
        legs=[(corrections, -signed), (recharge, signed)],
        actor=actor,
        amount=abs(signed),
        partner=partner,
        remark=reason,
        check=check,
    )
    adjustment = ManualAdjustment.objects.create(
        partner=partner, amount=signed, reason=reason, created_by=actor.user, transfer=transfer
    )
    check_credit_alerts(partner)
    return adjustment
