"""伙伴信息: the partner admin edits the contact details and the organisation's security
settings (敏感操作验证, compulsory two-factor sign-in)."""

import dataclasses

from django.db import transaction
from django.utils.translation import gettext as _

from .. import audit, verification
from ..errors import PermissionRefused
from ..models import Partner
from ..permissions import P, has_perm

EDITABLE = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
    "sensitive_op_verification",
    "require_mfa",
)
# Settings that protect the organisation: switching one off while 敏感操作验证 is on takes the
# code, so a stolen session cannot lower the guard before it does anything else.
GUARDS = ("sensitive_op_verification", "require_mfa")


def update_partner_info(*, actor, changes, code=None):
    """Save `changes` (field → value); audited with before/after. Returns the partner."""
    if not has_perm(actor.membership, P.PARTNER_INFO_EDIT):
        raise PermissionRefused(_("Only the partner admin may edit the partner information."))
    changes = {f: v for f, v in changes.items() if f in EDITABLE}
    # Read from the database: the caller's copy may already hold the submitted values.
    current = Partner.objects.get(pk=actor.membership.partner_id)
    if any(getattr(current, f) and changes.get(f) is False for f in GUARDS):
        verification.verify(dataclasses.replace(actor, partner=current), code)
    with transaction.atomic(durable=True):
        partner = Partner.objects.select_for_update().get(pk=current.pk)
        before = {f: getattr(partner, f) for f, v in changes.items() if getattr(partner, f) != v}
        if not before:
            return partner
        for field in before:
            setattr(partner, field, changes[field])
        partner.save(update_fields=list(before))
        audit.record(
            "partner.update",
            actor=actor,
            target=partner,
            before=before,
            after={f: changes[f] for f in before},
        )
    return partner
