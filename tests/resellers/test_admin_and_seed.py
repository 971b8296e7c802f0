"""Huawei's review in the admin (changelist actions calling the services) and the demo data."""

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from billing import ledger
from partnercenter import staff
from partnercenter.models import Partner
from resellers.models import ApplicationStatus, ResellerApplication
from tests.billing.conftest import fund
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus
CHANGELIST = "admin:resellers_resellerapplication_changelist"


def act(client, action, applications, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [a.pk for a in applications], **extra},
    )


def test_the_program_reviewer_approves_from_the_changelist(client, reviewer, make_application):
    application = make_application()
    client.force_login(reviewer)
    page = client.get(reverse(CHANGELIST), {"status__exact": "pending_huawei"})
    assert page.status_code == 200 and application.company_name in page.content.decode()
    response = act(client, "huawei_approve", [application])
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.PENDING_DISTRIBUTOR
    assert application.huawei_reviewed_by == reviewer


def test_rejecting_asks_for_the_reason_first(client, reviewer, make_application):
    application = make_application()
    client.force_login(reviewer)
    page = act(client, "huawei_reject", [application])
    assert page.status_code == 200 and 'name="note"' in page.content.decode()
    again = act(client, "huawei_reject", [application], apply="1", note="")
    assert again.status_code == 200
    application.refresh_from_db()
    assert application.status == S.PENDING_HUAWEI
    done = act(client, "huawei_reject", [application], apply="1", note="营业执照不清晰")
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.huawei_note) == (S.HUAWEI_REJECTED, "营业执照不清晰")


def test_a_refused_row_is_reported_and_the_others_go_on(client, reviewer, make_application):
    waiting = make_application()
    already = make_application(S.PENDING_DISTRIBUTOR)
    client.force_login(reviewer)
    response = act(client, "huawei_approve", [waiting, already])
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cannot become" in m for m in messages)
    waiting.refresh_from_db()
    assert waiting.status == S.PENDING_DISTRIBUTOR


def test_the_exit_is_completed_once_the_funds_are_back(
    client, reviewer, make_application, distributor, distributor_admin, actor
):
    from resellers.services import applications, funds

    application = make_application(S.APPROVED)
    fund(distributor, recharge="100.00")
    funds.allocate(actor=actor(distributor_admin), reseller_pk=application.partner_id, amount="5")
    applications.request_exit(
        actor=actor(distributor_admin), reseller_id=application.partner_id, reason="x"
    )
    client.force_login(reviewer)
    act(client, "complete_exit", [application])
    application.refresh_from_db()
    assert application.status == S.EXITING
    funds.recover(actor=actor(distributor_admin), reseller_pk=application.partner_id, amount="5")
    act(client, "complete_exit", [application])
    application.refresh_from_db()
    assert application.status == S.EXITED


def test_staff_outside_the_group_only_look(client, make_application):
    staff.sync_groups()
    manager = UserFactory(email="cm@platform.test")
    manager.is_staff = True
    manager.save()
    manager.groups.add(Group.objects.get(name=staff.CHANNEL_MANAGER))
    application = make_application()
    client.force_login(manager)
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200 and "huawei_approve" not in page.content.decode()
    act(client, "huawei_approve", [application])
    application.refresh_from_db()
    assert application.status == S.PENDING_HUAWEI


def test_the_program_reviewer_group_holds_the_application_permissions(reviewer):
    assert reviewer.has_perm("resellers.change_resellerapplication")
    assert reviewer.has_perm("resellers.view_resellerinvitation")
    assert not reviewer.has_perm("resellers.delete_resellerapplication")


def test_the_demo_data_has_every_state_and_a_funded_reseller(db):
    call_command("seed_demo")
    counts = (Partner.objects.count(), ResellerApplication.objects.count())
    call_command("seed_demo")  # idempotent
    assert (Partner.objects.count(), ResellerApplication.objects.count()) == counts
    assert set(ResellerApplication.objects.values_list("status", flat=True)) == set(S.values)
    boyuan = Partner.objects.get(account_name="boyuan-it")
    hualian = Partner.objects.get(account_name="hualian-dist")
    assert boyuan.reseller_application.status == S.APPROVED
    funds = ledger.partner_funds(boyuan)
    assert funds.recharge == Decimal("10000.00")
    assert funds.balance == Decimal("10000.00") - funds.allocated > 0
    assert funds.allocated == Decimal("1200.00")
    assert all(
        a.distributor == hualian for a in ResellerApplication.objects.select_related("distributor")
    )
    assert ledger.verify_ledger() == []


def test_the_application_opens_read_only_in_the_admin(client, reviewer, make_application):
    application = make_application(S.APPROVED)
    client.force_login(reviewer)
    page = client.get(reverse("admin:resellers_resellerapplication_change", args=[application.pk]))
    assert page.status_code == 200 and application.company_name in page.content.decode()
    assert 'name="company_name"' not in page.content.decode()  # nothing to edit
    for model in ["resellerinvitation", "distributorauthorization", "resellermanagerassignment"]:
        assert client.get(reverse(f"admin:resellers_{model}_changelist")).status_code == 200
