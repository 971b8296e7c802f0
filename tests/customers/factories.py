import factory
from django.utils import timezone

from customers.models import (
    Association,
    AssociationType,
    Customer,
    CustomerUser,
    Invitation,
    InvitationKind,
    online_expiry,
)
from tests.factories import PartnerFactory, UserFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}科技有限公司")
    account_name = factory.Sequence(lambda n: f"customer-{n}")
    email = factory.Sequence(lambda n: f"customer{n}@customer.test")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    created_at = factory.LazyFunction(timezone.now)


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    association_type = AssociationType.RESALE


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    partner = factory.SubFactory(PartnerFactory)
    kind = InvitationKind.ONLINE
    association_type = AssociationType.RESALE
    email = factory.Sequence(lambda n: f"invitee{n}@customer.test")
    expires_at = factory.LazyFunction(online_expiry)


def customer_login(customer, email=None):
    user = UserFactory(email=email or f"login-{customer.account_name}@customer.test")
    CustomerUser.objects.create(user=user, customer=customer)
    return user
