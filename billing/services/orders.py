"""Orders: placed in the customer's console (by the customer, or by its partner acting for it
through 代客下单), paid from the customer's balance, cancelled only while 待支付."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import AssociationType
from partnercenter import audit, verification
from partnercenter.errors import DomainError, InvalidTransition, PermissionRefused

from .. import ledger
from ..errors import InsufficientBalance
from ..models import (
    AccountKind,
    AccountType,
    BillDetailType,
    ChargingMode,
    ConsumptionRecord,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    PeriodType,
    ProductSpec,
    Resource,
    ResourceStatus,
    TradeType,
)
from .pricing import effective_discount, price

PAYMENT_WINDOW = timedelta(days=7)  # an unpaid order is cancelled after this
MAX_QUANTITY = 100
MAX_MONTHS = 36


class OrderNotCancellable(InvalidTransition):
    code = "CBC.99005010"  # 订单状态不允许取消


class OrderNotFound(DomainError):
    """Unknown, or another tenant's: the API answers both as access denied (design.md, Tenancy),
    so an order id reveals nothing about orders the caller may not see."""

    code = "CBC.0151"
    status = 403


def bill_cycle(at):
    return timezone.localtime(at).strftime("%Y-%m")


def _customer_of(actor):
    customer = getattr(actor, "customer", None)
    if customer is None:
        raise PermissionRefused(_("Orders are placed in the customer's console."))
    return customer


def _association(customer):
    association = (
        customer.associations.filter(ended_at__isnull=True).select_related("partner").first()
    )
    if association is None or association.association_type != AssociationType.RESALE:
        raise DomainError(
            _(
                "Only resale customers order here: their orders are paid from the funds their partner allocates."
            )
        )
    return association


def quote(
    *,
    customer,
    spec,
    charging_mode,
    period_type=PeriodType.MONTH,
    period_num=1,
    quantity=1,
    at=None,
):
    """The price of an order before it exists (the order form shows it)."""
    months = period_num * (12 if period_type == PeriodType.YEAR else 1)
    if charging_mode == ChargingMode.PREPAID:
        list_amount = spec.monthly_price * months * quantity
    else:
        list_amount = spec.hourly_price * quantity  # per hour
    return price(list_amount, effective_discount(customer, spec.product, at))


def _validate(charging_mode, period_type, period_num, quantity):
    if charging_mode not in (ChargingMode.PREPAID, ChargingMode.ON_DEMAND):
        raise DomainError(_("Choose a billing mode."), field="charging_mode", code="CBC.0100")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(
            _("The quantity must be between 1 and %(n)s.") % {"n": MAX_QUANTITY},
            field="quantity",
            code="CBC.0100",
        )
    if charging_mode == ChargingMode.PREPAID:
        months = period_num * (12 if period_type == PeriodType.YEAR else 1)
        if period_type not in (PeriodType.MONTH, PeriodType.YEAR) or not 1 <= months <= MAX_MONTHS:
            raise DomainError(
                _("Choose 1 to 36 months, or 1 to 3 years."), field="period_num", code="CBC.0100"
            )


def _create_resource(order, line, customer, now, charging_mode, expires_at=None):
    resource = Resource.objects.create(
        name=line.resource_name
        or f"{line.spec.product.code.lower()}-{order.order_id[-5:].lower()}",
        customer=customer,
        spec=line.spec,
        charging_mode=charging_mode,
        quantity=line.quantity,
        started_at=now,
        expires_at=expires_at,
        rated_until=now.replace(minute=0, second=0, microsecond=0)
        if charging_mode == ChargingMode.ON_DEMAND
        else None,
        order=order,
    )
    return resource


@transaction.atomic(durable=True)
def place_order(
    *,
    actor,
    spec_id,
    charging_mode,
    period_type=PeriodType.MONTH,
    period_num=1,
    quantity=1,
    name="",
    region_code="cn-north-4",
):
    """新购: a 包年/包月 order is created 待支付; a 按需 order creates the resource at once."""
    customer = _customer_of(actor)
    association = _association(customer)
    charging_mode, period_type, period_num, quantity = (
        int(charging_mode),
        int(period_type),
        int(period_num),
        int(quantity),
    )
    _validate(charging_mode, period_type, period_num, quantity)
    spec = (
        ProductSpec.objects.select_related("product")
        .filter(pk=spec_id, is_active=True, product__is_active=True)
        .first()
    )
    if spec is None:
        raise DomainError(_("This product is not on sale."), field="spec", code="CBC.0100")
    now = timezone.now()
    quoted = quote(
        customer=customer,
        spec=spec,
        charging_mode=charging_mode,
        period_type=period_type,
        period_num=period_num,
        quantity=quantity,
        at=now,
    )
    on_demand = charging_mode == ChargingMode.ON_DEMAND
    order = Order.objects.create(
        customer=customer,
        partner=association.partner,
        status=OrderStatus.COMPLETED if on_demand else OrderStatus.PENDING_PAYMENT,
        source_type=OrderSource.AGENT
        if getattr(actor, "acting_as", None) is not None
        else OrderSource.CUSTOMER,
        charging_mode=charging_mode,
        service_type_code=spec.product.service_type_code,
        # A pay-per-use order costs nothing now: its hours are charged as they are used.
        official_amount=0 if on_demand else quoted.official,
        discount_amount=0 if on_demand else quoted.discount,
        amount_after_discount=0 if on_demand else quoted.payable,
        business_discount=quoted.business_discount,
        created_by=actor.user,
        created_at=now,
        pending_payment_end_time=None if on_demand else now + PAYMENT_WINDOW,
        paid_at=now if on_demand else None,
    )
    line = OrderLine.objects.create(
        order=order,
        spec=spec,
        quantity=quantity,
        period_type=PeriodType.HOUR if on_demand else period_type,
        period_num=1 if on_demand else period_num,
        official_amount=quoted.official,
        discount_amount=quoted.discount,
        amount_after_discount=quoted.payable,
        effective_time=now if on_demand else None,
        resource_name=(name or "").strip()[:100],
    )
    if on_demand:
        _create_resource(order, line, customer, now, ChargingMode.ON_DEMAND)
    audit.record(
        "order.create",
        actor=actor,
        partner=association.partner,
        target=order,
        after={
            "order_id": order.order_id,
            "amount": str(order.amount_after_discount),
            "mode": charging_mode,
        },
    )
    return order


def _order_for_update(actor, order_id, *, lock=True):
    qs = Order.objects.select_related("customer", "partner")
    if lock:
        qs = qs.select_for_update(of=("self",))
    customer = getattr(actor, "customer", None)
    if customer is not None:
        qs = qs.filter(customer=customer)
    else:
        from partnercenter.permissions import P, has_perm

        if not has_perm(getattr(actor, "membership", None), P.CUSTOMER_ORDER_ON_BEHALF):
            raise PermissionRefused(_("Your role does not allow handling customer orders."))
        from ..selectors import visible_orders

        qs = qs.filter(pk__in=visible_orders(actor.membership).values("pk"))
    order = qs.filter(order_id=order_id).first()
    if order is None:
        raise OrderNotFound(_("Order not found."))
    return order


def pay_order(*, actor, order_id, code=None):
    """余额支付: deduct the order from the customer's balance; the resource starts now.

    Paying for a customer is one of the partner's sensitive operations (domain §1.4): with the
    partner's 敏感操作验证 on, a colleague acting for the customer confirms it with `code`. A
    customer paying its own order is not on the customer's list and needs none."""
    if getattr(actor, "membership", None) is not None:
        order = _order_for_update(actor, order_id, lock=False)
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise InvalidTransition(
                _("Only orders awaiting payment can be paid."), code="CBC.99007004"
            )
        verification.verify(actor, code)
    return _pay_order(actor=actor, order_id=order_id)


@transaction.atomic(durable=True)
def _pay_order(*, actor, order_id):
    order = _order_for_update(actor, order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise InvalidTransition(_("Only orders awaiting payment can be paid."), code="CBC.99007004")
    if (
        order.pending_payment_end_time is not None
        and order.pending_payment_end_time <= timezone.now()
    ):
        # Past its window the order is cancelled, whether or not the sweep has got to it yet.
        raise InvalidTransition(
            _("The payment window of this order has closed: it is cancelled. Place a new order."),
            code="CBC.99007004",
        )
    customer = order.customer
    cash = ledger.customer_account(customer)
    revenue = ledger.platform_account(AccountKind.PLATFORM_REVENUE)
    amount = order.amount_after_discount
    now = timezone.now()
    transfer = None
    if amount > 0:

        def check(locked):
            if locked[cash.pk].balance < amount:
                raise InsufficientBalance(
                    _(
                        "Insufficient balance: the customer has %(balance)s yuan and the order costs %(amount)s yuan. "
                        "Ask the partner to allocate funds first."
                    )
                    % {"balance": locked[cash.pk].balance, "amount": amount}
                )

        transfer, _created = ledger.post_transfer(
            trade_type=TradeType.DEDUCT,
            legs=[(cash, -amount), (revenue, amount)],
            actor=actor,
            amount=amount,
            partner=order.partner,
            customer=customer,
            remark=order.order_id,
            check=check,
            audit_action="order.pay",
        )
    order.status = OrderStatus.COMPLETED
    order.paid_at = now
    order.payment = transfer
    order.save(update_fields=["status", "paid_at", "payment"])
    for line in order.lines.select_related("spec__product"):
        months = line.period_num * (12 if line.period_type == PeriodType.YEAR else 1)
        expires = now + relativedelta(months=months)
        OrderLine.objects.filter(pk=line.pk).update(effective_time=now, expire_time=expires)
        _create_resource(order, line, customer, now, ChargingMode.PREPAID, expires_at=expires)
        ConsumptionRecord.objects.create(
            customer=customer,
            partner=order.partner,
            association_type=AssociationType.RESALE,
            account_type=AccountType.PARTNER,
            order=order,
            spec=line.spec,
            service_type_code=line.spec.product.service_type_code,
            resource_type_code=line.spec.product.resource_type_code,
            region_code="cn-north-4",
            charging_mode=ChargingMode.PREPAID,
            bill_detail_type=BillDetailType.NEW_PURCHASE,
            trade_id=order.order_id,
            consume_time=now,
            bill_cycle=bill_cycle(now),
            usage_amount=months,
            official_amount=line.official_amount,
            discount_amount=line.discount_amount,
            payable_amount=line.amount_after_discount,
            amount=line.amount_after_discount,
            transfer=transfer,
        )
    return order


@transaction.atomic(durable=True)
def cancel_order(*, actor, order_id):
    """Only 待支付 orders can be cancelled (订单状态不允许取消 otherwise, CBC.99005010)."""
    order = _order_for_update(actor, order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotCancellable(_("The order status does not allow cancellation."))
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "cancelled_at"])
    audit.record("order.cancel", actor=actor, partner=order.partner, target=order)
    return order


@transaction.atomic(durable=True)
def release_resource(*, actor, resource_id):
    """Release a 按需 resource: it stops being rated after the current hour."""
    if getattr(actor, "acting_as", None) is not None:
        # 代客下单 orders; releasing (退订) is the customer's own decision.
        raise PermissionRefused(_("Only the customer's own account can release its resources."))
    customer = _customer_of(actor)
    resource = (
        Resource.objects.select_for_update()
        .filter(resource_id=resource_id, customer=customer)
        .first()
    )
    if resource is None:
        raise DomainError(_("Resource not found."))
    if resource.charging_mode != ChargingMode.ON_DEMAND or resource.status != ResourceStatus.ACTIVE:
        raise InvalidTransition(_("Only running pay-per-use resources can be released here."))
    resource.status = ResourceStatus.RELEASED
    resource.released_at = timezone.now()
    resource.save(update_fields=["status", "released_at"])
    audit.record(
        "resource.release", actor=actor, partner=getattr(actor, "partner", None), target=resource
    )
    return resource


def expire_resources(now=None):
    """Set-based: prepaid resources past expiry become 已过期; unpaid orders past the window are cancelled."""
    now = now or timezone.now()
    expired = Resource.objects.filter(
        charging_mode=ChargingMode.PREPAID, status=ResourceStatus.ACTIVE, expires_at__lte=now
    ).update(status=ResourceStatus.EXPIRED)
    cancelled = Order.objects.filter(
        status=OrderStatus.PENDING_PAYMENT, pending_payment_end_time__lte=now
    ).update(status=OrderStatus.CANCELLED, cancelled_at=now)
    return expired + cancelled
