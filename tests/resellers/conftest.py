"""Fixtures for the reseller program: applicants, a program reviewer, applications in any state."""

import pytest
from django.contrib.auth.models import Group

from partnercenter import staff
from partnercenter.actor import Actor
from partnercenter.models import PartnerKind, Role
from resellers.models import ApplicationStatus
from resellers.services import applications as svc
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

DETAILS = {
    "company_name": "新申请科技有限公司",
    "credit_code": "91310000MA1K9X0001",
    "country_region": "CN",
    "contact_name": "李申请",
    "contact_phone": "13712345678",
    "contact_email": "apply@new-reseller.test",
}


@pytest.fixture(autouse=True)
def _english(settings):
    # Notices are written in each recipient's language (the portal default is zh-hans): here
    # everything speaks English, so assertions read as the source strings.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def reviewer(db):
    """A platform staff member in the 计划审核员 group (not a superuser)."""
    staff.sync_groups()
    user = UserFactory(email="reviewer@platform.test")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=staff.PROGRAM_REVIEWER))
    return user


@pytest.fixture
def reviewer_actor(reviewer):
    return Actor(user=reviewer, via="admin")


@pytest.fixture
def applicant(db):
    return UserFactory(email="apply@new-reseller.test", name="李申请")


@pytest.fixture
def other_distributor(db):
    return PartnerFactory(name="另一总经销有限公司", kind=PartnerKind.DISTRIBUTOR)


@pytest.fixture
def other_distributor_admin(other_distributor):
    return MembershipFactory(
        partner=other_distributor,
        role=Role.ADMIN,
        user=UserFactory(email="admin@other-distributor.test"),
    )


@pytest.fixture
def sibling_reseller(distributor):
    return PartnerFactory(
        name="兄弟云经销有限公司", kind=PartnerKind.RESELLER, distributor=distributor
    )


@pytest.fixture
def sibling_admin(sibling_reseller):
    return MembershipFactory(
        partner=sibling_reseller, role=Role.ADMIN, user=UserFactory(email="admin@sibling.test")
    )


def apply_as(user, distributor, **overrides):
    return svc.submit_application(
        actor=Actor(user=user),
        details={**DETAILS, "contact_email": user.email, **overrides},
        distributor_id=distributor.pk,
    )


@pytest.fixture
def make_application(distributor, distributor_admin, reviewer_actor, actor):
    """make_application(status, user=None) → an application brought to that state by the services."""

    def _make(status=ApplicationStatus.PENDING_HUAWEI, user=None, **details):
        user = user or UserFactory()
        application = apply_as(user, distributor, **details)
        if status == ApplicationStatus.PENDING_HUAWEI:
            return application
        if status == ApplicationStatus.HUAWEI_REJECTED:
            return svc.huawei_review(
                actor=reviewer_actor, application_id=application.pk, approve=False, note="资料不全"
            )
        svc.huawei_review(actor=reviewer_actor, application_id=application.pk, approve=True)
        if status == ApplicationStatus.PENDING_DISTRIBUTOR:
            application.refresh_from_db()
            return application
        dist = actor(distributor_admin)
        if status == ApplicationStatus.DISTRIBUTOR_REJECTED:
            return svc.distributor_review(
                actor=dist, application_id=application.pk, approve=False, reason="区域已满"
            )
        application = svc.distributor_review(
            actor=dist, application_id=application.pk, approve=True
        )
        if status == ApplicationStatus.APPROVED:
            return application
        application = svc.request_exit(
            actor=dist, reseller_id=application.partner_id, reason="业务调整"
        )
        if status == ApplicationStatus.EXITING:
            return application
        return svc.complete_exit(actor=reviewer_actor, application_id=application.pk)

    return _make
