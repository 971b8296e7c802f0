"""Extension points other apps fill in (billing: arrears, unpaid orders, 解绑回收).

Keeping them as registries lets the customers app state its workflow once while money rules
live with the money code. Each hook runs inside the caller's transaction.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FailedCheck:
    code: str  # like Huawei's fail_check_items: IS_DEBT, HAS_UNPAID_ORDER, …
    message: str


# callable(customer) -> bool : True when the customer is in arrears (blocks association).
ARREARS_CHECKS = []

# callable(association) -> FailedCheck | None : blocks disassociation / type switch.
DISASSOCIATION_CHECKS = []

# callable(association, *, actor, event) : runs when a disassociation or type switch completes,
# in the same transaction as the association change (billing returns the 代售 balance here).
ON_ASSOCIATION_ENDED = []


def customer_in_arrears(customer):
    return any(check(customer) for check in ARREARS_CHECKS)


def failed_disassociation_checks(association):
    failed = []
    for check in DISASSOCIATION_CHECKS:
        result = check(association)
        if result is not None:
            failed.append(result)
    return failed
