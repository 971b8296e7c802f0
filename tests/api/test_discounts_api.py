"""商务折扣 over the partner API (partner-api.md §3.7), through Huawei's SDK."""

from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import BusinessDiscountQueryReq, ListBusinessDiscountInfoRequest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing.models import ProductSpec
from tests.customers.factories import AssociationFactory

from ..billing.orders_fixtures import discount

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_SPEC = ProductSpec.objects.filter(is_active=True, product__is_active=True)


def quotes(client, quoting_item_type="PRODUCT_ITEM", **kw):
    body = BusinessDiscountQueryReq(quoting_item_type=quoting_item_type, **kw)
    return client.list_business_discount_info(ListBusinessDiscountInfoRequest(body=body))


def error_of(call):
    with pytest.raises(ClientRequestException) as e:
        call()
    return e.value


def test_a_discount_round_trips_with_an_exact_ratio(sdk, finance_member, resale, catalogue):
    d = discount(resale.customer, "0.8525", products=["ECS"])
    response = quotes(sdk(finance_member), limit=2)
    ecs_specs = EVERY_SPEC.filter(product__code="ECS").count()
    # One quote per ECS spec and billing mode; the total is of all of them, not the page.
    assert response.total_count == ecs_specs * 2 and len(response.product_quoting_items) == 2
    assert (response.commerce_id, response.commerce_code) == (d.commerce_id, d.commerce_id)
    assert response.effective_time.endswith("Z") and response.expire_time.endswith("Z")
    item = response.product_quoting_items[0]
    assert isinstance(item.discount_ratio, Decimal) and item.discount_ratio == Decimal("0.8525")
    assert item.cloud_service_type == "hws.service.type.ec2"
    assert item.charging_mode in {"MONTHLY", "ONDEMAND"}
    assert (item.preferential_category, item.preferential_type) == (0, 0)
    assert item.item_id.startswith(d.commerce_id)
    assert response.category_quoting_items == [] and response.category_quoting_item_steps == []


def test_pages_of_quote_items_do_not_overlap(sdk, finance_member, partner, resale, catalogue):
    discount(resale.customer, "0.9")
    discount(AssociationFactory(partner=partner).customer, "0.8")
    client = sdk(finance_member)
    total = EVERY_SPEC.count() * 2 * 2
    assert total > 20
    first = quotes(client, offset=0, limit=5)
    rest = quotes(client, offset=5, limit=1000)
    assert first.total_count == rest.total_count == total
    ids = [i.item_id for i in first.product_quoting_items + rest.product_quoting_items]
    assert len(ids) == len(set(ids)) == total
    assert quotes(client).total_count == total and len(quotes(client).product_quoting_items) == 20


def test_the_filters_narrow_the_items(sdk, finance_member, resale, catalogue):
    discount(resale.customer, "0.9")
    client = sdk(finance_member)
    eip = quotes(client, cloud_service_types=["HWS.SERVICE.TYPE.VPC"])
    assert {i.cloud_service_type for i in eip.product_quoting_items} == {"hws.service.type.vpc"}
    monthly = quotes(client, charging_modes=["MONTHLY"], limit=1000)
    assert {i.charging_mode for i in monthly.product_quoting_items} == {"MONTHLY"}
    assert monthly.total_count == EVERY_SPEC.count()
    assert quotes(client, charging_modes=["1_YEARLY_RI"]).total_count == 0


def test_category_quotes_are_empty(sdk, finance_member, resale, catalogue):
    discount(resale.customer, "0.9")
    response = quotes(sdk(finance_member), "CATEGORY_ITEM")
    assert response.total_count == 0
    assert response.product_quoting_items == [] and response.category_quoting_items == []


def test_only_discounts_in_force_of_the_partners_own_customers(
    sdk, finance_member, partner, other_partner, resale, catalogue
):
    mine = discount(resale.customer, "0.9", products=["EIP"])
    discount(resale.customer, "0.5", days_from=3, days_to=10, products=["EIP"])  # not yet
    discount(resale.customer, "0.6", days_from=-10, days_to=-3, products=["EIP"])  # expired
    theirs = AssociationFactory(partner=other_partner).customer
    discount(theirs, "0.7", products=["EIP"])
    response = quotes(sdk(finance_member), limit=1000)
    assert {i.discount_ratio for i in response.product_quoting_items} == {Decimal("0.9")}
    assert response.commerce_id == mine.commerce_id


def test_several_discounts_leave_the_single_header_out(sdk, finance_member, partner, catalogue):
    a = AssociationFactory(partner=partner).customer
    b = AssociationFactory(partner=partner).customer
    discount(a, "0.9", products=["EIP"])
    discount(b, "0.8", products=["EIP"])
    response = quotes(sdk(finance_member), limit=1000)
    assert {i.discount_ratio for i in response.product_quoting_items} == {
        Decimal("0.9"),
        Decimal("0.8"),
    }
    assert response.commerce_id is None and response.effective_time is None


def test_an_account_managers_key_sees_only_its_customers_discounts(
    sdk, partner, am_member, resale, catalogue
):
    discount(resale.customer, "0.9", products=["EIP"])
    assert quotes(sdk(am_member)).total_count == 0
    resale.account_manager = am_member
    resale.save(update_fields=["account_manager"])
    assert quotes(sdk(am_member)).total_count == EVERY_SPEC.filter(product__code="EIP").count() * 2


@pytest.mark.parametrize(
    "kw",
    [
        {"quoting_item_type": None},
        {"quoting_item_type": "SKU_ITEM"},
        {"limit": 0},
        {"limit": 1001},
        {"offset": -1},
        {"cloud_service_types": [""]},
        {"cloud_service_types": ["x"] * 101},
        {"charging_modes": ["MONTHLY"] * 21},
        {"site_code": ""},
    ],
)
def test_bad_parameters_are_parameter_errors(sdk, finance_member, kw):
    kw = {"quoting_item_type": "PRODUCT_ITEM", **kw}
    error = error_of(lambda: quotes(sdk(finance_member), **kw))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")
    assert error.error_msg.startswith("Parameter error")


def test_a_thousand_is_the_largest_page(sdk, finance_member, resale, catalogue):
    discount(resale.customer, "0.9")
    assert quotes(sdk(finance_member), limit=1000).total_count == EVERY_SPEC.count() * 2
