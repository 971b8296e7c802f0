from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.ids import parse_id, parse_ids
from partnercenter.models import Membership, Partner, PartnerKind
from partnercenter.pagination import paginate
from partnercenter.permissions import P, has_perm
from partnercenter.redirects import safe_next

from .. import content, selectors
from ..filters import filter_associations, filter_reseller_associations
from ..forms import AssignManagerForm, CustomerFilterForm, ResellerCustomerFilterForm
from ..models import AccountManagerAssignment, AssociationEvent, Authorization
from ..services import associations as assoc_svc
from ..services.authorizations import request_authorization

# Extra columns and row actions later features add: callables(request, page_rows) -> None that
# annotate each row object with attributes their template snippets read.
ROW_DECORATORS = []
ROW_ACTION_TEMPLATES = []  # template names included in each row's operation cell
MORE_ACTION_TEMPLATES = []  # template names included in each row's 更多 menu
HEAD_TEMPLATES = []  # (header template, cell template) pairs
BATCH_ACTION_TEMPLATES = []  # template names included beside the batch buttons


def _managers(partner):
    return (
        Membership.objects.active()
        .filter(partner=partner)
        .select_related("user")
        .order_by("joined_at")
    )


@partner_required(P.CUSTOMER_LIST_VIEW)
def customer_list(request):
    membership = request.membership
    tab = request.GET.get("tab", "mine")
    if tab == "resellers" and has_perm(membership, P.RESELLER_CUSTOMER_VIEW):
        return _reseller_customers(request)
    managers = list(_managers(request.partner))
    form = CustomerFilterForm(request.GET or None, managers=managers)
    params = form.cleaned_data if form.is_valid() else {}
    qs = filter_associations(
        selectors.visible_associations(membership).select_related(
            "customer", "account_manager__user"
        ),
        params,
    )
    page_obj = paginate(request, qs)
    for decorate in ROW_DECORATORS:
        decorate(request, page_obj.object_list)
    template = "customers/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page_obj,
            "tab": "mine",
            "show_tabs": has_perm(membership, P.RESELLER_CUSTOMER_VIEW),
            "managers": managers,
            "hx_target": "#customer-table",
            "row_action_templates": ROW_ACTION_TEMPLATES,
            "more_action_templates": MORE_ACTION_TEMPLATES,
            "head_templates": HEAD_TEMPLATES,
            "batch_action_templates": BATCH_ACTION_TEMPLATES,
            "assign_form": AssignManagerForm(managers=managers),
        },
    )


def _reseller_customers(request):
    resellers = Partner.objects.filter(
        distributor=request.partner, kind=PartnerKind.RESELLER
    ).order_by("name")
    form = ResellerCustomerFilterForm(request.GET or None, resellers=resellers)
    params = form.cleaned_data if form.is_valid() else {}
    qs = filter_reseller_associations(
        selectors.reseller_customer_associations(request.membership).select_related(
            "customer", "partner"
        ),
        params,
    )
    page_obj = paginate(request, qs)
    template = "customers/reseller_customers.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page_obj,
            "tab": "resellers",
            "show_tabs": True,
            "hx_target": "#customer-table",
        },
    )


@partner_required(P.CUSTOMER_LIST_VIEW)
def customer_detail(request, customer_pk):
    association = selectors.customer_association_for(request.membership, customer_pk)
    if association is None:
        raise Http404
    customer = association.customer
    tab = request.GET.get("tab", "overview")
    authorization = (
        Authorization.objects.filter(association=association).order_by("-requested_at").first()
    )
    authorized = authorization is not None and authorization.status == "granted"
    context = {
        "association": association,
        "customer": customer,
        "tab": tab,
        "authorization": authorization,
        "knowledge": content.knowledge_for(resale=association.is_resale, authorized=authorized),
        "events": AssociationEvent.objects.filter(
            customer=customer, partner=request.partner
        ).select_related("requested_by", "handled_by")[:50],
        "am_history": AccountManagerAssignment.objects.filter(
            association__customer=customer, association__partner=request.partner
        ).select_related("account_manager__user", "assigned_by")[:20],
        "signature": customer.notice_signatures.filter(association=association).first(),
        "managers": _managers(request.partner),
        "assign_form": AssignManagerForm(
            managers=_managers(request.partner),
            initial={"account_manager": association.account_manager_id or ""},
        ),
    }
    for decorate in DETAIL_DECORATORS:
        decorate(request, context)
    # A tab with a paginated list names its partial: htmx pages through it in place.
    partial = context.get("htmx_partial")
    if partial and request.htmx and not request.htmx.boosted:
        return render(request, partial, context)
    return render(request, "customers/detail.html", context)


# callables(request, context) that add to the detail page (resources, balances, discounts …).
DETAIL_DECORATORS = []


@require_POST
@partner_required(P.CUSTOMER_ASSIGN_AM)
def assign_manager(request):
    ids = parse_ids(request.POST.getlist("ids"))
    if not ids:
        messages.error(request, _("Select at least one customer."))
        return redirect(safe_next(request, "customers:list"))
    manager = request.POST.get("account_manager") or None
    if manager is not None and parse_id(manager) is None:
        messages.error(request, _("Choose an account manager."))
        return redirect(safe_next(request, "customers:list"))
    try:
        results = assoc_svc.assign_account_manager(
            actor=Actor.from_request(request),
            association_ids=ids,
            membership_id=parse_id(manager) if manager else None,
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        ok = sum(1 for v in results.values() if v is None)
        failed = [v for v in results.values() if v]
        if ok:
            messages.success(
                request, _("Account manager updated for %(n)s customer(s).") % {"n": ok}
            )
        for message in failed[:5]:
            messages.error(request, message)
    return redirect(safe_next(request, "customers:list"))


@require_POST
@partner_required(P.CUSTOMER_AUTHORIZATION)
def authorize(request, customer_pk):
    association = selectors.customer_association_for(request.membership, customer_pk)
    if association is None:
        raise Http404
    try:
        request_authorization(actor=Actor.from_request(request), association_id=association.pk)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The authorisation request was sent to the customer."))
    return redirect(safe_next(request, "customers:list"))
