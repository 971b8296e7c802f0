"""The customer's console for products, orders and resources — used by the customer itself and
by its partner while acting for it (代客下单)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.views.console import customer_required
from partnercenter import verification
from partnercenter.actor import Actor
from partnercenter.errors import DomainError
from partnercenter.pagination import paginate

from .. import ledger
from ..forms import OrderForm
from ..models import ChargingMode, Order, PeriodType, Product, ProductSpec, Resource
from ..selectors import resources_due
from ..services import orders as svc

# 选择产品 shows the products partners order most on behalf (an older EU rule allowed only these);
# 更多云服务产品 shows the whole catalogue.
FEATURED = ("ECS", "EVS", "EIP")


@customer_required
def products(request):
    show_all = bool(request.GET.get("all"))
    qs = Product.objects.filter(is_active=True).prefetch_related("specs")
    if not show_all:
        qs = qs.filter(code__in=FEATURED)
    return render(
        request,
        "billing/console/products.html",
        {
            "products": qs,
            "show_all": show_all,
            "balance": ledger.customer_account(request.customer).balance,
        },
    )


@customer_required
def order_new(request, spec_pk):
    spec = ProductSpec.objects.select_related("product").filter(pk=spec_pk, is_active=True).first()
    if spec is None:
        raise Http404
    form = OrderForm(request.POST or None)
    quote = None
    if form.is_valid():
        data = form.cleaned_data
        period_type = data.get("period_type") or PeriodType.MONTH
        period_num = data.get("period_num") or 1
        quote = svc.quote(
            customer=request.customer,
            spec=spec,
            charging_mode=data["charging_mode"],
            period_type=period_type,
            period_num=period_num,
            quantity=data["quantity"],
        )
        if request.method == "POST" and "submit" in request.POST:
            try:
                order = svc.place_order(
                    actor=Actor.from_request(request),
                    spec_id=spec.pk,
                    charging_mode=data["charging_mode"],
                    period_type=period_type,
                    period_num=period_num,
                    quantity=data["quantity"],
                    name=data["name"],
                    region_code=data["region_code"],
                )
            except DomainError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                if order.charging_mode == ChargingMode.ON_DEMAND:
                    messages.success(
                        request,
                        _("The pay-per-use resource is running; it is charged by the hour."),
                    )
                    return redirect("billing:console_resources")
                messages.success(
                    request,
                    _("Order %(id)s created: pay it to start the resource.")
                    % {"id": order.order_id},
                )
                return redirect("billing:console_order", order_id=order.order_id)
    return render(
        request,
        "billing/console/order_new.html",
        {
            "spec": spec,
            "form": form,
            "quote": quote,
            "balance": ledger.customer_account(request.customer).balance,
        },
        status=400 if form.errors else 200,
    )


@customer_required
def orders(request):
    page_obj = paginate(
        request,
        Order.objects.filter(customer=request.customer).prefetch_related("lines__spec__product"),
    )
    template = "billing/console/orders.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, {"page_obj": page_obj, "hx_target": "#console-orders-list"})


@customer_required
def order(request, order_id):
    obj = (
        Order.objects.filter(customer=request.customer, order_id=order_id)
        .prefetch_related("lines__spec__product")
        .first()
    )
    if obj is None:
        raise Http404
    return render(
        request,
        "billing/console/order.html",
        {
            "order": obj,
            "balance": ledger.customer_account(request.customer).balance,
            # Only a partner paying for the customer confirms 余额支付 (services.orders.pay_order).
            "verification_method": verification.inline_method(request)
            if request.membership is not None
            else None,
        },
    )


@require_POST
@customer_required
def order_action(request, order_id, action):
    fn = {"pay": svc.pay_order, "cancel": svc.cancel_order}.get(action)
    if fn is None:
        raise Http404
    if action == "pay" and verification.handle_send(request):
        return redirect("billing:console_order", order_id=order_id)
    extra = {"code": request.POST.get("code")} if action == "pay" else {}
    try:
        fn(actor=Actor.from_request(request), order_id=order_id, **extra)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("Order paid: the resource is running.") if action == "pay" else _("Order cancelled."),
        )
    return redirect("billing:console_order", order_id=order_id)


@customer_required
def resources(request):
    qs = Resource.objects.filter(customer=request.customer).select_related("spec__product")
    mode = request.GET.get("mode")
    if mode in ("1", "3"):
        qs = qs.filter(charging_mode=int(mode))
    context = {"page_obj": paginate(request, qs), "mode": mode, "hx_target": "#resources-list"}
    if request.htmx and not request.htmx.boosted:
        return render(request, "billing/_resources_table.html#table", {**context, "console": True})
    context["due"] = {d: resources_due(request.customer, d).count() for d in (7, 15, 30)}
    return render(request, "billing/console/resources.html", context)


@require_POST
@customer_required
def release(request, resource_id):
    try:
        svc.release_resource(actor=Actor.from_request(request), resource_id=resource_id)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The resource has been released."))
    return redirect("billing:console_resources")
