"""The one helper every service calls to write an AuditEvent, inside the caller's transaction."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import fastsql
from .models import AuditEvent

# Human labels for the action codes; apps add theirs with register_actions().
_ACTION_LABELS = {
    "member.invite": _("Invited a colleague"),
    "member.invite.resend": _("Re-sent a colleague invitation"),
    "member.invite.revoke": _("Revoked a colleague invitation"),
    "member.join": _("Colleague joined"),
    "member.role": _("Changed a colleague's role"),
    "member.remove": _("Removed a colleague"),
    "member.invite.expire": _("Colleague invitation expired"),
    "partner.update": _("Updated partner information"),
    "pii.reveal": _("Revealed personal data"),
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.mfa": _("Changed two-factor authentication"),
    "auth.password": _("Changed password"),
    "language.set": _("Changed language"),
}


def register_actions(labels: dict):
    _ACTION_LABELS.update(labels)


def action_label(code):
    return _ACTION_LABELS.get(code, code)


def action_choices():
    return sorted(((k, str(v)) for k, v in _ACTION_LABELS.items()), key=lambda kv: kv[0])


def _label(obj):
    if obj is None:
        return ""
    return str(obj)[:255]


def record(action, *, actor, target=None, before=None, after=None, partner=None):
    """Write one audit row. Call it inside the same transaction.atomic() block as the change.

    Returns the new row's id. A plain INSERT (partnercenter.fastsql): money movements write one
    of these each, and the ORM's per-query compile cost would dominate them."""
    signed_request = getattr(actor, "signed_request", None)
    if signed_request is not None:
        # Every service writes its audit row inside the transaction of the change, so this is
        # where a signed API request's signature is used up with it (partnercenter.api.replay).
        signed_request.claim()
    acting_as = getattr(actor, "acting_as", None)
    user = getattr(actor, "user", None)
    partner = partner if partner is not None else getattr(actor, "partner", None)
    (event_id,) = fastsql.insert(
        AuditEvent,
        [
            {
                "created_at": timezone.now(),
                "actor_id": user.pk if user is not None else None,
                "actor_label": (
                    user.email if user is not None else getattr(actor, "via", "system")
                )[:200],
                "partner_id": partner.pk if partner is not None else None,
                "acting_as_type": acting_as._meta.label_lower if acting_as is not None else "",
                "acting_as_id": str(acting_as.pk) if acting_as is not None else "",
                "acting_as_label": _label(acting_as)[:200],
                "action": action,
                "target_type": target._meta.label_lower if target is not None else "",
                "target_id": str(target.pk) if target is not None else "",
                "target_label": _label(target),
                "before": before,
                "after": after,
                "ip": getattr(actor, "ip", None),
                "via": getattr(actor, "via", "web"),
                "access_key_id": getattr(actor, "access_key_id", "") or "",
            }
        ],
    )
    return event_id
