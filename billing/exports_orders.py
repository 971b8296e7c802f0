"""Exports of 客户订单 and 客户消费 (imported from hooks.py, so both processes register them)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.exports import job_filters, local_time, only_selected, register
from partnercenter.masking import mask_name
from partnercenter.permissions import P

from .forms import ConsumptionFilterForm, OrderFilterForm
from .models import BillDetailType, ChargingMode, OrderStatus, OrderType
from .selectors import visible_consumption, visible_orders


def _orders(job):
    from .views.orders import filter_orders

    params, _query = job_filters(job, OrderFilterForm)
    return only_selected(job, filter_orders(visible_orders(job.membership), params))


register(
    "orders",
    label=gettext_lazy("Customer orders"),
    item=P.ORDERS_VIEW,
    headers=lambda job: [
        _("Order ID"),
        _("Customer"),
        _("Product type"),
        _("Order type"),
        _("Billing mode"),
        _("List price"),
        _("Discount"),
        _("Amount payable"),
        _("Order status"),
        _("Order time"),
        _("Payment time"),
    ],
    rows=lambda job: (
        [
            o.order_id,
            mask_name(o.customer.name),
            o.service_type_code,
            str(OrderType(o.order_type).label),
            str(ChargingMode(o.charging_mode).label),
            o.official_amount,
            o.discount_amount,
            o.amount_after_discount,
            str(OrderStatus(o.status).label),
            local_time(o.created_at),
            local_time(o.paid_at),
        ]
        for o in _orders(job).select_related("customer").iterator(chunk_size=1000)
    ),
    count=lambda job: _orders(job).count(),
)


def _consumption(job):
    from .views.orders import filter_consumption

    params, _query = job_filters(job, ConsumptionFilterForm)
    return filter_consumption(visible_consumption(job.membership), params)


register(
    "consumption",
    label=gettext_lazy("Customer consumption"),
    item=P.CONSUMPTION_VIEW,
    headers=lambda job: [
        _("Consumption time"),
        _("Billing month"),
        _("Customer"),
        _("Product type"),
        _("Billing mode"),
        _("Charge type"),
        _("Order or transaction ID"),
        _("List price"),
        _("Discount"),
        _("Amount payable"),
        _("Amount deducted"),
        _("Arrears"),
        _("Arrears written off"),
    ],
    rows=lambda job: (
        [
            local_time(r.consume_time),
            r.bill_cycle,
            mask_name(r.customer.name),
            r.service_type_code,
            str(ChargingMode(r.charging_mode).label),
            str(BillDetailType(r.bill_detail_type).label),
            r.trade_id,
            r.official_amount,
            r.discount_amount,
            r.payable_amount,
            r.amount,
            r.debt_amount,
            r.adjustment_amount,
        ]
        for r in _consumption(job)
        .select_related("customer")
        .order_by("-consume_time", "-pk")
        .iterator(chunk_size=1000)
    ),
    count=lambda job: _consumption(job).count(),
)
