"""敏感操作验证: when the partner admin turns it on, money operations ask for the user's TOTP code."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.utils.translation import gettext as _

from .errors import VerificationRequired


def required(partner):
    return bool(partner is not None and partner.sensitive_op_verification)


def verify(actor, code):
    """Raise unless the partner does not ask for it, or the code is the user's current TOTP code."""
    if not required(actor.partner) or getattr(actor, "via", "web") == "api":
        return  # the API's request signature already proves who is calling
    authenticator = Authenticator.objects.filter(
        user=actor.user, type=Authenticator.Type.TOTP
    ).first()
    if authenticator is None:
        raise VerificationRequired(
            _(
                "Sensitive-operation verification is on: activate an authenticator app under Account security first."
            ),
            field="code",
        )
    if not code or not TOTP(authenticator).validate_code(str(code).strip()):
        raise VerificationRequired(_("The verification code is not correct."), field="code")
