"""Access keys (管理我的凭证): create, disable, enable, delete; look up for request signing.

A key belongs to one user and to the account the user works for (a partner, or a customer for
its own login). The SK is shown once, at creation, and stored only encrypted. Its scope is 只读
(read operations) or 读写 (also the writes): a signed call skips 敏感操作验证, so making or
re-enabling a key is itself verified when the account has it on — otherwise a key would be the
way around it.
"""

import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, secretbox, verification
from ..errors import DomainError, PermissionRefused
from ..models import AccessKey, AccessKeyScope, AccessKeyStatus, Role, User
from ..permissions import P, has_perm

AK_ALPHABET = string.ascii_uppercase + string.digits
SK_ALPHABET = string.ascii_letters + string.digits
LAST_USED_GRANULARITY = timedelta(minutes=1)  # at most one write per key per minute

audit.register_actions(
    {
        "access_key.create": _("Created an access key"),
        "access_key.disable": _("Disabled an access key"),
        "access_key.enable": _("Enabled an access key"),
        "access_key.delete": _("Deleted an access key"),
    }
)


def _may_manage(actor):
    if actor.membership is not None:
        return has_perm(actor.membership, P.ACCESS_KEYS_MANAGE)
    login = getattr(actor.user, "customer_login", None) if actor.user is not None else None
    return (
        login is not None and actor.customer is not None and login.customer_id == actor.customer.pk
    )


def _require_manager(actor):
    if not _may_manage(actor):
        raise PermissionRefused(_("Your role does not allow managing access keys."))


def visible_keys(actor):
    """The partner admin sees every colleague's keys (to disable a leaked one); others their own."""
    qs = AccessKey.objects.select_related("user")
    if actor.membership is not None:
        qs = qs.filter(partner_id=actor.membership.partner_id)
        if actor.membership.role != Role.ADMIN:
            qs = qs.filter(user=actor.user)
        return qs
    if actor.customer is not None:
        return qs.filter(customer=actor.customer, user=actor.user)
    return qs.none()


def _new_access_key_id():
    return "".join(secrets.choice(AK_ALPHABET) for _ in range(20))


def _new_secret():
    return "".join(secrets.choice(SK_ALPHABET) for _ in range(40))


def _require_room(user):
    active = AccessKey.objects.filter(user=user, status=AccessKeyStatus.ACTIVE).count()
    if active >= settings.PC_ACCESS_KEYS_PER_USER:
        raise DomainError(
            _("You can have at most %(n)s enabled access keys. Disable or delete one first.")
            % {"n": settings.PC_ACCESS_KEYS_PER_USER}
        )


def _clean_create(actor, description, scope):
    _require_manager(actor)
    if scope not in AccessKeyScope.values:
        raise DomainError(_("Choose what the key may do."), field="scope", code="CBC.0100")
    description = (description or "").strip()
    if len(description) > 100:
        raise DomainError(
            _("The description can have at most 100 characters."), field="description"
        )
    return description


def create_key(*, actor, description="", scope=AccessKeyScope.READ_ONLY, code=None):
    """Returns (key, secret). The secret is never retrievable again."""
    _clean_create(actor, description, scope)
    _require_room(actor.user)  # re-checked under the lock; here so a refusal spends no code
    verification.verify(actor, code)
    return _create_key(actor=actor, description=description, scope=scope)


@transaction.atomic(durable=True)
def _create_key(*, actor, description, scope):
    description = _clean_create(actor, description, scope)
    User.objects.select_for_update().filter(pk=actor.user.pk).first()  # serialises the count
    _require_room(actor.user)
    secret = _new_secret()
    key = AccessKey.objects.create(
        access_key_id=_new_access_key_id(),
        secret_encrypted=secretbox.seal(secret),
        user=actor.user,
        partner=actor.partner if actor.membership is not None else None,
        customer=actor.customer if actor.membership is None else None,
        description=description,
        scope=scope,
    )
    audit.record(
        "access_key.create",
        actor=actor,
        target=key,
        after={"ak": key.access_key_id, "scope": scope},
    )
    return key, secret


def _key_for_update(actor, key_id):
    key = visible_keys(actor).select_for_update(of=("self",)).filter(pk=key_id).first()
    if key is None:
        raise DomainError(_("Access key not found."), code="CBC.0151")
    return key


def set_key_enabled(*, actor, key_id, enabled, code=None):
    """Disabling is always free (a leaked key must go at once); enabling is verified."""
    _require_manager(actor)
    if enabled:
        key = visible_keys(actor).filter(pk=key_id).first()
        if key is None:
            raise DomainError(_("Access key not found."), code="CBC.0151")
        if key.status != AccessKeyStatus.ACTIVE:
            _require_room(key.user)
            verification.verify(actor, code)
    return _set_key_enabled(actor=actor, key_id=key_id, enabled=enabled)


@transaction.atomic(durable=True)
def _set_key_enabled(*, actor, key_id, enabled):
    _require_manager(actor)
    key = _key_for_update(actor, key_id)
    target = AccessKeyStatus.ACTIVE if enabled else AccessKeyStatus.DISABLED
    if key.status == target:
        return key
    if enabled:
        User.objects.select_for_update().filter(pk=key.user_id).first()
        _require_room(key.user)
    key.status = target
    key.save(update_fields=["status"])
    audit.record(
        "access_key.enable" if enabled else "access_key.disable",
        actor=actor,
        target=key,
        after={"ak": key.access_key_id},
    )
    return key


@transaction.atomic(durable=True)
def delete_key(*, actor, key_id):
    _require_manager(actor)
    key = _key_for_update(actor, key_id)
    audit.record("access_key.delete", actor=actor, target=key, before={"ak": key.access_key_id})
    key.delete()


def seed_key(
    *,
    user,
    access_key_id,
    secret,
    partner=None,
    customer=None,
    description="",
    scope=AccessKeyScope.READ_WRITE,
):
    """Demo data and tests only: a key with a known secret, so the README's example runs."""
    key, _created = AccessKey.objects.update_or_create(
        access_key_id=access_key_id,
        defaults={
            "secret_encrypted": secretbox.seal(secret),
            "user": user,
            "partner": partner,
            "customer": customer,
            "description": description,
            "status": AccessKeyStatus.ACTIVE,
            "scope": scope,
        },
    )
    return key


def key_for_signing(access_key_id):
    """(key, secret) for an enabled key, or None. Disabled and deleted keys sign nothing."""
    key = (
        AccessKey.objects.select_related("user", "partner", "customer")
        .filter(access_key_id=access_key_id, status=AccessKeyStatus.ACTIVE)
        .first()
    )
    if key is None:
        return None
    try:
        return key, secretbox.open_(key.secret_encrypted)
    except ValueError:
        return None


def touch(key, now=None):
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
