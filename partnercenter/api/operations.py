"""Which API operations write (partner-api.md §1.2 step 11).

One list for the rules that depend on it: a write's signature may be used once (replay), a
read-only access key may not call one, and `UNSIGNED-PAYLOAD` is never accepted for one that
moves money. Names are ninja's operation ids, which are the SDK's method names.
"""

MONEY_OPERATIONS = frozenset(
    {
        "update_customer_account_amount",  # 拨款
        "reclaim_to_partner_account",  # 回收
        "update_indirect_partner_account",  # 云经销商拨款
        "reclaim_indirect_partner_account",  # 云经销商回收
    }
)

WRITE_OPERATIONS = MONEY_OPERATIONS | frozenset(
    {
        "create_sub_customer",
        "cancel_customer_order",
    }
)
