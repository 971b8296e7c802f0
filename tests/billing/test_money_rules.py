from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, transaction

from billing import ledger
from billing.errors import InsufficientBalance, NotSubCustomer
from billing.models import Account, AccountKind, Posting, TradeType, Transfer
from billing.money import InvalidAmount, parse_amount
from billing.services import funds
from customers.models import Association
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.verification import VerificationRequired

from .conftest import balance_of, fund

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["0", "-1", "1.005", "abc", "", "NaN", "Infinity", 0.001, "1e-3"])
def test_bad_amounts_are_refused_never_rounded(value):
    with pytest.raises(InvalidAmount):
        parse_amount(value)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("100", "100.00"),
        ("100.5", "100.50"),
        (" 0.01 ", "0.01"),
        (Decimal("7.10"), "7.10"),
        (12.3, "12.30"),
    ],
)
def test_good_amounts(value, expected):
    assert parse_amount(value) == Decimal(expected)


def test_allocation_and_recovery_move_the_three_parts_as_the_formula_says(
    finance_member, funded, resale, actor
):
    a = actor(finance_member)
    before = ledger.partner_funds(funded)
    assert before.balance == Decimal("1500.00")
    t = funds.allocate(actor=a, customer_pk=resale.customer_id, amount="100.00")
    assert t.trade_type == TradeType.BEADJUST and t.trans_id.startswith("RE")
    after = ledger.partner_funds(funded)
    assert (after.recharge, after.credit, after.allocated, after.balance) == (
        Decimal("1000.00"),
        Decimal("500.00"),
        Decimal("100.00"),
        Decimal("1400.00"),
    )
    assert balance_of(resale.customer) == Decimal("100.00")
    funds.recover(actor=a, customer_pk=resale.customer_id, amount="40.00")
    assert ledger.partner_funds(funded).balance == Decimal("1440.00")
    assert balance_of(resale.customer) == Decimal("60.00")
    assert ledger.verify_ledger() == []


def test_a_customers_consumption_does_not_lower_the_partner_balance_again(
    finance_member, funded, resale, actor
):
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="100.00")
    cash = ledger.customer_account(resale.customer)
    with transaction.atomic():
        ledger.post_transfer(
            trade_type=TradeType.DEDUCT,
            legs=[
                (cash, Decimal("-30.00")),
                (ledger.platform_account(AccountKind.PLATFORM_REVENUE), Decimal("30.00")),
            ],
            actor=actor(finance_member),
            amount=Decimal("30.00"),
            partner=funded,
            customer=resale.customer,
        )
    assert ledger.partner_funds(funded).balance == Decimal("1400.00")
    assert balance_of(resale.customer) == Decimal("70.00")


def test_allocation_cannot_exceed_the_account_balance(finance_member, funded, resale, actor):
    with pytest.raises(InsufficientBalance, match="1500.00"):
        funds.allocate(
            actor=actor(finance_member), customer_pk=resale.customer_id, amount="1500.01"
        )
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="1500.00")
    assert ledger.partner_funds(funded).balance == Decimal("0.00")
    assert Transfer.objects.filter(trade_type=TradeType.BEADJUST).count() == 1


def test_recovery_cannot_exceed_the_customer_balance(finance_member, funded, resale, actor):
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="10.00")
    with pytest.raises(InsufficientBalance, match="10.00"):
        funds.recover(actor=actor(finance_member), customer_pk=resale.customer_id, amount="10.01")
    assert balance_of(resale.customer) == Decimal("10.00")


def test_referral_customers_are_neither_funded_nor_recovered(
    finance_member, funded, referral, actor
):
    with pytest.raises(DomainError, match="resale customers"):
        funds.allocate(actor=actor(finance_member), customer_pk=referral.customer_id, amount="1")
    with pytest.raises(DomainError, match="resale customers"):
        funds.recover(actor=actor(finance_member), customer_pk=referral.customer_id, amount="1")


def test_frozen_customers_cannot_be_funded(finance_member, funded, resale, actor):
    resale.customer.is_frozen = True
    resale.customer.save()
    with pytest.raises(DomainError, match="frozen"):
        funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="1")


def test_another_partners_customer_is_not_a_sub_customer(
    finance_member, funded, actor, other_partner
):
    from tests.customers.factories import AssociationFactory

    theirs = AssociationFactory(partner=other_partner)
    with pytest.raises(NotSubCustomer) as raised:
        funds.allocate(actor=actor(finance_member), customer_pk=theirs.customer_id, amount="1")
    assert raised.value.code == "CBC.99000035"


def test_roles_without_the_item_are_refused(sales_member, viewer_member, funded, resale, actor):
    for member in (sales_member, viewer_member):
        with pytest.raises(PermissionRefused):
            funds.allocate(actor=actor(member), customer_pk=resale.customer_id, amount="1")
        with pytest.raises(PermissionRefused):
            funds.recover(actor=actor(member), customer_pk=resale.customer_id, amount="1")


def test_the_same_request_id_moves_money_once(finance_member, funded, resale, actor):
    first = funds.allocate(
        actor=actor(finance_member),
        customer_pk=resale.customer_id,
        amount="25.00",
        request_key="abc",
    )
    again = funds.allocate(
        actor=actor(finance_member),
        customer_pk=resale.customer_id,
        amount="25.00",
        request_key="abc",
    )
    assert first.pk == again.pk
    assert balance_of(resale.customer) == Decimal("25.00")


def test_a_credit_cut_below_zero_pauses_allocation_but_not_recovery_or_top_up(
    admin_member, finance_member, funded, resale, actor
):
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="1400.00")
    fund_credit_cut = -Decimal("500.00")
    with transaction.atomic():
        ledger.post_transfer(
            trade_type=TradeType.CREDIT,
            legs=[
                (ledger.platform_account(AccountKind.PLATFORM_CREDIT), -fund_credit_cut),
                (ledger.partner_account(funded, AccountKind.PARTNER_CREDIT), fund_credit_cut),
            ],
            actor=actor(admin_member),
            amount=Decimal("500.00"),
            partner=funded,
        )
    assert ledger.partner_funds(funded).balance == Decimal("-400.00")
    with pytest.raises(InsufficientBalance, match="below zero"):
        funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="1.00")
    funds.recover(actor=actor(finance_member), customer_pk=resale.customer_id, amount="100.00")
    fund(funded, recharge="1000.00")
    assert ledger.partner_funds(funded).balance == Decimal("700.00")
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="1.00")


def test_sensitive_operation_verification_asks_for_the_totp_code(
    finance_member, funded, resale, actor
):
    import time

    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
    )

    funded.sensitive_op_verification = True
    funded.save()
    a = actor(finance_member)
    a.partner.sensitive_op_verification = True
    secret = generate_totp_secret()
    TOTP.activate(finance_member.user, secret)
    with pytest.raises(VerificationRequired, match="authenticator app"):
        funds.allocate(actor=a, customer_pk=resale.customer_id, amount="1")
    with pytest.raises(VerificationRequired, match="not correct"):
        funds.allocate(actor=a, customer_pk=resale.customer_id, amount="1", code="000000")
    while 30 - time.time() % 30 < 3:  # stay inside one 30-second window
        time.sleep(0.2)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    funds.allocate(actor=a, customer_pk=resale.customer_id, amount="1", code=code)
    assert balance_of(resale.customer) == Decimal("1.00")


def test_batch_recovery_gives_a_result_per_customer(
    finance_member, funded, resale, referral, actor, partner
):
    from tests.customers.factories import AssociationFactory

    empty = AssociationFactory(partner=partner)
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="88.80")
    results = funds.batch_recover(
        actor=actor(finance_member),
        customer_pks=[resale.customer_id, referral.customer_id, empty.customer_id],
    )
    assert [r["ok"] for r in results] == [True, False, False]
    assert results[0]["transfer"].amount == Decimal("88.80")
    assert "nothing to recover" in results[2]["message"]
    assert balance_of(resale.customer) == Decimal("0.00")


def test_disassociation_returns_the_balance_as_unbinding_recovery(
    admin_member, finance_member, funded, resale, actor
):
    from customers.models import EventType
    from customers.services import associations
    from partnercenter.actor import Actor
    from tests.customers.factories import customer_login

    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="300.00")
    event = associations.request_change(
        actor=actor(admin_member),
        association_id=resale.pk,
        event_type=EventType.DISASSOCIATE,
        reason="到期",
        acknowledged=True,
    )
    user = customer_login(resale.customer)
    associations.customer_respond(
        actor=Actor(user=user, customer=resale.customer), event_id=event.pk, agree=True
    )
    unbind = Transfer.objects.get(trade_type=TradeType.BEUNBIND)
    assert unbind.amount == Decimal("300.00") and unbind.customer == resale.customer
    assert balance_of(resale.customer) == Decimal("0.00")
    assert ledger.partner_funds(funded).balance == Decimal("1500.00")
    assert not Association.objects.current().filter(customer=resale.customer).exists()
    assert ledger.verify_ledger() == []


def test_postings_are_append_only_in_the_database(finance_member, funded, resale, actor):
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="5.00")
    posting = Posting.objects.first()
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(amount=Decimal("6.00"))
    with pytest.raises(InternalError, match="append-only"), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).delete()


def test_an_unbalanced_transfer_is_refused_by_the_database_at_commit(funded, actor, admin_member):
    from django.db import connection

    recharge = ledger.partner_account(funded, AccountKind.PARTNER_RECHARGE)
    with pytest.raises(InternalError, match="not zero"), transaction.atomic():
        t = Transfer.objects.create(
            trans_id="RE-TEST-1", trade_type=TradeType.ADJUST, partner=funded, amount=Decimal("1")
        )
        Posting.objects.create(
            transfer=t, account=recharge, amount=Decimal("1"), balance_after=Decimal("1")
        )
        with connection.cursor() as cursor:  # what COMMIT would do: run the deferred check now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_customer_balance_below_zero_is_refused_by_a_check_constraint(resale):
    account = ledger.customer_account(resale.customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=Decimal("-0.01"))


@pytest.mark.parametrize("role", ["admin", "finance", "account_manager", "sales", "viewer"])
def test_the_fast_funding_lookup_agrees_with_the_tenancy_selector(partner, other_partner, role):
    from customers.selectors import funding_target, visible_associations
    from tests.customers.factories import AssociationFactory
    from tests.factories import MembershipFactory

    member = MembershipFactory(partner=partner, role=role)
    rows = [
        AssociationFactory(partner=partner),
        AssociationFactory(partner=partner, account_manager=member),
        AssociationFactory(partner=other_partner),
    ]
    ended = AssociationFactory(partner=partner)
    Association.objects.filter(pk=ended.pk).update(ended_at="2026-01-01T00:00:00Z")
    for a in rows + [ended]:
        expected = visible_associations(member).filter(customer_id=a.customer_id).first()
        got = funding_target(member, a.customer_id)
        assert (got.association_id if got else None) == (expected.pk if expected else None)
