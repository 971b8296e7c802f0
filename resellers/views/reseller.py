"""The reseller's side: its distributor, the cooperation, the authorisation and its funds history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from billing import ledger
from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.models import Role
from partnercenter.pagination import paginate
from partnercenter.permissions import P, has_perm

from ..forms import ExitForm
from ..services import applications as app_svc
from ..services import funds
from ..services.relations import authorization_in_force


@partner_required(P.HOME_VIEW)
def my_distributor(request):
    reseller = request.partner
    if not reseller.is_reseller:
        raise PermissionDenied("not a reseller")
    can_see_funds = has_perm(request.membership, P.FUNDS_VIEW)
    is_admin = request.membership.role == Role.ADMIN
    form = ExitForm(request.POST or None) if is_admin else None
    cooperation = app_svc.cooperation_of(reseller)
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied("only the partner admin ends the cooperation")
        if form.is_valid():
            try:
                app_svc.request_exit(
                    actor=Actor.from_request(request),
                    reseller_id=reseller.pk,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(
                    request,
                    _("The exit was requested. Huawei completes it once funds are settled."),
                )
                return redirect("resellers:distributor")
    template = "resellers/my_distributor.html"
    if can_see_funds and request.method == "GET" and request.htmx and not request.htmx.boosted:
        template += "#history"
    return render(
        request,
        template,
        {
            "hx_target": "#allocation-history-list",
            "reseller": reseller,
            "distributor": reseller.distributor,
            "cooperation": cooperation,
            "authorization": authorization_in_force(reseller),
            "funds": ledger.partner_funds(reseller) if can_see_funds else None,
            "page_obj": paginate(request, funds.history(reseller).select_related("partner"))
            if can_see_funds
            else None,
            "exit_form": form
            if form is not None and cooperation is not None and cooperation.may("request_exit")
            else None,
        },
        status=400 if form is not None and form.errors else 200,
    )
