import pytest

from customers.models import AssociationType

from .factories import AssociationFactory, CustomerFactory, customer_login


@pytest.fixture
def resale_customer(partner):
    return AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="张三明"),
    )


@pytest.fixture
def referral_customer(partner):
    return AssociationFactory(partner=partner, association_type=AssociationType.REFERRAL)


@pytest.fixture
def other_customer(other_partner):
    return AssociationFactory(
        partner=other_partner, customer=CustomerFactory(name="别家客户有限公司")
    )


@pytest.fixture
def customer_user(resale_customer):
    return customer_login(resale_customer.customer, "owner@customer.test")
