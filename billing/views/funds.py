"""销售 > 账务 > 资金管理: 充值 (how to top up, 汇款认领) and 收支明细 per account."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.pagination import paginate
from partnercenter.permissions import P, has_perm
from partnercenter.timeutil import start_of_local_day

from .. import ledger
from ..forms import LedgerFilterForm, RemittanceClaimForm, one_year_ago
from ..models import AccountKind, CreditLimitChange, Posting, RemittanceClaim
from ..services.staff import claim_remittance

LEDGER_ACCOUNTS = {
    "recharge": AccountKind.PARTNER_RECHARGE,
    "credit": AccountKind.PARTNER_CREDIT,
    "allocated": AccountKind.PARTNER_ALLOCATED,
}


def ledger_rows(partner, account_key, params):
    """The 收支明细 of one of the partner's accounts: postings, newest first."""
    kind = LEDGER_ACCOUNTS.get(account_key, AccountKind.PARTNER_RECHARGE)
    qs = Posting.objects.filter(
        account__partner=partner, account__customer__isnull=True, account__kind=kind
    )
    start = params.get("date_from") or one_year_ago()
    qs = qs.filter(created_at__gte=start_of_local_day(start))
    if params.get("date_to"):
        qs = qs.filter(created_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    if params.get("trade_type"):
        qs = qs.filter(transfer__trade_type=params["trade_type"])
    return qs.select_related("transfer", "transfer__customer", "transfer__created_by").order_by(
        "-created_at", "-id"
    )


@partner_required(P.FUNDS_VIEW)
def funds(request):
    tab = request.GET.get("tab", "recharge")
    partner = request.partner
    context = {
        "tab": tab,
        "funds": ledger.partner_funds(partner),
        "can_recharge": has_perm(request.membership, P.FUNDS_RECHARGE),
    }
    if tab == "details":
        account_key = request.GET.get("account", "recharge")
        if account_key not in LEDGER_ACCOUNTS:
            account_key = "recharge"
        form = LedgerFilterForm(request.GET or None, initial={"date_from": one_year_ago()})
        params = form.cleaned_data if form.is_valid() else {}
        page_obj = paginate(request, ledger_rows(partner, account_key, params))
        context.update(
            form=form,
            page_obj=page_obj,
            account=account_key,
            hx_target="#ledger-table",
            credit_changes=CreditLimitChange.objects.filter(partner=partner).select_related(
                "changed_by"
            )[:10]
            if account_key == "credit"
            else None,
        )
        template = "billing/funds.html"
        if request.htmx and not request.htmx.boosted:
            template += "#table"
        return render(request, template, context)
    claim_form = RemittanceClaimForm(request.POST or None)
    if request.method == "POST":
        if not context["can_recharge"]:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if claim_form.is_valid():
            try:
                claim_remittance(actor=Actor.from_request(request), **claim_form.cleaned_data)
            except DomainError as e:
                claim_form.add_error(e.field if e.field in claim_form.fields else None, e.message)
            else:
                messages.success(
                    request,
                    _("Remittance claim submitted. It is credited once platform staff confirm it."),
                )
                return redirect(reverse("billing:funds") + "?tab=recharge")
    context.update(
        claim_form=claim_form,
        claims=RemittanceClaim.objects.filter(partner=partner).select_related("claimed_by")[:20],
    )
    return render(request, "billing/funds.html", context, status=400 if claim_form.errors else 200)
