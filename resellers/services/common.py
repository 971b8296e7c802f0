from django.utils.translation import gettext as _

from partnercenter.errors import PermissionRefused
from partnercenter.models import Membership, PartnerKind, Role
from partnercenter.permissions import has_perm


def require(actor, item, message=None):
    if not has_perm(actor.membership, item):
        raise PermissionRefused(message or _("Your role does not allow this operation."))


def require_distributor(actor, item):
    require(actor, item)
    if actor.partner is None or actor.partner.kind != PartnerKind.DISTRIBUTOR:
        raise PermissionRefused(_("Only a distributor can do this."))


def partner_people(partner, roles=(Role.ADMIN,)):
    return [
        m.user
        for m in Membership.objects.active()
        .filter(partner=partner, role__in=list(roles))
        .select_related("user")
    ]
