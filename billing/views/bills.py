"""销售 > 账务 > 伙伴账单: the period picker, totals, detail lines, settlement and a printable page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.masking import mask_name
from partnercenter.pagination import paginate
from partnercenter.permissions import P, has_perm

from .. import ledger
from ..models import ChargingMode, PartnerBillLine, PartnerBillStatus, Product
from ..services.bills import (
    cycle_of,
    parse_cycle,
    previous_cycle,
    settle_bill,
    settlement_amount,
    visible_bills,
)

# The period picker offers the last this many closed months (and any older month with a bill).
PICKER_MONTHS = 18


def product_names():
    """service_type_code → the product's name in the current language (one query)."""
    return {p.service_type_code: p.name for p in Product.objects.all()}


def mode_label(value):
    try:
        return ChargingMode(value).label
    except ValueError:
        return str(value)


def decorate_lines(lines, names=None):
    names = product_names() if names is None else names
    for line in lines:
        line.product_name = names.get(line.service_type_code, "")
        line.mode_label = mode_label(line.charging_mode)
    return lines


def bill_lines(bill):
    """A bill's lines in their stored order (customer, product type, billing mode)."""
    if bill is None:
        return PartnerBillLine.objects.none()
    return bill.lines.select_related("customer").order_by(
        "customer__name", "customer_id", "service_type_code", "charging_mode", "pk"
    )


def _picker(existing, now=None):
    """Closed months, newest first: the last PICKER_MONTHS plus any month that has a bill."""
    cycles = set(existing)
    cycle = previous_cycle(now)
    for _i in range(PICKER_MONTHS):
        cycles.add(cycle)
        year, month = (int(x) for x in cycle.split("-"))
        cycle = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
    return sorted(cycles, reverse=True)


@partner_required(P.PARTNER_BILLS_VIEW)
def bills(request):
    qs = visible_bills(request.membership)
    existing = list(qs.values_list("bill_cycle", flat=True))
    cycle = parse_cycle(request.GET.get("cycle"))
    if cycle is None:
        cycle = max(existing) if existing else previous_cycle()
    bill = qs.filter(bill_cycle=cycle).select_related("settled_by", "settlement").first()
    page_obj = paginate(request, bill_lines(bill))
    decorate_lines(page_obj.object_list)
    can_settle = has_perm(request.membership, P.PARTNER_BILLS_SETTLE)
    unsettled = bill is not None and bill.status == PartnerBillStatus.UNSETTLED
    context = {
        "bill": bill,
        "cycle": cycle,
        "cycles": _picker(existing),
        "page_obj": page_obj,
        "hx_target": "#bill-lines",
        "can_settle": can_settle and unsettled,
        "current_cycle": cycle_of(timezone.now()),
    }
    if bill is not None:
        context["settle_amount"] = settlement_amount(bill)
        if unsettled and can_settle:
            recharge = ledger.partner_funds(request.partner).recharge
            context["recharge_balance"] = recharge
            context["needs_topup"] = recharge < context["settle_amount"]
    template = "billing/bills.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, context)


@require_POST
@partner_required(P.PARTNER_BILLS_SETTLE)
def bill_settle(request, bill_pk):
    bill = get_object_or_404(visible_bills(request.membership), pk=bill_pk)
    back = reverse("finance:bills") + f"?cycle={bill.bill_cycle}"
    try:
        settled = settle_bill(actor=Actor.from_request(request), bill_id=bill.pk)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(back)
    messages.success(
        request,
        _("Bill %(cycle)s settled: %(amount)s yuan moved from the recharge account.")
        % {"cycle": settled.bill_cycle, "amount": settlement_amount(settled)},
    )
    return redirect(back)


@partner_required(P.PARTNER_BILLS_VIEW)
def bill_print(request, bill_pk):
    bill = get_object_or_404(
        visible_bills(request.membership).select_related("partner", "settlement"), pk=bill_pk
    )
    lines = decorate_lines(list(bill_lines(bill)))
    for line in lines:
        line.customer_masked = mask_name(line.customer.name)
    return render(
        request,
        "billing/bills_print.html",
        {
            "bill": bill,
            "lines": lines,
            "settle_amount": settlement_amount(bill),
            "printed_at": timezone.now(),
        },
    )
