"""客户订单 over the partner API (partner-api.md §3.6), through Huawei's SDK."""

from datetime import timedelta

import pytest
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    CancelCustomerOrderReq,
    CancelCustomerOrderRequest,
    ListCustomerOrdersRequest,
    ShowCustomerOrderDetailsRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing.models import Order, OrderStatus
from billing.services import orders as svc
from customers.models import AssociationType
from partnercenter.actor import Actor
from partnercenter.api.schema import utc
from tests.customers.factories import AssociationFactory, customer_login

from ..billing.orders_fixtures import ON_DEMAND, PREPAID, discount

pytestmark = pytest.mark.django_db(transaction=True)


def place(actor, spec, **kw):
    return svc.place_order(actor=actor, spec_id=spec.pk, charging_mode=PREPAID, **kw)


@pytest.fixture
def orders(shop, catalogue):
    """A paid ECS order, then a pending EIP order, for the partner's 代售 customer."""
    paid = place(shop, catalogue["ecs"], period_num=2)
    svc.pay_order(actor=shop, order_id=paid.order_id)
    pending = place(shop, catalogue["eip"])
    return {"paid": paid, "pending": pending}


@pytest.fixture
def theirs(other_partner, catalogue):
    """A pending order of another partner's 代售 customer."""
    association = AssociationFactory(partner=other_partner, association_type=AssociationType.RESALE)
    customer = association.customer
    buyer = Actor(user=customer_login(customer), customer=customer)
    return place(buyer, catalogue["ecs"])


def listed(client, **kw):
    return client.list_customer_orders(ListCustomerOrdersRequest(**kw))


def details(client, order_id, **kw):
    return client.show_customer_order_details(
        ShowCustomerOrderDetailsRequest(order_id=order_id, **kw)
    )


def cancel(client, order_id):
    return client.cancel_customer_order(
        CancelCustomerOrderRequest(body=CancelCustomerOrderReq(order_id=order_id))
    )


def error_of(call):
    with pytest.raises(ClientRequestException) as e:
        call()
    return e.value


# --- list_customer_orders ------------------------------------------------------------------------


def test_orders_round_trip_with_the_sdks_types(sdk, finance_member, orders, resale):
    response = listed(sdk(finance_member), limit=1)
    assert response.total_count == 2 and len(response.order_infos) == 1
    [newest] = response.order_infos
    assert newest.order_id == orders["pending"].order_id  # newest first by default
    assert (newest.status, newest.order_type, newest.source_type) == (6, 1, 1)
    assert newest.customer_id == resale.customer.customer_id
    assert (newest.amount_after_discount, newest.official_amount) == (115.0, 115.0)
    assert newest.currency == "CNY" and newest.measure_id == 1
    assert newest.create_time.endswith("Z") and newest.payment_time is None
    assert newest.amount_info.discounts == [] and newest.amount_info.coupon_amount == 0
    assert newest.sub_order_infos == []
    paid = listed(sdk(finance_member), status=5).order_infos
    assert [o.order_id for o in paid] == [orders["paid"].order_id]
    assert paid[0].official_amount == 370.0 and paid[0].payment_time.endswith("Z")


def test_order_by_create_time_ascending_and_descending(sdk, finance_member, orders):
    client = sdk(finance_member)
    old_first = [o.order_id for o in listed(client, order_by="createTime").order_infos]
    new_first = [o.order_id for o in listed(client, order_by="-CREATETIME").order_infos]
    assert old_first == [orders["paid"].order_id, orders["pending"].order_id]
    assert new_first == list(reversed(old_first))


def test_the_filters_narrow_the_orders(sdk, finance_member, orders, resale, catalogue):
    client = sdk(finance_member)
    pending = orders["pending"]
    by_id = listed(client, order_id=pending.order_id.lower())
    assert [o.order_id for o in by_id.order_infos] == [pending.order_id]
    eip = catalogue["eip"].product.service_type_code
    assert [o.order_id for o in listed(client, service_type_code=eip).order_infos] == [
        pending.order_id
    ]
    assert listed(client, customer_id=resale.customer.customer_id).total_count == 2
    assert listed(client, order_type="2").total_count == 0
    assert listed(client, method="sub_customer").total_count == 0
    assert listed(client, create_time_begin="2000-01-01T00:00:00Z").total_count == 2
    assert listed(client, create_time_end="2000-01-01T00:00:00Z").total_count == 0


def test_time_windows_find_the_orders_in_them(sdk, finance_member, orders):
    second = timedelta(seconds=1)
    created = sorted(o.created_at for o in orders.values())
    client = sdk(finance_member)
    window = listed(
        client,
        create_time_begin=utc(created[0] - second),
        create_time_end=utc(created[-1] + second),
    )
    assert window.total_count == 2
    # Only the paid order has a payment time.
    paid = listed(
        client,
        payment_time_begin=utc(created[0] - second),
        payment_time_end=utc(timezone.now() + timedelta(minutes=1)),
    )
    assert [o.order_id for o in paid.order_infos] == [orders["paid"].order_id]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"order_by": "amount"},
        {"status": "x"},
        {"order_type": "99"},
        {"method": "everyone"},
        {"create_time_begin": "2026-01-01"},
        {"create_time_begin": "2026-02-01T00:00:00Z", "create_time_end": "2026-01-01T00:00:00Z"},
        {"create_time_begin": "2024-01-01T00:00:00Z", "create_time_end": "2025-01-01T00:00:01Z"},
        {"payment_time_begin": "2024-01-01T00:00:00Z", "payment_time_end": "2026-01-01T00:00:00Z"},
    ],
)
def test_bad_list_parameters_are_parameter_errors(sdk, finance_member, params):
    error = error_of(lambda: listed(sdk(finance_member), **params))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")
    assert error.error_msg.startswith("Parameter error")


def test_another_partners_orders_never_appear(sdk, finance_member, orders, theirs):
    ids = {o.order_id for o in listed(sdk(finance_member), limit=100).order_infos}
    assert theirs.order_id not in ids and len(ids) == 2
    assert listed(sdk(finance_member), order_id=theirs.order_id).total_count == 0


def test_an_account_managers_key_sees_only_its_customers_orders(
    sdk, partner, am_member, orders, resale, catalogue
):
    assert listed(sdk(am_member)).total_count == 0
    resale.account_manager = am_member
    resale.save(update_fields=["account_manager"])
    assert listed(sdk(am_member)).total_count == 2
    error = error_of(lambda: details(sdk(am_member), "CS-NOT-MINE"))
    assert (error.status_code, error.error_code) == (403, "CBC.0151")


# --- show_customer_order_details -----------------------------------------------------------------


def test_details_page_the_lines_and_count_them_all(sdk, finance_member, orders, shop):
    order = orders["paid"]
    line = order.lines.get()
    response = details(sdk(finance_member), order.order_id, limit=5)
    assert response.total_count == 1
    info = response.order_info
    assert (info.order_id, info.status, info.official_amount) == (order.order_id, 5, 370.0)
    assert info.user_name == shop.user.account_name
    [item] = response.order_line_items
    assert item.order_line_item_id == line.line_id and item.order_id == order.order_id
    assert (item.period_type, item.period_num, item.subscription_num) == (2, 2, 1)
    assert item.amount_after_discount == 370.0 and item.currency == "CNY"
    assert item.effective_time.endswith("Z") and item.expire_time.endswith("Z")
    assert item.base_product_info.product_id == "ecs-s6.large.2"
    assert item.product_owner_service == "hws.service.type.ec2"
    beyond = details(sdk(finance_member), order.order_id, offset=1)
    assert beyond.total_count == 1 and beyond.order_line_items == []
    pending = details(sdk(finance_member), orders["pending"].order_id).order_info
    assert pending.status == 6 and pending.pending_payment_end_time.endswith("Z")


def test_a_discounted_order_shows_its_discount(sdk, finance_member, shop, catalogue):
    discount(shop.customer, "0.85")
    order = place(shop, catalogue["ecs"])
    info = details(sdk(finance_member), order.order_id).order_info
    [item] = info.amount_info.discounts
    assert (item.discount_type, item.discount_amount) == ("605", 27.75)
    assert info.amount_after_discount == 157.25


def test_an_order_id_that_needs_encoding_routes_to_the_order(sdk, finance_member, orders):
    odd = "CS2501150830ABC:1 x/y%z"
    Order.objects.filter(pk=orders["pending"].pk).update(order_id=odd)
    response = details(sdk(finance_member), odd)
    assert response.order_info.order_id == odd and response.total_count == 1


@pytest.mark.parametrize("order_id", ["CS2501150830ABC:1 x", "a/b/c", "%2F", "x?y#z"])
def test_an_unknown_order_id_is_a_clean_api_error(sdk, finance_member, orders, order_id):
    error = error_of(lambda: details(sdk(finance_member), order_id))
    assert (error.status_code, error.error_code) == (403, "CBC.0151")
    assert error.request_id


def test_a_dot_dot_order_id_is_still_an_api_answer(sdk, finance_member):
    # The HTTP library folds ".." out of the path after the SDK signed it, so the signature no
    # longer matches: the answer is the gateway's 401, never a redirect or an HTML page.
    error = error_of(lambda: details(sdk(finance_member), ".."))
    assert (error.status_code, error.error_code) == (401, "APIGW.0301")
    assert error.request_id


def test_an_empty_order_id_is_an_api_answer_not_a_redirect(sdk, finance_member):
    error = error_of(lambda: details(sdk(finance_member), ""))
    assert (error.status_code, error.error_code) == (404, "APIGW.0101")
    assert error.request_id


def test_another_partners_order_is_access_denied(sdk, finance_member, orders, theirs):
    for call in (
        lambda: details(sdk(finance_member), theirs.order_id),
        lambda: cancel(sdk(finance_member), theirs.order_id),
    ):
        error = error_of(call)
        assert (error.status_code, error.error_code) == (403, "CBC.0151")
    assert Order.objects.get(pk=theirs.pk).status == OrderStatus.PENDING_PAYMENT


# --- cancel_customer_order -----------------------------------------------------------------------


def test_a_pending_order_is_cancelled(sdk, finance_member, orders):
    pending = orders["pending"]
    response = cancel(sdk(finance_member), pending.order_id)
    assert response.status_code == 200 and response.raw_content == b"{}"
    assert Order.objects.get(pk=pending.pk).status == OrderStatus.CANCELLED
    assert details(sdk(finance_member), pending.order_id).order_info.status == 4


def test_a_paid_order_cannot_be_cancelled(sdk, finance_member, orders):
    error = error_of(lambda: cancel(sdk(finance_member), orders["paid"].order_id))
    assert (error.status_code, error.error_code) == (400, "CBC.99005010")
    assert Order.objects.get(pk=orders["paid"].pk).status == OrderStatus.COMPLETED


def test_a_cancelled_order_cannot_be_cancelled_again(sdk, finance_member, orders):
    cancel(sdk(finance_member), orders["pending"].order_id)
    error = error_of(lambda: cancel(sdk(finance_member), orders["pending"].order_id))
    assert (error.status_code, error.error_code) == (400, "CBC.99005010")


def test_a_pay_per_use_order_is_never_pending(sdk, finance_member, shop, catalogue):
    order = svc.place_order(actor=shop, spec_id=catalogue["eip"].pk, charging_mode=ON_DEMAND)
    error = error_of(lambda: cancel(sdk(finance_member), order.order_id))
    assert error.error_code == "CBC.99005010"


def test_cancelling_needs_the_order_on_behalf_item(sdk, viewer_member, orders):
    error = error_of(lambda: cancel(sdk(viewer_member), orders["pending"].order_id))
    assert (error.status_code, error.error_code) == (403, "CBC.0151")
    assert Order.objects.get(pk=orders["pending"].pk).status == OrderStatus.PENDING_PAYMENT


def test_cancelling_an_unknown_order_is_access_denied(sdk, finance_member, orders):
    error = error_of(lambda: cancel(sdk(finance_member), "CS000000000000NOPE"))
    assert (error.status_code, error.error_code) == (403, "CBC.0151")


def test_cancel_needs_an_order_id(sdk, finance_member):
    error = error_of(lambda: cancel(sdk(finance_member), None))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")
    error = error_of(lambda: cancel(sdk(finance_member), ""))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")


def test_an_account_manager_cancels_only_its_customers_orders(sdk, am_member, orders, resale):
    pending = orders["pending"].order_id
    error = error_of(lambda: cancel(sdk(am_member), pending))
    assert (error.status_code, error.error_code) == (403, "CBC.0151")
    resale.account_manager = am_member
    resale.save(update_fields=["account_manager"])
    cancel(sdk(am_member), pending)
    assert Order.objects.get(order_id=pending).status == OrderStatus.CANCELLED


@pytest.mark.parametrize("n", [1, 20])
def test_listing_orders_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries, finance_member, shop, catalogue, n
):
    from billing.api.orders import OrdersQuery, customer_orders, order_as_api
    from billing.views.bills import product_names

    discount(shop.customer, "0.9")
    for _i in range(n):
        place(shop, catalogue["ecs"])
    with django_assert_max_num_queries(2):
        names = product_names()
        rows = list(customer_orders(finance_member, OrdersQuery(limit=100)))
        assert len([order_as_api(o, names) for o in rows]) == n
