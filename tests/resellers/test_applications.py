"""The double approval: apply → Huawei → the named distributor; later the exit. Every refusal
and every illegal transition, with the notices the applicant receives."""

from decimal import Decimal

import pytest
from django.core import mail

from billing.errors import NotYourReseller
from customers.models import AssociationType
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, InvalidTransition, PermissionRefused
from partnercenter.models import (
    AuditEvent,
    CountryRegion,
    MemberInvitation,
    Membership,
    Notification,
    NotificationCategory,
    PartnerKind,
    Program,
    ProgramMembership,
    ProgramStatus,
    Role,
)
from partnercenter.services import members as member_svc
from resellers.models import ACTIONS, ApplicationStatus, ResellerApplication
from resellers.services import applications as svc
from resellers.services import funds as reseller_funds
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory, CustomerFactory, customer_login
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

from .conftest import DETAILS, apply_as

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def titles(user):
    return list(
        Notification.objects.filter(
            recipient=user, category=NotificationCategory.RESELLERS
        ).values_list("title", flat=True)
    )


# --- Applying ---------------------------------------------------------------------------------


def test_an_enterprise_applies_naming_its_distributor(applicant, distributor):
    application = apply_as(applicant, distributor)
    assert application.status == S.PENDING_HUAWEI
    assert application.distributor == distributor and application.partner is None
    assert application.account_name == applicant.account_name
    assert application.company_name == DETAILS["company_name"]
    assert AuditEvent.objects.filter(action="reseller.apply", target_id=str(application.pk))
    assert titles(applicant) == ["Your application to the cloud reseller program was submitted"]


def test_the_notice_is_also_e_mailed_after_commit(
    applicant, distributor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        apply_as(applicant, distributor)
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert "cloud reseller" in mail.outbox[0].subject


def test_staff_cannot_apply(distributor, reviewer):
    with pytest.raises(DomainError, match="staff"):
        apply_as(reviewer, distributor)


def test_a_partner_member_cannot_apply(distributor, admin_member):
    with pytest.raises(DomainError, match="already belongs to a partner organisation"):
        apply_as(admin_member.user, distributor)


def test_an_account_applies_once(applicant, distributor):
    apply_as(applicant, distributor)
    with pytest.raises(DomainError, match="already applied"):
        apply_as(applicant, distributor)
    assert ResellerApplication.objects.filter(applicant=applicant).count() == 1


def test_a_customer_of_a_partner_cannot_apply(applicant, distributor, partner):
    association = AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
    customer_login(association.customer, "buyer@customer.test")
    buyer = association.customer.logins.get().user
    with pytest.raises(DomainError) as refused:
        apply_as(buyer, distributor)
    assert partner.name in str(refused.value) and "customer" in str(refused.value)
    assert not ResellerApplication.objects.exists()


def test_a_company_that_is_a_customer_cannot_apply_from_another_account(
    applicant, distributor, partner
):
    AssociationFactory(partner=partner, customer=CustomerFactory(name="已是客户有限公司"))
    with pytest.raises(DomainError, match="already a customer"):
        apply_as(applicant, distributor, company_name="已是客户有限公司")


def test_an_unassociated_customer_login_may_apply(distributor):
    lone = customer_login(CustomerFactory(), "lone@customer.test")  # no partner: nothing blocks it
    application = apply_as(lone, distributor)
    assert application.status == S.PENDING_HUAWEI


@pytest.mark.parametrize(
    "case",
    ["another country", "not a distributor", "left the program", "missing"],
)
def test_the_distributor_must_be_an_active_one_of_the_same_country(applicant, partner, case):
    if case == "another country":
        target = PartnerFactory(kind=PartnerKind.DISTRIBUTOR, country_region=CountryRegion.SG)
    elif case == "not a distributor":
        target = partner
    elif case == "left the program":
        target = PartnerFactory(kind=PartnerKind.DISTRIBUTOR)
        ProgramMembership.objects.filter(partner=target).update(status=ProgramStatus.EXITED)
    else:
        target = None
    with pytest.raises(DomainError) as refused:
        svc.submit_application(
            actor=Actor(user=applicant),
            details=DETAILS,
            distributor_id=target.pk if target else None,
        )
    assert refused.value.field == "distributor"
    assert not ResellerApplication.objects.exists()


@pytest.mark.parametrize("field", ["company_name", "credit_code", "contact_phone", "contact_email"])
def test_the_company_details_are_required(applicant, distributor, field):
    with pytest.raises(DomainError) as refused:
        apply_as(applicant, distributor, **{field: "  "})
    assert refused.value.field == field


def test_a_rejected_applicant_may_apply_again(make_application, distributor, applicant):
    make_application(S.HUAWEI_REJECTED, user=applicant)
    again = apply_as(applicant, distributor)
    assert again.status == S.PENDING_HUAWEI
    assert ResellerApplication.objects.filter(applicant=applicant).count() == 2


# --- Huawei's review --------------------------------------------------------------------------


def test_huawei_approves_and_the_distributor_is_told(
    make_application, reviewer_actor, applicant, distributor_admin
):
    application = make_application(user=applicant)
    svc.huawei_review(actor=reviewer_actor, application_id=application.pk, approve=True)
    application.refresh_from_db()
    assert application.status == S.PENDING_DISTRIBUTOR
    assert application.huawei_reviewed_by == reviewer_actor.user
    assert "Huawei approved your cloud reseller application" in titles(applicant)
    assert titles(distributor_admin.user) == [
        f"{DETAILS['company_name']} asks to become your cloud reseller"
    ]


def test_huawei_rejects_with_a_reason(make_application, reviewer_actor, applicant):
    application = make_application(user=applicant)
    with pytest.raises(DomainError) as refused:
        svc.huawei_review(actor=reviewer_actor, application_id=application.pk, approve=False)
    assert refused.value.field == "note"
    application.refresh_from_db()
    assert application.status == S.PENDING_HUAWEI
    svc.huawei_review(
        actor=reviewer_actor, application_id=application.pk, approve=False, note="资料不全"
    )
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (S.HUAWEI_REJECTED, "资料不全")
    assert "Huawei did not approve your cloud reseller application" in titles(applicant)
    body = Notification.objects.get(recipient=applicant, title__startswith="Huawei did not").body
    assert "资料不全" in body


def test_only_program_reviewers_review_for_huawei(make_application, staff_user, admin_member):
    application = make_application()
    plain_staff = UserFactory(email="ops@platform.test")
    plain_staff.is_staff = True
    plain_staff.save()
    for who in (Actor(user=plain_staff, via="admin"), Actor(user=admin_member.user)):
        with pytest.raises(PermissionRefused):
            svc.huawei_review(actor=who, application_id=application.pk, approve=True)
    # A superuser holds every group.
    svc.huawei_review(actor=Actor(user=staff_user), application_id=application.pk, approve=True)


def test_huawei_approval_checks_the_applicant_again(make_application, reviewer_actor, partner):
    application = make_application()
    # Meanwhile the applicant's company became a partner's customer.
    AssociationFactory(partner=partner, customer=CustomerFactory(name=DETAILS["company_name"]))
    with pytest.raises(DomainError, match="already a customer"):
        svc.huawei_review(actor=reviewer_actor, application_id=application.pk, approve=True)
    application.refresh_from_db()
    assert application.status == S.PENDING_HUAWEI


# --- The distributor's review -----------------------------------------------------------------


def test_the_distributor_approves_and_the_applicant_becomes_its_reseller(
    make_application, distributor, distributor_admin, actor, applicant, client
):
    application = make_application(S.PENDING_DISTRIBUTOR, user=applicant)
    svc.distributor_review(
        actor=actor(distributor_admin), application_id=application.pk, approve=True
    )
    application.refresh_from_db()
    reseller = application.partner
    assert application.status == S.APPROVED
    assert (reseller.kind, reseller.distributor, reseller.name) == (
        PartnerKind.RESELLER,
        distributor,
        DETAILS["company_name"],
    )
    assert reseller.account_name == applicant.account_name
    program = ProgramMembership.objects.get(partner=reseller)
    assert (program.program, program.status) == (Program.CLOUD_RESELLER, ProgramStatus.ACTIVE)
    membership = Membership.objects.active().get(user=applicant)
    assert (membership.partner, membership.role) == (reseller, Role.ADMIN)
    assert f"You are now a cloud reseller of {distributor.name}" in titles(applicant)
    assert AuditEvent.objects.filter(
        action="reseller.distributor_approve", partner=distributor
    ).exists()
    # The applicant now opens Partner Center as the reseller.
    client.force_login(applicant)
    page = client.get("/").content.decode()
    assert reseller.name in page


def test_the_distributor_rejects_with_a_reason(
    make_application, distributor_admin, actor, applicant
):
    application = make_application(S.PENDING_DISTRIBUTOR, user=applicant)
    with pytest.raises(DomainError) as refused:
        svc.distributor_review(
            actor=actor(distributor_admin), application_id=application.pk, approve=False
        )
    assert refused.value.field == "reason"
    svc.distributor_review(
        actor=actor(distributor_admin),
        application_id=application.pk,
        approve=False,
        reason="区域已满",
    )
    application.refresh_from_db()
    assert (application.status, application.distributor_reason) == (
        S.DISTRIBUTOR_REJECTED,
        "区域已满",
    )
    assert application.partner is None
    assert not Membership.objects.filter(user=applicant).exists()
    assert f"{application.distributor.name} declined your cloud reseller application" in titles(
        applicant
    )


def test_another_distributor_cannot_review_it(make_application, other_distributor_admin, actor):
    application = make_application(S.PENDING_DISTRIBUTOR)
    with pytest.raises(DomainError, match="not found"):
        svc.distributor_review(
            actor=actor(other_distributor_admin), application_id=application.pk, approve=True
        )
    application.refresh_from_db()
    assert application.status == S.PENDING_DISTRIBUTOR


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SALES, Role.VIEWER, Role.ACCOUNT_MANAGER])
def test_only_the_distributor_admin_reviews(make_application, distributor, actor, role):
    application = make_application(S.PENDING_DISTRIBUTOR)
    member = MembershipFactory(partner=distributor, role=role)
    with pytest.raises(PermissionRefused):
        svc.distributor_review(actor=actor(member), application_id=application.pk, approve=True)


def test_a_reseller_or_solution_provider_cannot_review(make_application, reseller_admin, actor):
    application = make_application(S.PENDING_DISTRIBUTOR)
    with pytest.raises(PermissionRefused):
        svc.distributor_review(
            actor=actor(reseller_admin), application_id=application.pk, approve=True
        )


def test_approval_refuses_an_applicant_that_became_a_customer_meanwhile(
    make_application, distributor_admin, actor, partner, applicant
):
    application = make_application(S.PENDING_DISTRIBUTOR, user=applicant)
    association = AssociationFactory(partner=partner)
    from customers.models import CustomerUser

    CustomerUser.objects.create(user=applicant, customer=association.customer)
    with pytest.raises(DomainError, match="customer of the Huawei Cloud partner"):
        svc.distributor_review(
            actor=actor(distributor_admin), application_id=application.pk, approve=True
        )
    application.refresh_from_db()
    assert application.status == S.PENDING_DISTRIBUTOR and application.partner is None


def test_an_applicant_cannot_join_another_partner_while_it_stands(
    make_application, admin_member, actor, applicant
):
    make_application(user=applicant)
    invitation = member_svc.invite_member(
        actor=actor(admin_member), email=applicant.email, role=Role.SALES
    )
    with pytest.raises(DomainError, match="applied to the cloud reseller program"):
        member_svc.accept_invitation(actor=Actor(user=applicant), token=invitation.token)
    assert not Membership.objects.filter(user=applicant).exists()
    assert MemberInvitation.objects.get(pk=invitation.pk).status == "invited"


def test_an_applicant_rejected_by_both_may_join_a_partner(
    make_application, admin_member, actor, applicant
):
    make_application(S.DISTRIBUTOR_REJECTED, user=applicant)
    invitation = member_svc.invite_member(
        actor=actor(admin_member), email=applicant.email, role=Role.SALES
    )
    member_svc.accept_invitation(actor=Actor(user=applicant), token=invitation.token)
    assert Membership.objects.active().get(user=applicant).partner == admin_member.partner


# --- Every illegal transition -----------------------------------------------------------------

ALLOWED = {(status, action) for action, (sources, _to) in ACTIONS.items() for status in sources}
ALL_CASES = [(status, action) for status in S.values for action in ACTIONS]


def _do(action, application, *, reviewer_actor, dist):
    if action == "huawei_approve":
        return svc.huawei_review(actor=reviewer_actor, application_id=application.pk, approve=True)
    if action == "huawei_reject":
        return svc.huawei_review(
            actor=reviewer_actor, application_id=application.pk, approve=False, note="x"
        )
    if action == "distributor_approve":
        return svc.distributor_review(actor=dist, application_id=application.pk, approve=True)
    if action == "distributor_reject":
        return svc.distributor_review(
            actor=dist, application_id=application.pk, approve=False, reason="x"
        )
    if action == "request_exit":
        return svc.request_exit(actor=dist, reseller_id=application.partner_id, reason="x")
    if action == "complete_exit":
        return svc.complete_exit(actor=reviewer_actor, application_id=application.pk)
    return svc.cancel_exit(actor=reviewer_actor, application_id=application.pk)


@pytest.mark.parametrize("status,action", [c for c in ALL_CASES if c not in ALLOWED])
def test_an_illegal_transition_is_refused_and_changes_nothing(
    make_application, reviewer_actor, distributor_admin, actor, status, action
):
    application = make_application(status)
    if application.partner_id is None and action == "request_exit":
        # Without a reseller there is nothing to end: refused before the state machine.
        with pytest.raises(NotYourReseller):
            _do(action, application, reviewer_actor=reviewer_actor, dist=actor(distributor_admin))
        return
    if status == S.EXITED and action == "request_exit":
        # The exited reseller left its distributor: the distributor no longer reaches it.
        with pytest.raises(NotYourReseller):
            _do(action, application, reviewer_actor=reviewer_actor, dist=actor(distributor_admin))
        return
    before = ResellerApplication.objects.get(pk=application.pk)
    with pytest.raises(InvalidTransition):
        _do(action, application, reviewer_actor=reviewer_actor, dist=actor(distributor_admin))
    after = ResellerApplication.objects.get(pk=application.pk)
    assert (after.status, after.partner_id) == (before.status, before.partner_id)


@pytest.mark.parametrize("status,action", sorted(ALLOWED))
def test_every_allowed_transition_reaches_its_state(
    make_application, reviewer_actor, distributor_admin, actor, status, action
):
    application = make_application(status)
    _do(action, application, reviewer_actor=reviewer_actor, dist=actor(distributor_admin))
    application.refresh_from_db()
    assert application.status == ACTIONS[action][1]


# --- Batch approval ---------------------------------------------------------------------------


def test_batch_approval_reports_a_result_per_row(
    make_application, distributor_admin, other_distributor, actor, reviewer_actor
):
    pending = [make_application(S.PENDING_DISTRIBUTOR) for _ in range(2)]
    already = make_application(S.APPROVED)
    still_at_huawei = make_application(S.PENDING_HUAWEI)
    elsewhere = apply_as(UserFactory(), other_distributor)
    svc.huawei_review(actor=reviewer_actor, application_id=elsewhere.pk, approve=True)
    ids = [pending[0].pk, already.pk, still_at_huawei.pk, elsewhere.pk, pending[1].pk]
    results = svc.batch_distributor_review(
        actor=actor(distributor_admin), application_ids=ids, approve=True
    )
    assert [r["id"] for r in results] == ids
    assert [r["ok"] for r in results] == [True, False, False, False, True]
    assert "cannot become" in results[1]["message"]
    assert "cannot become" in results[2]["message"]
    assert "not found" in results[3]["message"]
    statuses = dict(ResellerApplication.objects.values_list("pk", "status"))
    assert statuses[pending[0].pk] == statuses[pending[1].pk] == S.APPROVED
    assert statuses[elsewhere.pk] == S.PENDING_DISTRIBUTOR


def test_batch_rejection_needs_a_reason_for_each_row(make_application, distributor_admin, actor):
    pending = [make_application(S.PENDING_DISTRIBUTOR) for _ in range(2)]
    results = svc.batch_distributor_review(
        actor=actor(distributor_admin), application_ids=[a.pk for a in pending], approve=False
    )
    assert [r["ok"] for r in results] == [False, False]
    results = svc.batch_distributor_review(
        actor=actor(distributor_admin),
        application_ids=[a.pk for a in pending],
        approve=False,
        reason="名额已满",
    )
    assert [r["ok"] for r in results] == [True, True]
    assert set(ResellerApplication.objects.values_list("status", flat=True)) == {
        S.DISTRIBUTOR_REJECTED
    }


# --- Exit -------------------------------------------------------------------------------------


def test_the_reseller_admin_requests_the_exit_and_staff_complete_it(
    make_application, reviewer_actor, actor, distributor_admin
):
    application = make_application(S.APPROVED)
    reseller = application.partner
    reseller_admin = Membership.objects.get(partner=reseller)
    colleague = MembershipFactory(partner=reseller, role=Role.FINANCE)
    with pytest.raises(PermissionRefused):
        svc.request_exit(actor=actor(colleague), reseller_id=reseller.pk, reason="x")
    svc.request_exit(actor=actor(reseller_admin), reseller_id=reseller.pk, reason="转型")
    application.refresh_from_db()
    assert application.status == S.EXITING and application.exit_reason == "转型"
    assert ProgramMembership.objects.get(partner=reseller).status == ProgramStatus.EXITING
    assert any("Exit from the cloud reseller program" in t for t in titles(distributor_admin.user))
    svc.complete_exit(actor=reviewer_actor, application_id=application.pk)
    application.refresh_from_db()
    reseller.refresh_from_db()
    assert application.status == S.EXITED and application.exited_at is not None
    assert reseller.distributor is None
    program = ProgramMembership.objects.get(partner=reseller)
    assert program.status == ProgramStatus.EXITED and program.exited_on is not None


def test_the_exit_waits_until_the_funds_are_recovered(
    make_application, reviewer_actor, actor, distributor, distributor_admin
):
    application = make_application(S.APPROVED)
    reseller = application.partner
    fund(distributor, recharge="1000.00")
    finance = MembershipFactory(partner=distributor, role=Role.FINANCE)
    reseller_funds.allocate(actor=actor(finance), reseller_pk=reseller.pk, amount="300.00")
    svc.request_exit(actor=actor(distributor_admin), reseller_id=reseller.pk, reason="x")
    with pytest.raises(DomainError, match="Recover the funds"):
        svc.complete_exit(actor=reviewer_actor, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.EXITING
    reseller_funds.recover(actor=actor(finance), reseller_pk=reseller.pk, amount="300.00")
    svc.complete_exit(actor=reviewer_actor, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.EXITED
    assert reseller_funds.funds_of([reseller])[reseller.pk].balance == Decimal("0.00")


def test_another_distributor_cannot_end_the_cooperation(
    make_application, other_distributor_admin, actor
):
    application = make_application(S.APPROVED)
    with pytest.raises(NotYourReseller):
        svc.request_exit(
            actor=actor(other_distributor_admin), reseller_id=application.partner_id, reason="x"
        )


def test_staff_withdraw_an_exit(make_application, reviewer_actor):
    application = make_application(S.EXITING)
    svc.cancel_exit(actor=reviewer_actor, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.APPROVED and application.exit_requested_at is None
    assert ProgramMembership.objects.get(partner=application.partner).status == "active"


def test_every_step_notifies_the_applicant(make_application, applicant):
    make_application(S.EXITED, user=applicant)
    assert titles(applicant)[::-1][:4] == [
        "Your application to the cloud reseller program was submitted",
        "Huawei approved your cloud reseller application",
        f"You are now a cloud reseller of {ResellerApplication.objects.get().distributor.name}",
        f"Exit from the cloud reseller program requested for {DETAILS['company_name']}",
    ]
    assert titles(applicant)[0] == f"{DETAILS['company_name']} has left the cloud reseller program"
