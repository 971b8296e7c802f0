from django.utils.translation import gettext as _

from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.models import Membership, Role
from partnercenter.permissions import has_perm


def require(actor, item, message=None):
    if not has_perm(actor.membership, item):
        raise PermissionRefused(message or _("Your role does not allow this operation."))


def partner_admins(partner):
    return [
        m.user
        for m in Membership.objects.active()
        .filter(partner=partner, role=Role.ADMIN)
        .select_related("user")
    ]


def customer_users(customer):
    return [login.user for login in customer.logins.select_related("user")]


def require_customer(actor):
    """The customer's own login — never a partner acting for it: the relationship's decisions
    (agreeing to disassociation, granting authorisation) belong to the customer alone."""
    if getattr(actor, "customer", None) is None or getattr(actor, "acting_as", None) is not None:
        raise PermissionRefused(_("Only the customer's own account can do this."))
    return actor.customer


class NotFound(DomainError):
    code = "CBC.99000035"
