"""The applicant's side: apply to the cloud reseller program, follow the application, and the
distributor's invitation link that leads into the same application."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partnercenter.actor import Actor
from partnercenter.errors import DomainError

from .. import rules, selectors
from ..forms import ApplicationForm, distributor_choices
from ..models import ApplicationStatus
from ..services import applications as svc
from ..services.invitations import check_invitation

PENDING_INVITATION_KEY = "resellers.pending_invitation"


def _invitation_from(request):
    token = request.GET.get("invitation") or request.session.get(PENDING_INVITATION_KEY)
    if not token:
        return None
    try:
        return check_invitation(token)
    except DomainError as e:
        request.session.pop(PENDING_INVITATION_KEY, None)
        messages.error(request, e.message)
        return None


def _initial(request, previous):
    user = request.user
    initial = {
        "country_region": "CN",
        "contact_name": user.name,
        "contact_phone": user.mobile,
        "contact_email": user.email,
    }
    if previous is not None:  # applying again after a rejection: start from the last answers
        for name in (
            "company_name",
            "credit_code",
            "country_region",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
        ):
            initial[name] = getattr(previous, name)
        initial["distributor"] = str(previous.distributor_id)
    return initial


@login_required
def apply(request):
    latest = selectors.latest_application(request.user)
    if latest is not None and not latest.is_rejected:
        request.session.pop(PENDING_INVITATION_KEY, None)
        return redirect("resellers:application")
    invitation = _invitation_from(request)
    refusal = rules.applicant_refusal(request.user)
    form = ApplicationForm(
        request.POST or None, invitation=invitation, initial=_initial(request, latest)
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            svc.submit_application(
                actor=Actor.from_request(request),
                details=form.cleaned_data,
                distributor_id=int(form.cleaned_data["distributor"]),
                invitation_token=invitation.token if invitation else None,
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            request.session.pop(PENDING_INVITATION_KEY, None)
            messages.success(
                request,
                _("Your application was submitted. Huawei reviews it first, then the distributor."),
            )
            return redirect("resellers:application")
    return render(
        request,
        "resellers/apply.html",
        {"form": form, "invitation": invitation, "refusal": refusal, "previous": latest},
        status=400 if form.errors else 200,
    )


@login_required
def distributor_options(request):
    """The distributors of a country/region, as <option>s for the application form (htmx)."""
    return render(
        request,
        "resellers/_distributor_options.html",
        {"choices": distributor_choices(request.GET.get("country_region", ""))},
    )


@login_required
def application(request):
    latest = selectors.latest_application(request.user)
    if latest is None:
        return redirect("resellers:apply")
    order = {
        ApplicationStatus.PENDING_HUAWEI: 1,
        ApplicationStatus.HUAWEI_REJECTED: 1,
        ApplicationStatus.PENDING_DISTRIBUTOR: 2,
        ApplicationStatus.DISTRIBUTOR_REJECTED: 2,
    }.get(latest.status, 3)
    return render(
        request,
        "resellers/application.html",
        {
            "application": latest,
            "step": order,
            "can_reapply": latest.is_rejected and rules.applicant_refusal(request.user) is None,
        },
    )


def join(request, token):
    """The link in a distributor's invitation e-mail."""
    try:
        invitation = check_invitation(token)
    except DomainError as e:
        request.session.pop(PENDING_INVITATION_KEY, None)
        return render(request, "resellers/join.html", {"error": e.message}, status=410)
    # Remembered across sign-up, e-mail verification and sign-in (see hooks: the landing page).
    request.session[PENDING_INVITATION_KEY] = token
    if request.user.is_authenticated:
        return redirect(reverse("resellers:apply") + f"?invitation={token}")
    from allauth.account.adapter import get_adapter

    # The address received the link: a sign-up with it needs no second verification.
    get_adapter(request).stash_verified_email(request, invitation.email)
    return render(
        request,
        "resellers/join.html",
        {"invitation": invitation, "next": request.get_full_path()},
    )
