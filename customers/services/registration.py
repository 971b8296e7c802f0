"""创建客户: a partner registers a customer account itself (partner-api.md §3.1,
create_sub_customer), and the availability check it runs first (check_user_identity).

The partner's own sales platform signs its user up: a new customer account with its owner login,
associated with the partner at once. There is no invitation and no notice for the customer to
sign, as on Huawei, so the association is recorded as started and completed by the partner.
"""

import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter import audit
from partnercenter.errors import DomainError
from partnercenter.models import Partner, Role
from partnercenter.permissions import P

from ..models import (
    Association,
    AssociationEvent,
    AssociationType,
    Customer,
    CustomerUser,
    EventStatus,
    EventType,
    Initiator,
)
from .common import require

audit.register_actions({"customer.create": gettext_lazy("Created a customer account")})

# Huawei's login-name rule for a new account; check_user_identity's own pattern differs in one
# point (no leading "_"), and each operation keeps its documented one.
LOGIN_NAME_RE = re.compile(r"^[a-zA-Z_-][a-zA-Z0-9_-]*$")
CHECK_NAME_RE = re.compile(r"^[a-zA-Z-][a-zA-Z0-9_-]{4,31}$")
RESERVED_PREFIXES = ("op_", "shadow_")
MOBILE_RE = re.compile(r"^1\d{10}$", re.ASCII)  # mainland China only, as on Huawei
CHECK_MOBILE_RE = re.compile(r"^\d{4}-\d+$", re.ASCII)
CHINA_PREFIX = "0086"
# Huawei caps the accounts one phone number may register but does not publish the number.
MOBILE_ACCOUNT_LIMIT = 5
# The login needs a unique e-mail; .invalid (RFC 2606) can never reach anybody.
PLACEHOLDER_EMAIL_DOMAIN = "sub-customers.invalid"

AVAILABLE = "available"
USED = "used_by_user"


class ParameterError(DomainError):
    code = "CBC.0100"


def _check_login_name(value, field, pattern, pattern_message):
    # Both patterns want a non-digit first, which also rules out the all-digit names Huawei forbids.
    if not 5 <= len(value) <= 32:
        raise ParameterError(_("The login name must be 5 to 32 characters long."), field=field)
    if not pattern.match(value):
        raise ParameterError(pattern_message(), field=field)
    if value.lower().startswith(RESERVED_PREFIXES):
        raise ParameterError(_("The login name must not start with op_ or shadow_."), field=field)


def _new_name_rule():
    return _(
        "The login name may contain only letters, digits, _ and -, and must start with a "
        "letter, _ or -."
    )


def _checked_name_rule():
    return _(
        "The login name may contain only letters, digits, _ and -, and must start with a "
        "letter or -."
    )


def login_name_taken(name):
    """Login names are one namespace across customers, partners and their people."""
    return (
        get_user_model().objects.filter(account_name__iexact=name).exists()
        or Customer.objects.filter(account_name__iexact=name).exists()
        or Partner.objects.filter(account_name__iexact=name).exists()
    )


def _mobile_variants(number):
    # Portal forms store what people typed, with or without the country prefix.
    return [
        number,
        f"+86{number}",
        f"+86 {number}",
        f"86{number}",
        f"0086{number}",
        f"0086-{number}",
    ]


def accounts_with_mobile(number):
    variants = _mobile_variants(number)
    return (
        Customer.objects.filter(Q(mobile__in=variants) | Q(logins__user__mobile__in=variants))
        .distinct()
        .count()
    )


def email_taken(email):
    return (
        get_user_model().objects.filter(email__iexact=email).exists()
        or Customer.objects.filter(email__iexact=email).exists()
    )


def _check_password(password, *, account_name, mobile, user):
    kinds = [
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(kinds) < 2:
        raise ParameterError(
            _(
                "The password must contain at least two of: upper-case letters, lower-case "
                "letters, digits and special characters."
            ),
            field="password",
        )
    if password.lower() in (account_name.lower(), account_name[::-1].lower()):
        raise ParameterError(
            _("The password must not be the login name or the login name reversed."),
            field="password",
        )
    if mobile and mobile in password:
        raise ParameterError(
            _("The password must not contain the mobile number."), field="password"
        )
    # It is this portal's login password too, so the portal's own password policy applies.
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ParameterError(" ".join(e.messages), field="password") from None


def _random_login_name():
    while True:
        name = "pc" + secrets.token_hex(15)  # 32 characters, starting with a letter
        if not login_name_taken(name):
            return name


def _check_mobile_format(mobile):
    if not MOBILE_RE.match(mobile):
        raise ParameterError(
            _("Enter a mainland China mobile number of 11 digits, e.g. 13800000000."),
            field="mobile_phone",
        )


def _check_mobile_free(mobile, verification_code):
    holders = accounts_with_mobile(mobile)
    if not holders:
        return
    if holders >= MOBILE_ACCOUNT_LIMIT:
        raise ParameterError(
            _("This mobile number is already used by the most accounts one number may have."),
            field="mobile_phone",
        )
    if verification_code is None:
        raise ParameterError(
            _("This mobile number is already registered: a verification code is required."),
            field="verification_code",
        )
    # Binding a registered number needs the SMS code Huawei sent to it; this platform sends no
    # SMS, so it cannot tell the owner's code from a made-up one and refuses rather than guess.
    raise DomainError(
        _(
            "This mobile number is already registered and SMS verification is not available: "
            "create the customer without it or with another number."
        ),
        field="mobile_phone",
    )


def _existing_for_platform_user(actor, xaccount_type, xaccount_id, domain_name):
    """A retry of a create that already succeeded gets that customer back; anything else that
    reuses the platform user id is refused."""
    customer = Customer.objects.filter(xaccount_type=xaccount_type, xaccount_id=xaccount_id).first()
    if customer is None:
        return None
    same = customer.associations.current().filter(partner_id=actor.partner.pk).exists() and (
        not domain_name or domain_name == customer.account_name
    )
    if not same:
        raise ParameterError(
            _("This user of your platform already has a customer account."), field="xaccount_id"
        )
    return customer


def _create(
    actor,
    *,
    xaccount_id,
    xaccount_type,
    domain_name,
    mobile,
    verification_code,
    password,
    association_type,
    extra,
):
    partner = actor.partner
    # Before the uniqueness checks: a retry must find its customer, not trip over its own name
    # and number.
    existing = _existing_for_platform_user(actor, xaccount_type, xaccount_id, domain_name)
    if existing is not None:
        return existing
    if domain_name and login_name_taken(domain_name):
        raise ParameterError(_("This login name is already registered."), field="domain_name")
    if mobile:
        _check_mobile_free(mobile, verification_code)
    name = domain_name or _random_login_name()
    user = get_user_model()(
        email=f"{name.lower()}@{PLACEHOLDER_EMAIL_DOMAIN}", account_name=name, mobile=mobile
    )
    if password is None:
        # Nobody knows it: the customer signs in through the partner or resets it.
        user.set_password(secrets.token_urlsafe(32))
    else:
        _check_password(password, account_name=name, mobile=mobile, user=user)
        user.set_password(password)
    now = timezone.now()
    user.date_joined = now
    user.save()
    customer = Customer.objects.create(
        # Huawei shows the login name until the customer completes real-name verification.
        name=name,
        account_name=name,
        mobile=mobile,
        country_region=partner.country_region,
        created_at=now,
        xaccount_id=xaccount_id,
        xaccount_type=xaccount_type,
    )
    CustomerUser.objects.create(user=user, customer=customer, is_owner=True, created_at=now)
    member = actor.membership
    # Like a customer who comes through an account manager's link, the customer belongs to the
    # manager who created it (who would otherwise not see it). A distributor's member standing in
    # for a reseller is not one of the reseller's people.
    is_am = (
        member is not None
        and member.pk is not None
        and member.partner_id == partner.pk
        and member.role == Role.ACCOUNT_MANAGER
    )
    association = Association.objects.create(
        customer=customer,
        partner=partner,
        association_type=association_type,
        associated_at=now,
        account_manager=member if is_am else None,
        account_manager_since=now if is_am else None,
    )
    if is_am:
        association.am_history.create(
            account_manager=member, assigned_by=actor.user, assigned_at=now
        )
    AssociationEvent.objects.create(
        partner=partner,
        customer=customer,
        association=association,
        event_type=EventType.ASSOCIATE,
        initiator=Initiator.PARTNER,
        to_type=association_type,
        status=EventStatus.COMPLETED,
        requested_by=actor.user,
        requested_at=now,
        handled_by=actor.user,
        handled_at=now,
    )
    audit.record(
        "customer.create",
        actor=actor,
        target=customer,
        after={
            "customer": customer.customer_id,
            "account_name": name,
            "xaccount_id": xaccount_id,
            "xaccount_type": xaccount_type,
            "mobile": bool(mobile),
            "password_given": password is not None,
            **extra,
        },
    )
    audit.record(
        "customer.associate",
        actor=actor,
        target=association,
        after={
            "customer": customer.customer_id,
            "association_type": int(association_type),
            "new_customer": True,
        },
    )
    return customer


def create_customer(
    *,
    actor,
    xaccount_id,
    xaccount_type,
    domain_name=None,
    mobile=None,
    verification_code=None,
    password=None,
    referral=False,
    close_marketing=False,
):
    """A new customer account associated with the actor's partner: 代售 unless `referral`.

    Returns the customer. Repeating a call that succeeded (same platform user, same partner)
    returns the same customer and creates nothing."""
    require(actor, P.CUSTOMER_INVITE)
    xaccount_id = (xaccount_id or "").strip()
    xaccount_type = (xaccount_type or "").strip()
    if not xaccount_id:
        raise ParameterError(_("This field is required."), field="xaccount_id")
    if not xaccount_type:
        raise ParameterError(_("This field is required."), field="xaccount_type")
    domain_name = (domain_name or "").strip()
    if domain_name:
        _check_login_name(domain_name, "domain_name", LOGIN_NAME_RE, _new_name_rule)
    mobile = (mobile or "").strip()
    if mobile:
        _check_mobile_format(mobile)
    association_type = AssociationType.REFERRAL if referral else AssociationType.RESALE
    kwargs = {
        "xaccount_id": xaccount_id,
        "xaccount_type": xaccount_type,
        "domain_name": domain_name,
        "mobile": mobile,
        "verification_code": verification_code,
        "password": password,
        "association_type": association_type,
        "extra": {"close_marketing": bool(close_marketing)},
    }
    try:
        with transaction.atomic(durable=True):
            return _create(actor, **kwargs)
    except IntegrityError:
        # A concurrent twin won the unique login name or platform user id: answer as if it had
        # committed first.
        existing = _existing_for_platform_user(actor, xaccount_type, xaccount_id, domain_name)
        if existing is not None:
            return existing
        raise ParameterError(
            _("This login name is already registered."), field="domain_name"
        ) from None


def identity_in_use(search_type, value):
    """(check_result, accounts the number may still register — mobile only, else None) for a
    login name, e-mail or `0086-` mobile number someone wants to register."""
    value = (value or "").strip()
    if search_type == "name":
        _check_login_name(value, "search_value", CHECK_NAME_RE, _checked_name_rule)
        return (USED if login_name_taken(value) else AVAILABLE), None
    if search_type == "email":
        try:
            validate_email(value)
        except ValidationError:
            raise ParameterError(
                _("Enter a complete e-mail address."), field="search_value"
            ) from None
        return (USED if email_taken(value) else AVAILABLE), None
    if search_type == "mobile":
        if not CHECK_MOBILE_RE.match(value):
            raise ParameterError(
                _("Enter the mobile number with its country code, e.g. 0086-13800000000."),
                field="search_value",
            )
        prefix, _sep, number = value.partition("-")
        if prefix != CHINA_PREFIX:
            raise ParameterError(
                _("Only mainland China mobile numbers (0086) are supported."), field="search_value"
            )
        holders = accounts_with_mobile(number)
        return (USED if holders else AVAILABLE), max(0, MOBILE_ACCOUNT_LIMIT - holders)
    raise ParameterError(_("Choose email, mobile or name."), field="search_type")
