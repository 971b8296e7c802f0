from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter import verification
from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.pagination import paginate
from partnercenter.permissions import P
from partnercenter.timeutil import start_of_local_day

from .. import selectors
from ..forms import ChangeRequestForm, EventFilterForm, HandleRequestForm
from ..models import EventStatus, EventType, Initiator
from ..services import associations as svc


def _filter_events(qs, params):
    for field in ("event_type", "initiator", "status"):
        if params.get(field):
            qs = qs.filter(**{field: params[field]})
    if params.get("name"):
        qs = qs.filter(customer__name__icontains=params["name"].strip())
    if params.get("date_from"):
        qs = qs.filter(requested_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(requested_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    return qs


@partner_required(P.CUSTOMER_LIST_VIEW)
def records(request):
    """关联关系操作记录: every association event; the admin handles customer requests here."""
    form = EventFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = _filter_events(selectors.visible_events(request.membership), params).select_related(
        "customer", "requested_by", "handled_by"
    )
    page_obj = paginate(request, qs)
    template = "customers/records.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request, template, {"form": form, "page_obj": page_obj, "hx_target": "#records-table"}
    )


@partner_required(P.CUSTOMER_DISASSOCIATE)
def change(request, customer_pk, event_type):
    """解除关联 / 切换关联类型: the checks first, then the acknowledgement and the reason."""
    if event_type not in (EventType.DISASSOCIATE, EventType.SWITCH_TYPE):
        raise Http404
    association = selectors.customer_association_for(request.membership, customer_pk)
    if association is None:
        raise Http404
    form = ChangeRequestForm(request.POST or None)
    code_form = verification.code_form(request)
    failed_items = []
    if verification.handle_send(request, code_form):
        verification.quiet(form)  # the code was sent: the same page again, as typed
    elif request.method == "POST" and form.is_valid():
        try:
            svc.request_change(
                actor=Actor.from_request(request),
                association_id=association.pk,
                event_type=event_type,
                reason=form.cleaned_data["reason"],
                acknowledged=form.cleaned_data["acknowledged"],
                code=code_form.cleaned_data.get("code") if code_form else None,
            )
        except DomainError as e:
            if not verification.show_error(code_form, e):
                form.add_error(e.field if e.field in form.fields else None, e.message)
            failed_items = e.items
        else:
            messages.success(
                request,
                _(
                    "Your request has been submitted. We will notify you as soon as the customer has handled it."
                ),
            )
            return redirect("customers:detail", customer_pk=customer_pk)
    check = svc.precheck(association)
    return render(
        request,
        "customers/change.html",
        {
            "association": association,
            "customer": association.customer,
            "event_type": event_type,
            "form": form,
            "code_form": code_form,
            "check": check,
            "failed_items": failed_items or check["failed"],
        },
        status=400 if form.errors or (code_form and code_form.errors) else 200,
    )


@partner_required(P.CUSTOMER_DISASSOCIATE)
def handle(request, event_pk):
    event = (
        selectors.visible_events(request.membership)
        .filter(pk=event_pk, initiator=Initiator.CUSTOMER)
        .select_related("customer", "association")
        .first()
    )
    if event is None:
        raise Http404
    form = HandleRequestForm(request.POST or None)
    code_form = verification.code_form(request)
    failed_items = []
    if verification.handle_send(request, code_form):
        verification.quiet(form)  # the code was sent: the same page again, as typed
    elif request.method == "POST" and form.is_valid():
        agree = request.POST.get("decision") == "agree"
        try:
            svc.partner_handle_request(
                actor=Actor.from_request(request),
                event_id=event.pk,
                agree=agree,
                reason=form.cleaned_data["reason"],
                acknowledged=form.cleaned_data["acknowledged"],
                code=code_form.cleaned_data.get("code") if code_form else None,
            )
        except DomainError as e:
            if not verification.show_error(code_form, e):
                form.add_error(e.field if e.field in form.fields else None, e.message)
            failed_items = e.items
        else:
            messages.success(
                request, _("Disassociation agreed.") if agree else _("Request refused.")
            )
            return redirect("customers:records")
    check = (
        svc.blocking_checks(event.association)
        if event.association and event.status == EventStatus.PENDING
        else []
    )
    return render(
        request,
        "customers/handle.html",
        {
            "event": event,
            "form": form,
            "code_form": code_form,
            "failed_items": failed_items or check,
        },
        status=400 if form.errors or (code_form and code_form.errors) else 200,
    )


@require_POST
@partner_required(P.CUSTOMER_DISASSOCIATE)
def cancel(request, event_pk):
    try:
        svc.cancel_request(actor=Actor.from_request(request), event_id=event_pk)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Request cancelled."))
    return redirect(reverse("customers:records"))
