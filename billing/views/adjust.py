"""拨款 / 回收 from the customer list: an htmx modal (or a plain page without JavaScript) with a
confirm step — 是否确定调整 → 调账成功 — and 批量回收 for a selection."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from customers.selectors import visible_associations
from partnercenter import verification
from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.ids import parse_ids
from partnercenter.permissions import P
from partnercenter.redirects import safe_next

from .. import ledger
from ..forms import AdjustForm, BatchRecoverForm
from ..services import funds

ACTIONS = {
    "allocate": (P.CUSTOMER_ALLOCATE, funds.allocate),
    "recover": (P.CUSTOMER_RECOVER, funds.recover),
}


def _respond(request, template, context, *, status=200):
    # htmx does not swap 4xx answers by default: form errors inside the modal come back as 200.
    # Opening the modal sends the whole dialog; the steps inside it replace only its body.
    if request.htmx:
        return render(
            request, template + ("#body" if request.method == "POST" else "#modal"), context
        )
    return render(request, template, context, status=status)


def adjust(request, customer_pk, action):
    if action not in ACTIONS:
        raise Http404
    item, service = ACTIONS[action]
    return partner_required(item)(_adjust)(request, customer_pk, action, service)


def _adjust(request, customer_pk, action, service):
    association = (
        visible_associations(request.membership)
        .select_related("customer")
        .filter(customer_id=customer_pk)
        .first()
    )
    if association is None or not association.is_resale:
        raise Http404
    form = AdjustForm(request.POST or None)
    context = {
        "action": action,
        "association": association,
        "customer": association.customer,
        "customer_balance": ledger.customer_account(association.customer).balance,
        "funds": ledger.partner_funds(request.partner),
        "form": form,
        "step": "form",
        "back": safe_next(request, "customers:list"),
    }
    actor = Actor.from_request(request)

    def refreshed(context):
        context["customer_balance"] = ledger.customer_account(association.customer).balance

    return confirm_flow(
        request,
        "billing/adjust.html",
        context,
        precheck=lambda amount: funds.precheck(
            actor=actor, action=action, customer_pk=association.customer_id, amount=amount
        ),
        move=lambda amount, data: service(
            actor=actor, customer_pk=association.customer_id, amount=amount, **data
        ),
        refresh=refreshed,
    )


def confirm_flow(request, template, context, *, precheck, move, refresh):
    """The 拨款/回收 dialog's three steps — amount, 是否确定调整, 调账成功 — shared by the customer
    and the reseller dialogs. `precheck(amount)` and `move(amount, form data)` raise DomainError;
    `refresh(context)` re-reads the balances shown after the money moved. With 敏感操作验证 on,
    the confirm step also asks for the code (partnercenter.verification)."""
    form = context["form"]
    code_form = context["code_form"] = verification.code_form(request)
    if request.method != "POST":
        return _respond(request, template, context)
    if not form.is_valid():
        return _respond(request, template, context, status=400)
    amount = form.cleaned_data["amount"]
    if request.POST.get("step") != "confirm" or "edit" in request.POST:
        if "edit" in request.POST:
            return _respond(request, template, context)
        try:
            precheck(amount)
        except DomainError as e:
            form.add_error("amount", e.message)
            return _respond(request, template, context, status=400)
        context.update(step="confirm", amount=amount)
        return _respond(request, template, context)
    if verification.handle_send(request, code_form):
        context.update(step="confirm", amount=amount)
        return _respond(request, template, context)
    try:
        transfer = move(
            amount,
            {
                "remark": form.cleaned_data["remark"],
                "request_key": form.cleaned_data["request_key"],
                "code": code_form.cleaned_data.get("code") if code_form else None,
            },
        )
    except DomainError as e:
        if verification.show_error(code_form, e):
            # A wrong or missing code: stay on the confirm step, where the code is typed.
            context.update(step="confirm", amount=amount)
        else:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        return _respond(request, template, context, status=400)
    context.update(step="done", transfer=transfer)
    refresh(context)
    if request.htmx:
        response = render(request, template + "#body", context)
        response["HX-Trigger"] = "pc:moneyChanged"
        return response
    messages.success(
        request, _("Adjustment succeeded. Transaction ID: %(id)s") % {"id": transfer.trans_id}
    )
    return redirect(context["back"])


@partner_required(P.CUSTOMER_RECOVER)
def batch_recover(request):
    """批量回收: the whole balance of each selected 代售 customer, a result per row."""
    ids = parse_ids(request.POST.getlist("ids")) if request.method == "POST" else []
    associations = list(
        visible_associations(request.membership)
        .select_related("customer")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    form = BatchRecoverForm(request.POST if request.POST.get("step") else None)
    code_form = verification.code_form(request)
    rows = []
    for a in associations:
        rows.append(
            {
                "association": a,
                "balance": ledger.customer_account(a.customer).balance if a.is_resale else None,
            }
        )
    context = {
        "rows": rows,
        "form": form,
        "code_form": code_form,
        "results": None,
        "ids": [a.pk for a in associations],
    }
    if request.method == "POST" and not associations:
        messages.error(request, _("Select at least one customer."))
        return redirect("customers:list")
    if verification.handle_send(request, code_form):
        return render(request, "billing/batch_recover.html", context)
    if request.POST.get("step") == "confirm" and form.is_valid():
        try:
            results = funds.batch_recover(
                actor=Actor.from_request(request),
                customer_pks=[a.customer_id for a in associations],
                remark=form.cleaned_data["remark"],
                request_key=form.cleaned_data["request_key"],
                code=code_form.cleaned_data.get("code") if code_form else None,
            )
        except DomainError as e:
            if not verification.show_error(code_form, e):
                form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            context["results"] = results
    return render(request, "billing/batch_recover.html", context)
