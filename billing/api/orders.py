"""客户订单 over the partner API (partner-api.md §3.6). Which orders a member sees is
billing.selectors.visible_orders (the 客户订单 page's answer); cancelling is
billing.services.orders.cancel_order. This module only translates between JSON and them."""

from decimal import Decimal
from typing import Annotated, Literal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema

from partnercenter.api.errors import parameter_error
from partnercenter.api.schema import Id, Limit, Offset, UtcTime, page, utc, utc_window
from partnercenter.api.scope import acting
from partnercenter.api.security import Signed
from partnercenter.permissions import P

from ..models import OrderLine
from ..selectors import visible_orders
from ..services.orders import OrderNotFound, cancel_order
from ..views.bills import product_names

router = Router(tags=["orders"])

ZERO = Decimal("0.00")
# The longest time range one query may span (partner-api.md §3.6).
MAX_SPAN = relativedelta(years=1)
ORDER_TYPES = Literal["1", "2", "3", "4", "10", "11", "13", "14", "15"]


# --- shared shapes --------------------------------------------------------------------------------


class DiscountItemV2(Schema):
    discount_type: str
    discount_amount: Decimal


class AmountInfomationV2(Schema):
    discounts: list[DiscountItemV2]
    flexipurchase_coupon_amount: Decimal
    coupon_amount: Decimal
    stored_card_amount: Decimal


def amount_info(discount_amount, business_discount):
    """The discount an order (or line) got, with its type code; vouchers, cash coupons and
    stored-value cards never pay an order here, so they are zero."""
    discounts = []
    if discount_amount and business_discount is not None:
        discounts.append(
            {
                "discount_type": str(business_discount.discount_type),
                "discount_amount": discount_amount,
            }
        )
    return {
        "discounts": discounts,
        "flexipurchase_coupon_amount": ZERO,
        "coupon_amount": ZERO,
        "stored_card_amount": ZERO,
    }


def order_as_api(order, names):
    return {
        "order_id": order.order_id,
        "customer_id": order.customer.customer_id,
        "service_type_code": order.service_type_code,
        "service_type_name": names.get(order.service_type_code),
        "source_type": order.source_type,
        "status": order.status,
        "order_type": order.order_type,
        "amount_after_discount": order.amount_after_discount,
        "official_amount": order.official_amount,
        "create_time": utc(order.created_at),
        "payment_time": utc(order.paid_at),
        "amount_info": amount_info(order.discount_amount, order.business_discount),
        # A combined order is never created here, so no order has children.
        "sub_order_infos": [],
    }


# --- list ------------------------------------------------------------------------------------------


class OrdersQuery(Schema):
    order_id: Id | None = None
    customer_id: Id | None = None
    create_time_begin: UtcTime | None = None
    create_time_end: UtcTime | None = None
    service_type_code: Id | None = None
    status: int | None = None
    order_type: ORDER_TYPES | None = None
    limit: Limit = 10
    offset: Offset = 0
    order_by: str | None = None
    payment_time_begin: UtcTime | None = None
    payment_time_end: UtcTime | None = None
    indirect_partner_id: Id | None = None
    method: Literal["oneself", "sub_customer"] | None = None


class CustomerOrderV2(Schema):
    order_id: str
    customer_id: str
    service_type_code: str
    service_type_name: str | None = None
    source_type: int
    status: int
    order_type: int
    amount_after_discount: Decimal
    official_amount: Decimal
    measure_id: int = 1
    create_time: str
    payment_time: str | None = None
    currency: str = "CNY"
    amount_info: AmountInfomationV2
    sub_order_infos: list[dict]


class ListCustomerOrdersOut(Schema):
    total_count: int
    order_infos: list[CustomerOrderV2]


def _ordering(order_by):
    wanted = (order_by or "-createTime").strip().lower()
    if wanted == "createtime":
        return ("created_at", "pk")
    if wanted == "-createtime":
        return ("-created_at", "-pk")
    raise parameter_error(_("order_by must be createTime or -createTime"))


def customer_orders(membership, q):
    ordering = _ordering(q.order_by)
    qs = visible_orders(membership)
    if q.method == "sub_customer":
        # Orders paid for enterprise sub-accounts: there are no enterprise sub-accounts here.
        qs = qs.none()
    if q.order_id:
        qs = qs.filter(order_id__iexact=q.order_id)
    if q.customer_id:
        qs = qs.filter(customer__customer_id=q.customer_id)
    if q.service_type_code:
        qs = qs.filter(service_type_code=q.service_type_code)
    if q.status is not None:
        qs = qs.filter(status=q.status)
    if q.order_type:
        qs = qs.filter(order_type=int(q.order_type))
    qs = utc_window(
        qs, "created_at", q.create_time_begin, q.create_time_end, "create_time", max_span=MAX_SPAN
    )
    qs = utc_window(
        qs, "paid_at", q.payment_time_begin, q.payment_time_end, "payment_time", max_span=MAX_SPAN
    )
    return qs.select_related("customer", "business_discount").order_by(*ordering)


@router.get(
    "/v2/orders/customer-orders",
    response=ListCustomerOrdersOut,
    auth=Signed(perm=P.ORDERS_VIEW),
    operation_id="list_customer_orders",
    summary=gettext_noop("Customers' orders (客户订单), newest first unless order_by=createTime"),
    exclude_none=True,
)
def list_customer_orders(request, q: Query[OrdersQuery]):
    membership, _actor = acting(request.auth, q.indirect_partner_id)
    total, rows = page(customer_orders(membership, q), q.offset, q.limit)
    names = product_names()
    return {"total_count": total, "order_infos": [order_as_api(o, names) for o in rows]}


# --- details ---------------------------------------------------------------------------------------


class OrderDetailsQuery(Schema):
    limit: Limit = 10
    offset: Offset = 0
    indirect_partner_id: Id | None = None


class CustomerOrderV3(CustomerOrderV2):
    user_name: str | None = None
    pending_payment_end_time: str | None = None


class ProductObject(Schema):
    product_id: str
    product_spec_desc: str | None = None
    product_owner_service: str
    commercial_resource: str


class OrderLineItemEntityV2(Schema):
    order_line_item_id: str
    service_type_code: str
    service_type_name: str | None = None
    product_id: str
    product_spec_desc: str | None = None
    period_type: int
    period_num: int | None = None
    effective_time: str | None = None
    expire_time: str | None = None
    subscription_num: int
    amount_after_discount: Decimal
    official_amount: Decimal
    amount_info: AmountInfomationV2
    currency: str = "CNY"
    product_owner_service: str
    commercial_resource: str
    base_product_info: ProductObject
    order_id: str


class ShowCustomerOrderDetailsOut(Schema):
    total_count: int
    order_info: CustomerOrderV3
    order_line_items: list[OrderLineItemEntityV2]


def order_details_as_api(order, names):
    return {
        **order_as_api(order, names),
        "user_name": order.created_by.account_name if order.created_by else None,
        "pending_payment_end_time": utc(order.pending_payment_end_time),
    }


def order_line_as_api(line, order):
    spec = line.spec
    product = spec.product
    base = {
        "product_id": spec.sku_id,
        "product_spec_desc": spec.description,
        "product_owner_service": product.service_type_code,
        "commercial_resource": product.resource_type_code,
    }
    return {
        **base,
        "order_line_item_id": line.line_id,
        "service_type_code": product.service_type_code,
        "service_type_name": product.name,
        "period_type": line.period_type,
        "period_num": line.period_num,
        "effective_time": utc(line.effective_time),
        "expire_time": utc(line.expire_time),
        "subscription_num": line.quantity,
        "amount_after_discount": line.amount_after_discount,
        "official_amount": line.official_amount,
        "amount_info": amount_info(line.discount_amount, order.business_discount),
        "base_product_info": base,
        "order_id": order.order_id,
    }


@router.get(
    "/v2/orders/customer-orders/details/{path:order_id}",
    response=ShowCustomerOrderDetailsOut,
    auth=Signed(perm=P.ORDERS_VIEW),
    operation_id="show_customer_order_details",
    summary=gettext_noop(
        "One order with a page of its lines; another partner's order is refused (403)"
    ),
    exclude_none=True,
)
def show_customer_order_details(request, order_id: str, q: Query[OrderDetailsQuery]):
    membership, _actor = acting(request.auth, q.indirect_partner_id)
    order = (
        visible_orders(membership)
        .filter(order_id=order_id)
        .select_related("customer", "business_discount", "created_by")
        .first()
    )
    if order is None:
        raise OrderNotFound(_("Order not found."))
    lines = OrderLine.objects.filter(order=order).select_related("spec__product").order_by("pk")
    total, rows = page(lines, q.offset, q.limit)
    return {
        "total_count": total,
        "order_info": order_details_as_api(order, product_names()),
        "order_line_items": [order_line_as_api(line, order) for line in rows],
    }


# --- cancel ----------------------------------------------------------------------------------------


class CancelCustomerOrderReq(Schema):
    order_id: Annotated[str, Field(min_length=1, max_length=64)]


class EmptyOut(Schema):
    pass


@router.put(
    "/v2/orders/customer-orders/cancel",
    response=EmptyOut,
    auth=Signed(perm=P.CUSTOMER_ORDER_ON_BEHALF),
    operation_id="cancel_customer_order",
    summary=gettext_noop(
        "Cancel a pending-payment (待支付) order; any other status is CBC.99005010"
    ),
)
def cancel_customer_order(request, req: CancelCustomerOrderReq):
    cancel_order(actor=request.auth.actor, order_id=req.order_id)
    return {}
