"""销售 > 客户 > 客户订单 and 客户消费 for the partner."""

from datetime import timedelta

from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import render

from partnercenter.decorators import partner_required
from partnercenter.pagination import paginate
from partnercenter.permissions import P
from partnercenter.timeutil import start_of_local_day

from ..forms import ConsumptionFilterForm, OrderFilterForm
from ..selectors import visible_consumption, visible_orders


def filter_orders(qs, params):
    if params.get("customer"):
        qs = qs.filter(customer__name__icontains=params["customer"].strip())
    if params.get("order_id"):
        qs = qs.filter(order_id__iexact=params["order_id"].strip())
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("product"):
        qs = qs.filter(service_type_code=params["product"])
    if params.get("order_type"):
        qs = qs.filter(order_type=params["order_type"])
    if params.get("date_from"):
        qs = qs.filter(created_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(created_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    return qs.order_by("-created_at", "-pk")


@partner_required(P.ORDERS_VIEW)
def orders(request):
    form = OrderFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = filter_orders(visible_orders(request.membership), params).select_related(
        "customer", "created_by"
    )
    page_obj = paginate(request, qs)
    template = "billing/orders.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request, template, {"form": form, "page_obj": page_obj, "hx_target": "#orders-table"}
    )


@partner_required(P.ORDERS_VIEW)
def order_detail(request, order_id):
    order = (
        visible_orders(request.membership)
        .filter(order_id=order_id)
        .select_related("customer", "created_by", "business_discount", "payment")
        .prefetch_related("lines__spec__product", "resources")
        .first()
    )
    if order is None:
        raise Http404
    return render(request, "billing/order_detail.html", {"order": order})


def filter_consumption(qs, params):
    if params.get("month"):
        qs = qs.filter(bill_cycle=params["month"])
    if params.get("customer"):
        qs = qs.filter(customer__name__icontains=params["customer"].strip())
    if params.get("association_type"):
        qs = qs.filter(association_type=int(params["association_type"]))
    if params.get("product"):
        qs = qs.filter(service_type_code=params["product"])
    if params.get("charging_mode"):
        qs = qs.filter(charging_mode=int(params["charging_mode"]))
    return qs


@partner_required(P.CONSUMPTION_VIEW)
def consumption(request):
    """客户消费 — not a bill: 消费汇总 (per customer per month) and 消费明细 (records)."""
    tab = request.GET.get("tab", "summary")
    form = ConsumptionFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = filter_consumption(visible_consumption(request.membership), params)
    if tab == "details":
        page_obj = paginate(
            request,
            qs.select_related("customer", "spec__product", "resource").order_by(
                "-consume_time", "-pk"
            ),
        )
    else:
        tab = "summary"
        page_obj = paginate(
            request,
            qs.values("bill_cycle", "customer_id", "customer__name", "association_type")
            .annotate(
                official=Sum("official_amount"),
                discount=Sum("discount_amount"),
                payable=Sum("payable_amount"),
                deducted=Sum("amount"),
                debt=Sum("debt_amount"),
                written_off=Sum("adjustment_amount"),
                records=Count("pk"),
            )
            .order_by("-bill_cycle", "customer__name"),
        )
    template = "billing/consumption.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request,
        template,
        {"form": form, "page_obj": page_obj, "tab": tab, "hx_target": "#consumption-table"},
    )
