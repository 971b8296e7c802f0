"""我的云经销商 (销售 > 云经销商 > 云经销商管理): the list, 拨款/回收 with a confirm step,
分配客户经理 with history, the distributor's authorisation, ending a cooperation, invitations."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import ledger
from billing.forms import AdjustForm
from billing.views.adjust import confirm_flow
from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.ids import parse_id, parse_ids
from partnercenter.models import Membership
from partnercenter.pagination import paginate
from partnercenter.permissions import P, has_perm
from partnercenter.redirects import safe_next

from .. import selectors
from ..forms import AssignManagerForm, ExitForm, InviteForm, ResellerFilterForm
from ..models import ResellerManagerAssignment
from ..services import applications as app_svc
from ..services import funds, invitations, relations


def _colleagues(partner):
    return (
        Membership.objects.active()
        .filter(partner=partner)
        .select_related("user")
        .order_by("joined_at")
    )


def decorate(rows):
    """Balance, account manager and authorisation for a page of resellers: three queries."""
    balances = funds.funds_of(rows)
    managers = selectors.current_managers(rows)
    authorized = selectors.authorized_ids(rows)
    for r in rows:
        r.funds = balances[r.pk]
        r.manager = managers.get(r.pk)
        r.authorized = r.pk in authorized
    return rows


@partner_required(P.RESELLER_LIST_VIEW)
def reseller_list(request):
    form = ResellerFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = selectors.filter_resellers(selectors.my_resellers(request.membership), params)
    page_obj = paginate(request, qs)
    page_obj.object_list = decorate(list(page_obj.object_list))
    template = "resellers/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    can_assign = has_perm(request.membership, P.RESELLER_ASSIGN_AM)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page_obj,
            "hx_target": "#reseller-table",
            "assign_form": AssignManagerForm(managers=_colleagues(request.partner))
            if can_assign
            else None,
        },
    )


# --- 拨款 / 回收 ------------------------------------------------------------------------------

ACTIONS = {
    "allocate": (P.RESELLER_ALLOCATE, funds.allocate),
    "recover": (P.RESELLER_RECOVER, funds.recover),
}


def adjust(request, reseller_pk, action):
    if action not in ACTIONS:
        raise Http404
    item, service = ACTIONS[action]
    return partner_required(item)(_adjust)(request, reseller_pk, action, service)


def _adjust(request, reseller_pk, action, service):
    reseller = selectors.reseller_for(request.membership, reseller_pk)
    if reseller is None:
        raise Http404
    form = AdjustForm(request.POST or None)
    reseller_funds = ledger.partner_funds(reseller)
    context = {
        "action": action,
        "reseller": reseller,
        "reseller_funds": reseller_funds,
        "spare": funds.spare(reseller_funds),
        "funds": ledger.partner_funds(request.partner),
        "form": form,
        "step": "form",
        "back": safe_next(request, "resellers:list"),
    }
    actor = Actor.from_request(request)

    def refreshed(context):
        context["reseller_funds"] = ledger.partner_funds(reseller)
        context["spare"] = funds.spare(context["reseller_funds"])
        context["funds"] = ledger.partner_funds(request.partner)

    return confirm_flow(
        request,
        "resellers/adjust.html",
        context,
        precheck=lambda amount: funds.precheck(
            actor=actor, action=action, reseller_pk=reseller.pk, amount=amount
        ),
        move=lambda amount, data: service(
            actor=actor, reseller_pk=reseller.pk, amount=amount, **data
        ),
        refresh=refreshed,
    )


# --- 分配客户经理 -------------------------------------------------------------------------------


@partner_required(P.RESELLER_LIST_VIEW)
def managers(request, reseller_pk):
    """查看历史客户经理 (and, with the permission, 分配/撤回客户经理) for one reseller."""
    reseller = selectors.reseller_for(request.membership, reseller_pk)
    if reseller is None:
        raise Http404
    colleagues = _colleagues(request.partner)
    history = ResellerManagerAssignment.objects.filter(
        reseller=reseller, distributor=request.partner
    ).select_related("account_manager__user", "assigned_by", "ended_by")[:50]
    current = next((h for h in history if h.ended_at is None), None)
    can_assign = has_perm(request.membership, P.RESELLER_ASSIGN_AM)
    return render(
        request,
        "resellers/managers.html",
        {
            "reseller": reseller,
            "history": history,
            "current": current,
            "assign_form": AssignManagerForm(
                managers=colleagues,
                initial={"account_manager": current.account_manager_id if current else ""},
            )
            if can_assign
            else None,
        },
    )


@require_POST
@partner_required(P.RESELLER_ASSIGN_AM)
def assign_manager(request):
    ids = parse_ids(request.POST.getlist("ids"))
    back = safe_next(request, "resellers:list")
    if not ids:
        messages.error(request, _("Select at least one cloud reseller."))
        return redirect(back)
    manager = request.POST.get("account_manager") or ""
    if manager != AssignManagerForm.WITHDRAW and parse_id(manager) is None:
        messages.error(request, _("Choose an account manager."))
        return redirect(back)
    try:
        results = relations.assign_account_manager(
            actor=Actor.from_request(request),
            reseller_pks=ids,
            membership_id=parse_id(manager),
        )
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(back)
    ok = sum(1 for v in results.values() if v is None)
    if ok:
        messages.success(
            request, _("Account manager updated for %(n)s cloud reseller(s).") % {"n": ok}
        )
    for message in [v for v in results.values() if v][:5]:
        messages.error(request, message)
    return redirect(back)


# --- The distributor's authorisation and the end of a cooperation -----------------------------


@require_POST
@partner_required(P.RESELLER_REVIEW)
def authorization(request, reseller_pk):
    if selectors.reseller_for(request.membership, reseller_pk) is None:
        raise Http404
    grant = request.POST.get("action") == "grant"
    try:
        (relations.grant_authorization if grant else relations.revoke_authorization)(
            actor=Actor.from_request(request), reseller_pk=reseller_pk
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("The reseller is authorised.") if grant else _("The authorisation was withdrawn."),
        )
    return redirect(safe_next(request, "resellers:list"))


@partner_required(P.RESELLER_REVIEW)
def end_cooperation(request, reseller_pk):
    """终止合作: the distributor asks to end the cooperation (退出中); Huawei completes it."""
    reseller = selectors.reseller_for(request.membership, reseller_pk)
    if reseller is None:
        raise Http404
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
                request, _("The exit was requested. Huawei completes it once funds are settled.")
            )
            return redirect("resellers:list")
    return render(
        request,
        "resellers/exit.html",
        {"reseller": reseller, "form": form, "back": reverse("resellers:list")},
        status=400 if form.errors else 200,
    )


# --- Invitations ------------------------------------------------------------------------------


@partner_required(P.RESELLER_REVIEW)
def invite(request):
    form = InviteForm(
        request.POST or None, initial={"country_region": request.partner.country_region}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite_reseller(
                actor=Actor.from_request(request), **form.cleaned_data
            )
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(
                request,
                _("The invitation was sent to %(email)s. The link is valid for 7 days.")
                % {"email": invitation.email},
            )
            return redirect("resellers:invite")
    page_obj = paginate(
        request,
        selectors.visible_invitations(request.membership).select_related("created_by__user"),
    )
    template = "resellers/invite.html"
    if request.method == "GET" and request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request,
        template,
        {"form": form, "page_obj": page_obj, "hx_target": "#reseller-invitations-list"},
        status=400 if form.errors else 200,
    )


@require_POST
@partner_required(P.RESELLER_REVIEW)
def invitation_revoke(request, invitation_pk):
    if not selectors.visible_invitations(request.membership).filter(pk=invitation_pk).exists():
        raise Http404
    try:
        invitations.revoke_invitation(
            actor=Actor.from_request(request), invitation_id=invitation_pk
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("resellers:invite")
