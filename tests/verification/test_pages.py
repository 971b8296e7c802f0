"""敏感操作验证 on the pages: the confirm steps ask for the code — the authenticator's, or an
e-mailed one with its Send code button — in both languages, and a key cannot get around it."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.models import TradeType, Transfer
from customers.models import AssociationEvent, EventStatus, EventType
from customers.services import associations
from partnercenter.models import (
    AccessKey,
    AccessKeyStatus,
    AuditEvent,
    Partner,
    VerificationCode,
)
from tests.billing.conftest import balance_of
from tests.customers.factories import customer_login

pytestmark = pytest.mark.django_db


def totp_now(secret):
    while 30 - time.time() % 30 < 3:
        time.sleep(0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def mailed_code():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


@pytest.fixture
def on(partner):
    partner.sensitive_op_verification = True
    partner.save()
    return partner


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    """Runs a request that sends a code, with its after-commit e-mail delivered."""

    def _run(fn):
        with django_capture_on_commit_callbacks(execute=True):
            return fn()

    return _run


def adjust_url(resale):
    return reverse("billing:adjust", args=[resale.customer_id, "allocate"])


def step(client, url, step, **extra):
    data = {"amount": "100.00", "request_key": "k1", "step": step, **extra}
    return client.post(url, data, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(
    ("language", "label", "button"),
    [("en", "E-mail verification code", "Send code"), ("zh-hans", "邮箱验证码", "发送验证码")],
)
def test_the_adjust_dialog_asks_for_an_emailed_code_at_the_confirm_step(
    client,
    finance_member,
    on,
    funded,
    resale,
    send_mail,
    language,
    label,
    button,
):
    client.force_login(finance_member.user)
    client.cookies["django_language"] = language
    url = adjust_url(resale)
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="code"' not in first  # asked where it is used: at 是否确定调整
    confirm = step(client, url, "review").content.decode()
    assert label in confirm and button in confirm and 'name="send_code"' in confirm
    sent = send_mail(lambda: step(client, url, "confirm", send_code="1")).content.decode()
    assert 'data-testid="code-sent"' in sent and 'data-testid="confirm"' in sent
    assert mail.outbox[-1].to == [finance_member.user.email]
    wrong = step(client, url, "confirm", code="999999" if mailed_code() != "999999" else "888888")
    page = wrong.content.decode()
    assert 'data-testid="confirm"' in page and 'aria-invalid="true"' in page
    assert balance_of(resale.customer) == 0
    done = step(client, url, "confirm", code=mailed_code())
    assert 'data-testid="adjust-success"' in done.content.decode()
    assert balance_of(resale.customer) == Decimal("100.00")


def test_someone_with_an_authenticator_app_gets_its_field_and_no_send_button(
    client,
    finance_member,
    on,
    funded,
    resale,
):
    secret = generate_totp_secret()
    TOTP.activate(finance_member.user, secret)
    client.force_login(finance_member.user)
    client.cookies["django_language"] = "en"
    url = adjust_url(resale)
    confirm = step(client, url, "review").content.decode()
    assert "Verification code (authenticator app)" in confirm and 'name="send_code"' not in confirm
    plain = client.post(url, {"amount": "100.00", "request_key": "k2", "step": "confirm"})
    assert plain.status_code == 400 and "authenticator app" in plain.content.decode()
    done = client.post(
        url,
        {"amount": "100.00", "request_key": "k2", "step": "confirm", "code": totp_now(secret)},
    )
    assert done.status_code == 302 and balance_of(resale.customer) == Decimal("100.00")


def test_an_access_key_is_no_way_around_the_code(
    client,
    finance_member,
    on,
    funded,
    resale,
    send_mail,
):
    """With verification on, a finance user who cannot allocate without a code cannot create a
    key without one either (the API skips the code: the key was made under it)."""
    client.force_login(finance_member.user)
    client.cookies["django_language"] = "en"
    refused = client.post(
        adjust_url(resale), {"amount": "1.00", "request_key": "x", "step": "confirm"}
    )
    assert refused.status_code == 400
    assert not Transfer.objects.filter(trade_type=TradeType.BEADJUST).exists()
    keys = reverse("access_keys")
    assert "E-mail verification code" in client.get(keys).content.decode()
    no_code = client.post(keys, {"description": "ERP", "scope": "read_write"})
    assert no_code.status_code == 400 and not AccessKey.objects.exists()
    sent = send_mail(lambda: client.post(keys, {"description": "ERP", "send_code": "1"}))
    assert 'value="ERP"' in sent.content.decode()  # what was typed stays
    created = client.post(
        keys, {"description": "ERP", "scope": "read_write", "code": mailed_code()}
    )
    assert created.status_code == 200
    key = AccessKey.objects.get(user=finance_member.user)
    assert key.scope == "read_write"


def test_re_enabling_a_key_asks_for_the_code_on_its_own_page(client, finance_member, on, send_mail):
    from partnercenter.services.access_keys import seed_key

    key = seed_key(
        user=finance_member.user,
        partner=finance_member.partner,
        access_key_id="OLDKEY00000000000001",
        secret="s",
    )
    client.force_login(finance_member.user)
    client.post(reverse("access_key_action", args=[key.pk, "disable"]))  # never needs a code
    assert AccessKey.objects.get(pk=key.pk).status == AccessKeyStatus.DISABLED
    listing = client.get(reverse("access_keys")).content.decode()
    enable = reverse("access_key_action", args=[key.pk, "enable"])
    assert f'href="{enable}"' in listing  # a page of its own, not a one-click button
    assert client.post(enable).status_code == 400
    assert AccessKey.objects.get(pk=key.pk).status == AccessKeyStatus.DISABLED
    send_mail(lambda: client.post(enable, {"send_code": "1"}))
    assert client.post(enable, {"code": mailed_code()}).status_code == 302
    assert AccessKey.objects.get(pk=key.pk).status == AccessKeyStatus.ACTIVE


def test_the_disassociation_page_keeps_the_reason_while_a_code_is_sent(
    client,
    admin_member,
    on,
    resale,
    send_mail,
):
    client.force_login(admin_member.user)
    url = reverse("customers:change", args=[resale.customer_id, EventType.DISASSOCIATE])
    data = {"reason": "业务调整", "acknowledged": "on"}
    sent = send_mail(lambda: client.post(url, {**data, "send_code": "1"})).content.decode()
    assert "业务调整" in sent and 'data-testid="code-sent"' in sent
    assert "invalid-feedback" not in sent  # not yet submitted: nothing to complain about
    assert not AssociationEvent.objects.filter(event_type=EventType.DISASSOCIATE).exists()
    assert client.post(url, {**data, "code": mailed_code()}).status_code == 302
    assert AssociationEvent.objects.get(event_type=EventType.DISASSOCIATE).status == "pending"


def test_turning_verification_off_takes_a_code(client, admin_member, on, send_mail):
    client.force_login(admin_member.user)
    url = reverse("partner_info")
    data = {"contact_email": on.contact_email, "contact_phone": on.contact_phone}
    assert client.post(url, data).status_code == 400
    assert Partner.objects.get(pk=on.pk).sensitive_op_verification
    send_mail(lambda: client.post(url, {**data, "send_code": "1"}))
    assert client.post(url, {**data, "code": mailed_code()}).status_code == 302
    assert not Partner.objects.get(pk=on.pk).sensitive_op_verification
    event = AuditEvent.objects.get(action="partner.update")
    assert event.before == {"sensitive_op_verification": True}


def test_the_customer_switches_its_own_verification_and_answers_with_a_code(
    client,
    admin_member,
    resale,
    actor,
    send_mail,
):
    event = associations.request_change(
        actor=actor(admin_member),
        association_id=resale.pk,
        event_type=EventType.DISASSOCIATE,
        reason="业务调整",
        acknowledged=True,
    )
    user = customer_login(resale.customer)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    security = reverse("customers:console_security")
    assert "Security settings" in client.get(reverse("customers:console")).content.decode()
    page = client.get(security).content.decode()
    assert 'name="sensitive_op_verification"' in page and 'name="code"' not in page  # off
    client.post(security, {"sensitive_op_verification": "on"})
    resale.customer.refresh_from_db()
    assert resale.customer.sensitive_op_verification
    assert AuditEvent.objects.filter(action="customer.verification_setting").exists()
    requests = client.get(reverse("customers:console"), {"tab": "requests"}).content.decode()
    assert 'name="code"' in requests and "Send code" in requests
    respond = reverse("customers:console_respond", args=[event.pk])
    client.post(respond, {"decision": "refuse"})
    assert AssociationEvent.objects.get(pk=event.pk).status == EventStatus.PENDING
    send_mail(lambda: client.post(respond, {"send_code": "1"}))
    client.post(respond, {"decision": "refuse", "code": mailed_code()})
    assert AssociationEvent.objects.get(pk=event.pk).status == EventStatus.REFUSED
    # Off again takes a code too.
    mail.outbox.clear()
    assert client.post(security, {}).status_code == 400
    VerificationCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    send_mail(lambda: client.post(security, {"send_code": "1"}))
    client.post(security, {"code": mailed_code()})
    resale.customer.refresh_from_db()
    assert not resale.customer.sensitive_op_verification


def test_a_partner_acting_for_the_customer_cannot_change_its_security_settings(
    client,
    admin_member,
    resale,
):
    from tests.billing.orders_fixtures import authorize

    authorize(resale)
    client.force_login(admin_member.user)
    client.post(reverse("customers:act_start", args=[resale.customer_id]))
    assert client.get(reverse("customers:console_security")).status_code == 403


def test_the_reseller_dialog_and_batch_recovery_ask_for_the_code_too(
    client, finance_member, on, funded, resale, distributor, reseller, actor, send_mail
):
    from billing.services import funds

    # 批量回收 (a solution provider's customers)
    on.sensitive_op_verification = False
    on.save()
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="30.00")
    on.sensitive_op_verification = True
    on.save()
    client.force_login(finance_member.user)
    client.cookies["django_language"] = "en"
    batch = reverse("billing:batch_recover")
    data = {"ids": [resale.pk], "step": "confirm", "request_key": "b1"}
    page = client.post(batch, {"ids": [resale.pk]}).content.decode()
    assert "E-mail verification code" in page and 'name="send_code"' in page
    refused = client.post(batch, data).content.decode()
    assert "verification is on" in refused and balance_of(resale.customer) == Decimal("30.00")
    send_mail(lambda: client.post(batch, {**data, "send_code": "1"}))
    client.post(batch, {**data, "code": mailed_code()})
    assert balance_of(resale.customer) == 0

    # 拨款 to a cloud reseller shares the dialog's confirm step.
    from tests.billing.conftest import fund
    from tests.factories import MembershipFactory

    distributor.sensitive_op_verification = True
    distributor.save()
    fund(distributor, recharge="100.00")
    dist_finance = MembershipFactory(partner=distributor, role="finance")
    client.force_login(dist_finance.user)
    url = reverse("resellers:adjust", args=[reseller.pk, "allocate"])
    confirm = client.post(
        url, {"amount": "10.00", "request_key": "r1", "step": "review"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "E-mail verification code" in confirm and 'name="send_code"' in confirm


def test_a_colleague_paying_for_the_customer_gives_the_code_on_the_order_page(
    client, finance_member, shop, catalogue, send_mail, partner
):
    from billing.models import Order, OrderStatus
    from billing.services import orders
    from tests.billing.orders_fixtures import PREPAID, authorize

    order = orders.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    association = shop.customer.associations.get()
    authorize(association)
    partner.sensitive_op_verification = True
    partner.save()
    client.force_login(finance_member.user)
    client.cookies["django_language"] = "en"
    client.post(reverse("customers:act_start", args=[shop.customer.pk]))
    page = client.get(reverse("billing:console_order", args=[order.order_id])).content.decode()
    assert 'name="code"' in page and "E-mail code" in page
    pay = reverse("billing:console_order_action", args=[order.order_id, "pay"])
    refused = client.post(pay, follow=True).content.decode()
    assert "verification is on" in refused
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT
    send_mail(lambda: client.post(pay, {"send_code": "1"}))
    client.post(pay, {"code": mailed_code()})
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_the_customer_paying_its_own_order_sees_no_code_box(client, shop, catalogue):
    from billing.services import orders
    from tests.billing.orders_fixtures import PREPAID

    shop.customer.sensitive_op_verification = True
    shop.customer.save()
    order = orders.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    client.force_login(shop.user)
    page = client.get(reverse("billing:console_order", args=[order.order_id])).content.decode()
    assert 'name="code"' not in page
