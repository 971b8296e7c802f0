"""Permission items (权限项) and the one helper that checks them.

Huawei names permission items BPC_ITEM_* with a 菜单-子菜单-页面-动作 label. Roles map to items
here and nowhere else; views, templates, the admin and the API all ask `has_perm()`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import PartnerKind, Role

ALL_KINDS = frozenset(PartnerKind.values)
NOT_RESELLER = frozenset({PartnerKind.SOLUTION_PROVIDER, PartnerKind.DISTRIBUTOR})
DISTRIBUTOR_ONLY = frozenset({PartnerKind.DISTRIBUTOR})


@dataclass(frozen=True, eq=False)
class PermissionItem:
    code: str
    label: str
    kinds: frozenset = ALL_KINDS

    # Identity is the code alone: the label is a lazy translation whose hash would change
    # with the active language.
    def __eq__(self, other):
        return isinstance(other, PermissionItem) and other.code == self.code

    def __hash__(self):
        return hash(self.code)

    def __str__(self):
        return self.code


class P:
    """The permission items, by the name code uses."""

    # 主页 / 伙伴信息 / 组织 — every role has the first three by default (domain §1.3).
    HOME_VIEW = PermissionItem("BPC_ITEM_VIEW_010100", _("Home - Account - View"))
    PARTNER_INFO_VIEW = PermissionItem(
        "BPC_ITEM_INFO_010100", _("Partner info - Basic info - View")
    )
    NOTIFICATIONS_VIEW = PermissionItem("BPC_ITEM_VIEW_010200", _("Home - Messages - View"))
    PARTNER_INFO_EDIT = PermissionItem(
        "BPC_ITEM_INFO_010101", _("Partner info - Basic info - Edit")
    )
    ACCESS_KEYS_MANAGE = PermissionItem(
        "BPC_ITEM_INFO_010102", _("Partner info - Basic info - Manage my credentials")
    )
    PROGRAMS_VIEW = PermissionItem(
        "BPC_ITEM_PROGRAM_010100", _("Programs - Joined programs - View")
    )
    MEMBERS_MANAGE = PermissionItem("BPC_ITEM_ORG_010100", _("Organisation - Members - Manage"))
    AUDIT_VIEW = PermissionItem("BPC_ITEM_ORG_010200", _("Organisation - Operation log - View"))

    # 销售 > 客户 > 客户管理
    CUSTOMER_LIST_VIEW = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010100",
        _("Sales - Customers - Customer management - Customer list - View"),
    )
    CUSTOMER_ALLOCATE = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010103",
        _("Sales - Customers - Customer management - Customer list - Allocate"),
    )
    CUSTOMER_RECOVER = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010104",
        _("Sales - Customers - Customer management - Customer list - Recover"),
    )
    CUSTOMER_EXPORT = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010105",
        _("Sales - Customers - Customer management - Customer list - Export"),
    )
    CUSTOMER_DISASSOCIATE = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010106",
        _("Sales - Customers - Customer management - Customer list - Disassociate or switch type"),
    )
    CUSTOMER_ASSIGN_AM = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010107",
        _("Sales - Customers - Customer management - Customer list - Assign account manager"),
    )
    CUSTOMER_AUTHORIZATION = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010108",
        _("Sales - Customers - Customer management - Customer list - Request authorisation"),
    )
    CUSTOMER_ORDER_ON_BEHALF = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010109",
        _("Sales - Customers - Customer management - Customer list - Order on behalf"),
    )
    RESELLER_CUSTOMER_VIEW = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_010500",
        _("Sales - Customers - Customer management - Resellers' customers - View"),
        DISTRIBUTOR_ONLY,
    )
    CUSTOMER_INVITE = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_020100", _("Sales - New business - Customer development - Invite")
    )
    ADJUST_RECORDS_VIEW = PermissionItem(
        "BPC_ITEM_FINANCE_040100",
        _("Sales - Customers - Customer management - Adjustment records - View"),
    )

    # 销售 > 客户 > 客户订单 / 客户消费
    ORDERS_VIEW = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_030100", _("Sales - Customers - Customer orders - View")
    )
    CONSUMPTION_VIEW = PermissionItem(
        "BPC_ITEM_SUBCUSTSERV_040100", _("Sales - Customers - Customer consumption - View")
    )

    # 销售 > 账务
    FUNDS_VIEW = PermissionItem(
        "BPC_ITEM_FINANCE_010100", _("Sales - Finance - Fund management - View")
    )
    FUNDS_RECHARGE = PermissionItem(
        "BPC_ITEM_FINANCE_010101",
        _("Sales - Finance - Fund management - Top up and claim remittances"),
    )
    PARTNER_BILLS_VIEW = PermissionItem(
        "BPC_ITEM_FINANCE_020100", _("Sales - Finance - Partner bills - View")
    )
    PARTNER_BILLS_SETTLE = PermissionItem(
        "BPC_ITEM_FINANCE_020101", _("Sales - Finance - Partner bills - Settle")
    )
    CONTRACTS_MANAGE = PermissionItem(
        "BPC_ITEM_FINANCE_030100", _("Sales - Finance - Contracts - Manage")
    )
    DISCOUNTS_VIEW = PermissionItem(
        "BPC_ITEM_FINANCE_030200", _("Sales - Finance - Contracts - Business info - View")
    )

    # 销售 > 云经销商 (distributors only)
    RESELLER_LIST_VIEW = PermissionItem(
        "BPC_ITEM_SALES_020100",
        _("Sales - Cloud resellers - Reseller management - My resellers - Query"),
        DISTRIBUTOR_ONLY,
    )
    RESELLER_ALLOCATE = PermissionItem(
        "BPC_ITEM_SALES_020104",
        _("Sales - Cloud resellers - Reseller management - My resellers - Allocate"),
        DISTRIBUTOR_ONLY,
    )
    RESELLER_RECOVER = PermissionItem(
        "BPC_ITEM_SALES_020105",
        _("Sales - Cloud resellers - Reseller management - My resellers - Recover"),
        DISTRIBUTOR_ONLY,
    )
    RESELLER_REVIEW = PermissionItem(
        "BPC_ITEM_SALES_020200",
        _("Sales - Cloud resellers - Reseller management - Review cooperation requests"),
        DISTRIBUTOR_ONLY,
    )
    RESELLER_ASSIGN_AM = PermissionItem(
        "BPC_ITEM_SALES_020106",
        _("Sales - Cloud resellers - Reseller management - My resellers - Assign account manager"),
        DISTRIBUTOR_ONLY,
    )

    # 销售 > 激励 — resellers earn no Huawei rebates (their distributor does).
    INCENTIVES_VIEW = PermissionItem(
        "BPC_ITEM_SALES_040100",
        _("Sales - Incentives - Product discount and incentive policies - View"),
        NOT_RESELLER,
    )


ALL_ITEMS = {v.code: v for k, v in vars(P).items() if isinstance(v, PermissionItem)}
ITEMS_BY_NAME = {k: v for k, v in vars(P).items() if isinstance(v, PermissionItem)}

_EVERYONE = {
    P.HOME_VIEW,
    P.PARTNER_INFO_VIEW,
    P.NOTIFICATIONS_VIEW,
    P.PROGRAMS_VIEW,
    P.ACCESS_KEYS_MANAGE,
}
_READ = _EVERYONE | {
    P.CUSTOMER_LIST_VIEW,
    P.RESELLER_CUSTOMER_VIEW,
    P.ADJUST_RECORDS_VIEW,
    P.ORDERS_VIEW,
    P.CONSUMPTION_VIEW,
    P.FUNDS_VIEW,
    P.PARTNER_BILLS_VIEW,
    P.DISCOUNTS_VIEW,
    P.RESELLER_LIST_VIEW,
    P.INCENTIVES_VIEW,
}

ROLE_ITEMS: dict[str, frozenset[PermissionItem]] = {
    # Only the partner admin may export the customer list, disassociate or switch types (domain §1.3).
    Role.ADMIN: frozenset(ALL_ITEMS.values()),
    Role.FINANCE: frozenset(
        _READ
        | {
            P.CUSTOMER_ALLOCATE,
            P.CUSTOMER_RECOVER,
            P.CUSTOMER_ORDER_ON_BEHALF,
            P.FUNDS_RECHARGE,
            P.CONTRACTS_MANAGE,
            P.RESELLER_ALLOCATE,
            P.RESELLER_RECOVER,
            P.PARTNER_BILLS_SETTLE,
        }
    ),
    # The preset 客户经理 role: its own customers only; consumption yes, partner bills and funds no.
    Role.ACCOUNT_MANAGER: frozenset(
        _EVERYONE
        | {
            P.CUSTOMER_LIST_VIEW,
            P.CUSTOMER_INVITE,
            P.CUSTOMER_AUTHORIZATION,
            P.CUSTOMER_ORDER_ON_BEHALF,
            P.ORDERS_VIEW,
            P.CONSUMPTION_VIEW,
            P.DISCOUNTS_VIEW,
            P.ADJUST_RECORDS_VIEW,
        }
    ),
    Role.SALES: frozenset(
        _EVERYONE
        | {
            P.CUSTOMER_LIST_VIEW,
            P.RESELLER_CUSTOMER_VIEW,
            P.CUSTOMER_INVITE,
            P.CUSTOMER_AUTHORIZATION,
            P.ORDERS_VIEW,
            P.CONSUMPTION_VIEW,
            P.DISCOUNTS_VIEW,
            P.RESELLER_LIST_VIEW,
            P.INCENTIVES_VIEW,
        }
    ),
    Role.VIEWER: frozenset(_READ),
}

# Roles whose customer scope is "assigned to me" rather than the whole partner.
OWN_CUSTOMERS_ONLY = frozenset({Role.ACCOUNT_MANAGER})


def role_items(role, kind):
    return frozenset(item for item in ROLE_ITEMS.get(role, ()) if kind in item.kinds)


def has_perm(membership, item: PermissionItem) -> bool:
    """The one check: does this (active) membership hold the permission item for its partner kind?"""
    if membership is None or membership.removed_at is not None:
        return False
    return item in ROLE_ITEMS.get(membership.role, ()) and membership.partner.kind in item.kinds


class PermissionSet:
    """Template-friendly view of one membership's items: `{% if can.CUSTOMER_ALLOCATE %}`."""

    def __init__(self, membership):
        self._membership = membership
        self._items = (
            role_items(membership.role, membership.partner.kind)
            if membership is not None and membership.removed_at is None
            else frozenset()
        )

    def __getattr__(self, name):
        item = ITEMS_BY_NAME.get(name)
        if item is None:
            raise AttributeError(name)
        return item in self._items

    __getitem__ = __getattr__

    def __contains__(self, item):
        return item in self._items

    def __bool__(self):
        return bool(self._items)
