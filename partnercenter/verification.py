"""敏感操作验证 (domain §1.4): the one check behind every sensitive operation, on the partner's
side and on the customer's.

When the account's setting is on (the partner's, for its colleagues — also while one acts for a
customer; the customer's own, for its login), the person confirms each sensitive operation with
a code: the current code of their authenticator app if they have one, otherwise a 6-digit code
e-mailed to them — good for 5 minutes, 5 tries and one operation; sending is rate-limited. Every
send, success and failure is audited.

Services call `verify(actor, code)`, so pages, htmx, the admin and anything else that calls the
service are covered alike. They call it *before* their own transaction: a refused operation
rolls back, and the failed try must still be counted and recorded. Signed API calls skip the
code — the signature proves the caller, and the key was created under this same verification
(services.access_keys).
"""

import secrets
from datetime import timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import audit
from .errors import DomainError
from .masking import mask_email
from .models import User, VerificationCode

TOTP_METHOD = "totp"
EMAIL_METHOD = "email"

# Channels where no person is at a keyboard to type a code: a signed API call (the key was made
# under verification), and background work started by an already verified request.
_NO_CODE_CHANNELS = frozenset({"api", "system", "task"})
_HASH_SALT = "partnercenter.verification.email-code"

audit.register_actions(
    {
        "verification.code_sent": gettext_lazy("Sent a verification code"),
        "verification.passed": gettext_lazy("Passed sensitive-operation verification"),
        "verification.failed": gettext_lazy("Failed sensitive-operation verification"),
    }
)


class VerificationRequired(DomainError):
    code = "CBC.99007004"


class _Verified:
    """Passed as `code` by a service that has already verified this operation (a batch runs
    one check for all its rows). Never built from user input, which is always a string."""

    def __repr__(self):
        return "VERIFIED"


VERIFIED = _Verified()


def ttl():
    return timedelta(seconds=settings.PC_VERIFICATION_CODE_TTL)


def governing_account(actor):
    """The account whose setting applies: the partner for its colleagues (also while acting for
    a customer, 代客下单), the customer for its own login."""
    if getattr(actor, "membership", None) is not None:
        return actor.partner
    customer = getattr(actor, "customer", None)
    if customer is not None and getattr(actor, "acting_as", None) is None:
        return customer
    return None


def required(actor):
    """Does this actor have to give a code for a sensitive operation right now?"""
    if actor is None or getattr(actor, "via", "web") in _NO_CODE_CHANNELS:
        return False
    account = governing_account(actor)
    return bool(account is not None and getattr(account, "sensitive_op_verification", False))


def _totp(user):
    if user is None:
        return None
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def method_for(user):
    """TOTP where the person has an authenticator app, otherwise an e-mailed code."""
    return TOTP_METHOD if _totp(user) is not None else EMAIL_METHOD


def _hash(code, salt):
    digest = salted_hmac(_HASH_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()
    return f"{salt}${digest}"


def _matches(stored, code):
    salt, _sep, _digest = stored.partition("$")
    return constant_time_compare(stored, _hash(code, salt))


def _record(action, actor, **after):
    with transaction.atomic():
        audit.record(action, actor=actor, target=actor.user, after=after)


# --- the e-mailed code ---------------------------------------------------------------------------


def send_code(actor):
    """E-mail a new 6-digit code to the acting person; returns the masked address it went to.

    A new code replaces any earlier one. At most one a minute and a few an hour per person."""
    user = actor.user
    if user is None or not user.email:
        raise DomainError(_("There is no e-mail address to send a code to."), field="code")
    if not required(actor):
        raise DomainError(_("No verification code is needed."), field="code")
    if _totp(user) is not None:
        raise DomainError(
            _("You use an authenticator app: enter the code it shows instead."), field="code"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    masked = mask_email(user.email)
    with transaction.atomic():
        # One send at a time per person, so two quick clicks cannot both pass the rate limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        recent = VerificationCode.objects.filter(user=user, created_at__gt=now - timedelta(hours=1))
        latest = recent.order_by("-created_at").first()
        interval = timedelta(seconds=settings.PC_VERIFICATION_SEND_INTERVAL)
        if latest is not None and now - latest.created_at < interval:
            wait = int((latest.created_at + interval - now).total_seconds()) + 1
            raise DomainError(
                ngettext(
                    "A code was just sent. Wait %(n)s second before asking for another.",
                    "A code was just sent. Wait %(n)s seconds before asking for another.",
                    wait,
                )
                % {"n": wait},
                field="code",
            )
        if recent.count() >= settings.PC_VERIFICATION_SENDS_PER_HOUR:
            raise DomainError(
                _("Too many codes were sent in the last hour. Try again later."), field="code"
            )
        VerificationCode.objects.create(
            user=user, email=user.email, code_hash=_hash(code, secrets.token_hex(8)), created_at=now
        )
        audit.record(
            "verification.code_sent",
            actor=actor,
            target=user,
            after={"method": EMAIL_METHOD, "to": masked},
        )
        # The person's own language; else the one they are using the portal in right now.
        language = user.language or translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: _mail(user.email, code, language))
    return masked


def _mail(address, code, language):
    from .emails import send_templated

    send_templated(
        "email/verification_code",
        address,
        {"code": code, "minutes": settings.PC_VERIFICATION_CODE_TTL // 60},
        language=language,
    )


def _check_email_code(user, code):
    """(ok, message). Only the newest code counts; a wrong try is counted even though the
    operation it was meant for is refused."""
    now = timezone.now()
    tries = settings.PC_VERIFICATION_CODE_TRIES
    with transaction.atomic():
        row = (
            VerificationCode.objects.select_for_update()
            .filter(user=user)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None:
            return False, _("Send yourself a verification code first.")
        if row.used_at is not None or row.failed_attempts >= tries or now >= row.created_at + ttl():
            return False, _(
                "The verification code has expired or has been used up. Send a new one."
            )
        if _matches(row.code_hash, code):
            VerificationCode.objects.filter(pk=row.pk).update(used_at=now)
            return True, ""
        VerificationCode.objects.filter(pk=row.pk).update(failed_attempts=F("failed_attempts") + 1)
        left = tries - row.failed_attempts - 1
        if left <= 0:
            return False, _(
                "The verification code is not correct and is now used up. Send a new one."
            )
        return False, _("The verification code is not correct (%(n)s tries left).") % {"n": left}


def _recent_totp_failures(user):
    # The audit trail is the counter: failures are recorded outside the refused operation.
    from .models import AuditEvent

    return AuditEvent.objects.filter(
        action="verification.failed",
        actor=user,
        created_at__gte=timezone.now() - ttl(),
        after__method=TOTP_METHOD,
    ).count()


# --- the check -----------------------------------------------------------------------------------


def verify(actor, code):
    """Raise VerificationRequired unless no code is needed or `code` is right for this person."""
    if code is VERIFIED or not required(actor):
        return
    code = str(code or "").strip()
    authenticator = _totp(actor.user)
    method = TOTP_METHOD if authenticator is not None else EMAIL_METHOD
    if not code:
        raise VerificationRequired(
            _("Sensitive-operation verification is on: enter the code from your authenticator app.")
            if method == TOTP_METHOD
            else _(
                "Sensitive-operation verification is on: send yourself an e-mail code and enter it."
            ),
            field="code",
        )
    if method == TOTP_METHOD:
        if _recent_totp_failures(actor.user) >= settings.PC_VERIFICATION_CODE_TRIES:
            raise VerificationRequired(
                _("Too many wrong codes. Wait a few minutes, then try again."), field="code"
            )
        ok = len(code) <= 10 and TOTP(authenticator).validate_code(code)
        message = "" if ok else _("The verification code is not correct.")
    else:
        ok, message = _check_email_code(actor.user, code)
    _record("verification.passed" if ok else "verification.failed", actor, method=method)
    if not ok:
        raise VerificationRequired(message, field="code")


# --- pages ---------------------------------------------------------------------------------------


def code_form(request, actor=None, *, fresh=False):
    """The code field for a page's confirm step, or None when this person needs no code.
    Bound to the POST unless `fresh` (a new, empty one after the operation succeeded)."""
    from .actor import Actor
    from .forms import VerificationForm

    actor = actor or Actor.from_request(request)
    if not required(actor):
        return None
    form = VerificationForm(
        request.POST if request.method == "POST" and not fresh else None,
        method=method_for(actor.user),
        email=mask_email(actor.user.email),
    )
    form.is_valid()  # only the code: errors from the service are added to it
    return form


def inline_method(request, actor=None):
    """For pages with small inline forms (partials/verification_inline.html): the method of the
    code box to show in each, or None when this person needs no code."""
    from .actor import Actor

    actor = actor or Actor.from_request(request)
    return method_for(actor.user) if required(actor) else None


def send_requested(request):
    return request.method == "POST" and "send_code" in request.POST


def handle_send(request, form=None, actor=None):
    """True when this POST only asked for an e-mail code (the Send code button): the code has
    been sent — or the reason it was not is shown — and the view shows its page again without
    doing anything else. With no form, the outcome goes to the messages framework."""
    from .actor import Actor

    if not send_requested(request):
        return False
    actor = actor or Actor.from_request(request)
    try:
        masked = send_code(actor)
    except DomainError as e:
        ok, message = False, e.message
    else:
        ok = True
        message = _(
            "A verification code has been sent to %(email)s. It is valid for %(minutes)s minutes."
        ) % {"email": masked, "minutes": settings.PC_VERIFICATION_CODE_TTL // 60}
    if form is not None:
        if ok:
            form.notice = message
        else:
            form.add_error("code", message)
    elif ok:
        messages.success(request, message)
    else:
        messages.error(request, message)
    return True


def quiet(form):
    """After a Send code click, show the page's form as typed, without complaining about what
    is still missing: the person has not submitted it yet."""
    from django.forms.utils import ErrorDict

    form._errors = ErrorDict()
    form.cleaned_data = {}
    return form


def show_error(form, error):
    """Put a service's refusal on the code field when it is about the code; True if it was."""
    if form is not None and getattr(error, "field", None) == "code":
        form.add_error("code", error.message)
        return True
    return False
