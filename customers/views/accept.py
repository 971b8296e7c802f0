"""The invitation link, from the customer's side: sign up or sign in, read the notice, associate."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partnercenter.actor import Actor
from partnercenter.errors import DomainError

from .. import content
from ..forms import AcceptForm
from ..hooks import PENDING_INVITATION_KEY
from ..models import AssociationType, CustomerUser, InvitationKind
from ..services import invitations as svc


def accept(request, token):
    try:
        invitation = svc.check_link(token)
    except svc.InvitationRefused as refusal:
        request.session.pop(PENDING_INVITATION_KEY, None)
        return render(request, "customers/accept.html", {"error": refusal.message}, status=410)

    needs_notice = invitation.association_type == AssociationType.RESALE
    notice = content.notice(invitation.association_type)
    if not request.user.is_authenticated:
        # Remember the link across sign-up, e-mail verification and sign-in.
        request.session[PENDING_INVITATION_KEY] = token
        if invitation.kind == InvitationKind.ONLINE and invitation.email:
            from allauth.account.adapter import get_adapter

            # The address received the link: a sign-up with it needs no second verification.
            get_adapter(request).stash_verified_email(request, invitation.email)
        return render(
            request,
            "customers/accept.html",
            {
                "invitation": invitation,
                "notice": notice,
                "needs_notice": needs_notice,
                "next": request.get_full_path(),
            },
        )

    is_new = not CustomerUser.objects.filter(user=request.user).exists()
    form = AcceptForm(
        request.POST or None,
        initial={"mobile": invitation.mobile, "country_region": invitation.partner.country_region},
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.accept_invitation(
                actor=Actor.from_request(request),
                token=token,
                details=form.cleaned_data if is_new else None,
                agreed=form.cleaned_data["agree"],
                language=get_language(),
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            request.session.pop(PENDING_INVITATION_KEY, None)
            messages.success(
                request,
                _("You are now associated with %(partner)s.")
                % {"partner": invitation.partner.name},
            )
            return redirect("customers:console")
    elif request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "customers/accept.html",
        {
            "invitation": invitation,
            "notice": notice,
            "needs_notice": needs_notice,
            "form": form,
            "is_new": is_new,
        },
        status=400 if form.errors else 200,
    )
