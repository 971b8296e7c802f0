"""调账记录: allocations, recoveries and unbinding recoveries, with filters and export."""

from datetime import timedelta

from django.shortcuts import render

from customers.selectors import visible_associations
from partnercenter.decorators import partner_required
from partnercenter.pagination import paginate
from partnercenter.permissions import OWN_CUSTOMERS_ONLY, P
from partnercenter.timeutil import start_of_local_day

from ..forms import AdjustmentFilterForm
from ..models import ADJUSTMENT_RECORD_TYPES, Transfer


def adjustment_records(membership, params):
    """The one answer to "which adjustment records may this member see" (page, export, API)."""
    qs = Transfer.objects.filter(
        partner_id=membership.partner_id, trade_type__in=ADJUSTMENT_RECORD_TYPES
    )
    if membership.role in OWN_CUSTOMERS_ONLY:
        qs = qs.filter(customer_id__in=visible_associations(membership).values("customer_id"))
    if params.get("customer"):
        qs = qs.filter(customer__name__icontains=params["customer"].strip())
    if params.get("target") == "customers":
        qs = qs.filter(customer__isnull=False)
    elif params.get("target") == "resellers":
        qs = qs.filter(counterparty__isnull=False)
    if params.get("reseller"):
        qs = qs.filter(counterparty__name__icontains=params["reseller"].strip())
    if params.get("trade_type"):
        qs = qs.filter(trade_type=params["trade_type"])
    if params.get("trans_id"):
        qs = qs.filter(trans_id=params["trans_id"].strip())
    if params.get("date_from"):
        qs = qs.filter(created_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(created_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


@partner_required(P.ADJUST_RECORDS_VIEW)
def adjustments(request):
    form = AdjustmentFilterForm(request.GET or None, partner=request.partner)
    params = form.cleaned_data if form.is_valid() else {}
    page_obj = paginate(
        request,
        adjustment_records(request.membership, params).select_related(
            "customer", "counterparty", "created_by"
        ),
    )
    template = "billing/adjustments.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request, template, {"form": form, "page_obj": page_obj, "hx_target": "#adjustments-table"}
    )
