"""销售 > 账务 > 合同商务: tabs 请款合同 (apply → preview → contract with its 付款计划; cancel) and
商务信息 (the customers' business discounts, 折扣状态 at read time)."""

import uuid
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.forms import DateRangeMixin, Form
from partnercenter.masking import mask_name
from partnercenter.pagination import paginate
from partnercenter.permissions import P, has_perm
from partnercenter.timeutil import start_of_local_day

from ..forms import AmountField
from ..models import ContractEntity, ContractStatus
from ..services import contracts as contract_svc
from ..services.discounts import filter_discounts, percent_off, plain, visible_discounts

# --- Forms ------------------------------------------------------------------------------------


class ContractFilterForm(DateRangeMixin, Form):
    contract_no = forms.CharField(
        label=gettext_lazy("Contract number"), required=False, max_length=32
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All"))] + ContractStatus.choices,
    )
    date_from = forms.DateField(
        label=gettext_lazy("Applied from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Applied to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ContractApplyForm(Form):
    """合同信息."""

    amount = AmountField(label=gettext_lazy("Contract amount (yuan)"))
    promised_payment_date = forms.DateField(
        label=gettext_lazy("Promised payment date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("May be in the past, up to 12 months back."),
    )
    payer = forms.CharField(label=gettext_lazy("Payer"), max_length=200)
    contracting_entity = forms.ChoiceField(
        label=gettext_lazy("Contracting entity"), choices=ContractEntity.choices
    )
    remark = forms.CharField(label=gettext_lazy("Remark"), max_length=255, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["promised_payment_date"].widget.attrs["min"] = (
            contract_svc.earliest_payment_date().isoformat()
        )


STATUS_CHOICES = [
    ("", gettext_lazy("All")),
    ("pending", gettext_lazy("Not yet effective")),
    ("active", gettext_lazy("In effect")),
    ("expired", gettext_lazy("Expired")),
]


class DiscountFilterForm(Form):
    name = forms.CharField(label=gettext_lazy("Business name"), required=False, max_length=200)
    customer = forms.CharField(label=gettext_lazy("Customer"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=gettext_lazy("Discount status"), required=False, choices=STATUS_CHOICES
    )


# --- Helpers ----------------------------------------------------------------------------------


def contract_rows(membership, params):
    """The 请款合同 list: the member's partner's contracts with the list's filters."""
    qs = contract_svc.visible_contracts(membership)
    if params.get("contract_no"):
        qs = qs.filter(contract_no__icontains=params["contract_no"].strip())
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("date_from"):
        qs = qs.filter(created_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(created_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    return qs.order_by("-created_at", "-id")


def decorate_discounts(discounts, now=None):
    now = now or timezone.now()
    for d in discounts:
        d.read_status = d.status_at(now)
        d.percent_off = percent_off(d.discount_ratio)
        d.ratio_text = plain(d.discount_ratio)
        d.customer_masked = mask_name(d.customer.name)
    return discounts


def discount_rows(membership, params):
    return filter_discounts(
        visible_discounts(membership).select_related("customer").prefetch_related("products"),
        params,
    ).order_by("-effective_time", "-id")


def _tabs(membership):
    return {
        "contracts": has_perm(membership, P.CONTRACTS_MANAGE),
        "business": has_perm(membership, P.DISCOUNTS_VIEW),
    }


# --- Pages ------------------------------------------------------------------------------------


@partner_required()
def contracts(request):
    tabs = _tabs(request.membership)
    tab = request.GET.get("tab") or ("contracts" if tabs["contracts"] else "business")
    if tab not in tabs or not tabs[tab]:
        raise PermissionDenied
    context = {"tab": tab, "tabs": tabs}
    if tab == "business":
        form = DiscountFilterForm(request.GET or None)
        params = form.cleaned_data if form.is_valid() else {}
        page_obj = paginate(request, discount_rows(request.membership, params))
        decorate_discounts(page_obj.object_list)
        context.update(form=form, page_obj=page_obj, hx_target="#discounts-table")
        partial = "#discounts"
    else:
        form = ContractFilterForm(request.GET or None)
        params = form.cleaned_data if form.is_valid() else {}
        page_obj = paginate(request, contract_rows(request.membership, params))
        context.update(form=form, page_obj=page_obj, hx_target="#contracts-table")
        partial = "#contracts"
    template = "billing/contracts.html"
    if request.htmx and not request.htmx.boosted:
        template += partial
    return render(request, template, context)


@partner_required(P.CONTRACTS_MANAGE)
def contract_apply(request):
    """合同申请 → 合同预览 → 确定 (a page; each step is a plain POST)."""
    form = ContractApplyForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        step = request.POST.get("step", "review")
        data = form.cleaned_data
        try:
            checked = contract_svc.validate_application(
                amount=data["amount"],
                promised_payment_date=data["promised_payment_date"],
                payer=data["payer"],
                contracting_entity=data["contracting_entity"],
            )
            if step == "confirm":
                contract = contract_svc.apply_contract(
                    actor=Actor.from_request(request),
                    remark=data["remark"],
                    request_key=data["request_key"],
                    **checked,
                )
                messages.success(
                    request,
                    _("Contract %(no)s applied for. It is credited once the payment is received.")
                    % {"no": contract.contract_no},
                )
                return redirect("finance:contract_detail", contract.pk)
            if step == "review":
                preview = {
                    **checked,
                    "remark": data["remark"],
                    "entity_label": ContractEntity(checked["contracting_entity"]).label,
                }
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
    return render(
        request,
        "billing/contracts_apply.html",
        {"form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


@partner_required(P.CONTRACTS_MANAGE)
def contract_detail(request, contract_pk):
    """The printable contract with its 付款计划."""
    contract = get_object_or_404(
        contract_svc.visible_contracts(request.membership).select_related(
            "partner", "created_by", "transfer"
        ),
        pk=contract_pk,
    )
    return render(
        request,
        "billing/contracts_detail.html",
        {
            "contract": contract,
            "plan": list(contract.plan.all()),
            "can_cancel": contract.status == ContractStatus.PENDING_PAYMENT,
        },
    )


@require_POST
@partner_required(P.CONTRACTS_MANAGE)
def contract_cancel(request, contract_pk):
    contract = get_object_or_404(contract_svc.visible_contracts(request.membership), pk=contract_pk)
    try:
        contract_svc.cancel_contract(actor=Actor.from_request(request), contract_id=contract.pk)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Contract %(no)s cancelled.") % {"no": contract.contract_no})
    return redirect("finance:contract_detail", contract.pk)
