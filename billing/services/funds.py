"""拨款 / 回收 to 代售 customers (为客户调账), and 解绑回收 when an association ends.

Rules (domain §3.3): amount > 0 with at most 2 decimals; the customer is associated by 代售
with this partner and not frozen; an allocation cannot exceed the partner's 账户余额; a recovery
cannot exceed the customer's balance. Each call is one transfer in one durable transaction.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from customers.selectors import association_is_current, funding_target
from partnercenter import verification
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.permissions import P, has_perm

from .. import ledger
from ..errors import InsufficientBalance, NotSubCustomer
from ..models import AccountKind, TradeType, Transfer
from ..money import parse_amount
from .credit import check_credit_alerts

# callables(customer, *, actor, partner, cash) run inside an allocation after the balance has
# moved: arrears are written off here (核销欠款), in the same transaction.
AFTER_ALLOCATION = []


def _association(actor, customer_pk):
    target = funding_target(actor.membership, customer_pk)
    if target is None:
        raise NotSubCustomer(_("This customer is not one of your customers."))
    if not target.is_resale:
        raise DomainError(
            _("Allocation and recovery are only for resale customers."), code="CBC.99000035"
        )
    if target.customer.is_frozen:
        raise DomainError(
            _("The customer account is frozen; funds cannot be adjusted."), code="CBC.99007004"
        )
    return target


def _require_partner_balance(funds, amount):
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


def _require_customer_balance(available, amount):
    if amount > available:
        raise InsufficientBalance(
            _("The customer's balance is %(balance)s yuan; you cannot recover more.")
            % {"balance": available}
        )


def precheck(*, actor, action, customer_pk, amount):
    """The same rules without moving money, for the form's confirm step (the transfer re-checks)."""
    target = _association(actor, customer_pk)
    if action == "allocate":
        _require_partner_balance(ledger.partner_funds(actor.partner), amount)
    else:
        _require_customer_balance(ledger.customer_account(target.customer).balance, amount)


def already_confirmed(partner, request_key):
    """A confirm step sent again after it went through (a double click, a browser retry) moves
    nothing new — the ledger answers it with the first transfer, or refuses it as a different
    request — so it is not asked for a second verification code."""
    return bool(request_key) and (
        Transfer.objects.filter(partner=partner, request_key=request_key).exists()
    )


def _verify(actor, action, customer_pk, amount, code, request_key):
    """敏感操作验证, after the rules a code cannot fix: a refused adjustment spends no code."""
    if code is verification.VERIFIED or not verification.required(actor):
        return
    if already_confirmed(actor.partner, request_key):
        return
    precheck(actor=actor, action=action, customer_pk=customer_pk, amount=amount)
    verification.verify(actor, code)


def _accounts(partner, customer):
    return ledger.funding_accounts(partner, customer)


def _run(fn, *, partner, request_key, **same):
    """Run one durable money transaction; a duplicate request key returns the first transfer."""
    try:
        try:
            with transaction.atomic(durable=True):
                return fn()
        except LookupError:
            # A remembered account id went stale (ledger.funding_accounts): read afresh, once.
            with transaction.atomic(durable=True):
                return fn()
    except IntegrityError:
        if request_key:
            # A concurrent twin won the unique key: its transfer, if it was the same request.
            existing = ledger.first_transfer(partner, request_key, **same)
            if existing is not None:
                return existing, False
        raise


def allocate(*, actor, customer_pk, amount, remark="", request_key="", code=None):
    """拨款: move `amount` from the partner's 账户余额 to the customer's balance."""
    if not has_perm(actor.membership, P.CUSTOMER_ALLOCATE):
        raise PermissionRefused(_("Your role does not allow allocating funds."))
    amount = parse_amount(amount)
    _verify(actor, "allocate", customer_pk, amount, code, request_key)
    target = _association(actor, customer_pk)
    partner, customer = actor.partner, target.customer

    state = {}

    def check(locked):
        state["locked"] = locked
        # Re-read the association under the locks: it may have ended meanwhile.
        if not association_is_current(target.association_id):
            raise NotSubCustomer(_("This customer is no longer associated with you."))
        _require_partner_balance(ledger.partner_funds(partner, locked.values()), amount)

    def move():
        recharge, credit, allocated, cash = _accounts(partner, customer)
        result = ledger.post_transfer(
            trade_type=TradeType.BEADJUST,
            legs=[(allocated, -amount), (cash, amount)],
            lock_also=[recharge, credit],
            actor=actor,
            amount=amount,
            partner=partner,
            customer=customer,
            remark=remark,
            request_key=request_key,
            check=check,
        )
        if result[1]:
            check_credit_alerts(partner, ledger.partner_funds(partner, state["locked"].values()))
            for hook in AFTER_ALLOCATION:
                hook(customer, actor=actor, partner=partner, cash=cash)
        return result

    transfer, _created = _run(
        move,
        partner=partner,
        request_key=request_key,
        trade_type=TradeType.BEADJUST,
        amount=amount,
        customer=customer,
    )
    return transfer


def recover(*, actor, customer_pk, amount, remark="", request_key="", code=None):
    """回收: move `amount` from the customer's balance back to the partner."""
    if not has_perm(actor.membership, P.CUSTOMER_RECOVER):
        raise PermissionRefused(_("Your role does not allow recovering funds."))
    amount = parse_amount(amount)
    _verify(actor, "recover", customer_pk, amount, code, request_key)
    target = _association(actor, customer_pk)
    partner, customer = actor.partner, target.customer

    state = {}

    def check(locked):
        state["locked"] = locked
        if not association_is_current(target.association_id):
            raise NotSubCustomer(_("This customer is no longer associated with you."))
        _require_customer_balance(locked[state["cash"].pk].balance, amount)

    def move():
        recharge, credit, allocated, cash = _accounts(partner, customer)
        state["cash"] = cash
        result = ledger.post_transfer(
            trade_type=TradeType.BERETRIEVE,
            legs=[(cash, -amount), (allocated, amount)],
            lock_also=[recharge, credit],
            actor=actor,
            amount=amount,
            partner=partner,
            customer=customer,
            remark=remark,
            request_key=request_key,
            check=check,
        )
        if result[1]:
            check_credit_alerts(partner, ledger.partner_funds(partner, state["locked"].values()))
        return result

    transfer, _created = _run(
        move,
        partner=partner,
        request_key=request_key,
        trade_type=TradeType.BERETRIEVE,
        amount=amount,
        customer=customer,
    )
    return transfer


def batch_recover(*, actor, customer_pks, remark="", request_key="", code=None):
    """批量回收: each selected customer's whole balance, one transfer each, a result per row."""
    if not has_perm(actor.membership, P.CUSTOMER_RECOVER):
        raise PermissionRefused(_("Your role does not allow recovering funds."))
    if request_key:
        _require_same_batch(actor.partner, request_key, customer_pks)
    if not (request_key and _batch_keys(actor.partner, request_key)):  # else a retried batch
        verification.verify(actor, code)
    results = []
    for pk in customer_pks:
        try:
            target = _association(actor, pk)
            key = f"{request_key}:{pk}" if request_key else ""
            done = _batch_transfer(actor.partner, key, target.customer)
            if done is not None:
                # The same batch posted again: this row's first result, whatever the balance now.
                results.append(
                    {"customer_pk": pk, "ok": True, "transfer": done, "customer": target.customer}
                )
                continue
            balance = ledger.customer_account(target.customer).balance
            if balance <= 0:
                raise DomainError(_("The customer's balance is 0.00 yuan: nothing to recover."))
            transfer = recover(
                actor=actor,
                customer_pk=pk,
                amount=balance,
                remark=remark,
                request_key=key,
                code=verification.VERIFIED,  # one code confirms the whole batch
            )
            results.append(
                {"customer_pk": pk, "ok": True, "transfer": transfer, "customer": target.customer}
            )
        except DomainError as e:
            results.append({"customer_pk": pk, "ok": False, "message": str(e.message)})
    return results


def _batch_keys(partner, request_key):
    """{customer id: transfer} already recovered under a batch's request key."""
    prefix = f"{request_key}:"
    return {
        t.customer_id: t
        for t in Transfer.objects.filter(partner=partner, request_key__startswith=prefix)
        if t.request_key[len(prefix) :].isascii() and t.request_key[len(prefix) :].isdigit()
    }


def _require_same_batch(partner, request_key, customer_pks):
    """A batch's key names one selection: the same key with other customers is refused."""
    done = _batch_keys(partner, request_key)
    if done and not set(done) <= set(customer_pks):
        ledger.refuse_reused_key(request_key)


def _batch_transfer(partner, key, customer):
    if not key:
        return None
    transfer = Transfer.objects.filter(partner=partner, request_key=key).first()
    if transfer is None:
        return None
    if transfer.trade_type != TradeType.BERETRIEVE or transfer.customer_id != customer.pk:
        ledger.refuse_reused_key(key)
    return transfer


def return_balance_on_unbind(association, *, actor, event):
    """解绑回收: when a 代售 association ends, the customer's remaining balance returns to the
    partner, in the same transaction as the association change."""
    if not association.is_resale:
        return None
    cash = ledger.customer_account(association.customer)
    allocated = ledger.partner_account(association.partner, AccountKind.PARTNER_ALLOCATED)
    locked = ledger.lock([cash, allocated])
    balance = locked[cash.pk].balance
    if balance <= 0:
        return None
    transfer, _created = ledger.post_transfer(
        trade_type=TradeType.BEUNBIND,
        legs=[(cash, -balance), (allocated, balance)],
        actor=actor,
        amount=balance,
        partner=association.partner,
        customer=association.customer,
        remark=f"{event.get_event_type_display()} #{event.pk}",
    )
    return transfer
