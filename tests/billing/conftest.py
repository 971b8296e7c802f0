from decimal import Decimal

import pytest

from billing import ledger
from billing.models import AccountKind, TradeType
from customers.models import AssociationType
from partnercenter.actor import Actor
from tests.customers.factories import AssociationFactory, CustomerFactory


def fund(partner, recharge="0", credit="0"):
    """Give a partner money the way staff do, straight through the ledger primitive."""
    from django.db import transaction

    with transaction.atomic():
        if Decimal(recharge):
            ledger.post_transfer(
                trade_type=TradeType.RECHARGE,
                legs=[
                    (ledger.platform_account(AccountKind.PLATFORM_FUNDING), -Decimal(recharge)),
                    (
                        ledger.partner_account(partner, AccountKind.PARTNER_RECHARGE),
                        Decimal(recharge),
                    ),
                ],
                actor=Actor(user=None, via="system"),
                amount=Decimal(recharge),
                partner=partner,
            )
        if Decimal(credit):
            ledger.post_transfer(
                trade_type=TradeType.CREDIT,
                legs=[
                    (ledger.platform_account(AccountKind.PLATFORM_CREDIT), -Decimal(credit)),
                    (ledger.partner_account(partner, AccountKind.PARTNER_CREDIT), Decimal(credit)),
                ],
                actor=Actor(user=None, via="system"),
                amount=Decimal(credit),
                partner=partner,
            )


@pytest.fixture
def funded(partner):
    fund(partner, recharge="1000.00", credit="500.00")
    return partner


def a_month_ago():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(days=30)


@pytest.fixture
def resale(partner):
    return AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="代售客户甲"),
        associated_at=a_month_ago(),
    )


@pytest.fixture
def referral(partner):
    return AssociationFactory(
        partner=partner, association_type=AssociationType.REFERRAL, associated_at=a_month_ago()
    )


def balance_of(customer):
    return ledger.customer_account(customer).balance


from .orders_fixtures import catalogue, shop  # noqa: E402,F401  (fixtures for the order tests)
