"""The customer's own 敏感操作验证 switch (账号中心 > 安全设置), off by default (domain §1.4)."""

import dataclasses

from django.db import transaction

from partnercenter import audit, verification

from ..models import Customer
from .common import require_customer


def set_sensitive_op_verification(*, actor, enabled, code=None):
    """Switch it on or off. Off takes the code while it is on, so a stolen session cannot lower
    the guard before handling the partner's requests. Returns the customer."""
    customer = require_customer(actor)
    current = Customer.objects.get(pk=customer.pk)
    if current.sensitive_op_verification == enabled:
        return current
    if not enabled:
        verification.verify(dataclasses.replace(actor, customer=current), code)
    with transaction.atomic(durable=True):
        locked = Customer.objects.select_for_update().get(pk=current.pk)
        before = locked.sensitive_op_verification
        if before == enabled:
            return locked
        locked.sensitive_op_verification = enabled
        locked.save(update_fields=["sensitive_op_verification"])
        audit.record(
            "customer.verification_setting",
            actor=actor,
            target=locked,
            before={"sensitive_op_verification": before},
            after={"sensitive_op_verification": enabled},
        )
    customer.sensitive_op_verification = enabled
    return locked
