from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import password_changed, password_reset
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from . import audit
from .actor import Actor


def _record(request, action, user, **kw):
    actor = Actor.from_request(request) if request is not None else Actor(user=user)
    if actor.user is None:
        actor = Actor(user=user, partner=actor.partner, ip=actor.ip)
    with transaction.atomic():
        audit.record(action, actor=actor, target=user, **kw)


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    # The tenancy middleware ran before the login; refresh so the audit row names the partner.
    from .models import Membership

    request.membership = (
        Membership.objects.active().select_related("partner").filter(user=user).first()
    )
    request.partner = request.membership.partner if request.membership else None
    _record(request, "auth.login", user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        _record(request, "auth.logout", user)


@receiver(password_changed)
@receiver(password_reset)
def on_password(sender, request, user, **kwargs):
    _record(request, "auth.password", user)


@receiver(authenticator_added)
@receiver(authenticator_removed)
def on_mfa(sender, request, user, authenticator, **kwargs):
    _record(request, "auth.mfa", user, after={"type": authenticator.type})


@receiver(authenticator_added)
def on_totp_activated(sender, request, user, authenticator, **kwargs):
    # Activating took a valid code from the new authenticator: this session has now passed the
    # second factor (partnercenter.mfa), as if the person had signed in with it.
    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    record_authentication(
        request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True
    )
