"""The distributor's management of a reseller: 分配客户经理 (with history) and its authorisation
of the reseller, which must come before any customer's authorisation for order on behalf."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import NotYourReseller
from partnercenter import audit
from partnercenter.errors import DomainError
from partnercenter.models import Membership, NotificationCategory, Partner, PartnerKind
from partnercenter.notifications import notify
from partnercenter.permissions import P

from ..models import DistributorAuthorization, ResellerManagerAssignment
from .common import partner_people, require_distributor


def _reseller_for_update(actor, reseller_pk):
    reseller = (
        Partner.objects.select_for_update()
        .filter(pk=reseller_pk, kind=PartnerKind.RESELLER, distributor=actor.partner)
        .first()
    )
    if reseller is None:
        raise NotYourReseller(_("You do not have permission to operate on this reseller."))
    return reseller


# --- 分配客户经理 -------------------------------------------------------------------------------


def assign_account_manager(*, actor, reseller_pks, membership_id):
    """Assign (or, with no membership, withdraw) the account manager of one reseller or a
    selection; returns {reseller pk: error message or None}."""
    require_distributor(actor, P.RESELLER_ASSIGN_AM)
    manager = None
    if membership_id:
        manager = (
            Membership.objects.active()
            .filter(pk=membership_id, partner=actor.partner)
            .select_related("user")
            .first()
        )
        if manager is None:
            raise DomainError(
                _("Choose a colleague of your organisation."), field="account_manager"
            )
    results = {}
    for pk in reseller_pks:
        try:
            with transaction.atomic(durable=True):
                _assign_one(actor, pk, manager)
        except DomainError as e:
            results[pk] = str(e.message)
        else:
            results[pk] = None
    return results


def _assign_one(actor, reseller_pk, manager):
    reseller = _reseller_for_update(actor, reseller_pk)
    current = ResellerManagerAssignment.objects.filter(
        reseller=reseller, ended_at__isnull=True
    ).first()
    current_id = current.account_manager_id if current else None
    if current_id == (manager.pk if manager else None):
        return
    now = timezone.now()
    if current is not None:
        current.ended_at = now
        current.ended_by = actor.user
        current.save(update_fields=["ended_at", "ended_by"])
    if manager is not None:
        ResellerManagerAssignment.objects.create(
            distributor=actor.partner,
            reseller=reseller,
            account_manager=manager,
            assigned_by=actor.user,
            assigned_at=now,
        )
    audit.record(
        "reseller.assign_am" if manager else "reseller.withdraw_am",
        actor=actor,
        target=reseller,
        before={"account_manager": current_id},
        after={"account_manager": manager.pk if manager else None},
    )
    if manager is not None:
        notify(
            [manager.user],
            category=NotificationCategory.RESELLERS,
            title=lambda: (
                _("You are now the account manager of the cloud reseller %(name)s")
                % {"name": reseller.name}
            ),
            url=reverse("resellers:list"),
        )


# --- The distributor's authorisation ----------------------------------------------------------


def authorization_in_force(reseller):
    return (
        DistributorAuthorization.objects.filter(reseller=reseller, revoked_at__isnull=True)
        .select_related("granted_by")
        .first()
    )


@transaction.atomic(durable=True)
def grant_authorization(*, actor, reseller_pk):
    require_distributor(actor, P.RESELLER_REVIEW)
    reseller = _reseller_for_update(actor, reseller_pk)
    if authorization_in_force(reseller) is not None:
        raise DomainError(_("You have already authorised this reseller."))
    authorization = DistributorAuthorization.objects.create(
        distributor=actor.partner, reseller=reseller, granted_by=actor.user
    )
    audit.record("reseller.authorize", actor=actor, target=reseller)
    notify(
        partner_people(reseller),
        category=NotificationCategory.RESELLERS,
        title=lambda: (
            _(
                "%(distributor)s authorised you to ask your customers for order-on-behalf "
                "authorisation"
            )
            % {"distributor": actor.partner.name}
        ),
        url=reverse("resellers:distributor"),
    )
    return authorization


@transaction.atomic(durable=True)
def revoke_authorization(*, actor, reseller_pk):
    require_distributor(actor, P.RESELLER_REVIEW)
    reseller = _reseller_for_update(actor, reseller_pk)
    authorization = authorization_in_force(reseller)
    if authorization is None:
        raise DomainError(_("This reseller has no authorisation in force."))
    authorization.revoked_at = timezone.now()
    authorization.revoked_by = actor.user
    authorization.save(update_fields=["revoked_at", "revoked_by"])
    audit.record("reseller.authorize.revoke", actor=actor, target=reseller)
    notify(
        partner_people(reseller),
        category=NotificationCategory.RESELLERS,
        title=lambda: (
            _("%(distributor)s withdrew its order-on-behalf authorisation")
            % {"distributor": actor.partner.name}
        ),
        url=reverse("resellers:distributor"),
    )
    return authorization


def authorization_prerequisite(association):
    """customers.services.authorizations.PREREQUISITES: a reseller asks its customer for
    authorisation only once its distributor has authorised it (domain §2.8)."""
    partner = association.partner
    if partner.kind != PartnerKind.RESELLER:
        return None
    if (
        partner.distributor_id is None
        or not DistributorAuthorization.objects.filter(
            reseller=partner, distributor_id=partner.distributor_id, revoked_at__isnull=True
        ).exists()
    ):
        return _(
            "Your distributor has not authorised you yet. Ask your distributor for authorisation "
            "first, then request the customer's."
        )
    return None
