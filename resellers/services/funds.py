"""拨款 / 回收 between a distributor and its cloud resellers (domain §6.3).

The reseller's money lives in its own 充值账户 (PARTNER_RECHARGE): it is the reseller's own
balance, which it then allocates to its 代售 customers exactly as a solution provider does
(billing.services.funds, unchanged). So:

- allocation (BEADJUST): distributor 已拨款 −x, reseller 充值账户 +x. The distributor's 账户余额
  (充值 + 信用 − 已拨款) drops by x, as for a customer allocation; it must cover x.
- recovery (BERETRIEVE): the reverse. It may take no more than the reseller can spare: its
  账户余额 (so the reseller's own allocations to customers stay covered) and its 充值账户 balance
  (money from its own credit line is Huawei's, not the distributor's to take).

Both are one Transfer (partner = the distributor, counterparty = the reseller) in one durable
transaction that locks every account it reads in primary-key order (billing.ledger.lock).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from billing import ledger
from billing.errors import InsufficientBalance, NotYourReseller
from billing.models import ZERO, Account, AccountKind, TradeType, Transfer
from billing.money import parse_amount
from billing.services.credit import check_credit_alerts
from billing.services.funds import already_confirmed
from partnercenter import verification
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.models import NotificationCategory, Partner, PartnerKind, Role
from partnercenter.notifications import notify
from partnercenter.permissions import P, has_perm

from ..models import ApplicationStatus, ResellerApplication
from .common import partner_people


class ResellerExiting(DomainError):
    code = "CBC.99007490"  # the reseller is exiting (退出中的云经销商)


def reseller_of(distributor, reseller_pk):
    """The distributor's own reseller, or NotYourReseller (CBC.99000037)."""
    reseller = (
        Partner.objects.filter(
            pk=reseller_pk, kind=PartnerKind.RESELLER, distributor_id=distributor.pk
        ).first()
        if distributor is not None
        else None
    )
    if reseller is None:
        raise NotYourReseller(_("You do not have permission to operate on this reseller."))
    return reseller


def spare(funds):
    """What a distributor may recover from a reseller with these funds."""
    return max(ZERO, min(funds.balance, funds.recharge))


def funds_of(resellers):
    """{reseller pk: PartnerFunds} for many resellers in one query (list pages, exports)."""
    pks = [r.pk for r in resellers]
    rows = {}
    for partner_id, kind, balance in Account.objects.filter(
        partner_id__in=pks, customer__isnull=True
    ).values_list("partner_id", "kind", "balance"):
        rows.setdefault(partner_id, {})[kind] = balance
    out = {}
    for pk in pks:
        kinds = rows.get(pk, {})
        out[pk] = ledger.PartnerFunds(
            recharge=kinds.get(AccountKind.PARTNER_RECHARGE, ZERO),
            credit=kinds.get(AccountKind.PARTNER_CREDIT, ZERO),
            allocated=-kinds.get(AccountKind.PARTNER_ALLOCATED, ZERO),
        )
    return out


@dataclass(frozen=True)
class _Accounts:
    dist_recharge: object
    dist_credit: object
    dist_allocated: object
    res_recharge: object
    res_credit: object
    res_allocated: object

    def all(self):
        return [
            self.dist_recharge,
            self.dist_credit,
            self.dist_allocated,
            self.res_recharge,
            self.res_credit,
            self.res_allocated,
        ]


def _accounts(distributor, reseller):
    """Both partners' three accounts, in one query (creating any that are missing)."""
    rows = {
        (a.partner_id, a.kind): a
        for a in Account.objects.filter(
            Q(partner=distributor) | Q(partner=reseller), customer__isnull=True
        )
    }

    def get(partner, kind):
        return rows.get((partner.pk, kind)) or ledger.partner_account(partner, kind)

    return _Accounts(
        get(distributor, AccountKind.PARTNER_RECHARGE),
        get(distributor, AccountKind.PARTNER_CREDIT),
        get(distributor, AccountKind.PARTNER_ALLOCATED),
        get(reseller, AccountKind.PARTNER_RECHARGE),
        get(reseller, AccountKind.PARTNER_CREDIT),
        get(reseller, AccountKind.PARTNER_ALLOCATED),
    )


def _funds(partner, locked, accounts):
    """PartnerFunds of one side, read from the locked rows."""
    if partner.pk == accounts.dist_recharge.partner_id:
        mine = (accounts.dist_recharge, accounts.dist_credit, accounts.dist_allocated)
    else:
        mine = (accounts.res_recharge, accounts.res_credit, accounts.res_allocated)
    return ledger.PartnerFunds(
        recharge=locked[mine[0].pk].balance,
        credit=locked[mine[1].pk].balance,
        allocated=-locked[mine[2].pk].balance,
    )


def _require_distributor_balance(funds, amount):
    # The same words as the customer allocation (billing.services.funds): one rule, one message.
    if funds.balance >= amount:
        return
    if funds.balance < 0:
        raise InsufficientBalance(
            _(
                "Your account balance is %(balance)s yuan, below zero after a credit-limit change: "
                "allocations are paused until it is topped up. Recovery and top-ups still work."
            )
            % {"balance": funds.balance}
        )
    raise InsufficientBalance(
        _("Insufficient balance: your account balance is %(balance)s yuan.")
        % {"balance": funds.balance}
    )


def _require_spare(funds, amount):
    available = spare(funds)
    if amount > available:
        raise InsufficientBalance(
            _("The reseller's balance is %(balance)s yuan; you cannot recover more.")
            % {"balance": available}
        )


def _still_bound(reseller, distributor, *, allocating):
    """Re-read under the locks: the reseller may have left (or be leaving) meanwhile."""
    if not Partner.objects.filter(pk=reseller.pk, distributor_id=distributor.pk).exists():
        raise NotYourReseller(_("You do not have permission to operate on this reseller."))
    if (
        allocating
        and ResellerApplication.objects.filter(
            partner_id=reseller.pk, status=ApplicationStatus.EXITING
        ).exists()
    ):
        raise ResellerExiting(
            _("This reseller is exiting the program: funds can be recovered but not allocated.")
        )


def _run(fn, *, partner, request_key, **same):
    """One durable money transaction; a repeated request key returns the first transfer."""
    try:
        with transaction.atomic(durable=True):
            return fn()
    except IntegrityError:
        if request_key:
            # A concurrent twin won the unique key: its transfer, if it was the same request.
            existing = ledger.first_transfer(partner, request_key, **same)
            if existing is not None:
                return existing, False
        raise


def precheck(*, actor, action, reseller_pk, amount):
    """The same rules without moving money, for the form's confirm step (the transfer re-checks)."""
    reseller = reseller_of(actor.partner, reseller_pk)
    amount = parse_amount(amount)
    if action == "allocate":
        _still_bound(reseller, actor.partner, allocating=True)
        _require_distributor_balance(ledger.partner_funds(actor.partner), amount)
    else:
        _require_spare(ledger.partner_funds(reseller), amount)
    return reseller


def _notify_reseller(reseller, transfer, allocated):
    people = partner_people(reseller, roles=(Role.ADMIN, Role.FINANCE))
    amount = f"{transfer.amount:,.2f}"
    notify(
        people,
        category=NotificationCategory.FUNDS,
        title=lambda: (
            (
                _("Your distributor allocated %(amount)s yuan to you")
                if allocated
                else _("Your distributor recovered %(amount)s yuan from you")
            )
            % {"amount": amount}
        ),
        body=lambda: _("Transaction ID: %(id)s") % {"id": transfer.trans_id},
        url=reverse("resellers:distributor"),
    )


def _verify(actor, action, reseller_pk, amount, code, request_key):
    """敏感操作验证, after the rules a code cannot fix: a refused adjustment spends no code."""
    if verification.required(actor) and not already_confirmed(actor.partner, request_key):
        precheck(actor=actor, action=action, reseller_pk=reseller_pk, amount=amount)
        verification.verify(actor, code)


def allocate(*, actor, reseller_pk, amount, remark="", request_key="", code=None):
    """拨款 to a reseller: from the distributor's 账户余额 into the reseller's 充值账户."""
    if not has_perm(actor.membership, P.RESELLER_ALLOCATE):
        raise PermissionRefused(_("Your role does not allow allocating funds."))
    amount = parse_amount(amount)
    _verify(actor, "allocate", reseller_pk, amount, code, request_key)
    distributor = actor.partner
    reseller = reseller_of(distributor, reseller_pk)
    state = {}

    def check(locked):
        state["locked"] = locked
        _still_bound(reseller, distributor, allocating=True)
        _require_distributor_balance(_funds(distributor, locked, state["accounts"]), amount)

    def move():
        accounts = state["accounts"] = _accounts(distributor, reseller)
        result = ledger.post_transfer(
            trade_type=TradeType.BEADJUST,
            legs=[(accounts.dist_allocated, -amount), (accounts.res_recharge, amount)],
            lock_also=[accounts.dist_recharge, accounts.dist_credit],
            actor=actor,
            amount=amount,
            partner=distributor,
            counterparty=reseller,
            remark=remark,
            request_key=request_key,
            check=check,
            audit_action="reseller.allocate",
        )
        if result[1]:
            check_credit_alerts(distributor, _funds(distributor, state["locked"], accounts))
            _notify_reseller(reseller, result[0], allocated=True)
        return result

    transfer, _created = _run(
        move,
        partner=distributor,
        request_key=request_key,
        trade_type=TradeType.BEADJUST,
        amount=amount,
        counterparty=reseller,
    )
    return transfer


def recover(*, actor, reseller_pk, amount, remark="", request_key="", code=None):
    """回收 from a reseller: from its 充值账户 back to the distributor, within what it can spare."""
    if not has_perm(actor.membership, P.RESELLER_RECOVER):
        raise PermissionRefused(_("Your role does not allow recovering funds."))
    amount = parse_amount(amount)
    _verify(actor, "recover", reseller_pk, amount, code, request_key)
    distributor = actor.partner
    reseller = reseller_of(distributor, reseller_pk)
    state = {}

    def check(locked):
        state["locked"] = locked
        _still_bound(reseller, distributor, allocating=False)
        _require_spare(_funds(reseller, locked, state["accounts"]), amount)

    def move():
        accounts = state["accounts"] = _accounts(distributor, reseller)
        result = ledger.post_transfer(
            trade_type=TradeType.BERETRIEVE,
            legs=[(accounts.res_recharge, -amount), (accounts.dist_allocated, amount)],
            lock_also=[
                accounts.dist_recharge,
                accounts.dist_credit,
                accounts.res_credit,
                accounts.res_allocated,
            ],
            actor=actor,
            amount=amount,
            partner=distributor,
            counterparty=reseller,
            remark=remark,
            request_key=request_key,
            check=check,
            audit_action="reseller.recover",
        )
        if result[1]:
            check_credit_alerts(distributor, _funds(distributor, state["locked"], accounts))
            _notify_reseller(reseller, result[0], allocated=False)
        return result

    transfer, _created = _run(
        move,
        partner=distributor,
        request_key=request_key,
        trade_type=TradeType.BERETRIEVE,
        amount=amount,
        counterparty=reseller,
    )
    return transfer


def history(reseller):
    """The allocations and recoveries between a reseller and its distributors, newest first."""
    return Transfer.objects.filter(
        counterparty=reseller, trade_type__in=[TradeType.BEADJUST, TradeType.BERETRIEVE]
    ).order_by("-created_at", "-id")
