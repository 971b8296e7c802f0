"""Credit usage alerts: the partner admin and finance are told at 70 %, 85 % and 100 %."""

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from partnercenter.models import Membership, NotificationCategory, Role
from partnercenter.notifications import notify

from .. import ledger
from ..models import CreditAlertState

THRESHOLDS = (70, 85, 100)


def check_credit_alerts(partner, funds=None):
    """Call after any transfer that changes the partner's funds, inside its transaction (the
    partner's account rows are locked then, so these reads and writes cannot interleave).

    Each upward crossing of a threshold is notified once; falling back below a threshold re-arms
    it, so the next crossing is told again."""
    funds = funds or ledger.partner_funds(partner)
    usage = funds.credit_usage_percent if funds.credit > 0 else 0
    reached = max((t for t in THRESHOLDS if usage >= t), default=0)
    with connection.cursor() as cursor:  # plain SQL: this runs after every allocation
        cursor.execute(
            "SELECT notified_threshold FROM billing_creditalertstate WHERE partner_id = %s",
            [partner.pk],
        )
        row = cursor.fetchone()
    notified = row[0] if row else 0
    if reached == notified:
        return None  # the common case: one indexed read, no write
    state, _created = CreditAlertState.objects.select_for_update().get_or_create(partner=partner)
    if reached == state.notified_threshold:
        return None
    previous = state.notified_threshold
    state.notified_threshold = reached
    state.save(update_fields=["notified_threshold"])
    if reached <= previous:
        return None
    recipients = [
        m.user
        for m in Membership.objects.active()
        .filter(partner=partner, role__in=[Role.ADMIN, Role.FINANCE])
        .select_related("user")
    ]
    notify(
        recipients,
        category=NotificationCategory.FUNDS,
        title=lambda: (
            _("Credit usage has reached %(pct)s%% of your credit limit") % {"pct": reached}
        ),
        body=lambda: (
            _("Credit in use: %(used)s of %(limit)s yuan.")
            % {"used": funds.credit_used, "limit": funds.credit}
        ),
        url=reverse("billing:funds") + "?tab=details&account=credit",
    )
    return reached
