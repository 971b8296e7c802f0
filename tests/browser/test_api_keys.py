from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import AdjustAccountReq, UpdateCustomerAccountAmountRequest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from playwright.sync_api import expect

from customers.models import AssociationType
from partnercenter.models import Role
from tests.api.conftest import bss
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_a_key_call_the_api_with_the_sdk_and_disable_the_key(
    page, live_server, sign_in, console_errors
):
    partner = PartnerFactory(name="云途科技有限公司")
    MembershipFactory(
        partner=partner, role=Role.ADMIN, user=UserFactory(email="sp-admin@demo.test")
    )
    association = AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="示例客户科技有限公司"),
    )
    fund(partner, recharge="1000.00")

    sign_in("sp-admin@demo.test")
    page.goto(live_server.url + "/partner/access-keys/")
    page.fill("input[name=description]", "ERP 对接")
    page.get_by_label("读写").check()  # allocation is a write: a read-only key may not call it
    page.get_by_test_id("create-key").click()
    new_key = page.get_by_test_id("new-key")
    expect(new_key).to_be_visible()
    ak = page.input_value("#new-ak")
    sk = page.input_value("#new-sk")
    assert len(ak) == 20 and len(sk) == 40

    client = bss(live_server.url, ak, sk, partner.domain_id)
    transfer_id = client.update_customer_account_amount(
        UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(
                customer_id=association.customer.customer_id, amount=Decimal("66.00")
            )
        )
    ).transfer_id
    page.goto(live_server.url + "/finance/adjustments/")
    expect(page.get_by_test_id("adjustments-table")).to_contain_text(transfer_id)

    # Back on the keys page the secret is gone for good; the key shows it was used.
    page.goto(live_server.url + "/partner/access-keys/")
    table = page.get_by_test_id("keys-table")
    expect(table).to_contain_text(ak)
    assert sk not in page.content()
    row = table.locator("tr", has_text=ak)
    expect(row.get_by_test_id("key-scope")).to_have_text("读写")
    expect(row.locator("td").nth(6)).not_to_have_text("从未使用")
    row.locator("button[type=submit]").click()
    expect(page.get_by_test_id("keys-table").locator("tr", has_text=ak)).to_contain_text("已禁用")
    with pytest.raises(ClientRequestException) as refused:
        client.update_customer_account_amount(
            UpdateCustomerAccountAmountRequest(
                body=AdjustAccountReq(
                    customer_id=association.customer.customer_id, amount=Decimal("1.00")
                )
            )
        )
    assert refused.value.status_code == 401

    page.goto(live_server.url + "/partner/api/")
    expect(page.get_by_test_id("operations")).to_contain_text("update_customer_account_amount")
    expect(page.get_by_test_id("sdk-example")).to_contain_text(partner.domain_id)
    assert console_errors == []
