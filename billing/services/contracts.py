"""合同商务 > 请款合同: apply, cancel, and the staff's 已付款 that tops up the 充值账户.

A fund-request contract is how a solution provider gets its own finance department to top up
its prepayment (domain §3.7). The partner applies (amount, 承诺付款时间 — up to 12 months back —,
payer, 签约主体); the contract carries a 付款计划 (one installment for the whole amount); platform
staff (渠道经理) mark the payment received, which is one RECHARGE transfer into the partner's
充值账户 — once per contract, however often it is clicked.
"""

import hashlib

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import audit, staff
from partnercenter.errors import DomainError, InvalidTransition, NotFound, PermissionRefused
from partnercenter.models import AuditEvent, Membership, NotificationCategory, Role
from partnercenter.notifications import notify
from partnercenter.permissions import P, has_perm

from .. import ledger
from ..errors import RequestKeyReused
from ..models import (
    AccountKind,
    ContractEntity,
    ContractStatus,
    FundRequestContract,
    PaymentPlanItem,
    TradeType,
)
from ..money import parse_amount

# 承诺付款时间 may lie in the past, at most this many months back (domain §3.7).
PAST_MONTHS = 12


def earliest_payment_date(today=None):
    return (today or timezone.localdate()) - relativedelta(months=PAST_MONTHS)


def visible_contracts(membership):
    """The partner's fund-request contracts, for members who manage contracts."""
    if membership is None or not has_perm(membership, P.CONTRACTS_MANAGE):
        return FundRequestContract.objects.none()
    return FundRequestContract.objects.filter(partner_id=membership.partner_id)


def _finance_people(partner):
    return [
        m.user
        for m in Membership.objects.active()
        .filter(partner=partner, role__in=[Role.ADMIN, Role.FINANCE])
        .select_related("user")
    ]


def _require(actor):
    if not has_perm(actor.membership, P.CONTRACTS_MANAGE):
        raise PermissionRefused(_("Your role does not allow managing contracts."))


def validate_application(*, amount, promised_payment_date, payer, contracting_entity, today=None):
    """The application's rules, for the preview step and the service alike: cleaned values."""
    amount = parse_amount(amount)
    if promised_payment_date is None:
        raise DomainError(_("Enter the promised payment date."), field="promised_payment_date")
    earliest = earliest_payment_date(today)
    if promised_payment_date < earliest:
        raise DomainError(
            _(
                "The promised payment date can be at most 12 months in the past "
                "(%(earliest)s or later)."
            )
            % {"earliest": earliest.isoformat()},
            field="promised_payment_date",
        )
    payer = (payer or "").strip()
    if not payer:
        raise DomainError(_("Enter the payer."), field="payer")
    if len(payer) > 200:
        raise DomainError(_("The payer name is too long."), field="payer")
    if contracting_entity not in ContractEntity.values:
        raise DomainError(_("Choose the contracting entity."), field="contracting_entity")
    return {
        "amount": amount,
        "promised_payment_date": promised_payment_date,
        "payer": payer,
        "contracting_entity": contracting_entity,
    }


def _lock_request(partner_id, request_key):
    """Serialise applications carrying the same request key (a double-clicked 确定)."""
    digest = hashlib.blake2b(f"contract:{partner_id}:{request_key}".encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _already_applied(partner_id, request_key):
    # The application's audit row carries its request key: the first answer is found there.
    event = (
        AuditEvent.objects.filter(
            partner_id=partner_id, action="contract.apply", after__request_key=request_key
        )
        .only("target_id")
        .first()
    )
    if event is None:
        return None
    return FundRequestContract.objects.filter(partner_id=partner_id, pk=event.target_id).first()


@transaction.atomic(durable=True)
def apply_contract(
    *,
    actor,
    amount,
    promised_payment_date,
    payer,
    contracting_entity,
    remark="",
    request_key="",
):
    """合同申请 → 合同预览 → 确定: a contract awaiting payment with its 付款计划.

    A repeated request key (the same form submitted twice) returns the first contract."""
    _require(actor)
    data = validate_application(
        amount=amount,
        promised_payment_date=promised_payment_date,
        payer=payer,
        contracting_entity=contracting_entity,
    )
    partner = actor.partner
    request_key = (request_key or "").strip()[:64]
    if request_key:
        if connection.vendor == "postgresql":
            _lock_request(partner.pk, request_key)
        existing = _already_applied(partner.pk, request_key)
        if existing is not None:
            if any(getattr(existing, name) != value for name, value in data.items()):
                # Another application under a used key: refused, never answered with the first.
                raise RequestKeyReused(
                    _(
                        "This confirmation was already used for a different application. "
                        "Nothing was applied: start the application again."
                    )
                )
            return existing
    contract = FundRequestContract.objects.create(
        partner=partner,
        remark=(remark or "").strip()[:255],
        created_by=actor.user,
        **data,
    )
    PaymentPlanItem.objects.create(
        contract=contract, sequence=1, amount=data["amount"], due_date=data["promised_payment_date"]
    )
    audit.record(
        "contract.apply",
        actor=actor,
        target=contract,
        after={
            "contract_no": contract.contract_no,
            "amount": str(data["amount"]),
            "promised_payment_date": data["promised_payment_date"].isoformat(),
            "payer": data["payer"],
            "contracting_entity": data["contracting_entity"],
            "request_key": request_key,
        },
    )
    return contract


def _contract_for_update(queryset, contract_id):
    contract = (
        queryset.select_for_update(of=("self",))
        .select_related("partner")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise NotFound(_("Contract not found."))
    return contract


@transaction.atomic(durable=True)
def cancel_contract(*, actor, contract_id):
    """The partner withdraws a contract still awaiting payment."""
    _require(actor)
    contract = _contract_for_update(
        FundRequestContract.objects.filter(partner_id=actor.partner.pk), contract_id
    )
    if contract.status != ContractStatus.PENDING_PAYMENT:
        raise InvalidTransition(_("Only contracts awaiting payment can be cancelled."))
    contract.status = ContractStatus.CANCELLED
    contract.save(update_fields=["status"])
    audit.record(
        "contract.cancel",
        actor=actor,
        target=contract,
        before={"status": ContractStatus.PENDING_PAYMENT},
        after={"status": ContractStatus.CANCELLED},
    )
    return contract


@transaction.atomic(durable=True)
def confirm_contract_payment(*, actor, contract_id):
    """渠道经理 marks the payment received: RECHARGE into the partner's 充值账户, once."""
    if not staff.in_group(getattr(actor, "user", None), staff.CHANNEL_MANAGER):
        raise PermissionRefused(
            _("Only platform staff in the %(group)s group may do this.")
            % {"group": staff.CHANNEL_MANAGER}
        )
    contract = _contract_for_update(FundRequestContract.objects.all(), contract_id)
    if contract.status == ContractStatus.PAID:
        raise InvalidTransition(_("This contract has already been paid and credited."))
    if contract.status != ContractStatus.PENDING_PAYMENT:
        raise InvalidTransition(_("A cancelled contract cannot be paid."))
    partner = contract.partner
    recharge = ledger.partner_account(partner, AccountKind.PARTNER_RECHARGE)
    funding = ledger.platform_account(AccountKind.PLATFORM_FUNDING)
    transfer, _created = ledger.post_transfer(
        trade_type=TradeType.RECHARGE,
        legs=[(funding, -contract.amount), (recharge, contract.amount)],
        actor=actor,
        amount=contract.amount,
        partner=partner,
        remark=_("Fund-request contract %(no)s") % {"no": contract.contract_no},
        request_key=f"contract:{contract.pk}",
    )
    now = timezone.now()
    contract.status = ContractStatus.PAID
    contract.paid_at = now
    contract.confirmed_by = actor.user
    contract.transfer = transfer
    contract.save(update_fields=["status", "paid_at", "confirmed_by", "transfer"])
    contract.plan.filter(paid_at__isnull=True).update(paid_at=now)
    audit.record(
        "contract.paid",
        actor=actor,
        partner=partner,
        target=contract,
        before={"status": ContractStatus.PENDING_PAYMENT},
        after={"status": ContractStatus.PAID, "trans_id": transfer.trans_id},
    )
    notify(
        _finance_people(partner),
        category=NotificationCategory.FUNDS,
        title=lambda: (
            _(
                "Payment for contract %(no)s received: %(amount)s yuan added to your recharge account"
            )
            % {"no": contract.contract_no, "amount": contract.amount}
        ),
        url=reverse("finance:contract_detail", args=[contract.pk]),
    )
    from .credit import check_credit_alerts

    check_credit_alerts(partner)
    return contract
