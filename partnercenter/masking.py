"""Masked personal data (张*明, a***@example.com, 138****5678) and the audited eye that reveals it.

A page never sends the full value until the user asks for it. The eye posts a signed reference
(registry key, object id, field) to /reveal/; the view re-scopes the object through the
registry's queryset for *this* request, so a forged reference to another partner's row is a 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing

SALT = "partnercenter.reveal"
SESSION_KEY = "revealed"
SESSION_CAP = 300


def mask_name(value):
    value = (value or "").strip()
    if len(value) <= 1:
        return value and "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_email(value):
    value = (value or "").strip()
    if "@" not in value:
        return mask_name(value)
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(value):
    digits = (value or "").strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 2:
        return digits[:1] + "*" * (len(digits) - 2) + digits[-1:]
    return "*" * len(digits)


def mask_account(value):
    value = (value or "").strip()
    if len(value) <= 2:
        return mask_name(value)
    return value[:2] + "****" + value[-1:]


MASKERS = {"name": mask_name, "email": mask_email, "phone": mask_phone, "account": mask_account}


@dataclass(frozen=True)
class Revealable:
    key: str
    fields: dict  # field name → mask kind
    queryset: Callable  # request → queryset of objects this request may reveal


_REGISTRY: dict[str, Revealable] = {}


def register(key, *, fields, queryset):
    _REGISTRY[key] = Revealable(key, dict(fields), queryset)


def get(key):
    return _REGISTRY.get(key)


def _signer():
    # No timestamp: the same field always gets the same token, because the session remembers
    # what was revealed by token and every rendering makes the token afresh. (signing.dumps
    # stamped the second into it, so a page drawn a second later no longer matched.) Tokens
    # don't need to expire: the scope check on each use is what protects.
    return signing.Signer(salt=SALT)


def token_for(key, pk, field):
    return _signer().sign_object([key, str(pk), field])


def read_token(token):
    """Return (key, pk, field) or None."""
    try:
        key, pk, field = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return key, pk, field


def remember(session, token):
    revealed = list(session.get(SESSION_KEY, []))
    if token not in revealed:
        revealed.append(token)
    session[SESSION_KEY] = revealed[-SESSION_CAP:]


def forget(session, token):
    revealed = [t for t in session.get(SESSION_KEY, []) if t != token]
    session[SESSION_KEY] = revealed


def is_revealed(session, token):
    return token in session.get(SESSION_KEY, ())
