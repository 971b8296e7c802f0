"""Wiring of partner bills, fund-request contracts and business discounts into the core: the
customer detail page's 商务折扣 tab, audit labels and the staff groups' admin permissions.

Imported once from BillingConfig.ready().
"""

from django.utils.translation import gettext_lazy as _

from customers.views import customer_list
from partnercenter import staff
from partnercenter.audit import register_actions
from partnercenter.permissions import P, has_perm

DISCOUNTS_TAB = "discounts"


def _discounts_tab(request, context):
    """商务折扣 on the customer detail page, for members who may see business information."""
    if not has_perm(request.membership, P.DISCOUNTS_VIEW):
        return
    context.setdefault("detail_tabs", []).append((DISCOUNTS_TAB, _("Business discounts")))
    if context.get("tab") != DISCOUNTS_TAB:
        return
    from .models import BusinessDiscount
    from .views.contracts import decorate_discounts

    # The page has already checked that this member sees this customer (404 otherwise).
    discounts = list(
        BusinessDiscount.objects.filter(customer=context["customer"])
        .prefetch_related("products")
        .order_by("-effective_time", "-id")
    )
    for d in discounts:
        d.customer = context["customer"]
    context["business_discounts"] = decorate_discounts(discounts)
    context.setdefault("tab_templates", []).append("billing/customer_discounts.html")


customer_list.DETAIL_DECORATORS.append(_discounts_tab)

register_actions(
    {
        "bill.generate": _("Generated a partner bill"),
        "bill.settle": _("Settled a partner bill"),
        "money.settle": _("Bill settlement"),
        "contract.apply": _("Applied for a fund-request contract"),
        "contract.cancel": _("Cancelled a fund-request contract"),
        "contract.paid": _("Fund-request contract paid"),
        "discount.create": _("Recorded a business discount"),
        "discount.change": _("Changed a business discount"),
    }
)


def _staff_permissions():
    channel = staff.GROUP_PERMISSIONS[staff.CHANNEL_MANAGER]
    for perm in (
        "billing.view_fundrequestcontract",
        "billing.change_fundrequestcontract",  # the changelist's 已付款 action needs it
        "billing.view_partnerbill",
    ):
        if perm not in channel:
            channel.append(perm)
    account = staff.GROUP_PERMISSIONS[staff.ACCOUNT_MANAGER]
    for perm in (
        "billing.view_businessdiscount",
        "billing.add_businessdiscount",
        "billing.change_businessdiscount",
        "billing.view_product",
        "customers.view_customer",  # the customer picker's autocomplete
    ):
        if perm not in account:
            account.append(perm)


_staff_permissions()
