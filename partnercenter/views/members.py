from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..actor import Actor
from ..decorators import partner_required
from ..errors import DomainError
from ..forms import InviteMemberForm, RoleForm
from ..models import Role
from ..pagination import paginate
from ..permissions import P
from ..services import members as svc


@partner_required(P.MEMBERS_MANAGE)
def members(request):
    form = InviteMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = svc.invite_member(actor=Actor.from_request(request), **form.cleaned_data)
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link is valid until %(when)s.")
                % {
                    "email": invitation.email,
                    "when": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("members")
    tab = request.GET.get("tab", "people")
    if tab not in ("people", "invitations"):
        tab = "people"
    invitations = paginate(request, svc.invitation_queryset(request.partner))
    template = "partnercenter/members.html"
    if (
        tab == "invitations"
        and request.method == "GET"
        and request.htmx
        and not request.htmx.boosted
    ):
        template += "#invitations"
    return render(
        request,
        template,
        {
            "form": form,
            "members": svc.member_queryset(request.partner),
            "page_obj": invitations,
            "hx_target": "#member-invitations-list",
            "tab": tab,
            "roles": Role.choices,
            "sent_today": svc.invitations_sent_today(request.partner),
        },
        status=400 if form.errors else 200,
    )


def _run(request, fn, success, **kwargs):
    try:
        fn(actor=Actor.from_request(request), **kwargs)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, success)


@require_POST
@partner_required(P.MEMBERS_MANAGE)
def member_role(request, membership_id):
    form = RoleForm(request.POST)
    if form.is_valid():
        _run(
            request,
            svc.change_role,
            _("Role changed."),
            membership_id=membership_id,
            role=form.cleaned_data["role"],
        )
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("members")


@require_POST
@partner_required(P.MEMBERS_MANAGE)
def member_remove(request, membership_id):
    _run(request, svc.remove_member, _("Colleague removed."), membership_id=membership_id)
    return redirect("members")


@require_POST
@partner_required(P.MEMBERS_MANAGE)
def invitation_resend(request, invitation_id):
    _run(
        request,
        svc.resend_invitation,
        _("Invitation re-sent with a new 7-day link."),
        invitation_id=invitation_id,
    )
    return redirect(reverse("members") + "?tab=invitations")


@require_POST
@partner_required(P.MEMBERS_MANAGE)
def invitation_revoke(request, invitation_id):
    _run(request, svc.revoke_invitation, _("Invitation revoked."), invitation_id=invitation_id)
    return redirect(reverse("members") + "?tab=invitations")


def member_invitation(request, token):
    """The link in the colleague's e-mail: sign up or sign in, then accept."""
    from allauth.account.adapter import get_adapter

    try:
        invitation = svc.check_invitation(token)
    except DomainError as e:
        return render(
            request, "partnercenter/member_invitation.html", {"error": e.message}, status=410
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            svc.accept_invitation(actor=Actor.from_request(request), token=token)
        except DomainError as e:
            messages.error(request, e.message)
            return redirect(request.path)
        messages.success(
            request, _("Welcome to %(partner)s.") % {"partner": invitation.partner.name}
        )
        return redirect("home")
    if not request.user.is_authenticated:
        # The address received the link, so a sign-up with it needs no second verification.
        get_adapter(request).stash_verified_email(request, invitation.email)
    return render(
        request,
        "partnercenter/member_invitation.html",
        {"invitation": invitation, "next": request.get_full_path()},
    )
