"""The relationship after association: account managers, disassociation (解除关联) and type
switch (切换关联类型) requests from either side, and their handling.

Only the partner admin may start or handle these (domain §1.3); the customer must agree to the
partner's requests in its console. Limits: one partner request per customer every 3 months,
none within 3 months of the customer's own request, and one customer request in 3 months.
"""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import audit, verification
from partnercenter.errors import DomainError, InvalidTransition
from partnercenter.models import Membership, NotificationCategory
from partnercenter.notifications import notify
from partnercenter.permissions import P

from .. import rules
from ..models import (
    AccountManagerAssignment,
    Association,
    AssociationEvent,
    AssociationType,
    Authorization,
    AuthorizationStatus,
    EventStatus,
    EventType,
    Initiator,
)
from ..rules import FailedCheck
from .common import customer_users, partner_admins, require, require_customer

REQUEST_COOLDOWN = timedelta(days=90)  # "3 months"


# --- account managers -------------------------------------------------------------------------


def assign_account_manager(*, actor, association_ids, membership_id):
    """分配客户经理 for one customer or a selection; returns {association_id: error or None}."""
    require(actor, P.CUSTOMER_ASSIGN_AM)
    manager = (
        Membership.objects.active()
        .filter(pk=membership_id, partner=actor.partner)
        .select_related("user")
        .first()
        if membership_id
        else None
    )
    if membership_id and manager is None:
        raise DomainError(_("Choose a colleague of your organisation."), field="account_manager")
    results = {}
    for association_id in association_ids:
        try:
            with transaction.atomic():
                _assign_one(actor, association_id, manager)
            results[association_id] = None
        except DomainError as e:
            results[association_id] = str(e.message)
    return results


def _assign_one(actor, association_id, manager):
    from ..selectors import visible_associations

    association = (
        visible_associations(actor.membership).select_for_update().filter(pk=association_id).first()
    )
    if association is None:
        raise DomainError(_("Customer not found."))
    if association.account_manager_id == (manager.pk if manager else None):
        return
    now = timezone.now()
    before = association.account_manager_id
    AccountManagerAssignment.objects.filter(association=association, ended_at__isnull=True).update(
        ended_at=now
    )
    association.account_manager = manager
    association.account_manager_since = now if manager else None
    association.save(update_fields=["account_manager", "account_manager_since"])
    if manager is not None:
        AccountManagerAssignment.objects.create(
            association=association,
            account_manager=manager,
            assigned_by=actor.user,
            assigned_at=now,
        )
        notify(
            [manager.user],
            category=NotificationCategory.CUSTOMERS,
            title=lambda: (
                _("You are now the account manager of %(customer)s")
                % {"customer": association.customer.name}
            ),
            url=reverse("customers:detail", args=[association.customer_id]),
        )
    audit.record(
        "customer.assign_am",
        actor=actor,
        target=association,
        before={"account_manager": before},
        after={"account_manager": manager.pk if manager else None},
    )


# --- checks -------------------------------------------------------------------------------------


def blocking_checks(association):
    """Every item that blocks a disassociation or type switch right now (domain §2.6)."""
    failed = []
    if association.customer.is_frozen:
        failed.append(
            FailedCheck("IS_FROZEN", _("The customer account is frozen; unfreeze it first."))
        )
    if Authorization.objects.filter(
        association=association, status=AuthorizationStatus.GRANTED
    ).exists():
        failed.append(
            FailedCheck(
                "HAS_AUTHORIZATION",
                _("An authorisation to operate on the customer's behalf is in force."),
            )
        )
    failed.extend(rules.failed_disassociation_checks(association))
    return failed


def _partner_request_limit(association):
    """None when the partner may start a request now, else the message saying why not."""
    since = timezone.now() - REQUEST_COOLDOWN
    events = AssociationEvent.objects.filter(
        customer_id=association.customer_id, partner_id=association.partner_id
    )
    if events.filter(status=EventStatus.PENDING).exclude(event_type=EventType.ASSOCIATE).exists():
        return _("A request for this customer is already waiting to be handled.")
    recent_partner = events.filter(
        initiator=Initiator.PARTNER,
        event_type__in=[EventType.DISASSOCIATE, EventType.SWITCH_TYPE],
        requested_at__gte=since,
    ).exclude(status=EventStatus.CANCELLED)
    if recent_partner.exists():
        return _(
            "Only one disassociation or type-switch request per customer is allowed every 3 months."
        )
    recent_customer = events.filter(
        initiator=Initiator.CUSTOMER, event_type=EventType.DISASSOCIATE, requested_at__gte=since
    )
    if recent_customer.exists():
        return _(
            "The customer asked to disassociate within the last 3 months; wait 3 months from that request."
        )
    return None


def precheck(association):
    """What the 解除关联 / 切换关联类型 page shows before the admin confirms."""
    return {"limit": _partner_request_limit(association), "failed": blocking_checks(association)}


# --- the partner's requests --------------------------------------------------------------------


def _change_checks(actor, association_id, event_type, reason, acknowledged, *, for_update):
    require(
        actor,
        P.CUSTOMER_DISASSOCIATE,
        _("Only the partner admin may disassociate customers or switch types."),
    )
    from ..selectors import visible_associations

    if event_type not in (EventType.DISASSOCIATE, EventType.SWITCH_TYPE):
        raise DomainError(_("Unknown request type."))
    qs = visible_associations(actor.membership)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    association = qs.select_related("customer").filter(pk=association_id).first()
    if association is None:
        raise DomainError(_("Customer not found."))
    if not acknowledged:
        raise DomainError(
            _("Tick that you understand the notes and agree to this operation."),
            field="acknowledged",
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the request."), field="reason")
    limit = _partner_request_limit(association)
    if limit:
        raise DomainError(limit)
    failed = blocking_checks(association)
    if failed:
        raise DomainError(_("Some checks did not pass."), items=failed)
    return association, reason


def request_change(*, actor, association_id, event_type, reason, acknowledged, code=None):
    """The partner admin asks to disassociate or switch the type. With 敏感操作验证 on, `code`
    confirms it — checked once everything else has passed, so a refused request uses no code."""
    _change_checks(actor, association_id, event_type, reason, acknowledged, for_update=False)
    verification.verify(actor, code)
    return _request_change(
        actor=actor,
        association_id=association_id,
        event_type=event_type,
        reason=reason,
        acknowledged=acknowledged,
    )


@transaction.atomic(durable=True)
def _request_change(*, actor, association_id, event_type, reason, acknowledged):
    association, reason = _change_checks(
        actor, association_id, event_type, reason, acknowledged, for_update=True
    )
    to_type = None
    if event_type == EventType.SWITCH_TYPE:
        to_type = AssociationType.REFERRAL if association.is_resale else AssociationType.RESALE
    event = AssociationEvent.objects.create(
        partner=association.partner,
        customer=association.customer,
        association=association,
        event_type=event_type,
        initiator=Initiator.PARTNER,
        from_type=association.association_type,
        to_type=to_type,
        reason=reason[:500],
        status=EventStatus.PENDING,
        requested_by=actor.user,
    )
    audit.record(
        f"customer.request.{event_type}",
        actor=actor,
        target=event,
        after={"reason": reason, "to_type": to_type},
    )
    notify(
        customer_users(association.customer),
        category=NotificationCategory.CUSTOMERS,
        title=lambda: (
            _("%(partner)s asks to %(what)s")
            % {
                "partner": association.partner.name,
                "what": _("disassociate")
                if event_type == EventType.DISASSOCIATE
                else _("switch the association type"),
            }
        ),
        body=reason,
        url=reverse("customers:console"),
    )
    return event


def _pending_event(qs, event_id):
    """The same look-up as _event_for_update, without the lock: checks made before asking for
    a verification code (the locked look-up repeats them)."""
    event = qs.select_related("association", "customer", "partner").filter(pk=event_id).first()
    if event is None:
        raise DomainError(_("Request not found."))
    if event.status != EventStatus.PENDING:
        raise InvalidTransition(_("This request has already been handled."))
    return event


def _event_for_update(qs, event_id):
    event = (
        qs.select_for_update(of=("self",))
        .select_related("association", "customer", "partner")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise DomainError(_("Request not found."))
    if event.status != EventStatus.PENDING:
        raise InvalidTransition(_("This request has already been handled."))
    return event


def _complete(event, *, actor):
    """Carry out a disassociation or switch; hooks (解绑回收) run in this same transaction."""
    association = Association.objects.select_for_update().get(pk=event.association_id)
    if not association.is_current:
        raise InvalidTransition(_("The association has already ended."))
    failed = blocking_checks(association)
    if failed:
        raise DomainError(_("Some checks did not pass."), items=failed)
    now = timezone.now()
    association.ended_at = now
    association.save(update_fields=["ended_at"])
    Authorization.objects.filter(
        association=association,
        status__in=[AuthorizationStatus.PENDING, AuthorizationStatus.GRANTED],
    ).update(status=AuthorizationStatus.CANCELLED, decided_at=now)
    AccountManagerAssignment.objects.filter(association=association, ended_at__isnull=True).update(
        ended_at=now
    )
    for hook in rules.ON_ASSOCIATION_ENDED:
        hook(association, actor=actor, event=event)
    new_association = None
    if event.event_type == EventType.SWITCH_TYPE:
        new_association = Association.objects.create(
            customer=association.customer,
            partner=association.partner,
            association_type=event.to_type,
            associated_at=now,
            account_manager=association.account_manager,
            account_manager_since=association.account_manager_since,
            tag=association.tag,
        )
        if association.account_manager_id:
            AccountManagerAssignment.objects.create(
                association=new_association,
                account_manager=association.account_manager,
                assigned_at=now,
            )
    event.status = EventStatus.COMPLETED
    event.handled_at = now
    event.handled_by = actor.user
    event.save(update_fields=["status", "handled_at", "handled_by", "handling_reason"])
    return new_association


# --- the customer's side -----------------------------------------------------------------------


def _customer_events(customer):
    return AssociationEvent.objects.filter(customer=customer)


def customer_respond(*, actor, event_id, agree, reason="", code=None):
    """The customer agrees to or refuses the partner's request (账号中心 > 我的合作伙伴); with
    the customer's 敏感操作验证 on, `code` confirms either answer."""
    customer = require_customer(actor)
    event = _pending_event(_customer_events(customer).filter(initiator=Initiator.PARTNER), event_id)
    if agree and event.association_id:
        failed = blocking_checks(event.association)
        if failed:
            raise DomainError(_("Some checks did not pass."), items=failed)
    verification.verify(actor, code)
    return _customer_respond(actor=actor, event_id=event_id, agree=agree, reason=reason)


@transaction.atomic(durable=True)
def _customer_respond(*, actor, event_id, agree, reason=""):
    customer = require_customer(actor)
    event = _event_for_update(
        _customer_events(customer).filter(initiator=Initiator.PARTNER), event_id
    )
    event.handling_reason = (reason or "").strip()[:500]
    if agree:
        _complete(event, actor=actor)
        action, title = (
            "customer.request.agreed",
            lambda: _("%(customer)s agreed to your request") % {"customer": customer.name},
        )
    else:
        event.status = EventStatus.REFUSED
        event.handled_at = timezone.now()
        event.handled_by = actor.user
        event.save(update_fields=["status", "handled_at", "handled_by", "handling_reason"])
        action, title = (
            "customer.request.refused",
            lambda: _("%(customer)s refused your request") % {"customer": customer.name},
        )
    audit.record(
        action,
        actor=actor,
        partner=event.partner,
        target=event,
        after={"reason": event.handling_reason},
    )
    notify(
        partner_admins(event.partner),
        category=NotificationCategory.CUSTOMERS,
        title=title,
        body=event.handling_reason,
        url=reverse("customers:records"),
    )
    return event


@transaction.atomic(durable=True)
def customer_request_disassociation(*, actor, reason):
    customer = require_customer(actor)
    association = (
        customer.associations.select_for_update(of=("self",))
        .filter(ended_at__isnull=True)
        .select_related("partner")
        .first()
    )
    if association is None:
        raise DomainError(_("You are not associated with a partner."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the request."), field="reason")
    events = _customer_events(customer)
    if events.filter(status=EventStatus.PENDING).exclude(event_type=EventType.ASSOCIATE).exists():
        raise DomainError(_("A request is already waiting to be handled."))
    since = timezone.now() - REQUEST_COOLDOWN
    if events.filter(
        initiator=Initiator.CUSTOMER, event_type=EventType.DISASSOCIATE, requested_at__gte=since
    ).exists():
        raise DomainError(_("You can request disassociation once every 3 months."))
    event = AssociationEvent.objects.create(
        partner=association.partner,
        customer=customer,
        association=association,
        event_type=EventType.DISASSOCIATE,
        initiator=Initiator.CUSTOMER,
        from_type=association.association_type,
        reason=reason[:500],
        status=EventStatus.PENDING,
        requested_by=actor.user,
    )
    audit.record(
        "customer.request.disassociate",
        actor=actor,
        partner=association.partner,
        target=event,
        after={"reason": reason},
    )
    notify(
        partner_admins(association.partner),
        category=NotificationCategory.CUSTOMERS,
        title=lambda: _("%(customer)s asks to disassociate") % {"customer": customer.name},
        body=reason,
        url=reverse("customers:records") + "?status=pending",
    )
    return event


def _handling_checks(actor, agree, reason, acknowledged):
    require(
        actor, P.CUSTOMER_DISASSOCIATE, _("Only the partner admin may handle customer requests.")
    )
    if agree and not acknowledged:
        raise DomainError(
            _("Tick that you understand the notes and agree to this operation."),
            field="acknowledged",
        )
    if not agree and not (reason or "").strip():
        raise DomainError(_("Give the reason for refusing."), field="reason")


def partner_handle_request(*, actor, event_id, agree, reason="", acknowledged=False, code=None):
    """The partner admin agrees to or refuses a customer's disassociation request; with
    敏感操作验证 on, `code` confirms either answer."""
    from ..selectors import visible_events

    _handling_checks(actor, agree, reason, acknowledged)
    event = _pending_event(
        visible_events(actor.membership).filter(initiator=Initiator.CUSTOMER), event_id
    )
    if agree and event.association_id:
        failed = blocking_checks(event.association)
        if failed:
            raise DomainError(_("Some checks did not pass."), items=failed)
    verification.verify(actor, code)
    return _partner_handle_request(
        actor=actor, event_id=event_id, agree=agree, reason=reason, acknowledged=acknowledged
    )


@transaction.atomic(durable=True)
def _partner_handle_request(*, actor, event_id, agree, reason="", acknowledged=False):
    from ..selectors import visible_events

    _handling_checks(actor, agree, reason, acknowledged)
    event = _event_for_update(
        visible_events(actor.membership).filter(initiator=Initiator.CUSTOMER), event_id
    )
    reason = (reason or "").strip()
    event.handling_reason = reason[:500]
    if agree:
        _complete(event, actor=actor)
        action = "customer.request.agreed"
    else:
        event.status = EventStatus.REFUSED
        event.handled_at = timezone.now()
        event.handled_by = actor.user
        event.save(update_fields=["status", "handled_at", "handled_by", "handling_reason"])
        action = "customer.request.refused"
    audit.record(action, actor=actor, target=event, after={"reason": reason})
    notify(
        customer_users(event.customer),
        category=NotificationCategory.CUSTOMERS,
        title=lambda: (
            _("Your disassociation request was agreed")
            if agree
            else _("Your disassociation request was refused")
        ),
        body=reason,
        url=reverse("customers:console"),
    )
    return event


@transaction.atomic(durable=True)
def cancel_request(*, actor, event_id):
    """The side that started a pending request withdraws it."""
    if getattr(actor, "customer", None) is not None or getattr(actor, "acting_as", None):
        # The customer's own request: only its own login withdraws it, never a partner colleague
        # acting for it (代客下单 is for ordering), whatever page the call came from.
        customer = require_customer(actor)
        qs = _customer_events(customer).filter(initiator=Initiator.CUSTOMER)
    else:
        require(actor, P.CUSTOMER_DISASSOCIATE)
        from ..selectors import visible_events

        qs = visible_events(actor.membership).filter(initiator=Initiator.PARTNER)
    event = _event_for_update(qs, event_id)
    event.status = EventStatus.CANCELLED
    event.handled_at = timezone.now()
    event.handled_by = actor.user
    event.save(update_fields=["status", "handled_at", "handled_by"])
    audit.record("customer.request.cancelled", actor=actor, partner=event.partner, target=event)
    return event
