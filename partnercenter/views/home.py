from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import audit
from ..actor import Actor
from ..decorators import partner_required
from ..forms import PartnerInfoForm
from ..permissions import P, has_perm

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
    form = None
    if can_edit:
        form = PartnerInfoForm(request.POST or None, instance=partner)
        if request.method == "POST" and form.is_valid():
            before = {f: getattr(partner, f) for f in form.changed_data}
            with transaction.atomic():
                form.save()
                audit.record(
                    "partner.update",
                    actor=Actor.from_request(request),
                    target=partner,
                    before=before,
                    after={f: form.cleaned_data[f] for f in form.changed_data},
                )
            messages.success(request, _("Partner information saved."))
            return redirect("partner_info")
    elif request.method == "POST":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return render(
        request,
        "partnercenter/partner_info.html",
        {"partner": partner, "form": form, "membership": request.membership},
    )
