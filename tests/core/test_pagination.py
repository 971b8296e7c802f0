"""Every paginated list of the portal goes past page one, with and without htmx, keeping its filter.

One table, LISTS, names each list page: who opens it, how to make its rows (some matching the
filter, a few not), the filter, and the text that marks each row in the page. The test follows
the 下一页 link the page itself renders — never a hand-built URL — so a broken link is caught.
test_every_paginated_view_is_in_the_table fails when a view starts paginating without an entry.
"""

import ast
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from billing.models import (
    AccountType,
    BillDetailType,
    BusinessDiscount,
    ChargingMode,
    ConsumptionRecord,
    ContractStatus,
    FundRequestContract,
    Order,
    OrderStatus,
    OrderType,
    ProductSpec,
    Resource,
)
from billing.services import funds as customer_funds
from billing.services.bills import generate_bills
from customers.models import (
    AssociationEvent,
    AssociationType,
    EventStatus,
    EventType,
    Initiator,
    InvitationKind,
)
from partnercenter.models import (
    AuditEvent,
    ExportJob,
    ExportStatus,
    MemberInvitation,
    Notification,
    NotificationCategory,
    PartnerKind,
    Role,
)
from partnercenter.pagination import PER_PAGE
from resellers.models import ApplicationStatus, ResellerApplication, ResellerInvitation
from resellers.services import funds as reseller_funds
from tests.billing.conftest import fund
from tests.customers.factories import (
    AssociationFactory,
    CustomerFactory,
    InvitationFactory,
    customer_login,
)
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

MANY = PER_PAGE + 5  # rows matching the filter: a full first page and a short second one
OTHERS = 3  # rows that do not match the filter (or belong to someone else)


@dataclass
class Rows:
    match: list  # the marker of each row that should be listed
    other: list = field(default_factory=list)  # markers that must never be listed
    args: list = field(default_factory=list)  # the URL's positional arguments


@dataclass
class ListPage:
    id: str
    url: str
    persona: str  # a fixture: a membership, or "customer" (a customer console login)
    make: Callable  # make(ctx, n) -> Rows
    filter: dict  # query parameters (the list's filter) that page 2 must keep
    partial: str  # the id of the element the htmx partial answers with (or its own marker)
    covers: tuple  # "module.function" of each function that paginates this list
    queries: int  # most queries the page may make, with 1 row and with MANY (measured + 2)


class Ctx:
    """The people a list's rows belong to, made on first use."""

    def __init__(self, request):
        self.request = request

    def __getattr__(self, name):
        return self.request.getfixturevalue(name)


def _ago(i, unit="hours"):
    return timezone.now() - timedelta(**{unit: i + 1})


def _actor(membership):
    from partnercenter.actor import Actor

    return Actor(user=membership.user, partner=membership.partner, membership=membership)


# --- Row factories -----------------------------------------------------------------------------


def make_customers(ctx, n):
    partner = ctx.admin_member.partner
    match = [
        AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
        for _i in range(n)
    ]
    other = [
        AssociationFactory(partner=partner, association_type=AssociationType.REFERRAL)
        for _i in range(OTHERS)
    ]
    marker = 'data-customer="{}"'.format
    return Rows(
        [marker(a.customer.customer_id) for a in match],
        [marker(a.customer.customer_id) for a in other],
    )


def make_reseller_customers(ctx, n):
    ctx.distributor_admin  # noqa: B018  (the persona exists before the rows)
    sibling = PartnerFactory(kind=PartnerKind.RESELLER, distributor=ctx.distributor)
    match = [AssociationFactory(partner=ctx.reseller) for _i in range(n)]
    other = [AssociationFactory(partner=sibling) for _i in range(OTHERS)]
    marker = ">{}<".format
    ctx.request.node.filter_override = {"tab": "resellers", "reseller": str(ctx.reseller.pk)}
    return Rows(
        [marker(a.customer.customer_id) for a in match],
        [marker(a.customer.customer_id) for a in other],
    )


def make_events(ctx, n):
    partner = ctx.admin_member.partner
    association = AssociationFactory(partner=partner)

    def event(i, event_type, reason):
        return AssociationEvent.objects.create(
            partner=partner,
            customer=association.customer,
            association=association,
            event_type=event_type,
            initiator=Initiator.PARTNER,
            reason=reason,
            status=EventStatus.REFUSED,
            requested_at=_ago(i),
            handled_at=_ago(i),
        )

    match = [event(i, EventType.DISASSOCIATE, f"rsn-{i:03d}") for i in range(n)]
    other = [event(i, EventType.SWITCH_TYPE, f"oth-{i:03d}") for i in range(OTHERS)]
    return Rows([f">{e.reason}<" for e in match], [f">{e.reason}<" for e in other])


def make_customer_invitations(ctx, n):
    admin = ctx.admin_member
    match = [
        InvitationFactory(
            partner=admin.partner,
            kind=InvitationKind.OFFLINE,
            email="",
            tag=f"tg-{i:03d}",
            expires_at=None,
            created_by=admin,
            created_at=_ago(i),
        )
        for i in range(n)
    ]
    other = [
        InvitationFactory(
            partner=admin.partner, email=f"x@online{i}.test", created_by=admin, created_at=_ago(i)
        )
        for i in range(OTHERS)
    ]
    return Rows([f">{inv.tag}<" for inv in match], [f"@online{i}.test" for i in range(len(other))])


def _allocations(ctx, n):
    admin = ctx.admin_member
    fund(admin.partner, recharge="100000")
    association = AssociationFactory(partner=admin.partner)
    actor = _actor(admin)
    match = [
        customer_funds.allocate(
            actor=actor, customer_pk=association.customer_id, amount=f"{i + 10}.00"
        )
        for i in range(n)
    ]
    other = [
        customer_funds.recover(actor=actor, customer_pk=association.customer_id, amount="1.00")
        for _i in range(OTHERS)
    ]
    return Rows([f">{t.trans_id}<" for t in match], [f">{t.trans_id}<" for t in other])


def make_resources(customer, n):
    spec = ProductSpec.objects.order_by("pk").first()

    def resource(i, mode, name):
        return Resource.objects.create(
            name=name,
            customer=customer,
            spec=spec,
            charging_mode=mode,
            started_at=_ago(i),
            expires_at=timezone.now() + timedelta(days=30)
            if mode == ChargingMode.PREPAID
            else None,
        )

    match = [resource(i, ChargingMode.ON_DEMAND, f"res-{i:03d}") for i in range(n)]
    other = [resource(i, ChargingMode.PREPAID, f"pre-{i:03d}") for i in range(OTHERS)]
    return Rows([f"<td>{r.name}<div" for r in match], [f"<td>{r.name}<div" for r in other])


def make_customer_resources(ctx, n):
    association = AssociationFactory(partner=ctx.admin_member.partner)
    rows = make_resources(association.customer, n)
    rows.args = [association.customer_id]
    return rows


def make_console_resources(ctx, n):
    return make_resources(ctx.customer.customer, n)


def _order(customer, partner, i, status):
    return Order.objects.create(
        customer=customer,
        partner=partner,
        order_type=OrderType.NEW,
        status=status,
        source_type=1,
        charging_mode=ChargingMode.PREPAID,
        service_type_code="hws.service.type.ec2",
        official_amount=Decimal("100.00") + i,
        amount_after_discount=Decimal("100.00") + i,
        created_at=_ago(i),
    )


def make_orders(ctx, n):
    partner = ctx.admin_member.partner
    customer = AssociationFactory(partner=partner).customer
    match = [_order(customer, partner, i, OrderStatus.COMPLETED) for i in range(n)]
    other = [_order(customer, partner, i, OrderStatus.CANCELLED) for i in range(OTHERS)]
    return Rows([f">{o.order_id}<" for o in match], [f">{o.order_id}<" for o in other])


def make_console_orders(ctx, n):
    login = ctx.customer
    match = [_order(login.customer, None, i, OrderStatus.COMPLETED) for i in range(n)]
    elsewhere = CustomerFactory()
    other = [_order(elsewhere, None, i, OrderStatus.COMPLETED) for i in range(OTHERS)]
    return Rows([f">{o.order_id}<" for o in match], [f">{o.order_id}<" for o in other])


def _consume(association, i, *, official, cycle=None, when=None):
    spec = ProductSpec.objects.select_related("product").order_by("pk").first()
    when = when or _ago(i)
    resale = association.association_type == AssociationType.RESALE
    return ConsumptionRecord.objects.create(
        customer=association.customer,
        partner=association.partner,
        association_type=association.association_type,
        account_type=AccountType.PARTNER if resale else AccountType.HUAWEI,
        spec=spec,
        service_type_code=spec.product.service_type_code,
        resource_type_code=spec.product.resource_type_code,
        region_code="cn-north-4",
        charging_mode=ChargingMode.ON_DEMAND,
        bill_detail_type=BillDetailType.USAGE,
        trade_id=f"TRD{i:05d}{'R' if resale else 'T'}{association.pk}",
        consume_time=when,
        bill_cycle=cycle or timezone.localtime(when).strftime("%Y-%m"),
        official_amount=official,
        payable_amount=official,
        amount=official if resale else 0,
    )


def make_consumption_details(ctx, n):
    partner = ctx.admin_member.partner
    resale = AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
    referral = AssociationFactory(partner=partner, association_type=AssociationType.REFERRAL)
    match = [_consume(resale, i, official=Decimal("1.50")) for i in range(n)]
    other = [_consume(referral, i, official=Decimal("1.50")) for i in range(OTHERS)]
    return Rows([f">{r.trade_id}<" for r in match], [f">{r.trade_id}<" for r in other])


def make_consumption_summary(ctx, n):
    partner = ctx.admin_member.partner
    when = timezone.now() - timedelta(days=1)
    match, other = [], []
    for i in range(n):
        a = AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
        match.append(_consume(a, i, official=Decimal(f"{101 + i}.12345678"), when=when))
    for i in range(OTHERS):
        a = AssociationFactory(partner=partner, association_type=AssociationType.REFERRAL)
        other.append(_consume(a, i, official=Decimal(f"{901 + i}.12345678"), when=when))
    return Rows(
        [f">{r.official_amount.normalize()}<" for r in match],
        [f">{r.official_amount.normalize()}<" for r in other],
    )


BILL_CYCLE, OTHER_CYCLE = "2026-03", "2026-02"


def make_bill_lines(ctx, n):
    partner = ctx.admin_member.partner
    match, other = [], []
    for i in range(n):
        a = AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
        _consume(a, i, official=Decimal("2.00"), cycle=BILL_CYCLE)
        match.append(a.customer.customer_id)
    for i in range(OTHERS):
        a = AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
        _consume(a, i, official=Decimal("2.00"), cycle=OTHER_CYCLE)
        other.append(a.customer.customer_id)
    generate_bills(BILL_CYCLE)
    generate_bills(OTHER_CYCLE)
    return Rows([f">{c}<" for c in match], [f">{c}<" for c in other])


def make_contracts(ctx, n):
    admin = ctx.admin_member

    def contract(i, status):
        return FundRequestContract.objects.create(
            contract_no=f"HT{status[:2].upper()}{i:04d}",
            partner=admin.partner,
            amount=Decimal("1000.00"),
            promised_payment_date=timezone.localdate() + timedelta(days=10),
            payer=admin.partner.name,
            contracting_entity="huawei_cloud",
            status=status,
            created_by=admin.user,
            created_at=_ago(i),
        )

    match = [contract(i, ContractStatus.PENDING_PAYMENT) for i in range(n)]
    other = [contract(i, ContractStatus.CANCELLED) for i in range(OTHERS)]
    return Rows([f">{c.contract_no}<" for c in match], [f">{c.contract_no}<" for c in other])


def make_discounts(ctx, n):
    partner = ctx.admin_member.partner
    customer = AssociationFactory(partner=partner).customer
    now = timezone.now()

    def discount(i, name):
        return BusinessDiscount.objects.create(
            name=name,
            customer=customer,
            discount_ratio=Decimal("0.90"),
            effective_time=now - timedelta(days=i + 1),
            expire_time=now + timedelta(days=300),
        )

    match = [discount(i, f"匹配折扣{i:03d}") for i in range(n)]
    other = [discount(i, f"其他折扣{i:03d}") for i in range(OTHERS)]
    return Rows([f"<td>{d.name}</td>" for d in match], [f"<td>{d.name}</td>" for d in other])


def make_exports(ctx, n):
    admin = ctx.admin_member
    colleague = MembershipFactory(partner=admin.partner, role=Role.ADMIN)

    def job(member, i):
        return ExportJob.objects.create(
            partner=member.partner,
            created_by=member.user,
            kind="customers",
            status=ExportStatus.FAILED,
            created_at=_ago(i, "minutes"),
        )

    match = [job(admin, i) for i in range(n)]
    other = [job(colleague, i) for i in range(OTHERS)]
    return Rows([f'data-job="{j.pk}"' for j in match], [f'data-job="{j.pk}"' for j in other])


def make_member_invitations(ctx, n):
    admin = ctx.admin_member
    elsewhere = PartnerFactory()

    def invitation(partner, i, domain):
        return MemberInvitation.objects.create(
            partner=partner,
            email=f"m{i}@{domain}.test",
            role=Role.SALES,
            invited_by=admin.user if partner == admin.partner else None,
            created_at=_ago(i),
        )

    match = [invitation(admin.partner, i, f"inv{i:03d}") for i in range(n)]
    other = [invitation(elsewhere, i, f"elsewhere{i:03d}") for i in range(OTHERS)]
    return Rows(
        [f"@{inv.email.split('@')[1]}" for inv in match],
        [f"@{inv.email.split('@')[1]}" for inv in other],
    )


def make_audit(ctx, n):
    partner = ctx.admin_member.partner

    def event(i, action, label):
        return AuditEvent.objects.create(
            partner=partner, action=action, target_label=label, created_at=_ago(i, "minutes")
        )

    match = [event(i, "customer.invite", f"tgt-{i:03d}") for i in range(n)]
    other = [event(i, "customer.associate", f"oth-{i:03d}") for i in range(OTHERS)]
    return Rows(
        [f"<td>{e.target_label}</td>" for e in match], [f"<td>{e.target_label}</td>" for e in other]
    )


def make_notifications(ctx, n):
    user = ctx.admin_member.user

    def notification(i, read):
        return Notification.objects.create(
            recipient=user,
            category=NotificationCategory.CUSTOMERS,
            title=f"ntf-{i:03d}",
            created_at=_ago(i),
            read_at=timezone.now() if read else None,
        )

    match = [notification(i, False) for i in range(n)]
    other = [notification(i, True) for i in range(OTHERS)]
    marker = "/messages/{}/read/".format
    return Rows([marker(x.pk) for x in match], [marker(x.pk) for x in other])


def make_review(ctx, n):
    distributor = ctx.distributor_admin.partner

    def application(i, company):
        return ResellerApplication.objects.create(
            applicant=UserFactory(),
            company_name=company,
            credit_code=f"91310000MA1K{i:06d}",
            country_region=distributor.country_region,
            contact_name="申请人",
            contact_phone="13600000000",
            contact_email=f"apply{i}@applicant.test",
            account_name=f"applicant-{i}",
            distributor=distributor,
            status=ApplicationStatus.PENDING_DISTRIBUTOR,
            submitted_at=_ago(i),
        )

    match = [application(i, f"匹配公司{i:03d}") for i in range(n)]
    other = [application(i, f"其他公司{i:03d}") for i in range(OTHERS)]
    marker = 'data-application="{}"'.format
    return Rows([marker(a.pk) for a in match], [marker(a.pk) for a in other])


def make_resellers(ctx, n):
    distributor = ctx.distributor_admin.partner

    def reseller(i, name):
        return PartnerFactory(
            name=name, kind=PartnerKind.RESELLER, distributor=distributor, created_at=_ago(i)
        )

    match = [reseller(i, f"匹配经销{i:03d}有限公司") for i in range(n)]
    other = [reseller(i, f"其他经销{i:03d}有限公司") for i in range(OTHERS)]
    marker = 'data-reseller="{}"'.format
    return Rows([marker(r.domain_id) for r in match], [marker(r.domain_id) for r in other])


def make_reseller_invitations(ctx, n):
    admin = ctx.distributor_admin
    elsewhere = PartnerFactory(kind=PartnerKind.DISTRIBUTOR)

    def invitation(distributor, i, domain):
        return ResellerInvitation.objects.create(
            distributor=distributor,
            email=f"r{i}@{domain}.test",
            created_by=admin if distributor == admin.partner else None,
            created_at=_ago(i),
        )

    match = [invitation(admin.partner, i, f"ri{i:03d}") for i in range(n)]
    other = [invitation(elsewhere, i, f"ro{i:03d}") for i in range(OTHERS)]
    return Rows(
        [f"@{inv.email.split('@')[1]}" for inv in match],
        [f"@{inv.email.split('@')[1]}" for inv in other],
    )


def make_distributor_history(ctx, n):
    dist_admin = ctx.distributor_admin
    ctx.reseller_admin  # noqa: B018
    sibling = PartnerFactory(kind=PartnerKind.RESELLER, distributor=ctx.distributor)
    fund(ctx.distributor, recharge="100000")
    actor = _actor(dist_admin)

    def allocate(reseller, i):
        return reseller_funds.allocate(actor=actor, reseller_pk=reseller.pk, amount=f"{i + 5}.00")

    match = [allocate(ctx.reseller, i) for i in range(n)]
    other = [allocate(sibling, i) for i in range(OTHERS)]
    return Rows([f">{t.trans_id}<" for t in match], [f">{t.trans_id}<" for t in other])


LISTS = [
    ListPage("customers", "customers:list", "admin_member", make_customers,
             {"association_type": "2"}, "customer-table",
             ("customers.views.customer_list.customer_list",), 12),
    ListPage("reseller-customers", "customers:list", "distributor_admin",
             make_reseller_customers, {"tab": "resellers"}, "customer-table",
             ("customers.views.customer_list._reseller_customers",), 9),
    ListPage("association-records", "customers:records", "admin_member", make_events,
             {"event_type": "disassociate"}, "records-table",
             ("customers.views.records.records",), 8),
    ListPage("customer-invitations", "customers:invitations", "admin_member",
             make_customer_invitations, {"kind": "offline"}, "invitations-table",
             ("customers.views.invitations.invitations",), 8),
    ListPage("adjustments", "billing:adjustments", "admin_member", _allocations,
             {"trade_type": "BEADJUST"}, "adjustments-table",
             ("billing.views.records.adjustments",), 8),
    ListPage("funds-details", "billing:funds", "admin_member", _allocations,
             {"tab": "details", "account": "allocated", "trade_type": "BEADJUST"},
             "ledger-table", ("billing.views.funds.funds",), 9),
    ListPage("customer-resources", "customers:detail", "admin_member",
             make_customer_resources, {"tab": "resources", "mode": "3"}, "resources-list",
             ("billing.hooks._detail",), 20),
    ListPage("orders", "billing:orders", "admin_member", make_orders, {"status": "5"},
             "orders-table", ("billing.views.orders.orders",), 9),
    ListPage("consumption-details", "billing:consumption", "admin_member",
             make_consumption_details, {"tab": "details", "association_type": "2"},
             "consumption-table", ("billing.views.orders.consumption",), 9),
    ListPage("consumption-summary", "billing:consumption", "admin_member",
             make_consumption_summary, {"association_type": "2"}, "consumption-table",
             ("billing.views.orders.consumption",), 9),
    ListPage("bill-lines", "finance:bills", "admin_member", make_bill_lines,
             {"cycle": BILL_CYCLE}, "bill-lines", ("billing.views.bills.bills",), 12),
    ListPage("contracts", "finance:contracts", "admin_member", make_contracts,
             {"tab": "contracts", "status": "pending_payment"}, "contracts-table",
             ("billing.views.contracts.contracts",), 8),
    ListPage("discounts", "finance:contracts", "admin_member", make_discounts,
             {"tab": "business", "name": "匹配"}, "discounts-table",
             ("billing.views.contracts.contracts",), 9),
    ListPage("console-orders", "billing:console_orders", "customer", make_console_orders,
             {}, "console-orders-list", ("billing.views.console.orders",), 10),
    ListPage("console-resources", "billing:console_resources", "customer",
             make_console_resources, {"mode": "3"}, "resources-list",
             ("billing.views.console.resources",), 12),
    ListPage("exports", "exports", "admin_member", make_exports, {}, 'data-testid="export-table"',
             ("partnercenter.views.exports._render_list",), 8),
    ListPage("member-invitations", "members", "admin_member", make_member_invitations,
             {"tab": "invitations"}, "member-invitations-list",
             ("partnercenter.views.members.members",), 9),
    ListPage("audit-log", "audit_log", "admin_member", make_audit,
             {"action": "customer.invite"}, "audit-table",
             ("partnercenter.views.audit.audit_log",), 8),
    ListPage("notifications", "notifications", "admin_member", make_notifications,
             {"unread": "1"}, "notifications-table",
             ("partnercenter.views.notifications.inbox",), 8),
    ListPage("reseller-review", "resellers:review", "distributor_admin", make_review,
             {"tab": "pending", "name": "匹配"}, "review-table",
             ("resellers.views.review.review_list",), 8),
    ListPage("resellers", "resellers:list", "distributor_admin", make_resellers,
             {"name": "匹配"}, "reseller-table",
             ("resellers.views.my_resellers.reseller_list",), 12),
    ListPage("reseller-invitations", "resellers:invite", "distributor_admin",
             make_reseller_invitations, {}, "reseller-invitations-list",
             ("resellers.views.my_resellers.invite",), 8),
    ListPage("allocation-history", "resellers:distributor", "reseller_admin",
             make_distributor_history, {}, "allocation-history-list",
             ("resellers.views.reseller.my_distributor",), 11),
]  # fmt: skip


@pytest.fixture
def customer(partner):
    association = AssociationFactory(partner=partner)
    user = customer_login(association.customer, "owner@console.test")
    user.customer = association.customer
    return user


def _open(client, request, listing):
    persona = request.getfixturevalue(listing.persona)
    client.force_login(getattr(persona, "user", persona))
    return persona


def _url(listing, rows):
    return reverse(listing.url, args=rows.args)


def _filter(request, listing):
    return getattr(request.node, "filter_override", None) or listing.filter


def _partial_marker(listing):
    return listing.partial if "=" in listing.partial else f' id="{listing.partial}"'


def _listed(body, rows):
    found = [m for m in rows.match if m in body]
    assert not [m for m in rows.other if m in body], "a row outside the filter is listed"
    return found


NEXT = re.compile(r'<a class="page-link" href="([^"]*)"(?:\s+hx-get="([^"]*)")?[^>]*>([^<]*)</a>')


def _next_link(body, path):
    """The href (and hx-get) of the page's 下一页 link, resolved the way a browser does."""
    links = [(html.unescape(h), html.unescape(g or "")) for h, g, _t in NEXT.findall(body)]
    links = [(h, g) for h, g in links if "page=2" in h]
    assert len(links) == 1, f"no link to page 2 in {body[-1500:]}"
    href, hx_get = links[0]
    assert href.startswith("?") and not href.startswith("??"), href

    def resolve(link):
        return path + link if link.startswith("?") else link

    return resolve(href), resolve(hx_get) if hx_get else None


def _query(link):
    from urllib.parse import parse_qs, urlsplit

    return {k: v[-1] for k, v in parse_qs(urlsplit(link).query).items()}


@pytest.mark.parametrize("listing", LISTS, ids=[p.id for p in LISTS])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_page_two_lists_the_next_rows_and_keeps_the_filter(client, request, listing, htmx):
    _open(client, request, listing)
    rows = listing.make(Ctx(request), MANY)
    path = _url(listing, rows)
    params = _filter(request, listing)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    first = client.get(path, params, **headers)
    assert first.status_code == 200
    body = first.content.decode()
    if htmx:
        assert "<html" not in body and _partial_marker(listing) in body[:400], body[:400]
    on_first = _listed(body, rows)
    assert len(on_first) == PER_PAGE

    href, hx_get = _next_link(body, path)
    for key, value in params.items():
        assert _query(href).get(key) == value, f"page 2 link {href} drops {key}"
    # With htmx, the link's hx-get is what the browser follows (when the list is swapped in place).
    link = hx_get if htmx and hx_get else href
    second = client.get(link, **headers)
    assert second.status_code == 200
    body2 = second.content.decode()
    if htmx:
        assert "<html" not in body2 and _partial_marker(listing) in body2[:400]
    on_second = _listed(body2, rows)
    assert on_second and not set(on_second) & set(on_first)
    assert set(on_first) | set(on_second) == set(rows.match)


@pytest.mark.parametrize("listing", LISTS, ids=[p.id for p in LISTS])
@pytest.mark.parametrize("n", [1, MANY])
def test_each_list_keeps_a_fixed_number_of_queries(
    client, request, listing, n, django_assert_max_num_queries
):
    _open(client, request, listing)
    rows = listing.make(Ctx(request), n)
    path = _url(listing, rows)
    with django_assert_max_num_queries(listing.queries):
        response = client.get(path, _filter(request, listing))
    assert response.status_code == 200
    assert len(_listed(response.content.decode(), rows)) == min(n, PER_PAGE)


# --- The table is complete ---------------------------------------------------------------------

FIRST_PARTY = ("partnercenter", "customers", "billing", "resellers")


def _paginating_functions():
    """Every first-party function that calls paginate() or builds a Paginator."""
    found = set()
    base = Path(settings.BASE_DIR)
    for app in FIRST_PARTY:
        for path in (base / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "pagination.py":
                continue
            module = ".".join(path.relative_to(base).with_suffix("").parts)
            tree = ast.parse(path.read_text())
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef):
                    continue
                for node in ast.walk(fn):
                    if isinstance(node, ast.Call):
                        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                        if name in ("paginate", "Paginator"):
                            found.add(f"{module}.{fn.name}")
    return found


def _templates_with_pagination():
    base = Path(settings.BASE_DIR) / "templates"
    return {
        str(p.relative_to(base))
        for p in base.rglob("*.html")
        if "partials/pagination.html" in p.read_text()
    }


def test_every_paginated_view_is_in_the_table():
    covered = {name for page in LISTS for name in page.covers}
    missing = _paginating_functions() - covered
    assert not missing, (
        f"{sorted(missing)} paginate a list that tests/core/test_pagination.py does not know: "
        "add an entry to LISTS (page two, the filter kept, query counts)."
    )
    stale = covered - _paginating_functions()
    assert not stale, f"LISTS names functions that no longer paginate: {sorted(stale)}"


def test_every_template_with_pagination_renders_a_listed_page():
    # A template that includes the pagination partial belongs to one of the views above; this
    # catches a new list template wired to an existing view's page_obj without a test.
    assert _templates_with_pagination() == {
        "customers/list.html",
        "customers/reseller_customers.html",
        "customers/records.html",
        "customers/invitations.html",
        "billing/adjustments.html",
        "billing/funds.html",
        "billing/_resources_table.html",
        "billing/orders.html",
        "billing/bills.html",
        "billing/contracts.html",
        "billing/console/orders.html",
        "billing/consumption.html",
        "partnercenter/audit_log.html",
        "partnercenter/notifications.html",
        "partnercenter/members.html",
        "partnercenter/exports.html",
        "resellers/my_distributor.html",
        "resellers/list.html",
        "resellers/invite.html",
        "resellers/review.html",
    }


# --- Rows that tie on the list's order ---------------------------------------------------------


def test_rows_that_tie_on_the_order_are_each_listed_once(client, admin_member):
    """Bulk-made rows share a timestamp; OFFSET over ties may repeat one row and skip another."""
    from partnercenter.pagination import stable_order

    association = AssociationFactory(partner=admin_member.partner)
    spec = ProductSpec.objects.order_by("pk").first()
    same_time = timezone.now() - timedelta(days=1)
    Resource.objects.bulk_create(
        Resource(
            name=f"tie-{i:03d}",
            customer=association.customer,
            spec=spec,
            charging_mode=ChargingMode.ON_DEMAND,
            started_at=same_time,
        )
        for i in range(MANY)
    )
    qs = Resource.objects.filter(customer=association.customer)
    assert list(stable_order(qs).query.order_by) == ["-started_at", "-pk"]
    assert list(stable_order(qs.order_by("name")).query.order_by) == ["name", "pk"]
    already = qs.order_by("-started_at", "-id")
    assert list(stable_order(already).query.order_by) == ["-started_at", "-id"]

    client.force_login(admin_member.user)
    url = reverse("customers:detail", args=[association.customer_id])
    seen = []
    for page in (1, 2):
        body = client.get(url, {"tab": "resources", "page": page}).content.decode()
        seen += re.findall(r"<td>(tie-\d{3})<div", body)
    assert sorted(seen) == [f"tie-{i:03d}" for i in range(MANY)]
