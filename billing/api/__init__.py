"""Partner API operations of billing: funds, balances, bills, orders, discounts."""

from ninja import Router

from . import bills, discounts, funds, orders

router = Router()
for module in (funds, bills, orders, discounts):
    router.add_router("", module.router)
