"""The Partner Center navigation as data: menu → sub-menu → page (domain §1.1).

An entry is shown when (1) its feature exists — its URL name resolves — (2) the partner's kind
allows it and (3) the user holds its permission item. Menus with nothing visible are hidden, so
the shell never shows a dead link. Later features add entries here and nothing else.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .permissions import P, PermissionItem, has_perm


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    url_name: str | None = None
    item: PermissionItem | None = None
    kinds: frozenset | None = None
    children: tuple = field(default_factory=tuple)
    # Other URL names that highlight this entry (its detail pages).
    also: tuple = field(default_factory=tuple)


def E(key, label, url_name=None, item=None, kinds=None, children=(), also=()):
    return Entry(
        key,
        label,
        url_name,
        item,
        frozenset(kinds) if kinds else None,
        tuple(children),
        tuple(also),
    )


DIST = {"distributor"}
NOT_RESELLER = {"solution_provider", "distributor"}

TREE = (
    E("home", _("Home"), "home", P.HOME_VIEW),
    E(
        "programs",
        _("Programs"),
        children=[
            E("programs.joined", _("Joined partner programs"), "programs", P.PROGRAMS_VIEW),
        ],
    ),
    E(
        "build",
        _("Build"),
        children=[
            E("build.solutions", _("Baseline solutions"), "solutions:list", None),
        ],
    ),
    E(
        "sales",
        _("Sales"),
        children=[
            E(
                "sales.newbiz",
                _("New business"),
                children=[
                    E(
                        "sales.newbiz.invite",
                        _("Customer development"),
                        "customers:invite",
                        P.CUSTOMER_INVITE,
                    ),
                    E(
                        "sales.newbiz.invited",
                        _("Invited customers"),
                        "customers:invitations",
                        P.CUSTOMER_INVITE,
                    ),
                ],
            ),
            E(
                "sales.customers",
                _("Customers"),
                children=[
                    E(
                        "sales.customers.list",
                        _("Customer management"),
                        "customers:list",
                        P.CUSTOMER_LIST_VIEW,
                        also=("customers:detail",),
                    ),
                    E(
                        "sales.customers.orders",
                        _("Customer orders"),
                        "billing:orders",
                        P.ORDERS_VIEW,
                    ),
                    E(
                        "sales.customers.consumption",
                        _("Customer consumption"),
                        "billing:consumption",
                        P.CONSUMPTION_VIEW,
                    ),
                ],
            ),
            E(
                "sales.resellers",
                _("Cloud resellers"),
                kinds=DIST,
                children=[
                    E(
                        "sales.resellers.list",
                        _("Reseller management"),
                        "resellers:list",
                        P.RESELLER_LIST_VIEW,
                    ),
                    E(
                        "sales.resellers.review",
                        _("Review cooperation requests"),
                        "resellers:review",
                        P.RESELLER_REVIEW,
                    ),
                ],
            ),
            E(
                "sales.finance",
                pgettext_lazy("menu", "Finance"),
                children=[
                    E(
                        "sales.finance.bills",
                        _("Partner bills"),
                        "finance:bills",
                        P.PARTNER_BILLS_VIEW,
                    ),
                    E("sales.finance.funds", _("Fund management"), "billing:funds", P.FUNDS_VIEW),
                    E(
                        "sales.finance.adjustments",
                        _("Adjustment records"),
                        "billing:adjustments",
                        P.ADJUST_RECORDS_VIEW,
                    ),
                    E(
                        "sales.finance.contracts",
                        _("Contracts and business"),
                        "finance:contracts",
                        P.DISCOUNTS_VIEW,
                    ),
                ],
            ),
            E(
                "sales.incentives",
                _("Incentives"),
                kinds=NOT_RESELLER,
                children=[
                    E(
                        "sales.incentives.manage",
                        _("Incentive management"),
                        "incentives:list",
                        P.INCENTIVES_VIEW,
                    ),
                ],
            ),
            E(
                "sales.opportunities",
                _("Opportunity management"),
                children=[
                    E(
                        "sales.opportunities.share",
                        _("Opportunity sharing"),
                        "opportunities:list",
                        None,
                    ),
                ],
            ),
        ],
    ),
    E(
        "org",
        _("Organisation"),
        children=[
            E("org.members", _("Members"), "members", P.MEMBERS_MANAGE),
            E("org.audit", _("Operation log"), "audit_log", P.AUDIT_VIEW),
        ],
    ),
    E(
        "support",
        _("Support"),
        children=[
            E("support.feedback", _("Suggestions and feedback"), "support:feedback", None),
            E("support.api", _("Partner API"), "api_guide", P.ACCESS_KEYS_MANAGE),
        ],
    ),
)

# The account dropdown at the top right.
ACCOUNT_MENU = (
    E("account.info", _("Partner information"), "partner_info", P.PARTNER_INFO_VIEW),
    E("account.keys", _("Manage my credentials"), "access_keys", P.ACCESS_KEYS_MANAGE),
    E(
        "account.notifications",
        _("Message settings"),
        "notification_settings",
        P.NOTIFICATIONS_VIEW,
    ),
)


@dataclass
class Node:
    key: str
    label: str
    url: str | None
    active: bool
    children: list


def _resolve(url_name):
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _visible(entry, membership):
    if membership is None:  # the customer console: its entries carry no partner permission
        return True
    if entry.kinds is not None and membership.partner.kind not in entry.kinds:
        return False
    return entry.item is None or has_perm(membership, entry.item)


def _build(entries, membership, current, reachable=None):
    nodes = []
    for entry in entries:
        if not _visible(entry, membership):
            continue
        if entry.url_name and reachable is not None and not reachable(entry.url_name):
            continue
        if entry.children:
            children = _build(entry.children, membership, current, reachable)
            if children:
                nodes.append(
                    Node(entry.key, entry.label, None, any(c.active for c in children), children)
                )
            continue
        url = _resolve(entry.url_name) if entry.url_name else None
        if url is None:
            continue  # the feature does not exist (yet): never a dead link
        active = current is not None and (current == entry.url_name or current in entry.also)
        nodes.append(Node(entry.key, entry.label, url, active, []))
    return nodes


def build_nav(request, tree=TREE):
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    return _build(tree, membership, current)


def build_account_menu(request):
    return build_nav(request, ACCOUNT_MENU)


# The customer console's menu (账号中心 …); the customers app fills it in.
CUSTOMER_TREE = []
# Callables(request, url_name) -> bool: False hides that console entry for this request (the
# customers app hides what a colleague acting for a customer cannot open).
CUSTOMER_NAV_FILTERS = []


def build_customer_nav(request):
    match = getattr(request, "resolver_match", None)

    def reachable(url_name):
        return all(keep(request, url_name) for keep in CUSTOMER_NAV_FILTERS)

    return _build(tuple(CUSTOMER_TREE), None, match.view_name if match else None, reachable)


def all_page_urls(membership, tree=TREE):
    """Every page the membership can reach from the menus (used by tests that open each one)."""

    class _Req:
        pass

    req = _Req()
    req.membership = membership
    req.resolver_match = None
    out = []

    def walk(nodes):
        for node in nodes:
            if node.url:
                out.append(node.url)
            walk(node.children)

    walk(build_nav(req, tree))
    walk(build_nav(req, ACCOUNT_MENU))
    return out
