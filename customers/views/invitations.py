from datetime import timedelta

import segno
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.pagination import paginate
from partnercenter.permissions import P
from partnercenter.timeutil import start_of_local_day

from .. import selectors
from ..forms import BatchInvitationForm, InvitationFilterForm, OfflineLinkForm, OnlineInvitationForm
from ..models import Invitation, InvitationBatch, InvitationKind, InvitationStatus, online_expiry
from ..services import invitations as svc


def _preview(request, form):
    """The e-mail exactly as it will be sent, rendered from an unsaved invitation."""
    sample = Invitation(
        partner=request.partner,
        kind=InvitationKind.ONLINE,
        association_type=form.cleaned_data["association_type"],
        email=form.cleaned_data["email"],
        token="PREVIEW",
        expires_at=online_expiry(),
    )
    ctx = svc.email_context(sample)
    return {
        "subject": render_to_string("customers/email/invitation_subject.txt", ctx).strip(),
        # The text part: the HTML part's inline styles would break the page's CSP.
        "text": render_to_string("customers/email/invitation.txt", ctx),
    }


@partner_required(P.CUSTOMER_INVITE)
def invite(request):
    """客户拓展: online e-mail invitation, batch invitation and the offline generic links."""
    tab = request.GET.get("tab", "online")
    online = OnlineInvitationForm(request.POST if request.POST.get("form") == "online" else None)
    batch_form = BatchInvitationForm(
        request.POST if request.POST.get("form") == "batch" else None,
        request.FILES if request.POST.get("form") == "batch" else None,
    )
    link_form = OfflineLinkForm(request.POST if request.POST.get("form") == "link" else None)
    preview = None
    if request.method == "POST":
        actor = Actor.from_request(request)
        which = request.POST.get("form")
        if which == "online" and online.is_valid():
            if "preview" in request.POST:
                preview = _preview(request, online)
                if request.htmx:
                    return render(request, "customers/invite.html#preview", {"preview": preview})
            else:
                try:
                    invitation = svc.send_online_invitation(actor=actor, **online.cleaned_data)
                except DomainError as e:
                    online.add_error(e.field if e.field in online.fields else None, e.message)
                else:
                    messages.success(
                        request,
                        _(
                            "Invitation sent to %(email)s. The link expires at %(when)s: remind the customer to "
                            "register in time."
                        )
                        % {
                            "email": invitation.email,
                            "when": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
                        },
                    )
                    return redirect(reverse("customers:invitations"))
        elif which == "batch":
            tab = "batch"
            if batch_form.is_valid():
                try:
                    batch = svc.start_batch(
                        actor=actor,
                        association_type=batch_form.cleaned_data["association_type"],
                        lines=svc.parse_batch_lines(batch_form.cleaned_data["text"]),
                    )
                except DomainError as e:
                    batch_form.add_error(None, e.message)
                else:
                    return redirect("customers:batch", batch_pk=batch.pk)
        elif which == "link":
            tab = "offline"
            if link_form.is_valid():
                try:
                    svc.offline_link(actor=actor, **link_form.cleaned_data)
                except DomainError as e:
                    link_form.add_error(None, e.message)
                else:
                    messages.success(request, _("The invitation link is ready."))
                    return redirect(reverse("customers:invite") + "?tab=offline")
    links = (
        Invitation.objects.filter(
            partner=request.partner, kind=InvitationKind.OFFLINE, status=InvitationStatus.SENT
        )
        .select_related("created_by__user")
        .order_by("-created_at")
    )
    has_errors = online.errors or batch_form.errors or link_form.errors
    return render(
        request,
        "customers/invite.html",
        {
            "tab": tab,
            "online": online,
            "batch_form": batch_form,
            "link_form": link_form,
            "preview": preview,
            "links": links,
            "default_tag": request.user.account_name,
            "site_url": request.build_absolute_uri("/").rstrip("/"),
            "recent_batches": InvitationBatch.objects.filter(partner=request.partner).order_by(
                "-created_at"
            )[:5],
        },
        status=400 if has_errors else 200,
    )


@partner_required(P.CUSTOMER_INVITE)
def batch(request, batch_pk):
    batch = get_object_or_404(InvitationBatch, pk=batch_pk, partner=request.partner)
    template = "customers/batch.html"
    if request.htmx and not request.htmx.boosted:
        template += "#progress"
    return render(request, template, {"batch": batch})


@partner_required(P.CUSTOMER_INVITE)
def link_qr(request, link_pk):
    link = get_object_or_404(
        Invitation, pk=link_pk, partner=request.partner, kind=InvitationKind.OFFLINE
    )
    url = request.build_absolute_uri(reverse("customers:accept", args=[link.token]))
    qr = segno.make(url, error="m")
    response = HttpResponse(qr.svg_inline(scale=5, border=2), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="invite-{link.tag or link.pk}.svg"'
    return response


@partner_required(P.CUSTOMER_INVITE)
def invitations(request):
    """管理已邀请客户: every invitation with its status, resend and revoke."""
    form = InvitationFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = selectors.visible_invitations(request.membership).select_related(
        "created_by__user", "associated_customer"
    )
    status = params.get("status")
    if status == InvitationStatus.EXPIRED:
        # Expired is true at read time, before the sweep materialises it.
        qs = qs.filter(
            Q(status=InvitationStatus.EXPIRED)
            | Q(
                status__in=[InvitationStatus.SENT, InvitationStatus.FAILED],
                expires_at__lte=timezone.now(),
            )
        )
    elif status in (InvitationStatus.SENT, InvitationStatus.FAILED):
        qs = qs.filter(status=status).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )
    elif status:
        qs = qs.filter(status=status)
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("association_type"):
        qs = qs.filter(association_type=int(params["association_type"]))
    if params.get("email"):
        qs = qs.filter(email__icontains=params["email"].strip())
    if params.get("date_from"):
        qs = qs.filter(created_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(created_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    page_obj = paginate(request, qs.order_by("-created_at", "-pk"))
    template = "customers/invitations.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request, template, {"form": form, "page_obj": page_obj, "hx_target": "#invitations-table"}
    )


@require_POST
@partner_required(P.CUSTOMER_INVITE)
def invitation_action(request, invitation_pk, action):
    fn = {"resend": svc.resend_invitation, "revoke": svc.revoke_invitation}.get(action)
    if fn is None:
        raise Http404
    try:
        fn(actor=Actor.from_request(request), invitation_id=invitation_pk)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("Invitation re-sent with a new 7-day link.")
            if action == "resend"
            else _("Invitation revoked."),
        )
    return redirect(reverse("customers:invitations"))
