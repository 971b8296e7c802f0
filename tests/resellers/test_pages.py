"""The pages: an access matrix for each, tenancy (another distributor's or a sibling's rows are
404), pinned query counts, and the flows the pages drive (review, 拨款/回收, export, 调账记录)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import ledger
from billing.models import TradeType, Transfer
from customers.models import AssociationType
from partnercenter import masking
from partnercenter.models import ExportStatus, PartnerKind, Role
from resellers.models import ApplicationStatus, ResellerApplication
from resellers.services import funds
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus

LIST = {Role.ADMIN, Role.FINANCE, Role.SALES, Role.VIEWER}
ADMIN = {Role.ADMIN}
EVERYONE = set(Role.values)

# page → (who may open it among the distributor's roles, among the reseller's roles)
DISTRIBUTOR_PAGES = [
    ("resellers:list", LIST),
    ("resellers:review", ADMIN),
    ("resellers:invite", ADMIN),
]


@pytest.mark.parametrize(
    "name",
    [n for n, _ in DISTRIBUTOR_PAGES]
    + ["resellers:distributor", "resellers:apply", "resellers:application"],
)
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("kind", PartnerKind.values)
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name,allowed", DISTRIBUTOR_PAGES)
def test_distributor_pages_by_kind_and_role(client, kind, role, name, allowed):
    distributor = PartnerFactory(kind=PartnerKind.DISTRIBUTOR)
    partner = (
        distributor
        if kind == PartnerKind.DISTRIBUTOR
        else PartnerFactory(kind=kind, distributor=distributor if kind == "reseller" else None)
    )
    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    expected = 200 if kind == PartnerKind.DISTRIBUTOR and role in allowed else 403
    assert client.get(reverse(name)).status_code == expected


@pytest.mark.parametrize("kind", PartnerKind.values)
@pytest.mark.parametrize("role", Role.values)
def test_my_distributor_is_the_resellers_page(client, kind, role):
    distributor = PartnerFactory(kind=PartnerKind.DISTRIBUTOR)
    partner = (
        distributor
        if kind == PartnerKind.DISTRIBUTOR
        else PartnerFactory(kind=kind, distributor=distributor if kind == "reseller" else None)
    )
    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    response = client.get(reverse("resellers:distributor"))
    assert response.status_code == (200 if kind == PartnerKind.RESELLER else 403)


def test_row_pages_answer_404_for_another_distributors_reseller(
    client, reseller, distributor_admin, other_distributor_admin, sibling_reseller
):
    client.force_login(other_distributor_admin.user)
    for url in [
        reverse("resellers:managers", args=[reseller.pk]),
        reverse("resellers:adjust", args=[reseller.pk, "allocate"]),
        reverse("resellers:adjust", args=[reseller.pk, "recover"]),
        reverse("resellers:exit", args=[reseller.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("resellers:authorization", args=[reseller.pk]), {"action": "grant"}
        ).status_code
        == 404
    )
    # Its own distributor opens them.
    client.force_login(distributor_admin.user)
    assert client.get(reverse("resellers:managers", args=[sibling_reseller.pk])).status_code == 200
    assert (
        client.get(reverse("resellers:adjust", args=[reseller.pk, "allocate"])).status_code == 200
    )


def test_an_unknown_adjust_action_is_a_404(client, reseller, distributor_admin):
    client.force_login(distributor_admin.user)
    assert client.get(reverse("resellers:adjust", args=[reseller.pk, "steal"])).status_code == 404


def test_the_list_shows_only_my_resellers_and_a_sibling_sees_none_of_them(
    client, reseller, sibling_reseller, distributor_admin, other_distributor, sibling_admin
):
    theirs = PartnerFactory(
        name="别家云经销有限公司", kind=PartnerKind.RESELLER, distributor=other_distributor
    )
    client.force_login(distributor_admin.user)
    body = client.get(reverse("resellers:list")).content.decode()
    assert reseller.domain_id in body and sibling_reseller.domain_id in body
    assert theirs.domain_id not in body
    # A reseller holds none of the reseller items: the pages are closed to it.
    client.force_login(sibling_admin.user)
    assert client.get(reverse("resellers:list")).status_code == 403
    assert client.get(reverse("resellers:managers", args=[reseller.pk])).status_code == 403
    page = client.get(reverse("resellers:distributor")).content.decode()
    assert reseller.domain_id not in page and reseller.contact_email not in page


def test_the_list_masks_phone_and_email_and_shows_the_balance(
    client, reseller, distributor, distributor_admin, actor
):
    fund(distributor, recharge="1000.00")
    funds.allocate(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="321.50")
    client.force_login(distributor_admin.user)
    body = client.get(reverse("resellers:list")).content.decode()
    assert reseller.contact_email not in body and reseller.contact_phone not in body
    assert masking.mask_email(reseller.contact_email) in body
    assert "321.50" in body


def test_the_eye_reveals_a_resellers_email_only_to_its_distributor(
    client, reseller, distributor_admin, other_distributor_admin
):
    token = masking.token_for("resellers.reseller", reseller.pk, "contact_email")
    client.force_login(other_distributor_admin.user)
    assert client.post(reverse("reveal"), {"token": token}).status_code == 404
    client.force_login(distributor_admin.user)
    response = client.post(reverse("reveal"), {"token": token}, HTTP_HX_REQUEST="true")
    assert reseller.contact_email in response.content.decode()


@pytest.mark.parametrize(
    "params,match",
    [
        ({"name": "云经销"}, True),
        ({"name": "没有"}, False),
        ({"account_name": "partner-"}, True),
        ({"mobile": "138000"}, True),
        ({"email": "contact"}, True),
        ({"email": "nobody"}, False),
    ],
)
def test_the_list_filters(client, reseller, distributor_admin, params, match):
    client.force_login(distributor_admin.user)
    body = client.get(reverse("resellers:list"), params).content.decode()
    assert (reseller.domain_id in body) is match


def test_the_list_filters_by_id_and_association_time(
    client, reseller, sibling_reseller, distributor_admin
):
    client.force_login(distributor_admin.user)
    body = client.get(reverse("resellers:list"), {"reseller_id": reseller.domain_id}).content
    assert reseller.domain_id in body.decode() and sibling_reseller.domain_id not in body.decode()
    type(sibling_reseller).objects.filter(pk=sibling_reseller.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    body = client.get(reverse("resellers:list"), {"date_from": since}).content.decode()
    assert reseller.domain_id in body and sibling_reseller.domain_id not in body
    body = client.get(
        reverse("resellers:list"), {"date_to": (timezone.localdate() - timedelta(days=30))}
    ).content.decode()
    assert reseller.domain_id not in body and sibling_reseller.domain_id in body


@pytest.mark.parametrize("n", [1, 50])
def test_the_list_keeps_a_fixed_number_of_queries(
    client, distributor, distributor_admin, actor, django_assert_max_num_queries, n
):
    fund(distributor, recharge="10000.00")
    for i in range(n):
        reseller = PartnerFactory(kind=PartnerKind.RESELLER, distributor=distributor)
        if i % 3 == 0:
            funds.allocate(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="1.00")
    client.force_login(distributor_admin.user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("resellers:list")).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_the_review_list_keeps_a_fixed_number_of_queries(
    client, make_application, distributor_admin, django_assert_max_num_queries, n
):
    for _ in range(n):
        make_application(S.PENDING_DISTRIBUTOR)
    client.force_login(distributor_admin.user)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("resellers:review")).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_my_distributor_keeps_a_fixed_number_of_queries(
    client, reseller, reseller_admin, distributor, distributor_admin, actor,
    django_assert_max_num_queries, n,
):  # fmt: skip
    fund(distributor, recharge="10000.00")
    for _ in range(n):
        funds.allocate(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="1.00")
    client.force_login(reseller_admin.user)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("resellers:distributor")).status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_the_invitations_page_keeps_a_fixed_number_of_queries(
    client, distributor_admin, actor, django_assert_max_num_queries, n
):
    from resellers.models import ResellerInvitation

    ResellerInvitation.objects.bulk_create(
        ResellerInvitation(
            distributor=distributor_admin.partner,
            email=f"r{i}@reseller.test",
            token=f"t{i}",
            created_by=distributor_admin,
        )
        for i in range(n)
    )
    client.force_login(distributor_admin.user)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("resellers:invite")).status_code == 200


# --- 审核云经销商的合作邀请 ----------------------------------------------------------------------


def test_the_review_page_lists_what_waits_for_me_and_masks_the_contact(
    client, make_application, distributor_admin, other_distributor
):
    mine = make_application(S.PENDING_DISTRIBUTOR)
    at_huawei = make_application(S.PENDING_HUAWEI)
    theirs = ResellerApplication.objects.filter(pk=make_application(S.PENDING_DISTRIBUTOR).pk)
    theirs.update(distributor=other_distributor)
    client.force_login(distributor_admin.user)
    body = client.get(reverse("resellers:review")).content.decode()
    assert f'data-application="{mine.pk}"' in body
    assert f'data-application="{at_huawei.pk}"' not in body
    assert f'data-application="{theirs.get().pk}"' not in body
    assert mine.contact_phone not in body and mine.contact_email not in body
    # Filters: 云经销商名称, 手机号码, 电子邮箱.
    for params, shown in [
        ({"name": "新申请"}, True),
        ({"name": "别的"}, False),
        ({"mobile": mine.contact_phone}, True),
        ({"email": "nobody@"}, False),
    ]:
        page = client.get(reverse("resellers:review"), params).content.decode()
        assert (f'data-application="{mine.pk}"' in page) is shown, params


def test_reviewing_a_row_through_the_modal(client, make_application, distributor_admin):
    application = make_application(S.PENDING_DISTRIBUTOR)
    client.force_login(distributor_admin.user)
    url = reverse("resellers:review_one", args=[application.pk])
    assert "modal" in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    # A rejection without a reason stays in the modal with the error.
    response = client.post(url, {"decision": "reject"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "reason" in response.content.decode().lower()
    response = client.post(url, {"decision": "approve"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="review-done"' in response.content.decode()
    assert response["HX-Trigger"] == "pc:reviewed"
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_reviewing_another_distributors_application_is_a_404(
    client, make_application, other_distributor_admin
):
    application = make_application(S.PENDING_DISTRIBUTOR)
    client.force_login(other_distributor_admin.user)
    url = reverse("resellers:review_one", args=[application.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    token = masking.token_for("resellers.application", application.pk, "contact_email")
    assert client.post(reverse("reveal"), {"token": token}).status_code == 404


def test_batch_review_page_shows_a_result_per_row(
    client, make_application, distributor_admin, other_distributor
):
    ok = make_application(S.PENDING_DISTRIBUTOR)
    done = make_application(S.APPROVED)
    foreign = make_application(S.PENDING_DISTRIBUTOR)
    ResellerApplication.objects.filter(pk=foreign.pk).update(distributor=other_distributor)
    client.force_login(distributor_admin.user)
    response = client.post(
        reverse("resellers:review_batch"),
        {"ids": [ok.pk, done.pk, foreign.pk], "decision": "approve"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="text-success" data-testid="result"') == 1
    assert body.count('class="text-danger" data-testid="result"') == 2
    # Another distributor's applicant's name never shows.
    assert f'data-result="{foreign.pk}"' in body and f"#{foreign.pk}" in body
    foreign.refresh_from_db()
    assert foreign.status == S.PENDING_DISTRIBUTOR


def test_batch_rejection_without_a_reason_goes_back_with_the_error(
    client, make_application, distributor_admin
):
    pending = make_application(S.PENDING_DISTRIBUTOR)
    client.force_login(distributor_admin.user)
    response = client.post(
        reverse("resellers:review_batch"), {"ids": [pending.pk], "decision": "reject"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == S.PENDING_DISTRIBUTOR


# --- 拨款 / 回收 through the page ---------------------------------------------------------------


def test_allocating_through_the_modal_with_its_confirm_step(
    client, reseller, distributor, distributor_admin
):
    fund(distributor, recharge="1000.00")
    client.force_login(distributor_admin.user)
    url = reverse("resellers:adjust", args=[reseller.pk, "allocate"])
    opened = client.get(url, HTTP_HX_REQUEST="true")
    key = opened.context["form"].initial["request_key"]
    bad = client.post(url, {"amount": "1.005", "request_key": key}, HTTP_HX_REQUEST="true")
    assert "2 decimal places" in bad.content.decode()
    too_much = client.post(url, {"amount": "1000.01", "request_key": key}, HTTP_HX_REQUEST="true")
    assert "Insufficient balance" in too_much.content.decode()
    confirm = client.post(url, {"amount": "500.00", "request_key": key}, HTTP_HX_REQUEST="true")
    assert 'data-testid="confirm"' in confirm.content.decode()
    assert ledger.partner_funds(reseller).balance == 0  # nothing moved before the confirmation
    done = client.post(
        url, {"amount": "500.00", "request_key": key, "step": "confirm"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="adjust-success"' in done.content.decode()
    assert done["HX-Trigger"] == "pc:moneyChanged"
    # The same form posted again (a double click) moves nothing more.
    client.post(url, {"amount": "500.00", "request_key": key, "step": "confirm"})
    assert ledger.partner_funds(reseller).balance == Decimal("500.00")


def test_recovering_without_javascript_redirects_back_with_a_message(
    client, reseller, distributor, distributor_admin, actor
):
    fund(distributor, recharge="1000.00")
    funds.allocate(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="500.00")
    client.force_login(distributor_admin.user)
    url = reverse("resellers:adjust", args=[reseller.pk, "recover"])
    response = client.post(url, {"amount": "200.00", "request_key": "k", "step": "confirm"})
    assert response.status_code == 302 and response["Location"] == reverse("resellers:list")
    assert ledger.partner_funds(reseller).balance == Decimal("300.00")


@pytest.mark.parametrize("role", [Role.SALES, Role.VIEWER])
def test_roles_without_the_items_do_not_see_or_open_the_money_actions(
    client, reseller, distributor, role
):
    member = MembershipFactory(partner=distributor, role=role)
    client.force_login(member.user)
    body = client.get(reverse("resellers:list")).content.decode()
    assert 'data-testid="allocate"' not in body and 'data-testid="recover"' not in body
    assert (
        client.get(reverse("resellers:adjust", args=[reseller.pk, "allocate"])).status_code == 403
    )


# --- The other pages --------------------------------------------------------------------------


def test_assigning_an_account_manager_in_batch_and_the_history_page(
    client, reseller, sibling_reseller, distributor, distributor_admin
):
    am = MembershipFactory(partner=distributor, role=Role.ACCOUNT_MANAGER)
    client.force_login(distributor_admin.user)
    response = client.post(
        reverse("resellers:assign_manager"),
        {"ids": [reseller.pk, sibling_reseller.pk], "account_manager": am.pk},
    )
    assert response.status_code == 302
    page = client.get(reverse("resellers:managers", args=[reseller.pk])).content.decode()
    assert am.user.display_name in page
    body = client.get(reverse("resellers:list")).content.decode()
    assert body.count(am.user.display_name) >= 2


def test_granting_authorisation_and_ending_the_cooperation_from_the_row(
    client, make_application, distributor_admin
):
    application = make_application(S.APPROVED)
    reseller = application.partner
    client.force_login(distributor_admin.user)
    client.post(reverse("resellers:authorization", args=[reseller.pk]), {"action": "grant"})
    assert 'data-testid="authorized"' in client.get(reverse("resellers:list")).content.decode()
    response = client.post(reverse("resellers:exit", args=[reseller.pk]), {"reason": "调整"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.EXITING


def test_inviting_from_the_page(client, distributor_admin, django_capture_on_commit_callbacks):
    client.force_login(distributor_admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("resellers:invite"), {"email": "x@reseller.test", "country_region": "CN"}
        )
    assert response.status_code == 302
    page = client.get(reverse("resellers:invite")).content.decode()
    assert masking.mask_email("x@reseller.test") in page
    refused = client.post(
        reverse("resellers:invite"), {"email": "y@reseller.test", "country_region": "SG"}
    )
    assert refused.status_code == 400


def test_the_reseller_sees_its_distributor_history_and_can_request_the_exit(
    client, make_application, distributor, distributor_admin, actor
):
    application = make_application(S.APPROVED)
    reseller = application.partner
    fund(distributor, recharge="1000.00")
    funds.allocate(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="500.00")
    funds.recover(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="200.00")
    client.force_login(application.applicant)
    page = client.get(reverse("resellers:distributor")).content.decode()
    assert distributor.name in page
    assert 'data-testid="reseller-own-balance">300.00' in page
    assert page.count("RE") >= 2 and "500.00" in page and "200.00" in page
    home = client.get(reverse("home")).content.decode()
    assert (
        'data-testid="home-distributor"' in home and 'data-testid="account-balance">300.00' in home
    )
    # A colleague without the admin role sees no exit form and cannot post it.
    colleague = MembershipFactory(partner=reseller, role=Role.SALES)
    client.force_login(colleague.user)
    page = client.get(reverse("resellers:distributor")).content.decode()
    assert 'data-testid="exit-submit"' not in page
    assert client.post(reverse("resellers:distributor"), {"reason": "x"}).status_code == 403
    client.force_login(application.applicant)
    response = client.post(reverse("resellers:distributor"), {"reason": "不做了"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.EXITING


def test_the_adjustment_records_filter_resellers(
    client, reseller, sibling_reseller, distributor, distributor_admin, actor
):
    fund(distributor, recharge="1000.00")
    customer = AssociationFactory(partner=distributor, customer=CustomerFactory(name="直客公司"))
    from billing.services import funds as customer_funds

    customer_funds.allocate(
        actor=actor(distributor_admin), customer_pk=customer.customer_id, amount="10.00"
    )
    to_reseller = funds.allocate(
        actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="20.00"
    )
    to_sibling = funds.allocate(
        actor=actor(distributor_admin), reseller_pk=sibling_reseller.pk, amount="30.00"
    )
    client.force_login(distributor_admin.user)
    url = reverse("billing:adjustments")
    body = client.get(url, {"target": "resellers"}).content.decode()
    assert to_reseller.trans_id in body and to_sibling.trans_id in body
    assert body.count("<tr>") == 3  # the header and the two reseller rows
    body = client.get(url, {"reseller": "兄弟"}).content.decode()
    assert to_sibling.trans_id in body and to_reseller.trans_id not in body
    body = client.get(url, {"target": "customers"}).content.decode()
    assert to_reseller.trans_id not in body
    assert (
        Transfer.objects.filter(counterparty__isnull=False, trade_type=TradeType.BEADJUST).count()
        == 2
    )


def test_a_solution_providers_adjustment_filter_has_no_reseller_fields(client, admin_member):
    client.force_login(admin_member.user)
    form = client.get(reverse("billing:adjustments")).context["form"]
    assert "reseller" not in form.fields and "target" not in form.fields


def test_the_distributors_reseller_customers_tab_keeps_working(
    client, reseller, distributor_admin, other_distributor
):
    mine = AssociationFactory(partner=reseller, association_type=AssociationType.RESALE)
    theirs_reseller = PartnerFactory(kind=PartnerKind.RESELLER, distributor=other_distributor)
    theirs = AssociationFactory(partner=theirs_reseller)
    client.force_login(distributor_admin.user)
    body = client.get(reverse("customers:list"), {"tab": "resellers"}).content.decode()
    assert mine.customer.customer_id in body and theirs.customer.customer_id not in body
    assert reseller.name in body


def test_the_export_writes_masked_rows_with_balances(
    client, reseller, distributor, distributor_admin, actor, django_capture_on_commit_callbacks
):
    from partnercenter import exports

    fund(distributor, recharge="100.00")
    funds.allocate(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="12.34")
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start_export(
            actor=actor(distributor_admin), kind="resellers", params={"filters": {}}
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.total == 1
    with open(job.csv_file.path, encoding="utf-8-sig") as fh:
        text = fh.read()
    assert reseller.domain_id in text and "12.34" in text
    assert reseller.contact_email not in text and masking.mask_email(reseller.contact_email) in text


def test_another_distributors_export_holds_none_of_my_resellers(
    reseller, other_distributor_admin, actor, django_capture_on_commit_callbacks
):
    from partnercenter import exports

    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start_export(
            actor=actor(other_distributor_admin), kind="resellers", params={"filters": {}}
        )
    job.refresh_from_db()
    with open(job.csv_file.path, encoding="utf-8-sig") as fh:
        assert job.total == 0 and reseller.domain_id not in fh.read()


# --- The applicant's pages --------------------------------------------------------------------


def test_the_welcome_page_offers_the_application(client):
    client.force_login(UserFactory())
    body = client.get(reverse("home")).content.decode()
    assert reverse("resellers:apply") in body


def test_applying_through_the_page_and_landing_on_the_application(client, applicant, distributor):
    client.force_login(applicant)
    page = client.get(reverse("resellers:apply"))
    assert page.status_code == 200
    options = client.get(reverse("resellers:distributor_options"), {"country_region": "CN"})
    assert distributor.name in options.content.decode()
    assert (
        distributor.name
        not in client.get(
            reverse("resellers:distributor_options"), {"country_region": "SG"}
        ).content.decode()
    )
    data = {
        "company_name": "页面申请有限公司",
        "credit_code": "91310000MA1K9X0009",
        "country_region": "CN",
        "contact_name": "李申请",
        "contact_phone": "13700000000",
        "contact_email": applicant.email,
        "distributor": distributor.pk,
    }
    refused = client.post(reverse("resellers:apply"), data)  # without the confirmation tick
    assert refused.status_code == 400
    response = client.post(reverse("resellers:apply"), {**data, "agree": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("resellers:application")
    application = ResellerApplication.objects.get(applicant=applicant)
    assert application.status == S.PENDING_HUAWEI
    # From now on the landing page is the application.
    assert client.get(reverse("home"))["Location"] == reverse("resellers:application")
    page = client.get(reverse("resellers:application")).content.decode()
    assert 'data-testid="application-status"' in page and distributor.name in page
    # The apply page sends it back there.
    assert client.get(reverse("resellers:apply"))["Location"] == reverse("resellers:application")


def test_a_partner_member_sees_why_it_cannot_apply(client, admin_member):
    client.force_login(admin_member.user)
    page = client.get(reverse("resellers:apply"))
    assert page.status_code == 200 and 'data-testid="apply-refused"' in page.content.decode()


def test_the_application_page_without_an_application_goes_to_apply(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("resellers:application"))["Location"] == reverse("resellers:apply")


def test_a_rejected_applicant_sees_the_reason_and_may_apply_again(
    client, make_application, applicant
):
    make_application(S.HUAWEI_REJECTED, user=applicant)
    client.force_login(applicant)
    page = client.get(reverse("resellers:application")).content.decode()
    assert "资料不全" in page and 'data-testid="reapply"' in page
    form = client.get(reverse("resellers:apply")).context["form"]
    assert form.initial["company_name"] == "新申请科技有限公司"


ROW_PAGES = [
    ("resellers:managers", [], LIST),
    ("resellers:adjust", ["allocate"], {Role.ADMIN, Role.FINANCE}),
    ("resellers:adjust", ["recover"], {Role.ADMIN, Role.FINANCE}),
    ("resellers:exit", [], ADMIN),
]


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name,extra,allowed", ROW_PAGES)
def test_row_pages_by_role(client, reseller, distributor, role, name, extra, allowed):
    member = MembershipFactory(partner=distributor, role=role)
    client.force_login(member.user)
    response = client.get(reverse(name, args=[reseller.pk, *extra]))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", Role.values)
def test_the_review_modal_by_role(client, make_application, distributor, role):
    application = make_application(S.PENDING_DISTRIBUTOR)
    member = MembershipFactory(partner=distributor, role=role)
    client.force_login(member.user)
    response = client.get(reverse("resellers:review_one", args=[application.pk]))
    assert response.status_code == (200 if role == Role.ADMIN else 403)


@pytest.mark.parametrize("name", ["resellers:list", "resellers:review"])
def test_htmx_filtering_answers_only_the_table(client, reseller, distributor_admin, name):
    client.force_login(distributor_admin.user)
    body = client.get(reverse(name), {"name": "云"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and ("reseller-table" in body or "review-table" in body)


def test_a_reseller_holds_no_incentive_or_reseller_management_items(reseller_admin):
    from partnercenter.permissions import P, has_perm

    assert not has_perm(reseller_admin, P.INCENTIVES_VIEW)
    for item in (P.RESELLER_LIST_VIEW, P.RESELLER_REVIEW, P.RESELLER_ALLOCATE):
        assert not has_perm(reseller_admin, item)


def test_batch_assignment_needs_a_choice_and_withdraws_only_when_asked(
    client, reseller, distributor, distributor_admin
):
    from resellers.models import ResellerManagerAssignment

    client.force_login(distributor_admin.user)
    url = reverse("resellers:assign_manager")
    client.post(url, {"ids": [reseller.pk], "account_manager": distributor_admin.pk})
    client.post(url, {"ids": [reseller.pk], "account_manager": ""})
    assert ResellerManagerAssignment.objects.filter(reseller=reseller, ended_at=None).exists()
    client.post(url, {"ids": [reseller.pk], "account_manager": "none"})
    assert not ResellerManagerAssignment.objects.filter(reseller=reseller, ended_at=None).exists()
