"""list_indirect_partners, update_indirect_partner_account and reclaim_indirect_partner_account
through Huawei's SDK: a distributor and its cloud resellers."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    AdjustToIndirectPartnerReq,
    ListIndirectPartnersRequest,
    QueryIndirectPartnersReq,
    ReclaimIndirectPartnerAccountReq,
    ReclaimIndirectPartnerAccountRequest,
    UpdateIndirectPartnerAccountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing import ledger
from billing.models import TradeType, Transfer
from partnercenter.models import AuditEvent, PartnerKind, Role
from resellers.models import ResellerManagerAssignment
from tests.billing.conftest import fund
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def dist_finance(distributor):
    fund(distributor, recharge="1000.00")
    return MembershipFactory(
        partner=distributor, role=Role.FINANCE, user=UserFactory(email="finance@distributor.test")
    )


@pytest.fixture
def foreign_reseller(db):
    other = PartnerFactory(kind=PartnerKind.DISTRIBUTOR, name="另一总经销")
    return PartnerFactory(kind=PartnerKind.RESELLER, distributor=other, name="别家云经销")


def query(client, **fields):
    return client.list_indirect_partners(
        ListIndirectPartnersRequest(body=QueryIndirectPartnersReq(**fields))
    )


def allocation(reseller_id, amount):
    return UpdateIndirectPartnerAccountRequest(
        body=AdjustToIndirectPartnerReq(indirect_partner_id=reseller_id, amount=amount)
    )


def reclaim(reseller_id, amount):
    return ReclaimIndirectPartnerAccountRequest(
        body=ReclaimIndirectPartnerAccountReq(indirect_partner_id=reseller_id, amount=amount)
    )


def refused(call, *args, **kwargs):
    with pytest.raises(ClientRequestException) as e:
        call(*args, **kwargs)
    assert e.value.request_id
    return e.value


def funds_of(partner):
    return ledger.partner_funds(partner)


# --- list_indirect_partners ---------------------------------------------------------------------


def test_the_resellers_are_listed_with_the_contract_types(
    sdk, distributor_admin, distributor, reseller
):
    ResellerManagerAssignment.objects.create(
        distributor=distributor, reseller=reseller, account_manager=distributor_admin
    )
    response = query(sdk(distributor_admin))
    body = json.loads(response.raw_content)
    assert body["count"] == 1 and isinstance(body["count"], int)
    (info,) = body["indirect_partners"]
    assert info["indirect_partner_id"] == reseller.domain_id
    assert (info["name"], info["account_name"]) == (reseller.name, reseller.account_name)
    assert (info["mobile_phone"], info["email"]) == (reseller.contact_phone, reseller.contact_email)
    assert UTC_RE.match(info["associated_on"])
    assert info["account_manager_id"] == distributor_admin.user.account_name
    assert info["account_manager_name"] == distributor_admin.user.display_name


def test_count_is_the_total_and_pages_are_slices_of_it(sdk, distributor_admin, distributor):
    now = timezone.now()
    resellers = [
        PartnerFactory(
            kind=PartnerKind.RESELLER,
            distributor=distributor,
            account_name=f"reseller-{i}",
            created_at=now - timedelta(days=i),
        )
        for i in range(3)
    ]
    client = sdk(distributor_admin)
    first = query(client, limit=2)
    assert first.count == 3
    assert [r.indirect_partner_id for r in first.indirect_partners] == [
        resellers[0].domain_id,
        resellers[1].domain_id,
    ]
    second = query(client, offset=2, limit=2)
    assert second.count == 3
    assert [r.indirect_partner_id for r in second.indirect_partners] == [resellers[2].domain_id]
    assert query(client, offset=3).indirect_partners == []
    assert [r.account_name for r in query(client, account_name="seller-1").indirect_partners] == [
        "reseller-1"
    ]
    only = query(client, indirect_partner_id=resellers[2].domain_id)
    assert only.count == 1 and only.indirect_partners[0].account_name == "reseller-2"
    since = (now - timedelta(hours=36)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert query(client, associated_on_begin=since).count == 2
    assert query(client, associated_on_end=since).count == 1


def test_another_distributors_resellers_are_never_listed(
    sdk, distributor_admin, reseller, foreign_reseller
):
    client = sdk(distributor_admin)
    listed = query(client, limit=100)
    assert [r.indirect_partner_id for r in listed.indirect_partners] == [reseller.domain_id]
    assert query(client, indirect_partner_id=foreign_reseller.domain_id).count == 0


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"associated_on_begin": "2026-01-01 00:00:00"}, "associated_on_begin"),
    ],
)
def test_bad_list_parameters_are_refused(sdk, distributor_admin, fields, named):
    e = refused(query, sdk(distributor_admin), **fields)
    assert (e.status_code, e.error_code) == (400, "CBC.0100")
    assert named in e.error_msg


def test_only_a_distributor_may_call_the_reseller_operations(
    sdk, admin_member, reseller_admin, reseller
):
    fund(admin_member.partner, recharge="100.00")
    for member in (admin_member, reseller_admin):
        client = sdk(member)
        calls = [
            (query, client),
            (client.update_indirect_partner_account, allocation(reseller.domain_id, D("1.00"))),
            (client.reclaim_indirect_partner_account, reclaim(reseller.domain_id, D("1.00"))),
        ]
        for call, *args in calls:
            e = refused(call, *args)
            assert (e.status_code, e.error_code) == (403, "CBC.0151")
    assert not Transfer.objects.filter(counterparty=reseller).exists()


def test_a_viewer_lists_resellers_but_moves_no_money(sdk, distributor, reseller):
    fund(distributor, recharge="100.00")
    viewer = MembershipFactory(partner=distributor, role=Role.VIEWER)
    client = sdk(viewer)
    assert query(client).count == 1
    e = refused(client.update_indirect_partner_account, allocation(reseller.domain_id, D("1.00")))
    assert (e.status_code, e.error_code) == (403, "CBC.0151")


# --- update_indirect_partner_account / reclaim_indirect_partner_account ------------------------


def test_an_allocation_and_a_recovery_move_money(sdk, dist_finance, distributor, reseller):
    client = sdk(dist_finance)
    response = client.update_indirect_partner_account(allocation(reseller.domain_id, D("100.50")))
    transfer = Transfer.objects.get(trans_id=response.transfer_id)
    assert (transfer.trade_type, transfer.counterparty, transfer.amount) == (
        TradeType.BEADJUST,
        reseller,
        D("100.50"),
    )
    assert funds_of(reseller).recharge == D("100.50")
    assert funds_of(distributor).balance == D("899.50")
    audit = AuditEvent.objects.get(action="reseller.allocate", partner=distributor)
    assert audit.via == "api" and audit.access_key_id

    response = client.reclaim_indirect_partner_account(reclaim(reseller.domain_id, D("40.25")))
    assert json.loads(response.raw_content) == {"trans_id": response.trans_id}
    transfer = Transfer.objects.get(trans_id=response.trans_id)
    assert (transfer.trade_type, transfer.amount) == (TradeType.BERETRIEVE, D("40.25"))
    assert funds_of(reseller).recharge == D("60.25")
    assert funds_of(distributor).balance == D("939.75")
    assert ledger.verify_ledger() == []


def test_a_repeated_client_token_moves_money_once(sdk, dist_finance, distributor, reseller):
    client = sdk(dist_finance)

    def allocate(token, amount):
        invoker = client.update_indirect_partner_account_invoker(
            allocation(reseller.domain_id, amount)
        )
        return invoker.add_header("X-Client-Token", token).invoke()

    first = allocate("t-1", D("300.00"))
    again = allocate("t-1", D("300.00"))
    assert first.transfer_id == again.transfer_id
    assert funds_of(reseller).recharge == D("300.00")
    assert funds_of(distributor).balance == D("700.00")
    # The same token for a different request is refused, not absorbed.
    e = refused(allocate, "t-1", D("10.00"))
    assert (e.status_code, e.error_code) == (400, "CBC.0100")
    assert "X-Client-Token" in e.error_msg
    assert Transfer.objects.filter(counterparty=reseller).count() == 1

    def recover(token):
        invoker = client.reclaim_indirect_partner_account_invoker(
            reclaim(reseller.domain_id, D("100.00"))
        )
        return invoker.add_header("X-Client-Token", token).invoke()

    assert recover("r-1").trans_id == recover("r-1").trans_id
    assert funds_of(reseller).recharge == D("200.00")


def test_insufficient_balance_on_either_side(sdk, dist_finance, distributor, reseller):
    client = sdk(dist_finance)
    e = refused(
        client.update_indirect_partner_account, allocation(reseller.domain_id, D("1000.01"))
    )
    assert (e.status_code, e.error_code) == (400, "CBC.99005003")
    client.update_indirect_partner_account(allocation(reseller.domain_id, D("10.00")))
    e = refused(client.reclaim_indirect_partner_account, reclaim(reseller.domain_id, D("10.01")))
    assert (e.status_code, e.error_code) == (400, "CBC.99005003")
    assert funds_of(reseller).recharge == D("10.00")
    assert funds_of(distributor).balance == D("990.00")


def test_another_distributors_reseller_is_refused(
    sdk, dist_finance, distributor, foreign_reseller, admin_member
):
    client = sdk(dist_finance)
    for reseller_id in (
        foreign_reseller.domain_id,
        "no-such-reseller",
        admin_member.partner.domain_id,
    ):
        e = refused(client.update_indirect_partner_account, allocation(reseller_id, D("1.00")))
        assert (e.status_code, e.error_code) == (400, "CBC.99000037")
        e = refused(client.reclaim_indirect_partner_account, reclaim(reseller_id, D("1.00")))
        assert e.error_code == "CBC.99000037"
    assert funds_of(distributor).balance == D("1000.00")
    assert not Transfer.objects.filter(counterparty=foreign_reseller).exists()


@pytest.mark.parametrize("amount", [D("0"), D("-1.00"), D("1.005"), "abc"])
def test_a_bad_amount_is_a_parameter_error_naming_it(sdk, dist_finance, reseller, amount):
    client = sdk(dist_finance)
    for call, request in (
        (client.update_indirect_partner_account, allocation(reseller.domain_id, amount)),
        (client.reclaim_indirect_partner_account, reclaim(reseller.domain_id, amount)),
    ):
        e = refused(call, request)
        assert (e.status_code, e.error_code) == (400, "CBC.0100")
        assert "amount" in e.error_msg


def test_a_bad_amount_is_reported_before_an_unknown_reseller(sdk, dist_finance):
    client = sdk(dist_finance)
    e = refused(client.update_indirect_partner_account, allocation("no-such-reseller", D("0")))
    assert e.error_code == "CBC.0100"


def test_missing_fields_are_parameter_errors_naming_them(sdk, dist_finance, reseller):
    client = sdk(dist_finance)
    request = UpdateIndirectPartnerAccountRequest(body=AdjustToIndirectPartnerReq(amount=D("1.00")))
    e = refused(client.update_indirect_partner_account, request)
    assert e.error_code == "CBC.0100" and "indirect_partner_id" in e.error_msg
    request = ReclaimIndirectPartnerAccountRequest(
        body=ReclaimIndirectPartnerAccountReq(indirect_partner_id=reseller.domain_id)
    )
    e = refused(client.reclaim_indirect_partner_account, request)
    assert e.error_code == "CBC.0100" and "amount" in e.error_msg
