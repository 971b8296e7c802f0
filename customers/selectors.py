"""What a member may see: one function per question, used by pages, exports and the API alike."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from partnercenter.models import PartnerKind
from partnercenter.permissions import OWN_CUSTOMERS_ONLY

from .models import Association, AssociationEvent, Authorization, Invitation


def visible_associations(membership):
    """Current associations of the member's partner; an account manager's are only theirs."""
    qs = Association.objects.current().filter(partner_id=membership.partner_id)
    if membership.role in OWN_CUSTOMERS_ONLY:
        if membership.pk is None:
            # A distributor's account manager standing in for a reseller (API
            # indirect_partner_id) is assigned none of the reseller's customers.
            return qs.none()
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


@dataclass(frozen=True)
class FundingTarget:
    """What the money services need to know about a customer, read in one plain query."""

    association_id: int
    association_type: int
    customer: object  # a Customer carrying pk, customer_id, name and is_frozen (no further query)

    @property
    def is_resale(self):
        return self.association_type == 2


def funding_target(membership, customer_pk):
    """The member's current association with this customer, or None — the same answer as
    visible_associations(membership).filter(customer_id=…) (a test holds them together), as one
    plain query: it runs on every allocation and recovery."""
    from .models import Customer

    sql = (
        "SELECT a.id, a.association_type, c.id, c.customer_id, c.name, c.is_frozen "
        "FROM customers_association a JOIN customers_customer c ON c.id = a.customer_id "
        "WHERE a.partner_id = %s AND a.customer_id = %s AND a.ended_at IS NULL"
    )
    params = [membership.partner_id, customer_pk]
    if membership.role in OWN_CUSTOMERS_ONLY:
        sql += " AND a.account_manager_id = %s"
        params.append(membership.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    customer = Customer(pk=row[2], customer_id=row[3], name=row[4], is_frozen=bool(row[5]))
    customer._state.adding = False
    return FundingTarget(association_id=row[0], association_type=row[1], customer=customer)


def association_is_current(association_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM customers_association WHERE id = %s AND ended_at IS NULL",
            [association_id],
        )
        return cursor.fetchone() is not None
