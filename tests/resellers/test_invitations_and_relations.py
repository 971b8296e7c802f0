"""A distributor's invitations, its authorisation of a reseller (before any customer's) and the
reseller's account manager with its history."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.errors import NotYourReseller
from customers.models import AssociationType
from customers.services.authorizations import request_authorization
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.models import AuditEvent, CountryRegion, PartnerKind, Role
from resellers.models import (
    ApplicationStatus,
    InvitationStatus,
    ResellerInvitation,
    ResellerManagerAssignment,
)
from resellers.services import applications as svc
from resellers.services import invitations, relations
from resellers.tasks import expire_reseller_invitations
from tests.customers.factories import AssociationFactory
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

from .conftest import DETAILS

pytestmark = pytest.mark.django_db


def invite(actor, member, email="new@reseller.test", country="CN"):
    return invitations.invite_reseller(actor=actor(member), email=email, country_region=country)


# --- Invitations ------------------------------------------------------------------------------


def test_the_invitation_e_mail_carries_a_seven_day_link(
    distributor_admin, actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(actor, distributor_admin)
    assert invitation.status == InvitationStatus.SENT
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    (message,) = mail.outbox
    assert message.to == ["new@reseller.test"]
    assert distributor_admin.partner.name in message.subject
    assert reverse("resellers:join", args=[invitation.token]) in message.body
    assert AuditEvent.objects.filter(action="reseller.invite").exists()


def test_only_the_same_country_or_region(distributor_admin, actor):
    with pytest.raises(DomainError) as refused:
        invite(actor, distributor_admin, country=CountryRegion.SG)
    assert refused.value.field == "country_region"


def test_not_a_reseller_bound_to_another_distributor(distributor_admin, other_distributor, actor):
    theirs = PartnerFactory(kind=PartnerKind.RESELLER, distributor=other_distributor)
    MembershipFactory(partner=theirs, user=UserFactory(email="bound@reseller.test"))
    with pytest.raises(DomainError, match="another distributor"):
        invite(actor, distributor_admin, email="bound@reseller.test")


def test_not_my_own_reseller_again(distributor_admin, reseller_admin, actor):
    with pytest.raises(DomainError, match="already your cloud reseller"):
        invite(actor, distributor_admin, email=reseller_admin.user.email)


def test_not_someone_who_has_applied(distributor_admin, make_application, applicant, actor):
    make_application(user=applicant)
    with pytest.raises(DomainError, match="already applied"):
        invite(actor, distributor_admin, email=applicant.email)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SALES, Role.VIEWER])
def test_only_the_admin_invites(distributor, actor, role):
    member = MembershipFactory(partner=distributor, role=role)
    with pytest.raises(PermissionRefused):
        invite(actor, member)


def test_a_new_invitation_replaces_the_open_one(distributor_admin, actor):
    first = invite(actor, distributor_admin)
    second = invite(actor, distributor_admin)
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED and second.status == InvitationStatus.SENT


def test_accepting_leads_into_the_application_with_the_distributor_filled_in(
    distributor, distributor_admin, actor, client
):
    invitation = invite(actor, distributor_admin, email="apply@new-reseller.test")
    user = UserFactory(email="apply@new-reseller.test")
    client.force_login(user)
    response = client.get(reverse("resellers:join", args=[invitation.token]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields["distributor"].disabled
    assert form.fields["distributor"].choices == [(str(distributor.pk), distributor.name)]
    # The landing page also brings the invitee back to it until it has applied.
    assert client.get(reverse("home"))["Location"] == reverse(
        "resellers:join", args=[invitation.token]
    )
    application = svc.submit_application(
        actor=Actor(user=user), details=DETAILS, invitation_token=invitation.token
    )
    invitation.refresh_from_db()
    assert application.distributor == distributor and application.invitation == invitation
    assert invitation.status == InvitationStatus.APPLIED
    with pytest.raises(DomainError, match="already been used"):
        invitations.check_invitation(invitation.token)


def test_the_invitation_is_for_the_invited_address(distributor_admin, actor):
    invitation = invite(actor, distributor_admin, email="someone@else.test")
    with pytest.raises(DomainError, match="someone@else.test"):
        svc.submit_application(
            actor=Actor(user=UserFactory()), details=DETAILS, invitation_token=invitation.token
        )


def test_an_invited_applicant_stays_in_the_distributors_country(distributor_admin, actor):
    invitation = invite(actor, distributor_admin, email="apply@new-reseller.test")
    with pytest.raises(DomainError) as refused:
        svc.submit_application(
            actor=Actor(user=UserFactory(email="apply@new-reseller.test")),
            details={**DETAILS, "country_region": "SG"},
            invitation_token=invitation.token,
        )
    assert refused.value.field == "country_region"


def test_an_expired_link_is_expired_before_the_sweep_and_the_sweep_is_set_based(
    distributor_admin, actor, client
):
    old = invite(actor, distributor_admin, email="old@reseller.test")
    fresh = invite(actor, distributor_admin, email="fresh@reseller.test")
    ResellerInvitation.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(reverse("resellers:join", args=[old.token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert expire_reseller_invitations() == 1
    assert expire_reseller_invitations() == 0  # safe to run twice
    statuses = dict(ResellerInvitation.objects.values_list("pk", "status"))
    assert statuses == {old.pk: InvitationStatus.EXPIRED, fresh.pk: InvitationStatus.SENT}
    assert AuditEvent.objects.filter(action="reseller.invite.expire").count() == 1


def test_revoking_an_invitation(distributor_admin, other_distributor_admin, actor):
    invitation = invite(actor, distributor_admin)
    with pytest.raises(PermissionRefused):
        invitations.revoke_invitation(
            actor=actor(MembershipFactory(partner=distributor_admin.partner, role=Role.SALES)),
            invitation_id=invitation.pk,
        )
    with pytest.raises(DomainError, match="not found"):
        invitations.revoke_invitation(
            actor=actor(other_distributor_admin), invitation_id=invitation.pk
        )
    invitations.revoke_invitation(actor=actor(distributor_admin), invitation_id=invitation.pk)
    with pytest.raises(DomainError, match="revoked"):
        invitations.check_invitation(invitation.token)


def test_the_join_page_for_a_visitor_offers_sign_up(distributor_admin, actor, client):
    invitation = invite(actor, distributor_admin)
    page = client.get(reverse("resellers:join", args=[invitation.token]))
    assert page.status_code == 200
    assert reverse("account_signup") in page.content.decode()


# --- The distributor's authorisation ----------------------------------------------------------


def test_a_reseller_needs_its_distributors_authorisation_before_the_customers(
    reseller, reseller_admin, distributor_admin, actor
):
    association = AssociationFactory(partner=reseller, association_type=AssociationType.RESALE)
    with pytest.raises(DomainError, match="distributor has not authorised you"):
        request_authorization(actor=actor(reseller_admin), association_id=association.pk)
    relations.grant_authorization(actor=actor(distributor_admin), reseller_pk=reseller.pk)
    authorization = request_authorization(
        actor=actor(reseller_admin), association_id=association.pk
    )
    assert authorization.status == "pending"
    relations.revoke_authorization(actor=actor(distributor_admin), reseller_pk=reseller.pk)
    other = AssociationFactory(partner=reseller, association_type=AssociationType.RESALE)
    with pytest.raises(DomainError, match="distributor has not authorised you"):
        request_authorization(actor=actor(reseller_admin), association_id=other.pk)


def test_a_solution_provider_needs_no_distributor(admin_member, actor):
    association = AssociationFactory(
        partner=admin_member.partner, association_type=AssociationType.RESALE
    )
    assert request_authorization(actor=actor(admin_member), association_id=association.pk)


def test_authorisation_is_granted_once_and_only_by_its_distributor(
    reseller, distributor_admin, other_distributor_admin, actor
):
    relations.grant_authorization(actor=actor(distributor_admin), reseller_pk=reseller.pk)
    with pytest.raises(DomainError, match="already authorised"):
        relations.grant_authorization(actor=actor(distributor_admin), reseller_pk=reseller.pk)
    with pytest.raises(NotYourReseller):
        relations.revoke_authorization(
            actor=actor(other_distributor_admin), reseller_pk=reseller.pk
        )
    relations.revoke_authorization(actor=actor(distributor_admin), reseller_pk=reseller.pk)
    with pytest.raises(DomainError, match="no authorisation in force"):
        relations.revoke_authorization(actor=actor(distributor_admin), reseller_pk=reseller.pk)


# --- 分配客户经理 -------------------------------------------------------------------------------


def test_assigning_and_withdrawing_an_account_manager_keeps_the_history(
    reseller, sibling_reseller, distributor, distributor_admin, actor
):
    am = MembershipFactory(partner=distributor, role=Role.ACCOUNT_MANAGER)
    result = relations.assign_account_manager(
        actor=actor(distributor_admin),
        reseller_pks=[reseller.pk, sibling_reseller.pk],
        membership_id=am.pk,
    )
    assert result == {reseller.pk: None, sibling_reseller.pk: None}
    relations.assign_account_manager(
        actor=actor(distributor_admin),
        reseller_pks=[reseller.pk],
        membership_id=distributor_admin.pk,
    )
    relations.assign_account_manager(
        actor=actor(distributor_admin), reseller_pks=[reseller.pk], membership_id=None
    )
    history = list(ResellerManagerAssignment.objects.filter(reseller=reseller).order_by("pk"))
    assert [h.account_manager_id for h in history] == [am.pk, distributor_admin.pk]
    assert all(h.ended_at is not None for h in history)
    current = ResellerManagerAssignment.objects.get(reseller=sibling_reseller, ended_at=None)
    assert current.account_manager == am


def test_only_own_colleagues_and_own_resellers(
    reseller, distributor_admin, other_distributor_admin, actor, other_distributor
):
    with pytest.raises(DomainError):
        relations.assign_account_manager(
            actor=actor(distributor_admin),
            reseller_pks=[reseller.pk],
            membership_id=other_distributor_admin.pk,
        )
    result = relations.assign_account_manager(
        actor=actor(other_distributor_admin),
        reseller_pks=[reseller.pk],
        membership_id=other_distributor_admin.pk,
    )
    assert "permission" in result[reseller.pk]
    assert not ResellerManagerAssignment.objects.exists()


def test_the_exit_ends_the_authorisation_and_the_account_manager(
    make_application, distributor_admin, actor
):
    application = make_application(ApplicationStatus.APPROVED)
    reseller = application.partner
    relations.grant_authorization(actor=actor(distributor_admin), reseller_pk=reseller.pk)
    relations.assign_account_manager(
        actor=actor(distributor_admin),
        reseller_pks=[reseller.pk],
        membership_id=distributor_admin.pk,
    )
    svc.request_exit(actor=actor(distributor_admin), reseller_id=reseller.pk, reason="x")
    from resellers.models import DistributorAuthorization

    reviewer = UserFactory()
    reviewer.is_staff = reviewer.is_superuser = True
    reviewer.save()
    svc.complete_exit(actor=Actor(user=reviewer), application_id=application.pk)
    assert not DistributorAuthorization.objects.filter(reseller=reseller, revoked_at=None).exists()
    assert not ResellerManagerAssignment.objects.filter(reseller=reseller, ended_at=None).exists()


def test_a_visitor_signs_up_from_the_link_and_lands_in_the_prefilled_application(
    client, distributor, distributor_admin, actor, settings
):
    settings.ACCOUNT_RATE_LIMITS = False
    invitation = invite(actor, distributor_admin, email="invitee@new-reseller.test")
    join = reverse("resellers:join", args=[invitation.token])
    assert client.get(join).status_code == 200
    response = client.post(
        reverse("account_signup") + f"?next={join}",
        {
            "email": "invitee@new-reseller.test",
            "password1": "Very-Secret-123",
            "password2": "Very-Secret-123",
        },
    )
    # The address received the link: no second verification, straight back to the link.
    assert response.status_code == 302 and response["Location"] == join
    apply_page = client.get(client.get(join)["Location"])
    assert apply_page.status_code == 200
    assert apply_page.context["invitation"] == invitation
