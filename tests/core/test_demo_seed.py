"""The demo shows pagination at work: every busy list of a demo persona runs past page one, and
the money the demo moves keeps every balance equal to the sum of its postings."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from billing import ledger
from billing.models import Account, Order, Posting, Transfer
from customers.models import Association, AssociationType, Customer
from partnercenter.models import AuditEvent, Partner, PartnerKind, User
from partnercenter.pagination import PER_PAGE

pytestmark = pytest.mark.django_db

# (persona, url, query): each list a newcomer opens has more than one page.
BUSY_LISTS = [
    ("sp-admin@demo.test", "customers:list", {}),
    ("sp-admin@demo.test", "customers:list", {"association_type": "1"}),
    ("sp-admin@demo.test", "customers:list", {"association_type": "2"}),
    ("sp-admin@demo.test", "customers:records", {}),
    ("sp-admin@demo.test", "customers:invitations", {}),
    ("sp-admin@demo.test", "billing:orders", {}),
    ("sp-admin@demo.test", "billing:adjustments", {}),
    ("sp-admin@demo.test", "billing:funds", {"tab": "details", "account": "allocated"}),
    ("sp-admin@demo.test", "billing:consumption", {}),
    ("sp-admin@demo.test", "billing:consumption", {"tab": "details"}),
    ("sp-admin@demo.test", "finance:bills", {}),
    ("sp-admin@demo.test", "audit_log", {}),
    ("sp-finance@demo.test", "billing:adjustments", {}),
    ("sp-am@demo.test", "customers:list", {}),
    ("dist-admin@demo.test", "resellers:list", {}),
]


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")


def test_the_demo_books_balance_and_seeding_again_changes_nothing(demo):
    assert ledger.verify_ledger() == []
    counts = [
        m.objects.count()
        for m in (Customer, Association, Partner, Order, Transfer, Posting, AuditEvent, User)
    ]
    balances = dict(Account.objects.values_list("pk", "balance"))
    call_command("seed_demo")
    assert [
        m.objects.count()
        for m in (Customer, Association, Partner, Order, Transfer, Posting, AuditEvent, User)
    ] == counts
    assert dict(Account.objects.values_list("pk", "balance")) == balances
    assert ledger.verify_ledger() == []


def _the_demo_partners_have_a_book_worth_paging_through():
    yuntu = Association.objects.current().filter(partner__account_name="yuntu-tech")
    assert yuntu.count() >= 60
    types = Counter(yuntu.values_list("association_type", flat=True))
    assert types[AssociationType.RESALE] > PER_PAGE and types[AssociationType.REFERRAL] > PER_PAGE
    managers = set(yuntu.exclude(account_manager=None).values_list("account_manager", flat=True))
    assert len(managers) >= 3
    assert len(set(yuntu.exclude(tag="").values_list("tag", flat=True))) >= 3
    resellers = Partner.objects.filter(
        kind=PartnerKind.RESELLER, distributor__account_name="hualian-dist"
    )
    assert resellers.count() >= 25


def test_each_busy_list_runs_past_page_one(client, demo):
    # One seeding for every list (seed_demo takes seconds): the failures are gathered, not the first.
    _the_demo_partners_have_a_book_worth_paging_through()
    short = []
    for email, url, query in BUSY_LISTS:
        client.force_login(User.objects.get(email=email))
        response = client.get(reverse(url), query)
        assert response.status_code == 200, (email, url, query)
        pages = response.context["page_obj"].paginator.num_pages
        if pages < 2:
            short.append((email, url, query, pages))
            continue
        second = client.get(reverse(url), {**query, "page": 2})
        assert second.context["page_obj"].number == 2
    assert not short, f"lists of the demo with a single page: {short}"
