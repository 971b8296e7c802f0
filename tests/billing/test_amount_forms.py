"""Every form that takes an amount, through its real page: odd text is a form error saying what
to type instead (never a 500), nothing is written, and a plain amount still works.

The forms: 拨款/回收 for a customer and for a cloud reseller (htmx dialog and plain POST),
汇款认领, 请款合同, and the staff credit limit and correction in the admin. A last test walks
every form class of the portal so that a new money field cannot skip billing.forms.AmountField.
"""

import html
import importlib
import inspect
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from billing import ledger
from billing.forms import AmountField
from billing.models import (
    CreditLimitChange,
    FundRequestContract,
    ManualAdjustment,
    RemittanceClaim,
    Transfer,
)
from billing.services import funds as customer_funds
from resellers.services import funds as reseller_funds
from tests.factories import UserFactory

from .conftest import fund

pytestmark = pytest.mark.django_db

# Text a person (or an attacker) types, and a word of the error each one must get.
BAD = {
    "1e26": "exponents are not accepted",
    "1E+2": "exponents are not accepted",
    "1_000": "without separators",
    "1,000": "without separators",
    "１００": "digits 0-9",
    "١٠٠": "digits 0-9",
    "NaN": "Enter an amount in yuan",
    "Infinity": "Enter an amount in yuan",
    "+5": "without a + or - sign",
    "1.005": "at most 2 decimal places",
    "1000000000000": "at most 999,999,999,999.99",
    "": "Enter an amount.",
}
NEGATIVE = {"-5": "without a + or - sign", "0": "greater than 0"}
# Also posted straight to the confirm step (the hidden fields can be edited too).
CONFIRM_TOO = {"1e26", "１００", "-5", ""}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def refused(response, message, *, status):
    body = html.unescape(response.content.decode())
    assert response.status_code == status, (response.status_code, message)
    assert message in body, message
    assert 'aria-invalid="true"' in body


# --- 拨款 / 回收 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["allocate", "recover"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_customer_dialog(en, finance_member, funded, resale, actor, action, htmx):
    customer_funds.allocate(
        actor=actor(finance_member), customer_pk=resale.customer_id, amount="50"
    )
    before = Transfer.objects.count()
    en.force_login(finance_member.user)
    url = reverse("billing:adjust", args=[resale.customer_id, action])
    extra = HTMX if htmx else {}
    for text, message in (BAD | NEGATIVE).items():
        for step in ("review", "confirm") if text in CONFIRM_TOO else ("review",):
            response = en.post(
                url, {"amount": text, "request_key": f"k{text}", "step": step}, **extra
            )
            refused(response, message, status=200 if htmx else 400)
    assert Transfer.objects.count() == before
    done = en.post(url, {"amount": "7.50", "request_key": "ok", "step": "confirm"}, **extra)
    assert done.status_code == (200 if htmx else 302)
    assert Transfer.objects.get(request_key="ok").amount == Decimal("7.50")


@pytest.mark.parametrize("action", ["allocate", "recover"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_the_reseller_dialog(en, distributor_admin, distributor, reseller, actor, action, htmx):
    fund(distributor, recharge="100.00")
    reseller_funds.allocate(actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="50")
    before = Transfer.objects.count()
    en.force_login(distributor_admin.user)
    url = reverse("resellers:adjust", args=[reseller.pk, action])
    extra = HTMX if htmx else {}
    for text, message in (BAD | NEGATIVE).items():
        for step in ("review", "confirm") if text in CONFIRM_TOO else ("review",):
            response = en.post(
                url, {"amount": text, "request_key": f"k{text}", "step": step}, **extra
            )
            refused(response, message, status=200 if htmx else 400)
    assert Transfer.objects.count() == before
    done = en.post(url, {"amount": "7.50", "request_key": "ok", "step": "confirm"}, **extra)
    assert done.status_code == (200 if htmx else 302)
    assert Transfer.objects.get(request_key="ok").amount == Decimal("7.50")


# --- 汇款认领 and 请款合同 ----------------------------------------------------------------------


def test_the_remittance_claim(en, finance_member):
    en.force_login(finance_member.user)
    url = reverse("billing:funds") + "?tab=recharge"
    data = {"remitted_on": date.today().isoformat(), "payer": "甲方", "reference": "REF-1"}
    for text, message in (BAD | NEGATIVE).items():
        refused(en.post(url, {**data, "amount": text}), message, status=400)
    assert not RemittanceClaim.objects.exists()
    assert en.post(url, {**data, "amount": "88.80"}).status_code == 302
    assert RemittanceClaim.objects.get().amount == Decimal("88.80")


def test_the_contract_application(en, finance_member):
    en.force_login(finance_member.user)
    url = reverse("finance:contract_apply")
    data = {
        "promised_payment_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "payer": "甲方财务部",
        "contracting_entity": "hw_software",
        "request_key": "page-key",
    }
    for text, message in (BAD | NEGATIVE).items():
        for step in ("review", "confirm") if text in CONFIRM_TOO else ("review",):
            refused(en.post(url, {**data, "amount": text, "step": step}), message, status=400)
    assert not FundRequestContract.objects.exists()
    assert en.post(url, {**data, "amount": "3000", "step": "confirm"}).status_code == 302
    assert FundRequestContract.objects.get().amount == Decimal("3000.00")


# --- The admin: credit limit and correction -------------------------------------------------


@pytest.fixture
def channel_manager(db):
    user = UserFactory(email="cm@platform.test")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="渠道经理"))
    return user


def test_the_admin_credit_limit(en, channel_manager, partner):
    en.force_login(channel_manager)
    url = reverse("admin:billing_creditlimitchange_add")
    data = {"partner": partner.pk, "reason": "年度授信"}
    for text, message in (BAD | {"-5": "without a + or - sign"}).items():
        refused(en.post(url, {**data, "new_limit": text}), message, status=200)
    assert not CreditLimitChange.objects.exists()
    assert en.post(url, {**data, "new_limit": "3000"}).status_code == 302
    assert en.post(url, {**data, "new_limit": "0"}).status_code == 302  # a limit may be 0
    assert ledger.partner_funds(partner).credit == Decimal("0.00")


def test_the_admin_correction(en, channel_manager, partner):
    fund(partner, recharge="1000.00")
    en.force_login(channel_manager)
    url = reverse("admin:billing_manualadjustment_add")
    data = {"partner": partner.pk, "reason": "冲正"}
    bad = BAD | {"--5": "without a + or - sign", "0": "greater than 0", "-1e3": "exponents"}
    for text, message in bad.items():
        refused(en.post(url, {**data, "amount": text}), message, status=200)
    assert not ManualAdjustment.objects.exists()
    assert en.post(url, {**data, "amount": "-100.50"}).status_code == 302
    assert ManualAdjustment.objects.get().amount == Decimal("-100.50")
    assert ledger.partner_funds(partner).recharge == Decimal("899.50")


# --- No money field outside the one grammar -------------------------------------------------

MONEY_WORDS = ("amount", "limit", "price", "balance", "money", "fee", "yuan")


def _portal_forms():
    for module_name in (
        "partnercenter.forms",
        "customers.forms",
        "billing.forms",
        "billing.admin",
        "billing.views.contracts",
        "resellers.forms",
        "resellers.admin",
        "customers.admin",
        "partnercenter.admin",
    ):
        module = importlib.import_module(module_name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module_name:
                yield obj


def test_every_money_field_of_every_form_is_an_amount_field():
    checked, offenders = 0, []
    for form_class in _portal_forms():
        for name, field in form_class.base_fields.items():
            label = str(field.label or "").lower()
            if any(word in name or word in label for word in MONEY_WORDS):
                checked += 1
                if not isinstance(field, AmountField) and not isinstance(
                    field, forms.ChoiceField | forms.BooleanField
                ):
                    offenders.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert checked >= 5  # the walk found the forms above
    assert offenders == []
