from datetime import timedelta

from django.shortcuts import render

from ..audit import action_choices
from ..decorators import partner_required
from ..forms import AuditFilterForm
from ..models import AuditEvent
from ..pagination import paginate
from ..permissions import P
from ..timeutil import start_of_local_day


def audit_queryset(partner, params):
    qs = AuditEvent.objects.filter(partner=partner).select_related("actor")
    if params.get("action"):
        qs = qs.filter(action=params["action"])
    if params.get("actor"):
        qs = qs.filter(actor_label__icontains=params["actor"])
    if params.get("date_from"):
        qs = qs.filter(created_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(created_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    return qs


@partner_required(P.AUDIT_VIEW)
def audit_log(request):
    form = AuditFilterForm(request.GET or None, actions=action_choices())
    params = form.cleaned_data if form.is_valid() else {}
    page_obj = paginate(request, audit_queryset(request.partner, params))
    template = "partnercenter/audit_log.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request, template, {"form": form, "page_obj": page_obj, "hx_target": "#audit-table"}
    )
