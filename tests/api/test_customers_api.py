"""create_sub_customer, list_sub_customers and check_user_identity through Huawei's SDK."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    CheckSubcustomerUserReq,
    CheckUserIdentityRequest,
    CreateCustomerV2Req,
    CreateSubCustomerRequest,
    ListSubCustomersRequest,
    QuerySubCustomerListReq,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from customers.models import (
    Association,
    AssociationEvent,
    AssociationType,
    Customer,
    EventType,
    Initiator,
)
from customers.selectors import visible_associations
from partnercenter.models import AuditEvent, PartnerKind, Role
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PASSWORD = "Cloud-Customer-2026"


def create(client, **fields):
    fields.setdefault("xaccount_id", f"user-{Customer.objects.count() + 1}")
    fields.setdefault("xaccount_type", "partner_platform_a")
    return client.create_sub_customer(CreateSubCustomerRequest(body=CreateCustomerV2Req(**fields)))


def query(client, **fields):
    return client.list_sub_customers(
        ListSubCustomersRequest(body=QuerySubCustomerListReq(**fields))
    )


def check(client, search_type, search_value):
    return client.check_user_identity(
        CheckUserIdentityRequest(
            body=CheckSubcustomerUserReq(search_type=search_type, search_value=search_value)
        )
    )


def refused(call, *args, **kwargs):
    with pytest.raises(ClientRequestException) as e:
        call(*args, **kwargs)
    assert e.value.request_id
    return e.value


# --- create_sub_customer ------------------------------------------------------------------------


def test_a_created_customer_is_a_resale_customer_of_the_partner(sdk, admin_member, partner):
    client = sdk(admin_member)
    response = create(
        client,
        domain_name="shop-user_01",
        mobile_phone="13912345678",
        password=PASSWORD,
        xaccount_id="u-1001",
        xaccount_type="shop_cn",
    )
    assert response.domain_name == "shop-user_01"
    customer = Customer.objects.get(customer_id=response.domain_id)
    assert (customer.account_name, customer.mobile) == ("shop-user_01", "13912345678")
    assert (customer.xaccount_id, customer.xaccount_type) == ("u-1001", "shop_cn")
    login = customer.logins.get()
    assert login.is_owner and login.user.account_name == "shop-user_01"
    assert login.user.check_password(PASSWORD)

    association = Association.objects.current().get(customer=customer)
    assert association.partner == partner
    assert association.association_type == AssociationType.RESALE
    # The portal's my-customers list reads the same selector.
    assert association in visible_associations(admin_member)
    event = AssociationEvent.objects.get(customer=customer)
    assert (event.event_type, event.initiator, event.partner) == (
        EventType.ASSOCIATE,
        Initiator.PARTNER,
        partner,
    )
    audit = AuditEvent.objects.get(action="customer.create", target_id=str(customer.pk))
    assert audit.via == "api" and audit.partner == partner and audit.access_key_id
    assert AuditEvent.objects.filter(action="customer.associate", partner=partner).exists()


def test_the_created_customer_is_listed_with_the_contract_types(sdk, admin_member):
    client = sdk(admin_member)
    created = create(
        client, domain_name="typed-customer", mobile_phone="13700000001", xaccount_id="x-9"
    )
    response = query(client, customer_id=created.domain_id)
    body = json.loads(response.raw_content)
    assert body["count"] == 1 and isinstance(body["count"], int)
    (info,) = body["customer_infos"]
    assert info["customer_id"] == created.domain_id
    assert info["account_name"] == "typed-customer"
    assert info["association_type"] == "2"  # a string, not an integer
    assert info["customer_type"] == 1 and isinstance(info["customer_type"], int)
    assert info["is_frozen"] == 0
    assert UTC_RE.match(info["associated_on"])
    assert info["telephone"] == "13700000001" and info["country_code"] == "0086"
    assert (info["xaccount_id"], info["xaccount_type"]) == ("x-9", "partner_platform_a")
    assert info["account_managers"] == []
    assert "verified_status" not in info and "email" not in info  # unknown: left out, never null
    assert response.customer_infos[0].association_type == "2"


def test_cooperation_type_1_makes_a_referral_customer(sdk, admin_member):
    client = sdk(admin_member)
    created = create(client, cooperation_type="1")
    customer = Customer.objects.get(customer_id=created.domain_id)
    assert customer.current_association.association_type == AssociationType.REFERRAL
    listed = query(client, association_type="1")
    assert [c.customer_id for c in listed.customer_infos] == [created.domain_id]
    assert query(client, association_type="2").count == 0


def test_without_a_name_or_password_both_are_generated(sdk, admin_member):
    created = create(sdk(admin_member))
    assert len(created.domain_name) == 32
    assert re.match(r"^[a-zA-Z_-][a-zA-Z0-9_-]*$", created.domain_name)
    user = Customer.objects.get(customer_id=created.domain_id).logins.get().user
    assert user.account_name == created.domain_name
    assert user.has_usable_password()
    assert user.email.endswith(".invalid")


def test_a_retry_for_the_same_platform_user_returns_the_first_customer(sdk, admin_member):
    client = sdk(admin_member)
    now = timezone.now()

    def retry(seconds, **fields):
        # Each retry is signed afresh: the same signature twice is a replay (refused).
        date = (now + timedelta(seconds=seconds)).strftime("%Y%m%dT%H%M%SZ")
        request = CreateSubCustomerRequest(
            body=CreateCustomerV2Req(xaccount_type="partner_platform_a", **fields)
        )
        return client.create_sub_customer_invoker(request).add_header("X-Sdk-Date", date).invoke()

    first = retry(0, domain_name="retry-user", xaccount_id="u-7")
    again = retry(1, domain_name="retry-user", xaccount_id="u-7")
    without_name = retry(2, xaccount_id="u-7")
    assert first.domain_id == again.domain_id == without_name.domain_id
    assert Customer.objects.filter(xaccount_id="u-7").count() == 1
    assert AuditEvent.objects.filter(action="customer.create").count() == 1


def test_a_platform_user_cannot_get_a_second_account(sdk, admin_member, other_admin):
    create(sdk(admin_member), domain_name="first-name", xaccount_id="u-8")
    e = refused(create, sdk(admin_member), domain_name="second-name", xaccount_id="u-8")
    assert (e.status_code, e.error_code) == (400, "CBC.0100")
    assert "xaccount_id" in e.error_msg
    # Another partner reusing the id learns nothing about the customer behind it.
    e = refused(create, sdk(other_admin), xaccount_id="u-8")
    assert e.error_code == "CBC.0100" and "xaccount_id" in e.error_msg
    assert Customer.objects.count() == 1


def test_a_login_name_is_registered_once(sdk, admin_member, partner):
    CustomerFactory(account_name="Taken-Name")
    e = refused(create, sdk(admin_member), domain_name="taken-name")
    assert e.error_code == "CBC.0100" and "domain_name" in e.error_msg
    e = refused(create, sdk(admin_member), domain_name=partner.account_name)
    assert "domain_name" in e.error_msg


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"domain_name": "abcd"}, "domain_name"),
        ({"domain_name": "a" * 33}, "domain_name"),
        ({"domain_name": "9abcdef"}, "domain_name"),
        ({"domain_name": "has space"}, "domain_name"),
        ({"domain_name": "op_customer"}, "domain_name"),
        ({"domain_name": "Shadow_customer"}, "domain_name"),
        ({"mobile_phone": "12345"}, "mobile_phone"),
        ({"mobile_phone": "+8613912345678"}, "mobile_phone"),
        ({"verification_code": ""}, "verification_code"),
        ({"password": ""}, "password"),
        ({"password": "onlylowercaseletters"}, "password"),
        ({"domain_name": "Mirror-Name", "password": "emaN-rorriM"}, "password"),
        ({"mobile_phone": "13912345678", "password": "Pw-13912345678"}, "password"),
        ({"password": "Ab1!"}, "password"),  # the portal's own minimum length
        ({"xaccount_id": ""}, "xaccount_id"),
        ({"xaccount_type": None}, "xaccount_type"),
        ({"is_close_market_ms": "yes"}, "is_close_market_ms"),
    ],
)
def test_a_bad_field_is_a_parameter_error_naming_it(sdk, admin_member, fields, named):
    client = sdk(admin_member)
    if "xaccount_type" in fields and fields["xaccount_type"] is None:
        body = CreateCustomerV2Req(xaccount_id="u-1")
        e = refused(client.create_sub_customer, CreateSubCustomerRequest(body=body))
    else:
        e = refused(create, client, **fields)
    assert (e.status_code, e.error_code) == (400, "CBC.0100")
    assert e.error_msg.startswith("Parameter error: ")
    assert named in e.error_msg
    assert not Customer.objects.exists()


def test_a_registered_mobile_number_needs_a_code_that_cannot_be_checked_here(sdk, admin_member):
    CustomerFactory(mobile="13811112222")
    client = sdk(admin_member)
    e = refused(create, client, mobile_phone="13811112222")
    assert e.error_code == "CBC.0100" and "verification_code" in e.error_msg
    e = refused(create, client, mobile_phone="13811112222", verification_code="123456")
    assert e.status_code == 400 and e.error_code == "CBC.99007004"
    assert Customer.objects.count() == 1


def test_roles_without_the_invite_item_cannot_create(sdk, viewer_member, finance_member):
    for member in (viewer_member, finance_member):
        e = refused(create, sdk(member))
        assert (e.status_code, e.error_code) == (403, "CBC.0151")
    assert not Customer.objects.exists()


def test_an_account_managers_customer_is_assigned_to_them(sdk, am_member, admin_member):
    created = create(sdk(am_member))
    association = Association.objects.current().get(customer__customer_id=created.domain_id)
    assert association.account_manager == am_member
    assert association.am_history.get().account_manager == am_member
    (info,) = query(sdk(am_member)).customer_infos
    assert info.customer_id == created.domain_id
    assert info.account_managers[0].account_name == am_member.user.account_name


def test_a_distributor_creates_a_customer_for_its_reseller(
    sdk, distributor_admin, distributor, reseller
):
    client = sdk(distributor_admin)
    created = create(client, indirect_partner_id=reseller.domain_id)
    association = Association.objects.current().get(customer__customer_id=created.domain_id)
    assert association.partner == reseller
    assert association.account_manager is None
    assert query(client).count == 0  # not the distributor's own customer
    listed = query(client, indirect_partner_id=reseller.domain_id)
    assert [c.customer_id for c in listed.customer_infos] == [created.domain_id]


def test_a_reseller_of_someone_else_is_refused(sdk, distributor_admin, admin_member):
    other = PartnerFactory(kind=PartnerKind.DISTRIBUTOR)
    theirs = PartnerFactory(kind=PartnerKind.RESELLER, distributor=other)
    client = sdk(distributor_admin)
    for reseller_id in (theirs.domain_id, "no-such-reseller"):
        e = refused(create, client, indirect_partner_id=reseller_id)
        assert (e.status_code, e.error_code) == (400, "CBC.99000037")
        e = refused(query, client, indirect_partner_id=reseller_id)
        assert e.error_code == "CBC.99000037"
    assert not Customer.objects.exists()
    # A solution provider has no resellers: the field is ignored, its own customers are listed.
    assert query(sdk(admin_member), indirect_partner_id=theirs.domain_id).count == 0


# --- list_sub_customers -------------------------------------------------------------------------


def _associate(partner, n, **kw):
    now = timezone.now()
    return [
        AssociationFactory(partner=partner, associated_at=now - timedelta(days=i), **kw)
        for i in range(n)
    ]


def test_count_is_the_total_and_pages_are_slices_of_it(sdk, viewer_member, partner):
    rows = _associate(partner, 3)
    client = sdk(viewer_member)
    first = query(client, limit=2)
    assert first.count == 3 and len(first.customer_infos) == 2
    # Newest association first.
    assert [c.customer_id for c in first.customer_infos] == [
        rows[0].customer.customer_id,
        rows[1].customer.customer_id,
    ]
    second = query(client, offset=2, limit=2)
    assert second.count == 3
    assert [c.customer_id for c in second.customer_infos] == [rows[2].customer.customer_id]
    beyond = query(client, offset=10)
    assert beyond.count == 3 and beyond.customer_infos == []
    assert query(client).count == 3  # default limit 10


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"association_type": "3"}, "association_type"),
        ({"associated_on_begin": ""}, "associated_on_begin"),
        ({"associated_on_end": "2026-01-01"}, "associated_on_end"),
    ],
)
def test_bad_list_parameters_are_refused(sdk, viewer_member, fields, named):
    e = refused(query, sdk(viewer_member), **fields)
    assert (e.status_code, e.error_code) == (400, "CBC.0100")
    assert named in e.error_msg


def test_another_partners_customers_are_never_listed(sdk, admin_member, other_partner):
    mine = _associate(admin_member.partner, 1)[0]
    theirs = _associate(other_partner, 2)
    client = sdk(admin_member)
    listed = query(client, limit=100)
    assert [c.customer_id for c in listed.customer_infos] == [mine.customer.customer_id]
    assert listed.count == 1
    assert query(client, customer_id=theirs[0].customer.customer_id).count == 0
    assert query(client, account_name=theirs[0].customer.account_name).count == 0


def test_an_account_manager_sees_only_its_own_customers(sdk, am_member, admin_member, partner):
    own = _associate(partner, 1, account_manager=am_member)[0]
    colleague = MembershipFactory(
        partner=partner, role=Role.ACCOUNT_MANAGER, user=UserFactory(email="am2@partner-a.test")
    )
    _associate(partner, 1, account_manager=colleague)
    _associate(partner, 1)
    listed = query(sdk(am_member))
    assert listed.count == 1
    assert [c.customer_id for c in listed.customer_infos] == [own.customer.customer_id]
    assert query(sdk(admin_member)).count == 3


def test_a_distributors_account_manager_sees_none_of_a_resellers_customers(
    sdk, distributor, reseller
):
    am = MembershipFactory(
        partner=distributor, role=Role.ACCOUNT_MANAGER, user=UserFactory(email="am@dist.test")
    )
    _associate(reseller, 2)
    assert query(sdk(am), indirect_partner_id=reseller.domain_id).count == 0


def test_the_filters(sdk, admin_member, partner):
    now = timezone.now()
    a = AssociationFactory(
        partner=partner,
        tag="Spring-Promo",
        associated_at=now - timedelta(days=40),
        customer=CustomerFactory(name="华东云计算有限公司", account_name="east-cloud"),
    )
    b = AssociationFactory(
        partner=partner,
        association_type=AssociationType.REFERRAL,
        tag="spring-promo",
        associated_at=now - timedelta(days=2),
        customer=CustomerFactory(name="西部数据服务", account_name="west-data"),
    )
    client = sdk(admin_member)

    def ids(**fields):
        return {c.customer_id for c in query(client, **fields).customer_infos}

    assert ids(account_name="cloud") == {a.customer.customer_id}
    assert ids(customer="数据") == {b.customer.customer_id}
    assert ids(label="Spring") == {a.customer.customer_id}  # case-sensitive
    assert ids(label="promo") == {b.customer.customer_id}
    assert ids(association_type="1") == {b.customer.customer_id}
    assert ids(association_type="") == {a.customer.customer_id, b.customer.customer_id}
    week_ago = (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(associated_on_begin=week_ago) == {b.customer.customer_id}
    assert ids(associated_on_end=week_ago) == {a.customer.customer_id}
    assert ids(customer_id=a.customer.customer_id, account_name="") == {a.customer.customer_id}
    assert query(client, account_name="nobody").count == 0


# --- check_user_identity ------------------------------------------------------------------------


def test_check_identity_answers_available_or_used(sdk, sales_member):
    CustomerFactory(account_name="used-name", email="used@customer.test", mobile="13600000001")
    client = sdk(sales_member)
    response = check(client, "name", "used-name")
    body = json.loads(response.raw_content)
    assert body["error_code"] == "CBC.0000" and body["error_msg"]
    assert body["check_result"] == "used_by_user"
    assert "mobile_remain_available_num" not in body
    assert check(client, "name", "USED-NAME").check_result == "used_by_user"
    assert check(client, "name", "free-name").check_result == "available"
    assert check(client, "name", sales_member.user.account_name).check_result == "used_by_user"
    assert check(client, "email", "Used@customer.test").check_result == "used_by_user"
    assert check(client, "email", "free@customer.test").check_result == "available"
    used = check(client, "mobile", "0086-13600000001")
    assert used.check_result == "used_by_user"
    assert isinstance(used.mobile_remain_available_num, int)
    assert used.mobile_remain_available_num == 4
    free = check(client, "mobile", "0086-13600000002")
    assert free.check_result == "available" and free.mobile_remain_available_num == 5


def test_a_name_checked_as_available_can_be_created(sdk, admin_member):
    client = sdk(admin_member)
    assert check(client, "name", "brand-new").check_result == "available"
    create(client, domain_name="brand-new")
    assert check(client, "name", "brand-new").check_result == "used_by_user"


@pytest.mark.parametrize(
    ("search_type", "search_value", "named"),
    [
        ("phone", "0086-13600000001", "search_type"),
        ("mobile", "13600000001", "search_value"),
        ("mobile", "0044-7700900123", "search_value"),
        ("email", "not-an-email", "search_value"),
        ("name", "_underscore", "search_value"),
        ("name", "op_someone", "search_value"),
        ("name", "abc", "search_value"),
        ("name", "x" * 65, "search_value"),
        ("name", "", "search_value"),
    ],
)
def test_check_identity_refuses_malformed_values(
    sdk, sales_member, search_type, search_value, named
):
    e = refused(check, sdk(sales_member), search_type, search_value)
    assert (e.status_code, e.error_code) == (400, "CBC.0100")
    assert named in e.error_msg


@pytest.mark.parametrize("mobile", ["1٣٨00000000", "１３８００００００００", "13８00000000"])
def test_a_mobile_number_in_other_scripts_digits_is_refused(sdk, admin_member, mobile):
    # `\d` alone matches every script's digits: the number would be stored as typed.
    e = refused(create, sdk(admin_member), mobile_phone=mobile)
    assert e.status_code == 400 and e.error_code == "CBC.0100" and "mobile_phone" in e.error_msg
    assert not Customer.objects.exists()
