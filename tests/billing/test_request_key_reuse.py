"""A confirm step's request key names one request (issue 10 §5).

Posting it again unchanged — a double click, a browser retry — answers with the first result
and moves nothing more. Posting it with another amount, customer, reseller or direction is a
different request: it is refused with a clear message, never answered with the first
transaction's 调账成功 while nothing moved. The rule lives in the ledger, so the customer and
reseller 拨款/回收, 批量回收 and the API all follow it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import ledger
from billing.errors import RequestKeyReused
from billing.models import FundRequestContract, TradeType, Transfer
from billing.services import contracts
from billing.services import funds as customer_funds
from resellers.services import funds as reseller_funds
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import PartnerFactory

from .conftest import balance_of, fund

pytestmark = pytest.mark.django_db

REUSED = "already used for a different"


@pytest.fixture
def second_resale(partner):
    return AssociationFactory(partner=partner, customer=CustomerFactory(name="代售客户乙"))


def test_a_customer_key_reused_for_another_amount_customer_or_direction_is_refused(
    finance_member, funded, resale, second_resale, actor
):
    a = actor(finance_member)
    first = customer_funds.allocate(
        actor=a, customer_pk=resale.customer_id, amount="10.00", request_key="k"
    )
    refusals = [
        lambda: customer_funds.allocate(
            actor=a, customer_pk=resale.customer_id, amount="20.00", request_key="k"
        ),
        lambda: customer_funds.allocate(
            actor=a, customer_pk=second_resale.customer_id, amount="10.00", request_key="k"
        ),
        lambda: customer_funds.recover(
            actor=a, customer_pk=resale.customer_id, amount="10.00", request_key="k"
        ),
    ]
    for call in refusals:
        with pytest.raises(RequestKeyReused, match=REUSED) as refused:
            call()
        assert refused.value.code == "CBC.0100"
    again = customer_funds.allocate(
        actor=a, customer_pk=resale.customer_id, amount=Decimal("10"), request_key="k"
    )
    assert again.pk == first.pk
    assert balance_of(resale.customer) == Decimal("10.00")
    assert balance_of(second_resale.customer) == Decimal("0.00")
    assert Transfer.objects.filter(request_key="k").count() == 1
    assert ledger.verify_ledger() == []


def test_a_reseller_key_reused_for_another_request_is_refused(
    distributor_admin, distributor, reseller, actor
):
    fund(distributor, recharge="100.00")
    sibling = PartnerFactory(kind=reseller.kind, distributor=distributor)
    a = actor(distributor_admin)
    first = reseller_funds.allocate(actor=a, reseller_pk=reseller.pk, amount="30", request_key="r")
    for call in (
        lambda: reseller_funds.allocate(
            actor=a, reseller_pk=reseller.pk, amount="31", request_key="r"
        ),
        lambda: reseller_funds.allocate(
            actor=a, reseller_pk=sibling.pk, amount="30", request_key="r"
        ),
        lambda: reseller_funds.recover(
            actor=a, reseller_pk=reseller.pk, amount="30", request_key="r"
        ),
    ):
        with pytest.raises(RequestKeyReused, match=REUSED):
            call()
    again = reseller_funds.allocate(actor=a, reseller_pk=reseller.pk, amount="30", request_key="r")
    assert again.pk == first.pk
    assert ledger.partner_funds(reseller).recharge == Decimal("30.00")
    assert ledger.partner_funds(sibling).recharge == Decimal("0.00")


def test_a_batch_key_names_one_selection(
    finance_member, funded, resale, second_resale, partner, actor
):
    a = actor(finance_member)
    third = AssociationFactory(partner=partner)
    for assoc in (resale, second_resale, third):
        customer_funds.allocate(actor=a, customer_pk=assoc.customer_id, amount="5")
    pair = [resale.customer_id, second_resale.customer_id]
    first = customer_funds.batch_recover(actor=a, customer_pks=pair, request_key="b")
    assert [r["ok"] for r in first] == [True, True]
    # The same batch again: the first results, nothing more moved.
    again = customer_funds.batch_recover(actor=a, customer_pks=pair, request_key="b")
    assert [r["transfer"].pk for r in again] == [r["transfer"].pk for r in first]
    # The same key for another selection: refused as a whole.
    for other in ([resale.customer_id], [third.customer_id]):
        with pytest.raises(RequestKeyReused, match=REUSED):
            customer_funds.batch_recover(actor=a, customer_pks=other, request_key="b")
    assert balance_of(third.customer) == Decimal("5.00")
    assert Transfer.objects.filter(trade_type=TradeType.BERETRIEVE).count() == 2


def test_a_contract_key_reused_for_another_application_is_refused(finance_member, actor):
    data = {
        "amount": "3000.00",
        "promised_payment_date": timezone.localdate() - timedelta(days=3),
        "payer": "甲方财务部",
        "contracting_entity": "hw_software",
    }
    first = contracts.apply_contract(actor=actor(finance_member), request_key="c", **data)
    with pytest.raises(RequestKeyReused, match=REUSED):
        contracts.apply_contract(
            actor=actor(finance_member), request_key="c", **{**data, "amount": "3001.00"}
        )
    assert contracts.apply_contract(actor=actor(finance_member), request_key="c", **data) == first
    assert FundRequestContract.objects.count() == 1


# --- Through the pages --------------------------------------------------------------------------


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_customer_dialog_refuses_a_reused_key(en, finance_member, funded, resale, htmx):
    en.force_login(finance_member.user)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    allocate = reverse("billing:adjust", args=[resale.customer_id, "allocate"])
    recover = reverse("billing:adjust", args=[resale.customer_id, "recover"])
    done = en.post(allocate, {"amount": "10", "request_key": "p", "step": "confirm"}, **extra)
    assert done.status_code == (200 if htmx else 302)
    for url, amount in ((allocate, "99"), (recover, "10")):
        response = en.post(url, {"amount": amount, "request_key": "p", "step": "confirm"}, **extra)
        body = response.content.decode()
        assert REUSED in body and 'data-testid="adjust-success"' not in body
        assert response.status_code == (200 if htmx else 400)
    same = en.post(allocate, {"amount": "10.00", "request_key": "p", "step": "confirm"}, **extra)
    assert same.status_code == (200 if htmx else 302)
    assert balance_of(resale.customer) == Decimal("10.00")


def test_the_reseller_dialog_refuses_a_reused_key(en, distributor_admin, distributor, reseller):
    fund(distributor, recharge="100.00")
    en.force_login(distributor_admin.user)
    url = reverse("resellers:adjust", args=[reseller.pk, "allocate"])
    en.post(url, {"amount": "10", "request_key": "p", "step": "confirm"})
    response = en.post(url, {"amount": "11", "request_key": "p", "step": "confirm"})
    assert response.status_code == 400 and REUSED in response.content.decode()
    assert ledger.partner_funds(reseller).recharge == Decimal("10.00")


def test_the_batch_page_refuses_a_reused_key(
    en, finance_member, funded, resale, second_resale, actor
):
    for assoc in (resale, second_resale):
        customer_funds.allocate(
            actor=actor(finance_member), customer_pk=assoc.customer_id, amount=5
        )
    en.force_login(finance_member.user)
    url = reverse("billing:batch_recover")
    first = en.post(url, {"ids": [resale.pk], "request_key": "bk", "step": "confirm"})
    assert 'data-testid="batch-results"' in first.content.decode()
    other = en.post(url, {"ids": [second_resale.pk], "request_key": "bk", "step": "confirm"})
    assert REUSED in other.content.decode()
    assert 'data-testid="batch-results"' not in other.content.decode()
    assert balance_of(second_resale.customer) == Decimal("5.00")
