import factory
from allauth.account.models import EmailAddress

from partnercenter.models import (
    Membership,
    Partner,
    PartnerKind,
    Program,
    ProgramMembership,
    ProgramStatus,
    Role,
    User,
)

PASSWORD = "PartnerDemo!2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试伙伴{n}有限公司")
    kind = PartnerKind.SOLUTION_PROVIDER
    account_name = factory.Sequence(lambda n: f"partner-{n}")
    contact_email = factory.Sequence(lambda n: f"contact{n}@partner.test")
    contact_phone = "13800000000"

    @factory.post_generation
    def program(obj, create, extracted, **kwargs):
        if not create:
            return
        program = {
            PartnerKind.SOLUTION_PROVIDER: Program.SOLUTION_PROVIDER,
            PartnerKind.DISTRIBUTOR: Program.DISTRIBUTION,
            PartnerKind.RESELLER: Program.CLOUD_RESELLER,
        }[obj.kind]
        ProgramMembership.objects.create(partner=obj, program=program, status=ProgramStatus.ACTIVE)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = Role.ADMIN
