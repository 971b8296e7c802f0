"""代客下单 / 切换角色: a partner colleague acts as a 代售 customer in the customer's console.

The marker lives in the session. It is re-checked on every request (the association must still
be current, 代售, visible to the colleague, and the customer's authorisation still granted); while
it holds, request.acting_as and request.customer are that customer, and every audit row names
both the real user and the customer acted for.

Acting is for ordering and nothing else: `refusal` (called by CustomerMiddleware for every view)
lets through only ALLOWED_WHILE_ACTING. The customer's own decisions about its relationship
(requests, authorisations, the signed notice), its credentials and the partner's pages are
refused there, in one place — and the services refuse them again on their own.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from partnercenter import audit
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.permissions import P, has_perm

from .models import AuthorizationStatus
from .selectors import visible_associations

SESSION_KEY = "acting_customer_id"

# Where acting starts and where a refused htmx request is sent back to.
LANDING = "billing:console_products"

# The URL names a colleague acting for a customer may reach (domain §2.9, §2.11): choosing
# products, placing an order and paying or cancelling it while 待支付, and looking at the
# customer's orders and resources; plus leaving (切换角色, sign out) and the language switch.
# Every other view answers 403. An app whose page belongs to ordering adds its name here.
ALLOWED_WHILE_ACTING = {
    "billing:console_products",
    "billing:console_order_new",
    "billing:console_orders",
    "billing:console_order",
    "billing:console_order_action",
    "billing:console_resources",
    "customers:act_stop",
    "home",  # answers with the products page
    "set_language",
    "account_logout",
}


def allowed(url_name):
    return url_name in ALLOWED_WHILE_ACTING


def refusal(request):
    """None when the view may run while acting, else the response that refuses it."""
    match = getattr(request, "resolver_match", None)
    if match is not None and allowed(match.view_name):
        return None
    message = _(
        "While you operate as a customer you can only order for it: select products, place and "
        "pay orders, and see its orders and resources. Switch role to return to your partner "
        "account."
    )
    if getattr(request, "htmx", False):
        # htmx does not swap a 403 into the page: send the browser to a page that shows why.
        messages.error(request, message)
        response = HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
        response["HX-Redirect"] = reverse(LANDING)
        return response
    return render(
        request,
        "customers/acting_refused.html",
        {"message": message, "customer": request.acting_as},
        status=403,
    )


def acting_problem(membership, association):
    """None when the colleague may act for this customer now, else the reason (shown to them)."""
    from .services.authorizations import PREREQUISITES

    if not has_perm(membership, P.CUSTOMER_ORDER_ON_BEHALF):
        return _("Your role does not allow ordering on a customer's behalf.")
    if association is None:
        return _("Customer not found.")
    if not association.is_resale:
        return _("Ordering on behalf is only for resale customers.")
    for prerequisite in PREREQUISITES:
        message = prerequisite(association)
        if message:
            return message
    granted = association.authorizations.filter(status=AuthorizationStatus.GRANTED).exists()
    if not granted:
        return _(
            "The customer has not authorised you yet. Use More > Request authorisation; the customer "
            "agrees in Account Center > My Partner > Authorisations."
        )
    return None


def _association(membership, customer_pk):
    return (
        visible_associations(membership)
        .select_related("customer", "partner")
        .filter(customer_id=customer_pk)
        .first()
    )


def start(request, customer_pk):
    from partnercenter.actor import Actor

    association = _association(request.membership, customer_pk)
    problem = acting_problem(request.membership, association)
    if problem:
        raise (PermissionRefused if association is None else DomainError)(problem)
    with transaction.atomic():
        audit.record(
            "acting.start",
            actor=Actor.from_request(request),
            target=association.customer,
            after={"customer": association.customer.customer_id},
        )
    request.session[SESSION_KEY] = association.customer_id
    return association.customer


def stop(request):
    from partnercenter.actor import Actor

    customer = getattr(request, "acting_as", None)
    request.session.pop(SESSION_KEY, None)
    if customer is not None:
        with transaction.atomic():
            audit.record("acting.stop", actor=Actor.from_request(request), target=customer)
    return customer


def resolve(request):
    """The customer this request acts for, or None (clearing a marker that no longer holds)."""
    customer_pk = request.session.get(SESSION_KEY)
    if not customer_pk or request.membership is None:
        return None
    association = _association(request.membership, customer_pk)
    if acting_problem(request.membership, association) is not None:
        request.session.pop(SESSION_KEY, None)
        return None
    return association.customer
