"""代客下单 / 切换角色: a partner colleague acts as a 代售 customer in the customer's console.

The marker lives in the session. It is re-checked on every request (the association must still
be current, 代售, visible to the colleague, and the customer's authorisation still granted); while
it holds, request.acting_as and request.customer are that customer, partner pages refuse, and
every audit row names both the real user and the customer acted for.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from partnercenter import audit
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.permissions import P, has_perm

from .models import AuthorizationStatus
from .selectors import visible_associations

SESSION_KEY = "acting_customer_id"


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
