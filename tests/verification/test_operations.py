"""敏感操作验证 (domain §1.4): the code itself — authenticator app or e-mailed — and every
operation that asks for it, checked at the service so every path (page, htmx, admin) is covered."""

import re
import time
from dataclasses import dataclass, replace
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
from django.utils import timezone

from billing.models import ChargingMode, Order, OrderStatus
from billing.services import funds, orders
from customers.models import (
    AssociationEvent,
    AssociationType,
    Authorization,
    AuthorizationStatus,
    EventStatus,
    EventType,
)
from customers.services import associations, authorizations
from partnercenter import verification
from partnercenter.actor import Actor
from partnercenter.errors import DomainError
from partnercenter.models import AccessKey, AccessKeyStatus, AuditEvent, Role, VerificationCode
from partnercenter.services import access_keys
from partnercenter.verification import VerificationRequired
from resellers.services import funds as reseller_funds
from tests.billing.conftest import balance_of, fund
from tests.customers.factories import AssociationFactory, CustomerFactory, customer_login
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
D = Decimal


def totp_now(secret):
    # Early enough in the 30-second window to still be valid when the service checks it.
    while 30 - time.time() % 30 < 3:
        time.sleep(0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def give_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(actor) → the 6-digit code that verification.send_code e-mailed to the actor."""

    def _send(actor):
        with django_capture_on_commit_callbacks(execute=True):
            verification.send_code(actor)
        return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)

    return _send


def other_than(code):
    return "000000" if code != "000000" else "111111"


def age(seconds, user=None):
    """Make the newest e-mailed code (of `user`) `seconds` old."""
    rows = VerificationCode.objects.filter(user=user) if user else VerificationCode.objects
    row = rows.order_by("-created_at", "-id").first()
    VerificationCode.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds)
    )


@pytest.fixture
def guarded(partner, finance_member, actor):
    partner.sensitive_op_verification = True
    partner.save()
    return actor(finance_member)


# --- the e-mailed code ---------------------------------------------------------------------------


def test_an_emailed_code_confirms_one_operation_and_is_stored_only_hashed(guarded, send):
    code = send(guarded)
    message = mail.outbox[-1]
    assert message.to == [guarded.user.email] and code in message.subject
    row = VerificationCode.objects.get(user=guarded.user)
    assert code not in row.code_hash
    verification.verify(guarded, code)
    with pytest.raises(VerificationRequired, match="expired or has been used up"):
        verification.verify(guarded, code)  # one operation per code


@pytest.mark.parametrize(("seconds", "ok"), [(4 * 60 + 59, True), (5 * 60 + 1, False)])
def test_an_emailed_code_is_valid_for_five_minutes(guarded, send, seconds, ok):
    code = send(guarded)
    age(seconds)
    if ok:
        verification.verify(guarded, code)
    else:
        with pytest.raises(VerificationRequired, match="expired"):
            verification.verify(guarded, code)


def test_five_wrong_tries_use_a_code_up(guarded, send):
    code = send(guarded)
    for left in (4, 3, 2, 1):
        with pytest.raises(VerificationRequired, match=f"{left} tries left"):
            verification.verify(guarded, other_than(code))
    with pytest.raises(VerificationRequired, match="now used up"):
        verification.verify(guarded, other_than(code))
    with pytest.raises(VerificationRequired, match="expired or has been used up"):
        verification.verify(guarded, code)
    assert VerificationCode.objects.get().failed_attempts == 5


def test_four_wrong_tries_leave_the_fifth(guarded, send):
    code = send(guarded)
    for _ in range(4):
        with pytest.raises(VerificationRequired):
            verification.verify(guarded, other_than(code))
    verification.verify(guarded, code)


def test_only_the_newest_code_counts(guarded, send):
    first = send(guarded)
    age(61)
    second = send(guarded)
    if first != second:
        with pytest.raises(VerificationRequired):
            verification.verify(guarded, first)
    verification.verify(guarded, second)


def test_sending_is_rate_limited_per_person(guarded, send, settings, admin_member, actor):
    send(guarded)
    with pytest.raises(DomainError, match="Wait 60 seconds"):
        verification.send_code(guarded)
    send(actor(admin_member))  # someone else is not held up
    age(58, guarded.user)
    with pytest.raises(DomainError, match="Wait 2 seconds"):
        verification.send_code(guarded)
    for _ in range(settings.PC_VERIFICATION_SENDS_PER_HOUR - 1):
        VerificationCode.objects.filter(user=guarded.user).update(
            created_at=timezone.now() - timedelta(minutes=2)
        )
        send(guarded)
    VerificationCode.objects.filter(user=guarded.user).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    with pytest.raises(DomainError, match="Too many codes"):
        verification.send_code(guarded)
    VerificationCode.objects.filter(user=guarded.user).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )
    send(guarded)


def test_sending_failing_and_passing_are_audited_without_the_code(guarded, send):
    code = send(guarded)
    with pytest.raises(VerificationRequired):
        verification.verify(guarded, other_than(code))
    verification.verify(guarded, code)
    events = AuditEvent.objects.filter(actor=guarded.user, action__startswith="verification.")
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "verification.code_sent",
        "verification.failed",
        "verification.passed",
    ]
    assert all(e.partner_id == guarded.partner.pk for e in events)
    assert code not in str(list(events.values_list("after", flat=True)))


def test_the_code_is_written_in_the_persons_language(guarded, send):
    from django.utils import translation

    guarded.user.language = "en"
    guarded.user.save()
    with translation.override("zh-hans"):
        send(guarded)
    assert "Your verification code" in mail.outbox[-1].subject
    age(61)
    guarded.user.language = ""
    guarded.user.save()
    with translation.override("zh-hans"):  # no preference: the language they use right now
        send(guarded)
    assert "验证码" in mail.outbox[-1].subject


def test_someone_with_an_authenticator_uses_it_not_email(guarded):
    give_totp(guarded.user)
    with pytest.raises(DomainError, match="authenticator app"):
        verification.send_code(guarded)
    assert not mail.outbox


def test_wrong_authenticator_codes_are_limited_too(guarded):
    secret = give_totp(guarded.user)
    right = totp_now(secret)
    for _ in range(5):
        with pytest.raises(VerificationRequired, match="not correct"):
            verification.verify(guarded, other_than(right))
    with pytest.raises(VerificationRequired, match="Too many wrong codes"):
        verification.verify(guarded, right)


def test_no_code_when_the_setting_is_off_or_the_call_is_signed(partner, finance_member, actor):
    a = actor(finance_member)
    assert not verification.required(a)
    verification.verify(a, None)
    partner.sensitive_op_verification = True
    partner.save()
    assert verification.required(a)
    # A signed API call: the signature proves the caller, the key was made under verification.
    assert not verification.required(replace(a, via="api"))


# --- every operation that asks for it -------------------------------------------------------------


@dataclass
class Op:
    """One sensitive operation: `arrange(request)` → (actor, run(code), done()), with the setting
    of the account that governs the actor already switched on."""

    name: str
    arrange: object

    def __repr__(self):
        return self.name


def _partner_side(request, role=Role.FINANCE):
    partner = request.getfixturevalue("partner")
    fund(partner, recharge="1000.00")
    member = MembershipFactory(partner=partner, role=role)
    association = AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="敏感操作客户"),
        associated_at=timezone.now() - timedelta(days=200),
    )
    a = Actor(user=member.user, partner=partner, membership=member, ip="127.0.0.1")
    return partner, member, association, a


def _switch_on(account):
    account.sensitive_op_verification = True
    account.save(update_fields=["sensitive_op_verification"])


def allocate(request):
    partner, _m, association, a = _partner_side(request)
    _switch_on(partner)
    run = lambda code: funds.allocate(  # noqa: E731
        actor=a, customer_pk=association.customer_id, amount="10.00", code=code
    )
    return a, run, lambda: balance_of(association.customer) == D("10.00")


def recover(request):
    partner, _m, association, a = _partner_side(request)
    funds.allocate(actor=a, customer_pk=association.customer_id, amount="50.00")
    _switch_on(partner)
    run = lambda code: funds.recover(  # noqa: E731
        actor=a, customer_pk=association.customer_id, amount="10.00", code=code
    )
    return a, run, lambda: balance_of(association.customer) == D("40.00")


def batch_recover(request):
    partner, _m, association, a = _partner_side(request)
    funds.allocate(actor=a, customer_pk=association.customer_id, amount="50.00")
    _switch_on(partner)

    def run(code):
        results = funds.batch_recover(
            actor=a, customer_pks=[association.customer_id], request_key="b1", code=code
        )
        assert all(r["ok"] for r in results), results

    return a, run, lambda: balance_of(association.customer) == D("0.00")


def _request(event_type):
    def arrange(request):
        partner, _m, association, a = _partner_side(request, role=Role.ADMIN)
        _switch_on(partner)
        run = lambda code: associations.request_change(  # noqa: E731
            actor=a,
            association_id=association.pk,
            event_type=event_type,
            reason="业务调整",
            acknowledged=True,
            code=code,
        )
        done = AssociationEvent.objects.filter(
            association=association, event_type=event_type, status=EventStatus.PENDING
        ).exists
        return a, run, done

    return arrange


def _customer_actor(association):
    user = customer_login(association.customer)
    return Actor(user=user, customer=association.customer, ip="10.0.0.2")


def _handle(agree):
    def arrange(request):
        partner, _m, association, a = _partner_side(request, role=Role.ADMIN)
        event = associations.customer_request_disassociation(
            actor=_customer_actor(association), reason="不再合作"
        )
        _switch_on(partner)
        run = lambda code: associations.partner_handle_request(  # noqa: E731
            actor=a,
            event_id=event.pk,
            agree=agree,
            reason="" if agree else "尚有未结款项",
            acknowledged=agree,
            code=code,
        )
        status = EventStatus.COMPLETED if agree else EventStatus.REFUSED
        return a, run, lambda: AssociationEvent.objects.get(pk=event.pk).status == status

    return arrange


def pay_order(request):
    from billing.catalogue import ensure_catalogue
    from billing.models import ProductSpec

    ensure_catalogue()
    partner, member, association, a = _partner_side(request)
    funds.allocate(actor=a, customer_pk=association.customer_id, amount="500.00")
    Authorization.objects.create(
        partner=partner,
        customer=association.customer,
        association=association,
        status=AuthorizationStatus.GRANTED,
    )
    # 代客下单: the colleague works in the customer's console and pays from its balance.
    acting = replace(a, customer=association.customer, acting_as=association.customer)
    order = orders.place_order(
        actor=acting,
        spec_id=ProductSpec.objects.get(spec_code="s6.large.2").pk,
        charging_mode=ChargingMode.PREPAID,
    )
    _switch_on(partner)
    run = lambda code: orders.pay_order(actor=acting, order_id=order.order_id, code=code)  # noqa: E731
    done = lambda: Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED  # noqa: E731
    return acting, run, done


def _reseller(action):
    def arrange(request):
        from billing import ledger

        distributor = request.getfixturevalue("distributor")
        reseller = request.getfixturevalue("reseller")
        fund(distributor, recharge="1000.00")
        member = MembershipFactory(partner=distributor, role=Role.FINANCE)
        a = Actor(user=member.user, partner=distributor, membership=member, ip="127.0.0.1")
        if action == "recover":
            reseller_funds.allocate(actor=a, reseller_pk=reseller.pk, amount="50.00")
        _switch_on(distributor)
        fn = reseller_funds.allocate if action == "allocate" else reseller_funds.recover
        run = lambda code: fn(actor=a, reseller_pk=reseller.pk, amount="10.00", code=code)  # noqa: E731
        expected = D("10.00") if action == "allocate" else D("40.00")
        return a, run, lambda: ledger.partner_funds(reseller).recharge == expected

    return arrange


def create_key(request):
    partner, _m, _association, a = _partner_side(request)
    _switch_on(partner)
    run = lambda code: access_keys.create_key(actor=a, description="ERP", code=code)  # noqa: E731
    return a, run, AccessKey.objects.filter(user=a.user).exists


def enable_key(request):
    partner, _m, _association, a = _partner_side(request)
    key, _secret = access_keys.create_key(actor=a, description="ERP")
    access_keys.set_key_enabled(actor=a, key_id=key.pk, enabled=False)
    _switch_on(partner)
    run = lambda code: access_keys.set_key_enabled(  # noqa: E731
        actor=a, key_id=key.pk, enabled=True, code=code
    )
    return a, run, lambda: AccessKey.objects.get(pk=key.pk).status == AccessKeyStatus.ACTIVE


def _customer_side(request):
    _partner, _m, association, a = _partner_side(request, role=Role.ADMIN)
    return association, a, _customer_actor(association)


def _respond(agree):
    def arrange(request):
        association, partner_actor, me = _customer_side(request)
        event = associations.request_change(
            actor=partner_actor,
            association_id=association.pk,
            event_type=EventType.DISASSOCIATE,
            reason="业务调整",
            acknowledged=True,
        )
        _switch_on(association.customer)
        run = lambda code: associations.customer_respond(  # noqa: E731
            actor=me, event_id=event.pk, agree=agree, code=code
        )
        status = EventStatus.COMPLETED if agree else EventStatus.REFUSED
        return me, run, lambda: AssociationEvent.objects.get(pk=event.pk).status == status

    return arrange


def grant(request):
    association, partner_actor, me = _customer_side(request)
    a = authorizations.request_authorization(actor=partner_actor, association_id=association.pk)
    _switch_on(association.customer)
    run = lambda code: authorizations.customer_decide(  # noqa: E731
        actor=me, authorization_id=a.pk, grant=True, code=code
    )
    return (
        me,
        run,
        lambda: Authorization.objects.get(pk=a.pk).status == AuthorizationStatus.GRANTED,
    )


def cancel_authorization(request):
    association, partner_actor, me = _customer_side(request)
    a = authorizations.request_authorization(actor=partner_actor, association_id=association.pk)
    authorizations.customer_decide(actor=me, authorization_id=a.pk, grant=True)
    _switch_on(association.customer)
    run = lambda code: authorizations.customer_cancel(  # noqa: E731
        actor=me, authorization_id=a.pk, code=code
    )
    return (
        me,
        run,
        lambda: Authorization.objects.get(pk=a.pk).status == AuthorizationStatus.CANCELLED,
    )


OPERATIONS = [
    Op("allocate", allocate),
    Op("recover", recover),
    Op("batch recover", batch_recover),
    Op("disassociate", _request(EventType.DISASSOCIATE)),
    Op("switch type", _request(EventType.SWITCH_TYPE)),
    Op("agree to a customer's disassociation", _handle(agree=True)),
    Op("refuse a customer's disassociation", _handle(agree=False)),
    Op("balance payment for a customer", pay_order),
    Op("allocate to a reseller", _reseller("allocate")),
    Op("recover from a reseller", _reseller("recover")),
    Op("create an access key", create_key),
    Op("re-enable an access key", enable_key),
    Op("customer agrees to the partner's request", _respond(agree=True)),
    Op("customer refuses the partner's request", _respond(agree=False)),
    Op("customer grants an authorisation", grant),
    Op("customer cancels an authorisation", cancel_authorization),
]


@pytest.mark.parametrize("op", OPERATIONS, ids=repr)
def test_without_a_code_or_with_a_wrong_one_nothing_happens(op, request, send):
    a, run, done = op.arrange(request)
    with pytest.raises(VerificationRequired, match="verification is on"):
        run(None)
    code = send(a)
    with pytest.raises(VerificationRequired, match="not correct"):
        run(other_than(code))
    assert not done()
    assert AuditEvent.objects.filter(action="verification.failed", actor=a.user).exists()


@pytest.mark.parametrize("op", OPERATIONS, ids=repr)
def test_the_right_authenticator_code_lets_it_through(op, request):
    a, run, done = op.arrange(request)
    secret = give_totp(a.user)
    with pytest.raises(VerificationRequired, match="authenticator app"):
        run("")
    run(totp_now(secret))
    assert done()


@pytest.mark.parametrize("op", OPERATIONS, ids=repr)
def test_the_right_emailed_code_lets_it_through(op, request, send):
    a, run, done = op.arrange(request)
    run(send(a))
    assert done()
    assert AuditEvent.objects.filter(action="verification.passed", actor=a.user).exists()


def test_a_customer_paying_its_own_order_needs_no_code(shop, catalogue):
    shop.customer.sensitive_op_verification = True
    shop.customer.save()
    order = orders.place_order(
        actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=ChargingMode.PREPAID
    )
    orders.pay_order(actor=shop, order_id=order.order_id)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_a_refused_operation_spends_no_code(guarded, send, funded, resale):
    from billing.errors import InsufficientBalance

    code = send(guarded)
    with pytest.raises(InsufficientBalance):
        funds.allocate(actor=guarded, customer_pk=resale.customer_id, amount="99999", code=code)
    funds.allocate(actor=guarded, customer_pk=resale.customer_id, amount="1.00", code=code)
    assert balance_of(resale.customer) == D("1.00")


def test_a_confirm_step_sent_twice_needs_the_code_once(guarded, send, funded, resale):
    code = send(guarded)
    first = funds.allocate(
        actor=guarded, customer_pk=resale.customer_id, amount="5.00", request_key="k2", code=code
    )
    # A double click: the code is used up, but the retry moves nothing and answers the first.
    again = funds.allocate(
        actor=guarded, customer_pk=resale.customer_id, amount="5.00", request_key="k2", code=code
    )
    assert again.pk == first.pk and balance_of(resale.customer) == D("5.00")
    with pytest.raises(DomainError):  # the same key for another amount is still refused
        funds.allocate(
            actor=guarded,
            customer_pk=resale.customer_id,
            amount="6.00",
            request_key="k2",
            code=code,
        )
    assert balance_of(resale.customer) == D("5.00")
