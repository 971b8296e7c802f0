"""申请客户授权: a 代售 customer's consent before the partner orders or operates on its behalf."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import audit, verification
from partnercenter.errors import DomainError, InvalidTransition
from partnercenter.models import NotificationCategory
from partnercenter.notifications import notify
from partnercenter.permissions import P

from ..models import Authorization, AuthorizationStatus
from .common import customer_users, partner_admins, require, require_customer

# Other apps add callables(association) -> message | None that must pass first
# (resellers: the distributor's authorisation comes before the customer's).
PREREQUISITES = []


@transaction.atomic(durable=True)
def request_authorization(*, actor, association_id):
    require(actor, P.CUSTOMER_AUTHORIZATION)
    from ..selectors import visible_associations

    association = (
        visible_associations(actor.membership)
        .select_for_update(of=("self",))
        .select_related("customer", "partner")
        .filter(pk=association_id)
        .first()
    )
    if association is None:
        raise DomainError(_("Customer not found."))
    if not association.is_resale:
        raise DomainError(_("Authorisation applies to resale customers only."))
    for prerequisite in PREREQUISITES:
        message = prerequisite(association)
        if message:
            raise DomainError(message)
    open_one = Authorization.objects.filter(
        association=association,
        status__in=[AuthorizationStatus.PENDING, AuthorizationStatus.GRANTED],
    ).first()
    if open_one is not None:
        raise DomainError(
            _("The customer has already authorised you.")
            if open_one.status == AuthorizationStatus.GRANTED
            else _("A request is already waiting for the customer.")
        )
    authorization = Authorization.objects.create(
        partner=association.partner,
        customer=association.customer,
        association=association,
        requested_by=actor.user,
    )
    audit.record("customer.authorization.request", actor=actor, target=authorization)
    notify(
        customer_users(association.customer),
        category=NotificationCategory.CUSTOMERS,
        title=lambda: (
            _("%(partner)s asks for your authorisation to operate on your behalf")
            % {"partner": association.partner.name}
        ),
        url=reverse("customers:console") + "?tab=authorizations",
    )
    return authorization


def _for_customer(actor, authorization_id):
    customer = require_customer(actor)
    authorization = (
        Authorization.objects.select_for_update(of=("self",))
        .select_related("partner", "customer")
        .filter(pk=authorization_id, customer=customer)
        .first()
    )
    if authorization is None:
        raise DomainError(_("Authorisation request not found."))
    return authorization


def _precheck(actor, authorization_id, statuses, message):
    customer = require_customer(actor)
    status = (
        Authorization.objects.filter(pk=authorization_id, customer=customer)
        .values_list("status", flat=True)
        .first()
    )
    if status is None:
        raise DomainError(_("Authorisation request not found."))
    if status not in statuses:
        raise InvalidTransition(message)


def customer_decide(*, actor, authorization_id, grant, code=None):
    """The customer agrees to or refuses the request. Agreeing lets the partner act for it, so
    with the customer's 敏感操作验证 on it takes a code (refusing does not)."""
    if grant:
        _precheck(
            actor,
            authorization_id,
            {AuthorizationStatus.PENDING},
            _("This request has already been handled."),
        )
        verification.verify(actor, code)
    return _customer_decide(actor=actor, authorization_id=authorization_id, grant=grant)


@transaction.atomic(durable=True)
def _customer_decide(*, actor, authorization_id, grant):
    authorization = _for_customer(actor, authorization_id)
    if authorization.status != AuthorizationStatus.PENDING:
        raise InvalidTransition(_("This request has already been handled."))
    authorization.status = AuthorizationStatus.GRANTED if grant else AuthorizationStatus.REFUSED
    authorization.decided_by = actor.user
    authorization.decided_at = timezone.now()
    authorization.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        "customer.authorization.granted" if grant else "customer.authorization.refused",
        actor=actor,
        partner=authorization.partner,
        target=authorization,
    )
    notify(
        partner_admins(authorization.partner)
        + ([authorization.requested_by] if authorization.requested_by else []),
        category=NotificationCategory.CUSTOMERS,
        title=lambda: (
            (
                _("%(customer)s authorised you")
                if grant
                else _("%(customer)s refused the authorisation")
            )
            % {"customer": authorization.customer.name}
        ),
        url=reverse("customers:detail", args=[authorization.customer_id]),
    )
    return authorization


def customer_cancel(*, actor, authorization_id, code=None):
    """The customer withdraws an authorisation (or a request it has not answered); with its
    敏感操作验证 on this takes a code."""
    _precheck(
        actor,
        authorization_id,
        {AuthorizationStatus.PENDING, AuthorizationStatus.GRANTED},
        _("This authorisation is no longer in force."),
    )
    verification.verify(actor, code)
    return _customer_cancel(actor=actor, authorization_id=authorization_id)


@transaction.atomic(durable=True)
def _customer_cancel(*, actor, authorization_id):
    authorization = _for_customer(actor, authorization_id)
    if authorization.status not in (AuthorizationStatus.PENDING, AuthorizationStatus.GRANTED):
        raise InvalidTransition(_("This authorisation is no longer in force."))
    authorization.status = AuthorizationStatus.CANCELLED
    authorization.decided_by = actor.user
    authorization.decided_at = timezone.now()
    authorization.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        "customer.authorization.cancelled",
        actor=actor,
        partner=authorization.partner,
        target=authorization,
    )
    notify(
        partner_admins(authorization.partner),
        category=NotificationCategory.CUSTOMERS,
        title=lambda: (
            _("%(customer)s cancelled its authorisation")
            % {"customer": authorization.customer.name}
        ),
        url=reverse("customers:detail", args=[authorization.customer_id]),
    )
    return authorization


def authorization_status(association):
    latest = Authorization.objects.filter(association=association).order_by("-requested_at").first()
    return latest
