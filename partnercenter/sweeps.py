"""Materialising time-based states (design.md: true at read time, made durable by a sweep)."""

from django.db import transaction

from .models import AuditEvent
from .notifications import notify


def expire_invitations(due, *, expired_status, partner_field, action, notice, limit=500):
    """Mark the first `limit` invitations of `due` (a queryset already filtered to those past
    expiry) as `expired_status`, write one audit row each and tell every inviter once.

    `notice(emails)` returns the notify() keyword arguments for one inviter's list. Rows another
    sweep holds are skipped, and a row no longer in `due` is left alone, so running twice, or
    two workers at once, is harmless. Returns how many rows changed."""
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    model = due.model
    with transaction.atomic():
        changed = list(
            due.filter(pk__in=ids)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("created_by__user")
        )
        if not changed:
            return 0
        model.objects.filter(pk__in=[i.pk for i in changed]).update(status=expired_status)
        AuditEvent.objects.bulk_create(
            AuditEvent(
                partner_id=getattr(inv, partner_field),
                actor_label="system",
                via="task",
                action=action,
                target_type=model._meta.label_lower,
                target_id=str(inv.pk),
                target_label=inv.email,
            )
            for inv in changed
        )
        by_inviter = {}
        for inv in changed:
            if inv.created_by is not None:
                by_inviter.setdefault(inv.created_by.user, []).append(inv.email)
        for user, emails in by_inviter.items():
            notify([user], **notice(emails))
    return len(changed)
