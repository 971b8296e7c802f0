"""`indirect_partner_id`: a distributor (一级经销商) acting for one of its resellers."""

import dataclasses

from django.utils.translation import gettext as _

from ..models import Membership, Partner, PartnerKind
from .errors import ApiError


def reseller_of(caller, indirect_partner_id):
    reseller = Partner.objects.filter(
        kind=PartnerKind.RESELLER, distributor_id=caller.partner.pk, domain_id=indirect_partner_id
    ).first()
    if reseller is None:
        raise ApiError(
            400,
            "CBC.99000037",
            _("You have no permission on the indirect partner %(id)s.")
            % {"id": indirect_partner_id},
        )
    return reseller


def acting(caller, indirect_partner_id=None):
    """(membership, actor) the operation runs as. Without an indirect partner, or for a caller
    that is not a distributor (for whom the field is ignored), the caller's own; otherwise the
    caller standing in for the reseller with the caller's own role — an account manager, who
    sees only customers assigned to them, therefore sees none of a reseller's."""
    membership = caller.membership
    if not indirect_partner_id or membership.partner.kind != PartnerKind.DISTRIBUTOR:
        return membership, caller.actor
    reseller = reseller_of(caller, indirect_partner_id)
    stand_in = Membership(user=membership.user, partner=reseller, role=membership.role)
    return stand_in, dataclasses.replace(caller.actor, partner=reseller, membership=stand_in)
