"""The customer's own console: 账号中心 > 我的合作伙伴."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter import verification
from partnercenter.actor import Actor
from partnercenter.errors import DomainError
from partnercenter.models import Membership, Role

from .. import content
from ..forms import CustomerSecurityForm, ReasonForm
from ..models import AssociationEvent, Authorization, EventStatus, Initiator, NoticeSignature
from ..services import associations as assoc_svc
from ..services import authorizations as auth_svc
from ..services import security as security_svc


def customer_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "customer", None) is None:
            raise PermissionDenied("not a customer login")
        return view(request, *args, **kwargs)

    # Tests find every console view by this mark: the acting-as gate must answer for each one.
    wrapped.customer_console = True
    return wrapped


# Extra console tabs later features add: (key, label, template, context callable(request)).
CONSOLE_TABS = []


@customer_required
def console(request):
    customer = request.customer
    association = (
        customer.associations.filter(ended_at__isnull=True).select_related("partner").first()
    )
    tab = request.GET.get("tab", "partner")
    contacts = []
    if association is not None:
        contacts = [
            m.user
            for m in Membership.objects.active()
            .filter(partner=association.partner, role=Role.ADMIN)
            .select_related("user")[:5]
        ]
    events = (
        AssociationEvent.objects.filter(customer=customer)
        .select_related("partner")
        .order_by("-requested_at")
    )
    context = {
        "customer": customer,
        "association": association,
        "contacts": contacts,
        "tab": tab,
        "events": events[:50],
        "pending_from_partner": events.filter(
            status=EventStatus.PENDING, initiator=Initiator.PARTNER
        ),
        "my_pending": events.filter(
            status=EventStatus.PENDING, initiator=Initiator.CUSTOMER
        ).first(),
        "authorizations": Authorization.objects.filter(customer=customer).select_related("partner")[
            :20
        ],
        "signatures": NoticeSignature.objects.filter(customer=customer).select_related("user")[:10],
        "reason_form": ReasonForm(),
        "extra_tabs": CONSOLE_TABS,
        "verification_method": verification.inline_method(request),
    }
    for key, _label, _template, build in CONSOLE_TABS:
        if tab == key:
            context.update(build(request))
    return render(request, "customers/console.html", context)


@customer_required
def notice(request, signature_pk):
    signature = NoticeSignature.objects.filter(pk=signature_pk, customer=request.customer).first()
    if signature is None:
        raise Http404
    document = content.notice(
        signature.association_type, version=signature.version, language=signature.language
    )
    return render(request, "customers/notice.html", {"signature": signature, "document": document})


def _run(request, fn, success, **kwargs):
    try:
        fn(actor=Actor.from_request(request), **kwargs)
    except DomainError as e:
        messages.error(request, e.message)
        for item in e.items:
            messages.error(request, item.message)
    else:
        messages.success(request, success)


@require_POST
@customer_required
def respond(request, event_pk):
    if verification.handle_send(request):
        return redirect(reverse("customers:console") + "?tab=requests")
    agree = request.POST.get("decision") == "agree"
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(
        request,
        assoc_svc.customer_respond,
        _("Agreed.") if agree else _("Refused."),
        event_id=event_pk,
        agree=agree,
        reason=reason,
        code=request.POST.get("code"),
    )
    return redirect(reverse("customers:console") + "?tab=requests")


@require_POST
@customer_required
def request_disassociation(request):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _run(
        request,
        assoc_svc.customer_request_disassociation,
        _("Your disassociation request has been submitted; the partner will handle it."),
        reason=reason,
    )
    return redirect(reverse("customers:console") + "?tab=requests")


@require_POST
@customer_required
def cancel(request, event_pk):
    _run(request, assoc_svc.cancel_request, _("Request cancelled."), event_id=event_pk)
    return redirect(reverse("customers:console") + "?tab=requests")


@require_POST
@customer_required
def authorization(request, authorization_pk, action):
    back = reverse("customers:console") + "?tab=authorizations"
    if action in ("grant", "cancel") and verification.handle_send(request):
        return redirect(back)
    if action == "grant":
        _run(
            request,
            auth_svc.customer_decide,
            _("Authorised."),
            authorization_id=authorization_pk,
            grant=True,
            code=request.POST.get("code"),
        )
    elif action == "refuse":
        _run(
            request,
            auth_svc.customer_decide,
            _("Refused."),
            authorization_id=authorization_pk,
            grant=False,
        )
    elif action == "cancel":
        _run(
            request,
            auth_svc.customer_cancel,
            _("Authorisation cancelled."),
            authorization_id=authorization_pk,
            code=request.POST.get("code"),
        )
    else:
        raise Http404
    return redirect(back)


@customer_required
def security(request):
    """安全设置: the customer's own 敏感操作验证 switch."""
    if getattr(request, "acting_as", None) is not None:
        raise PermissionDenied("the customer's own settings are the customer's")
    actor = Actor.from_request(request)
    code_form = verification.code_form(request, actor)
    form = CustomerSecurityForm(
        request.POST if request.method == "POST" else None,
        initial={"sensitive_op_verification": request.customer.sensitive_op_verification},
    )
    if verification.handle_send(request, code_form, actor):
        verification.quiet(form)
    elif request.method == "POST" and form.is_valid():
        try:
            security_svc.set_sensitive_op_verification(
                actor=actor,
                enabled=form.cleaned_data["sensitive_op_verification"],
                code=code_form.cleaned_data.get("code") if code_form else None,
            )
        except DomainError as e:
            if not verification.show_error(code_form, e):
                form.add_error(None, e.message)
        else:
            messages.success(request, _("Security settings saved."))
            return redirect("customers:console_security")
    return render(
        request,
        "customers/security.html",
        {"form": form, "code_form": code_form},
        status=400 if form.errors or (code_form and code_form.errors) else 200,
    )
