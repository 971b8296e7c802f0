"""Billing jobs: hourly pay-per-use rating, resource expiry (and, below, the monthly bills)."""

import logging

from celery import shared_task
from django.db import DatabaseError

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def rate_on_demand_resources():
    """Charge every running 按需 resource for each full hour not yet charged (idempotent)."""
    from .services.rating import rate_due_hours

    charged = rate_due_hours()
    if charged:
        log.info("rated %s resource-hours", charged)
    return charged


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def expire_prepaid_resources():
    """Materialise 已过期 for 包年/包月 resources past their expiry (set-based, idempotent)."""
    from .services.orders import expire_resources

    return expire_resources()


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def generate_partner_bills(cycle=None):
    """伙伴账单: before 12:00 on the 5th (Beijing time), bill the previous month (idempotent:
    unsettled bills are brought up to date, settled ones are left alone)."""
    from .services.bills import generate_bills

    results = generate_bills(cycle)
    outcomes = {}
    for r in results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    log.info("partner bills %s: %s", cycle or "previous month", outcomes)
    return outcomes
