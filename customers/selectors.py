"""What a member may see: one function per question, used by pages, exports and the API alike."""

from django.db.models import Q

from partnercenter.models import PartnerKind
from partnercenter.permissions import OWN_CUSTOMERS_ONLY

from .models import Association, AssociationEvent, Authorization, Invitation


def visible_associations(membership):
    """Current associations of the member's partner; an account manager's are only theirs."""
    qs = Association.objects.current().filter(partner_id=membership.partner_id)
    if membership.role in OWN_CUSTOMERS_ONLY:
        qs = qs.filter(account_manager=membership)
    return qs


def reseller_customer_associations(membership):
    """A distributor's view of its resellers' customers (二级经销商子客户)."""
    if membership.partner.kind != PartnerKind.DISTRIBUTOR:
        return Association.objects.none()
    return Association.objects.current().filter(
        partner__distributor_id=membership.partner_id, partner__kind=PartnerKind.RESELLER
    )


def association_for(membership, pk):
    """One association the member may act on, or None (callers answer 404)."""
    return (
        visible_associations(membership).select_related("customer", "partner").filter(pk=pk).first()
    )


def customer_association_for(membership, customer_pk):
    return (
        visible_associations(membership)
        .select_related("customer", "partner", "account_manager__user")
        .filter(customer_id=customer_pk)
        .first()
    )


def visible_events(membership):
    qs = AssociationEvent.objects.filter(partner_id=membership.partner_id)
    if membership.role in OWN_CUSTOMERS_ONLY:
        qs = qs.filter(
            Q(association__account_manager=membership)
            | Q(customer__associations__account_manager=membership)
        ).distinct()
    return qs


def visible_invitations(membership):
    qs = Invitation.objects.filter(partner_id=membership.partner_id)
    if membership.role in OWN_CUSTOMERS_ONLY:
        qs = qs.filter(created_by=membership)
    return qs


def authorization_in_force(association):
    return Authorization.objects.filter(association=association, status="granted").exists()
