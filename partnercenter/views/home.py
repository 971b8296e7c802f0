from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import verification
from ..actor import Actor
from ..decorators import partner_required
from ..errors import DomainError
from ..forms import PartnerInfoForm
from ..permissions import P, has_perm
from ..services.partner_info import update_partner_info

# Other apps add a callable(request) -> response | None that claims the landing page for
# people who are not partner members (customers go to their console, applicants to their
# application). The first non-None answer wins.
LANDING_HOOKS = []


@login_required
def home(request):
    if getattr(request, "acting_as", None) is not None:
        return redirect("billing:console_products")  # acting is for ordering (代客下单)
    if request.membership is None:
        for hook in LANDING_HOOKS:
            response = hook(request)
            if response is not None:
                return response
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "partnercenter/unaffiliated.html")
    if not has_perm(request.membership, P.HOME_VIEW):
        return render(request, "partnercenter/unaffiliated.html", status=403)
    partner = request.partner
    # Widgets from other apps: callables(request) -> {"template": ..., ...} | None.
    widgets = [w for w in (hook(request) for hook in HOME_WIDGETS) if w]
    return render(
        request,
        "partnercenter/home.html",
        {
            "partner": partner,
            "programs": partner.programs.all(),
            "widgets": widgets,
        },
    )


HOME_WIDGETS = []


@partner_required(P.PROGRAMS_VIEW)
def programs(request):
    return render(
        request, "partnercenter/programs.html", {"programs": request.partner.programs.all()}
    )


@partner_required(P.PARTNER_INFO_VIEW)
def partner_info(request):
    partner = request.partner
    can_edit = has_perm(request.membership, P.PARTNER_INFO_EDIT)
    form = code_form = None
    if can_edit:
        actor = Actor.from_request(request)
        code_form = verification.code_form(request, actor)  # before the form touches `partner`
        form = PartnerInfoForm(request.POST or None, instance=partner)
        if verification.handle_send(request, code_form, actor):
            verification.quiet(form)
        elif request.method == "POST" and form.is_valid():
            try:
                update_partner_info(
                    actor=actor,
                    changes=form.cleaned_data,
                    code=code_form.cleaned_data.get("code") if code_form else None,
                )
            except DomainError as e:
                if not verification.show_error(code_form, e):
                    form.add_error(None, e.message)
            else:
                messages.success(request, _("Partner information saved."))
                return redirect("partner_info")
    elif request.method == "POST":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return render(
        request,
        "partnercenter/partner_info.html",
        {
            "partner": partner,
            "form": form,
            "code_form": code_form,
            "membership": request.membership,
        },
        status=400 if (form and form.errors) or (code_form and code_form.errors) else 200,
    )
